// Isolation stepper (Module 5): transactions as columns over Hermitage's table (rows 1 -> 10 and
// 2 -> 20). The reader plays a Hermitage case one step at a time, or runs steps of their own on T1
// and T2 in any order at the level they pick, and sees each step's answer, which step waits, which
// transaction fails and why, and the dependency graph of what committed, with the cycle and the
// anomaly the checker names.
//
// This file only draws. Each change replays the whole script through the `transactions` crate
// compiled to wasm (commands in playground-crates/transactions/src/wasm.rs): the store answers the
// steps and the checker builds the graph.
//
// Test hooks: controls carry data-role (case, level, next, reset, step-T1, run-T1, step-T2, run-T2,
// note, announce, figure-<name>, column-<txn>, graph). The stage carries data-case, data-level,
// data-played (script lines played), data-left (case lines still to play), data-anomaly (the
// checker's name, or empty), data-blocked (blocked transactions, comma-separated) and data-last
// (the last output line, as the interleave command prints it).
(function () {
  "use strict";

  const el = DSIP.el;
  const SVG = "http://www.w3.org/2000/svg";
  const LEVELS = ["read-committed", "repeatable-read", "serializable"];
  const FREE = "free";
  // What a reader can run on a transaction of their own: a statement each, on Hermitage's table.
  const STEPS = [
    "get 1", "get 2", "set 1 11", "set 1 12", "set 2 21", "set 2 22", "add-all 10",
    "select value % 3 = 0", "select all", "insert 3 30", "delete 1", "delete-where value = 20",
    "commit", "abort",
  ];

  const words = (level) => level.replace(/-/g, " ");

  function svg(tag, attributes = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function option(value, label) {
    const node = el("option", { value }, label);
    return node;
  }

  let mounted = 0;

  function mount(stage, wasm, params) {
    const uid = "iss" + ++mounted;
    const cases = wasm.call({ cmd: "cases" });
    const byId = new Map(cases.map((c) => [c.id, c]));
    const state = {
      caseId: byId.has(params.case) ? params.case : FREE,
      level: LEVELS.includes(params.level) ? params.level : "read-committed",
      lines: [],   // script lines played so far
      pending: [], // a case's lines still to play
    };

    const hint = el("p", { class: "dsip-viz-hint" },
      "Keys, while focus is in this figure: N plays the case's next step, R starts again.");
    const caseSelect = el("select", { "data-role": "case" });
    caseSelect.append(option(FREE, "Your own interleaving"));
    for (const c of cases) caseSelect.append(option(c.id, c.title));
    const levelSelect = el("select", { "data-role": "level" });
    for (const level of LEVELS) levelSelect.append(option(level, words(level)));
    const next = el("button", { type: "button", class: "dsip-btn", "data-role": "next" }, "Next step");
    const reset = el("button", { type: "button", class: "dsip-btn", "data-role": "reset" }, "Start again");
    const caseLabel = el("label", {}, "Case ");
    caseLabel.append(caseSelect);
    const levelLabel = el("label", {}, "Level ");
    levelLabel.append(levelSelect);
    const controls = el("div", { class: "dsip-controls iss-controls" });
    controls.append(caseLabel, levelLabel, next, reset);
    const note = el("p", { class: "iss-note", "data-role": "note" });

    const columns = el("div", { class: "iss-columns" });
    const graph = svg("svg", { class: "dsip-viz-chart iss-graph", viewBox: "0 0 360 170", role: "img", "data-role": "graph" });
    const legend = el("ul", { class: "dsip-viz-legend" });
    for (const [cls, label] of [["iss-ww", "ww, wr: came after"], ["iss-rw", "rw: did not see (anti-dependency)"], ["iss-cycle", "on the cycle"]]) {
      const item = el("li");
      item.append(el("span", { class: "iss-swatch " + cls, "aria-hidden": "true" }), document.createTextNode(label));
      legend.append(item);
    }
    const figures = el("dl", { class: "dsip-viz-figures" });
    const dd = {};
    for (const [key, label] of [["anomaly", "Anomaly"], ["cycle", "Cycle"], ["next", "Next step"]]) {
      dd[key] = el("dd", { "data-role": "figure-" + key });
      const pair = el("div"); // one grid cell a figure, its name above its value
      pair.append(el("dt", {}, label), dd[key]);
      figures.append(pair);
    }
    const announce = el("p", { class: "dsip-viz-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    stage.append(hint, controls, note, columns, graph, legend, figures, announce);

    function loadCase(id) {
      state.caseId = id;
      state.lines = [];
      if (id === FREE) {
        state.pending = [];
      } else {
        const c = byId.get(id);
        state.level = c.level;
        state.pending = c.script.split("\n").map((l) => l.split("#")[0].trim().replace(/\s+/g, " ")).filter((l) => l !== "");
      }
    }

    function run(script) {
      return wasm.attempt({ cmd: "play", script }, (message) => { announce.textContent = message; });
    }

    // A step of the reader's own on `txn`: begin it first at the chosen level if it has not begun.
    function runOwn(txn, step) {
      if (state.caseId !== FREE) {
        state.caseId = FREE; // the reader took over: what was played stays, the rest of the case goes
        state.pending = [];
      }
      const begun = state.lines.some((l) => l.startsWith(txn + " "));
      const added = begun ? [txn + " " + step] : [txn + " begin " + state.level, txn + " " + step];
      const reply = run(state.lines.concat(added).join("\n"));
      if (!reply) return;
      if (reply.refused) {
        announce.textContent = "Refused: " + reply.refused.message;
        return;
      }
      state.lines.push(...added);
      draw(reply, added.length);
    }

    function playNext() {
      if (state.pending.length === 0) {
        announce.textContent = state.caseId === FREE ? "Pick a case first, or run a step on T1 or T2." : "The case has no more steps.";
        return;
      }
      state.lines.push(state.pending.shift());
      draw(run(state.lines.join("\n")), 1);
    }

    function columnNames(reply) {
      const names = reply ? reply.txns.map((t) => t.name) : [];
      for (const name of ["T1", "T2"]) if (state.caseId === FREE && !names.includes(name)) names.push(name);
      return names.length ? names : ["T1", "T2"];
    }

    function drawColumns(reply) {
      const names = columnNames(reply);
      columns.replaceChildren();
      columns.style.setProperty("--iss-columns", String(names.length));
      const blocked = new Set(reply ? reply.txns.filter((t) => t.blocked).map((t) => t.name) : []);
      names.forEach((name, i) => {
        const txn = reply && reply.txns.find((t) => t.name === name);
        const head = el("div", { class: "iss-head", "data-role": "column-" + name });
        head.style.gridColumn = String(i + 1);
        head.append(el("strong", {}, name));
        const status = txn ? words(txn.level) + ", " + (txn.blocked ? "blocked" : txn.state) : "not begun";
        head.append(el("span", { class: "iss-state" + (txn && (txn.state === "failed" || txn.state === "rolled back") ? " iss-bad" : "") }, status));
        if (state.caseId === FREE && (name === "T1" || name === "T2")) {
          const ended = txn && (txn.state === "committed" || txn.state === "rolled back");
          const pick = el("select", { "data-role": "step-" + name, "aria-label": "Step for " + name });
          for (const step of STEPS) pick.append(option(step, step));
          const go = el("button", { type: "button", class: "dsip-btn", "data-role": "run-" + name }, "Run on " + name);
          if (ended || blocked.has(name)) {
            pick.disabled = true;
            go.disabled = true;
          }
          go.addEventListener("click", () => runOwn(name, pick.value));
          const own = el("div", { class: "iss-own" });
          own.append(pick, go);
          head.append(own);
        }
        columns.append(head);
      });
      const list = el("ol", { class: "iss-steps" });
      for (const e of reply ? reply.events : []) {
        const item = el("li", { class: "iss-" + e.kind + (e.failed ? " iss-bad" : "") });
        item.style.gridColumn = String(names.indexOf(e.txn) + 1);
        item.append(el("span", { class: "iss-sr" }, e.txn + " "), el("code", {}, e.text), document.createTextNode(" → "));
        const result = e.kind === "released" ? e.result + " (was blocked)" : e.result;
        item.append(el("span", { class: "iss-result" }, result));
        list.append(item);
      }
      columns.append(list);
      return names;
    }

    function drawGraph(reply, names) {
      graph.replaceChildren();
      const defs = svg("defs");
      for (const cls of ["plain", "cycle"]) {
        const marker = svg("marker", { id: uid + "-arrow-" + cls, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
        marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "iss-arrow-" + cls }));
        defs.append(marker);
      }
      graph.append(defs);
      const spots = names.length <= 2
        ? [[70, 65], [290, 65]]
        : [[60, 40], [300, 40], [180, 145]];
      graph.setAttribute("viewBox", names.length <= 2 ? "0 0 360 130" : "0 0 360 180");
      const at = new Map(names.map((n, i) => [n, spots[i % spots.length]]));
      const edges = reply ? reply.edges : [];
      const cycle = reply && reply.finding ? reply.finding.cycle : [];
      const onCycle = (e) => cycle.some((c) => c.from === e.from && c.to === e.to && c.dep === e.dep && c.key === e.key);
      const seen = new Map();
      const described = [];
      for (const e of edges) {
        const [x1, y1] = at.get(e.from) || [0, 0];
        const [x2, y2] = at.get(e.to) || [0, 0];
        const [first, second] = [e.from, e.to].sort();
        const pair = first + "|" + second;
        const k = seen.get(pair) || 0;
        seen.set(pair, k + 1);
        // The bend is measured from the pair's first node to its second, so edges one way bow to
        // one side and edges the other way to the other; more edges between the pair bow further.
        const [ax, ay] = at.get(first) || [0, 0];
        const [bx, by] = at.get(second) || [0, 0];
        const len = Math.hypot(bx - ax, by - ay) || 1;
        const nx = -(by - ay) / len, ny = (bx - ax) / len;
        const bend = (e.from === first ? -1 : 1) * (44 + 30 * Math.floor(k / 2));
        const mx = (x1 + x2) / 2, my = (y1 + y2) / 2;
        const cx = mx + nx * bend, cy = my + ny * bend;
        const shorten = (x, y, tx, ty) => { const d = Math.hypot(tx - x, ty - y) || 1; return [x + (tx - x) * 24 / d, y + (ty - y) * 24 / d]; };
        const [sx, sy] = shorten(x1, y1, cx, cy);
        const [ex, ey] = shorten(x2, y2, cx, cy);
        const hot = onCycle(e);
        const kind = e.dep.startsWith("rw") ? "iss-rw" : "iss-ww";
        graph.append(svg("path", {
          d: `M${sx},${sy} Q${cx},${cy} ${ex},${ey}`,
          class: "iss-edge " + kind + (hot ? " iss-cycle" : ""),
          "marker-end": `url(#${uid}-arrow-${hot ? "cycle" : "plain"})`,
        }));
        const lx = 0.25 * sx + 0.5 * cx + 0.25 * ex, ly = 0.25 * sy + 0.5 * cy + 0.25 * ey;
        graph.append(svg("text", { x: lx, y: ly + 4, class: "iss-edge-label" + (hot ? " iss-cycle-label" : ""), "text-anchor": "middle" }, `${e.dep} (${e.key})`));
        described.push(`${e.from} ${e.dep} on row ${e.key} to ${e.to}${hot ? " (on the cycle)" : ""}`);
      }
      const committed = new Set(reply ? reply.txns.filter((t) => t.state === "committed").map((t) => t.name) : []);
      for (const name of names) {
        const [x, y] = at.get(name);
        const group = svg("g", { class: "iss-node" + (committed.has(name) ? " iss-committed" : "") });
        group.append(svg("circle", { cx: x, cy: y, r: 20 }), svg("text", { x, y: y + 5, "text-anchor": "middle" }, name));
        graph.append(group);
      }
      graph.setAttribute("aria-label", "Dependency graph of the committed transactions: " +
        (described.length ? described.join("; ") : "no edges") + ".");
    }

    function draw(reply, added) {
      levelSelect.value = state.level;
      levelSelect.disabled = state.caseId !== FREE;
      caseSelect.value = state.caseId;
      note.textContent = state.caseId === FREE
        ? "Run steps on T1 and T2 in any order; each begins at the level chosen above. Rows 1 → 10 and 2 → 20 to start."
        : byId.get(state.caseId).note;
      const names = drawColumns(reply);
      drawGraph(reply, names);
      const finding = reply && reply.finding;
      const committed = reply ? reply.txns.filter((t) => t.state === "committed").length : 0;
      dd.anomaly.textContent = finding ? `${finding.anomaly} (${finding.meaning})` : committed ? "none: what committed is serializable" : "none yet: nothing has committed";
      dd.cycle.textContent = finding ? finding.text.slice(finding.text.indexOf(": ") + 2) : "–";
      dd.next.textContent = state.pending.length ? state.pending[0] : state.caseId === FREE ? "your choice" : "end of the case";
      next.disabled = state.pending.length === 0;
      const events = reply ? reply.events : [];
      const line = (e) => `${e.txn} ${e.text} -> ${e.result}${e.kind === "released" ? " (was blocked)" : ""}`;
      const last = events.length ? line(events[events.length - 1]) : "";
      if (added) {
        const fresh = events.slice(events.length - Math.max(1, countNew(reply, added)));
        announce.textContent = fresh.map(line).join("; ") + (finding ? ". The checker names " + finding.anomaly + "." : "");
      }
      Object.assign(stage.dataset, {
        case: state.caseId,
        level: state.level,
        played: String(state.lines.length),
        left: String(state.pending.length),
        anomaly: finding ? finding.anomaly : "",
        blocked: reply ? reply.txns.filter((t) => t.blocked).map((t) => t.name).join(",") : "",
        last,
      });
    }

    // The output lines the last `added` script lines produced: their own, then any releases
    // (a release carries the line number of the step that had blocked, so it is older).
    function countNew(reply, added) {
      const before = state.lines.length - added;
      const start = reply.events.findIndex((e) => e.line > before && e.kind !== "released");
      return start < 0 ? 0 : reply.events.length - start;
    }

    caseSelect.addEventListener("change", () => {
      loadCase(caseSelect.value);
      draw(run(""), 0);
      announce.textContent = state.caseId === FREE ? "Your own interleaving at " + words(state.level) + "." : byId.get(state.caseId).title + ": press Next step.";
    });
    levelSelect.addEventListener("change", () => {
      state.level = levelSelect.value;
      state.lines = [];
      draw(run(""), 0);
      announce.textContent = "Level " + words(state.level) + ": started again.";
    });
    next.addEventListener("click", playNext);
    reset.addEventListener("click", () => {
      loadCase(state.caseId);
      draw(run(""), 0);
      announce.textContent = "Started again.";
    });
    DSIP.keepKeys(stage, (key) => {
      if (key === "n" || key === "N") { playNext(); return true; }
      if (key === "r" || key === "R") { reset.click(); return true; }
      return false;
    });

    loadCase(state.caseId);
    draw(run(""), 0);
  }

  DSIP.registerWidget("isolation-stepper", { mount });
})();
