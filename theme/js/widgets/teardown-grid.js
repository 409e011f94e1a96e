// The teardown grid (Module 10): the 6-Lens Teardown Template's grid as one interactive table. A
// tab list picks a lens; the five systems show that lens's answers side by side, each with the
// modules that taught the mechanism, and a "Try it" that opens the earlier module's widget, preset
// to that mechanism, in a panel below the grid (or links to the snippet that runs it).
//
// One source: every lens name and every answer is read from the page's own tables (the `###`
// headings and tables after the heading `params.grid` names), which stay the no-JS, print and
// search version. The figure's params hold only what a table cannot: for each cell
// (`params.try["<system>-<lens>"]`), the widget to open (`widget`, `wasm`, `params`), or the
// snippet to link (`snippet`, a path with its anchor), a `label` and the `steps` to follow there.
// An embedded widget is the same <figure> a `viz` directive renders, mounted with
// DSIP.mountWidget, so it runs on its own crate's wasm.
//
// The grid's own crate is `clocks`: a try entry with `live = true` (Spanner's time cell) shows the
// commit wait the crate's `commit_wait` rule computes at that entry's ε. This file only draws.
//
// Test hooks: tabs carry data-role="lens-<n>", cells data-system="<system>" with
// data-role="answer", "taught", "live" and "try" inside; the panel is data-role="try-panel" with
// data-role="close" (and data-role="snippet-link" for a snippet entry); the stage carries data-lens (the lens shown), data-open ("<system>-<lens>"
// or empty) and data-live-wait-us.
(function () {
  "use strict";

  const el = DSIP.el;

  // `**bold**`, `` `code` `` and `*emphasis*` in a try entry's steps; everything else is text.
  function inline(text) {
    const parts = [];
    for (const piece of String(text).split(/(\*\*[^*]+\*\*|`[^`]+`|\*[^*]+\*)/)) {
      if (!piece) continue;
      if (piece.startsWith("**")) parts.push(el("strong", {}, piece.slice(2, -2)));
      else if (piece.startsWith("`")) parts.push(el("code", {}, piece.slice(1, -1)));
      else if (piece.startsWith("*") && piece.length > 2) parts.push(el("em", {}, piece.slice(1, -1)));
      else parts.push(piece);
    }
    return parts;
  }

  // The lenses, in page order: every `###` heading after the grid's `##` heading that a table
  // follows, up to the next `##` (or this figure).
  function readLenses(figure, gridId) {
    const start = document.getElementById(gridId);
    if (!start) throw new Error("the page has no heading #" + gridId + " for the grid's tables");
    const lenses = [];
    let heading = null;
    for (let node = start.nextElementSibling; node && node !== figure && node.tagName !== "H2"; node = node.nextElementSibling) {
      if (node.tagName === "H3") {
        heading = node;
        continue;
      }
      const table = node.tagName === "TABLE" ? node : node.querySelector("table");
      if (!heading || !table) continue;
      const title = heading.textContent.trim();
      const match = /^(\d+)\.\s*(.*)$/.exec(title);
      const rows = [...table.tBodies[0].rows].map((row) => ({
        system: row.cells[0].textContent.trim(),
        cell: row.cells[1],
      }));
      lenses.push({ number: match ? Number(match[1]) : lenses.length + 1, name: match ? match[2] : title, title, anchor: heading.id, rows });
      heading = null;
    }
    if (!lenses.length) throw new Error("no lens tables after #" + gridId);
    return lenses;
  }

  // A table cell is "the answer (→ Module N: [page](…); …)": the answer, then the arrow naming
  // where the course taught it. Both halves are copies of the cell's own nodes, links included.
  function splitCell(td) {
    const nodes = [...td.childNodes];
    let at = -1;
    nodes.forEach((node, i) => {
      if (node.nodeType === Node.TEXT_NODE && node.data.includes("(→")) at = i;
    });
    const copy = (node) => node.cloneNode(true);
    if (at < 0) return { answer: nodes.map(copy), taught: [] };
    const text = nodes[at].data;
    const cut = text.lastIndexOf("(→");
    const answer = [...nodes.slice(0, at).map(copy), document.createTextNode(text.slice(0, cut).trimEnd())];
    const taught = [document.createTextNode(text.slice(cut + 2).trimStart()), ...nodes.slice(at + 1).map(copy)];
    const last = taught[taught.length - 1];
    if (last.nodeType === Node.TEXT_NODE) last.data = last.data.replace(/\)\s*$/, "");
    return { answer, taught };
  }

  const keyOf = (system) => system.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  const ms = (us) => (us / 1000).toFixed(1) + " ms";

  function mount(stage, wasm, params, figure) {
    params = params || {};
    const tries = params.try || {};
    const lenses = readLenses(figure, params.grid || "the-grid");
    const id = figure.id || "viz-teardown-grid";

    stage.replaceChildren();
    stage.classList.add("tg");

    const hint = el("p", { class: "dsip-viz-hint" },
      "Pick a lens: Tab to the tabs, then ← and → (Home, End). Try it opens the earlier module's widget below the grid.");
    const tablist = el("div", { class: "tg-tabs", role: "tablist", "aria-label": "Lens" });
    const panel = el("div", { class: "tg-panel", role: "tabpanel", id: id + "-lens", tabindex: "-1" });
    const tabs = lenses.map((lens, i) => {
      const tab = el("button", {
        type: "button", class: "tg-tab", role: "tab", id: id + "-tab-" + lens.number,
        "aria-selected": "false", "aria-controls": panel.id, tabindex: "-1", "data-role": "lens-" + lens.number,
      }, lens.title);
      tab.addEventListener("click", () => select(i, false));
      tablist.append(tab);
      return tab;
    });
    const tryPanel = el("section", { class: "tg-try", id: id + "-try-panel", "data-role": "try-panel", "aria-labelledby": id + "-try-title", tabindex: "-1", hidden: "" });
    const announce = el("p", { class: "dsip-viz-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    stage.append(hint, tablist, panel, announce, tryPanel);

    // The live number: what the `clocks` crate's commit-wait rule makes T1 wait at the entry's ε.
    function live(entry) {
      const epsilonUs = Math.round(Number(entry.params.epsilon_ms) * 1000);
      const reply = wasm.attempt({ cmd: "commit_wait", epsilon_us: epsilonUs, wait: true }, (message) => { announce.textContent = message; });
      if (!reply) return null;
      stage.dataset.liveWaitUs = String(reply.t1.wait_us);
      return el("p", { class: "tg-live", "data-role": "live" }, [
        el("span", { class: "tg-label" }, "Live, from the "), el("code", {}, "clocks"), el("span", { class: "tg-label" }, " crate: "),
        "at ε = " + ms(reply.epsilon_us) + ", commit wait is " + ms(reply.t1.wait_us) + ".",
      ]);
    }

    let current = -1;
    let open = null; // { key, button, figure }

    function renderCell(lens, row) {
      const key = keyOf(row.system) + "-" + lens.number;
      const entry = tries[key];
      const { answer, taught } = splitCell(row.cell);
      const item = el("li", { class: "tg-cell", "data-system": keyOf(row.system) });
      item.append(el("p", { class: "tg-system" }, row.system));
      const body = el("p", { class: "tg-answer", "data-role": "answer" });
      body.append(...answer);
      item.append(body);
      if (entry && entry.live && entry.widget === "commit-wait") {
        const line = live(entry);
        if (line) item.append(line);
      }
      if (taught.length) {
        const line = el("p", { class: "tg-taught", "data-role": "taught" }, el("span", { class: "tg-label" }, "Taught in "));
        line.append(...taught);
        item.append(line);
      }
      if (entry && (entry.widget || entry.snippet)) {
        const button = el("button", {
          type: "button", class: "dsip-btn tg-try-button", "data-role": "try", "aria-expanded": String(Boolean(open && open.key === key)),
          "aria-controls": id + "-try-panel",
        }, "Try it: " + entry.label);
        button.addEventListener("click", () => (open && open.key === key ? close() : openTry(key, entry, row.system, lens, button)));
        if (open && open.key === key) open.button = button;
        item.append(el("p", { class: "tg-try-line" }, button));
      }
      return item;
    }

    function select(index, focus) {
      if (index === current) {
        if (focus) tabs[index].focus();
        return;
      }
      current = index;
      const lens = lenses[index];
      tabs.forEach((tab, i) => {
        tab.setAttribute("aria-selected", String(i === index));
        tab.tabIndex = i === index ? 0 : -1;
      });
      panel.setAttribute("aria-labelledby", tabs[index].id);
      const list = el("ul", { class: "tg-cells", role: "list" });
      for (const row of lens.rows) list.append(renderCell(lens, row));
      const source = el("p", { class: "tg-source" }, [
        "From the table ", el("a", { href: "#" + lens.anchor }, lens.title), " above.",
      ]);
      panel.replaceChildren(list, source);
      stage.dataset.lens = String(lens.number);
      announce.textContent = "Lens " + lens.number + " of " + lenses.length + ", " + lens.name + ": " +
        lens.rows.map((row) => row.system).join(", ") + ".";
      if (focus) tabs[index].focus();
    }

    // A widget entry opens its figure in the panel; a snippet entry opens the steps and the link
    // to the snippet's section on its module's page.
    function openTry(key, entry, system, lens, button) {
      if (open) close(false);
      let body;
      let embedded = null;
      if (entry.widget) {
        embedded = el("figure", {
          class: "dsip-viz tg-embedded", id: id + "-try", "data-widget": entry.widget, "data-wasm": entry.wasm,
          "data-params": JSON.stringify(entry.params || {}),
        });
        const caption = el("figcaption", {}, el("span", { class: "dsip-viz-title" }, entry.label));
        caption.append(el("p", {}, inline(entry.steps)));
        embedded.append(caption, el("div", { class: "dsip-viz-stage", tabindex: "-1" }));
        body = embedded;
      } else {
        body = el("div", { class: "tg-snippet" }, [
          el("p", {}, inline(entry.steps)),
          el("p", {}, el("a", { href: entry.snippet, "data-role": "snippet-link" }, "Go to " + entry.label + " →")),
        ]);
      }
      const closeButton = el("button", { type: "button", class: "dsip-btn", "data-role": "close" }, "Close");
      closeButton.addEventListener("click", () => close());
      const head = el("div", { class: "tg-try-head" }, [
        el("p", { class: "tg-try-title", id: id + "-try-title" }, "Try it: " + system + ", lens " + lens.number + " (" + lens.name + ")"),
        closeButton,
      ]);
      tryPanel.replaceChildren(head, body);
      tryPanel.hidden = false;
      open = { key, button, figure: embedded };
      button.setAttribute("aria-expanded", "true");
      stage.dataset.open = key;
      announce.textContent = "Opened " + entry.label + " for " + system + ", lens " + lens.number + ", below the grid.";
      tryPanel.focus({ preventScroll: true });
      tryPanel.scrollIntoView({ block: "start", behavior: "auto" });
      if (!embedded) return;
      DSIP.mountWidget(embedded).then((state) => {
        if (state !== "yes" && open && open.figure === embedded) announce.textContent = entry.label + " could not start.";
      });
    }

    // Takes the embedded figure off the page (a widget that was playing stops with it) and gives
    // focus back to the Try it that opened it.
    function close(refocus = true) {
      if (!open) return;
      const { button } = open;
      open = null;
      tryPanel.hidden = true;
      tryPanel.replaceChildren();
      stage.dataset.open = "";
      if (button) button.setAttribute("aria-expanded", "false");
      if (!refocus) return;
      // The cell's button is gone when another lens is showing: focus that lens's tab instead.
      (button && button.isConnected ? button : tabs[current]).focus();
      announce.textContent = "Closed the Try it panel.";
    }

    // Roving tabindex: one tab in the Tab order, the arrows move along the list and select
    // (automatic activation). The keys stop here, so mdBook's ← → never turn the chapter.
    DSIP.keepKeys(tablist, (key) => {
      const at = tabs.indexOf(document.activeElement);
      if (at < 0) return false;
      const moves = { ArrowRight: (at + 1) % tabs.length, ArrowLeft: (at - 1 + tabs.length) % tabs.length, Home: 0, End: tabs.length - 1 };
      if (!(key in moves)) return false;
      select(moves[key], true);
      return true;
    });

    stage.dataset.open = "";
    select(0, false);
  }

  DSIP.registerWidget("teardown-grid", { mount });
})();
