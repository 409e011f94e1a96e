// The widget runtime: finds every `.dsip-viz` figure the preprocessor emitted, loads the companion
// crate's WebAssembly, and hands both to the widget registered under the figure's data-widget.
// Widgets only draw; every rule of an algorithm lives in the Rust crate behind `wasm.call`.
(function () {
  "use strict";

  const widgets = new Map();
  const modules = new Map(); // wasm name -> Promise<WebAssembly.Module>, compiled once a page

  function root() {
    return typeof path_to_root === "string" ? path_to_root : "";
  }

  function compile(name) {
    if (!modules.has(name)) {
      const url = root() + "wasm/" + name + ".wasm";
      const load = fetch(url).then((response) => {
        if (!response.ok) {
          throw new Error(url + " answered " + response.status + ": build the book with `cargo xtask build`");
        }
        return response.arrayBuffer();
      }).then((bytes) => WebAssembly.compile(bytes));
      modules.set(name, load);
    }
    return modules.get(name);
  }

  // One instance a figure, so two widgets of the same crate on a page keep separate state.
  async function instantiate(name) {
    const module = await compile(name);
    const instance = await WebAssembly.instantiate(module, {});
    const exports = instance.exports;
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    return {
      name,
      call(request) {
        const bytes = encoder.encode(JSON.stringify(request));
        const ptr = exports.dsip_alloc(bytes.length);
        new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
        const packed = exports.dsip_call(ptr, bytes.length);
        const outPtr = Number(packed >> 32n);
        const outLen = Number(packed & 0xffffffffn);
        const text = decoder.decode(new Uint8Array(exports.memory.buffer, outPtr, outLen));
        exports.dsip_free(outPtr, outLen);
        const reply = JSON.parse(text);
        if (reply && reply.error) {
          throw new Error(name + ": " + reply.error);
        }
        return reply;
      },
      // For widgets: a command the crate refuses (it answers {"error": ...}) is told to the
      // learner through `report`, and the widget carries on with its last good state.
      attempt(request, report) {
        try {
          return this.call(request);
        } catch (error) {
          report(error.message);
          return null;
        }
      },
    };
  }

  function showError(figure, error) {
    const stage = figure.querySelector(".dsip-viz-stage");
    const message = document.createElement("p");
    message.className = "dsip-viz-error";
    message.setAttribute("role", "alert");
    message.textContent = "This visualization could not start: " + error.message;
    (stage || figure).appendChild(message);
    console.warn("[dsip]", figure.id, error);
  }

  async function mount(figure) {
    const widget = widgets.get(figure.dataset.widget);
    if (figure.dataset.mounted || !widget) return;
    figure.dataset.mounted = "pending";
    try {
      const params = figure.dataset.params ? JSON.parse(figure.dataset.params) : {};
      const wasm = await instantiate(figure.dataset.wasm);
      widget.mount(figure.querySelector(".dsip-viz-stage"), wasm, params, figure);
      figure.dataset.mounted = "yes";
    } catch (error) {
      figure.dataset.mounted = "failed";
      showError(figure, error);
    }
  }

  // Runs once every script has loaded: a figure whose widget never registered is a build mistake
  // (a `viz` directive naming a widget no theme/js/widgets file defines), so say so on the page.
  function reportOrphans() {
    document.querySelectorAll("figure.dsip-viz:not([data-mounted])").forEach((figure) => {
      figure.dataset.mounted = "failed";
      showError(figure, new Error("no widget named '" + figure.dataset.widget + "' is loaded"));
    });
  }

  window.DSIP = Object.assign(window.DSIP || {}, {
    registerWidget(name, widget) {
      widgets.set(name, widget);
      // Widgets' scripts load after this one; mount any figure that was waiting for this widget.
      document.querySelectorAll('figure.dsip-viz[data-widget="' + name + '"]').forEach(mount);
    },
    // Exposed for tests and for widgets that compare against the crate directly.
    instantiate,
    // The one DOM helper every widget needs: an element with attributes and optional text.
    el(tag, attributes = {}, text) {
      const node = document.createElement(tag);
      for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
      if (text !== undefined) node.textContent = text;
      return node;
    },
    // True when the page is in one of mdBook's dark themes; widgets read colours from CSS
    // variables, so they only need this for canvas drawing.
    isDark() {
      const html = document.documentElement.classList;
      return html.contains("coal") || html.contains("navy") || html.contains("ayu");
    },
  });

  if (document.readyState === "complete") {
    reportOrphans();
  } else {
    window.addEventListener("load", reportOrphans);
  }
})();
