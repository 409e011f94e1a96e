// The widget runtime: finds every `.dsip-viz` figure the preprocessor emitted, loads the widget it
// names (its script and styles, from <root>/widgets/, only on pages that have one), loads the
// companion crate's WebAssembly, and hands both to the widget's mount function. Widgets only draw;
// every rule of an algorithm lives in the Rust crate behind `wasm.call`.
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
    if (figure.dataset.mounted) return;
    if (!widget) {
      figure.dataset.mounted = "failed";
      showError(figure, new Error("no widget named '" + figure.dataset.widget + "' is loaded"));
      return;
    }
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

  // A widget's files, fetched once a page: `cargo xtask build` copies theme/js/widgets/<name>.js
  // and theme/css/widgets/<name>.css (plus the controls' shared viz.css) to <root>/widgets/.
  const loaded = new Map();

  function once(url, make) {
    if (!loaded.has(url)) {
      loaded.set(url, new Promise((resolve, reject) => {
        const node = make(url);
        node.addEventListener("load", resolve);
        node.addEventListener("error", () =>
          reject(new Error(url + " could not be loaded: build the book with `cargo xtask build`")));
        document.head.appendChild(node);
      }));
    }
    return loaded.get(url);
  }

  function stylesheet(url) {
    return once(url, (href) => Object.assign(document.createElement("link"), { rel: "stylesheet", href }));
  }

  function script(url) {
    return once(url, (src) => Object.assign(document.createElement("script"), { src, async: true }));
  }

  function loadWidget(name) {
    const base = root() + "widgets/";
    return Promise.all([stylesheet(base + "viz.css"), stylesheet(base + name + ".css"), script(base + name + ".js")]);
  }

  // The reader features that only some pages need, loaded like a widget's files (script and
  // styles from <root>/widgets/) on the pages that have what they work on, so a text page loads
  // none of them. Each is one concept: the ladder exercise, the export of its answers, the "Where
  // you sit" summary, the frameworks sheet's copy-link, the curriculum cards' progress.
  const READER = [
    [".dsip-ladder", "reader-ladder"],
    [".dsip-ladder, .dsip-where-you-sit", "reader-export"],
    [".dsip-where-you-sit", "reader-sit"],
    [".dsip-frameworks-sheet", "reader-sheet"],
    [".dsip-curriculum, .dsip-where-you-sit", "reader-progress"],
  ];

  function loadReader() {
    const base = root() + "widgets/";
    for (const [selector, name] of READER) {
      if (!document.querySelector(selector)) continue;
      stylesheet(base + name + ".css")
        .then(() => script(base + name + ".js"))
        .catch((error) => console.warn("[dsip]", error.message));
    }
  }

  // Loads a figure's widget files (once a page, however many figures use them) and mounts it.
  // Resolves with the figure's data-mounted: "yes", or "failed" with the reason shown in it.
  function loadAndMount(figure) {
    return loadWidget(figure.dataset.widget).then(
      () => mount(figure),
      (error) => {
        figure.dataset.mounted = "failed";
        showError(figure, error);
      },
    ).then(() => figure.dataset.mounted);
  }

  const NAVIGATION = /^(Arrow(Left|Right|Up|Down)|Home|End|PageUp|PageDown)$/;

  // For keepKeys: whether the focused element is a form control that keeps `key` for itself.
  function controlKeeps(target, key, fields) {
    if (!/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return false;
    if (fields === "control") return true;
    if (target.type === "range") return NAVIGATION.test(key);
    return key.length === 1 && !(fields === "select" && target.tagName === "SELECT");
  }

  function start() {
    loadReader();
    document.querySelectorAll("figure.dsip-viz").forEach(loadAndMount);
  }

  window.DSIP = Object.assign(window.DSIP || {}, {
    // Called by each widget's script as it loads; the runtime mounts its figures once the
    // widget's styles have loaded too.
    registerWidget(name, widget) {
      widgets.set(name, widget);
    },
    // Exposed for tests and for widgets that compare against the crate directly.
    instantiate,
    // Mounts a figure added after the page loaded, exactly as one present at load: a widget that
    // embeds another widget's figure (the teardown grid's "Try it") builds the same
    // <figure class="dsip-viz" data-widget data-wasm data-params> the `viz` directive renders,
    // puts it in the page and hands it here. That widget's script and styles are fetched if this
    // page has not loaded them yet, and it runs on its own crate's wasm. Resolves with the
    // figure's data-mounted: "yes", or "failed" (the error is shown in the figure, as at load).
    mountWidget: loadAndMount,
    // The one DOM helper every widget needs: an element with attributes and optional content,
    // which is text, an element, or an array of both (an element must not turn into the text
    // "[object HTMLSpanElement]").
    el(tag, attributes = {}, content) {
      const node = document.createElement(tag);
      for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
      if (content === undefined || content === null) return node;
      for (const part of Array.isArray(content) ? content : [content]) {
        node.append(part instanceof Node ? part : String(part));
      }
      return node;
    },
    // Keys a widget handles never reach mdBook, whose ← and → turn the chapter; keys a form control
    // needs (a slider's arrows and Home/End, typing in a field or a select) go to the control and
    // stop there. `handle(key, event)` returns true for a key it used; the event is there for a
    // widget that needs the focused element or Shift.
    // Two options keep a widget's own rules where a reader would notice them:
    // - `fields`: which keys a focused input, select or textarea keeps for itself, so no shortcut
    //   fires. "typing" (the default) is the rule above. "select": a select's typed characters are
    //   shortcuts too (the consistency dial's ] steps the read level with its select focused).
    //   "control": a focused control keeps every key, a slider included (the hash ring's + on its
    //   vnodes slider does not add a node).
    // - `navigation: true`: every navigation key (arrows, Home, End, Page Up/Down) stops in the
    //   figure, not only ← and →; what the key does in the figure still happens.
    keepKeys(stage, handle, { fields = "typing", navigation = false } = {}) {
      stage.addEventListener("keydown", (event) => {
        if (event.altKey || event.ctrlKey || event.metaKey) return;
        const key = event.key;
        const moves = NAVIGATION.test(key);
        if (moves && navigation) event.stopPropagation();
        if (controlKeeps(event.target, key, fields)) {
          if (moves) event.stopPropagation(); // the control moves; the chapter does not turn
          return;
        }
        if (handle(key, event)) {
          event.preventDefault();
          event.stopPropagation();
        } else if (/^Arrow(Left|Right)$/.test(key)) {
          event.stopPropagation();
        }
      });
    },
    // True when the page is in one of mdBook's dark themes; widgets read colours from CSS
    // variables, so they only need this for canvas drawing.
    isDark() {
      const html = document.documentElement.classList;
      return html.contains("coal") || html.contains("navy") || html.contains("ayu");
    },
    // Calls `redraw` each time the reader switches mdBook's theme (a class on <html>), for a widget
    // that paints colours itself on a canvas. Once `stage` is off the page (the teardown grid closed
    // the figure), the next switch disconnects instead, so opening and closing figures leaves no
    // observer behind on <html>.
    onThemeChange(stage, redraw) {
      const watch = new MutationObserver(() => {
        if (stage.isConnected) redraw();
        else watch.disconnect();
      });
      watch.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    },
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
