// Fencing tokens (Module 8): two views, both driven by the `coordination` crate compiled to wasm.
//
// view "pause": the lock service, client 1, client 2 and the storage on one timeline. Client 1 is
// frozen (a GC pause, a SIGSTOP) at a moment and for a length the reader sets, with the sliders or by
// dragging the end of the shaded pause on client 1's lane; fencing is switched off or on. The lane
// marks show each grant and its lease, each read and write at the storage (accepted, stale or
// refused), and the figures give the stale writes, the final value and Module 2's verdict.
// view "redlock": five Redis-like nodes A to E (or one), node C's clock jumping forward by the
// amount the reader sets, expiry on the wall clock or a monotonic clock; the client lanes show who
// believed they held the lock when, and the overlap.
//
// This file only draws. Every event comes from `wasm.call` (commands `pause` and `redlock` in
// playground-crates/coordination/src/wasm.rs).
//
// Test hooks: controls carry data-role (fencing-off, fencing-on, pause-ms, pause-at, pause-handle,
// jump-ms, expiry-wall, expiry-monotonic, nodes-5, nodes-1, announce, figure-<name>, events). The
// stage carries data-view, and for "pause" data-fencing, data-pause-ms, data-pause-at, data-stale,
// data-refused, data-final, data-expected, data-linearizable, data-grants ("client:token@ms,…") and
// data-writes ("client:token:value:state@ms,…", state accepted|stale|refused); for "redlock"
// data-nodes, data-jump-ms, data-monotonic, data-two-holders, data-overlap-ms and data-holds
// ("client:from-until:NODES,…").
(function () {
  "use strict";

  const el = DSIP.el;
  /** An element holding other elements and text, in order. */
  function holding(tag, attributes, ...children) {
    const node = el(tag, attributes);
    node.append(...children);
    return node;
  }
  const SVG = "http://www.w3.org/2000/svg";
  // The drawing's width follows the figure's, so text stays at its CSS size on a phone: a 640-unit
  // drawing shrunk to 350 px would set 13 px labels at 7 px.
  let W = 640;
  let LEFT = 92;
  let RIGHT = 628;
  function fit(stage) {
    W = Math.round(Math.min(640, Math.max(320, stage.clientWidth || 640)));
    LEFT = W < 500 ? 66 : 92;
    RIGHT = W - 12;
  }
  function onResize(stage, redraw) {
    if (typeof ResizeObserver !== "function") return;
    let width = stage.clientWidth;
    new ResizeObserver(() => {
      if (Math.abs(stage.clientWidth - width) < 8) return;
      width = stage.clientWidth;
      redraw();
    }).observe(stage);
  }

  const fmt = (v) => (Math.abs(v - Math.round(v)) < 0.05 ? Math.round(v) : Number(v.toFixed(1))).toLocaleString("en-US");
  const msText = (v) => fmt(v) + " ms";
  const names = (nodes) => [...(nodes || [])].sort().join(", ");

  function svg(tag, attributes = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function slider(role, label, min, max, step, value) {
    const input = el("input", { type: "range", min: String(min), max: String(max), step: String(step), "data-role": role });
    input.value = String(value);
    const output = el("output", { class: "dsip-viz-out" });
    const wrapper = el("label", {}, label + " ");
    wrapper.append(input, output);
    const refresh = () => { output.textContent = msText(Number(input.value)); };
    refresh();
    input.addEventListener("input", refresh);
    return { input, wrapper, refresh };
  }

  /** Two buttons that act as one switch: the pressed one is the current setting. */
  function choice(label, options, current, onPick) {
    const group = el("div", { class: "dsip-controls", role: "group", "aria-label": label });
    const buttons = options.map(([role, text, value]) => {
      const button = el("button", { type: "button", class: "dsip-btn", "data-role": role, "aria-pressed": "false" }, text);
      button.addEventListener("click", () => onPick(value));
      group.append(button);
      return [button, value];
    });
    const show = (value) => {
      for (const [button, v] of buttons) button.setAttribute("aria-pressed", String(v === value));
    };
    show(current);
    return { group, show };
  }

  function figures(pairs) {
    const list = el("dl", { class: "dsip-viz-figures" });
    const dd = {};
    for (const [key, label] of pairs) {
      dd[key] = el("dd", { "data-role": "figure-" + key });
      list.append(holding("div", {}, el("dt", {}, label), dd[key])); // a pair is one grid cell
    }
    return { list, dd };
  }

  /** The time axis: ticks every `every` ms from 0 to `end`, under lanes that start at `top`. */
  function axis(chart, x, end, every, top, bottom) {
    if (W < 500) every *= 2;
    for (let t = 0; t <= end; t += every) {
      chart.append(svg("line", { x1: x(t), x2: x(t), y1: top, y2: bottom, class: "dsip-viz-grid" }));
      const anchor = t === 0 ? "start" : t + every > end ? "end" : "middle";
      chart.append(svg("text", { x: x(t), y: bottom + 16, class: "fence-tick", "text-anchor": anchor }, t.toLocaleString("en-US") + (t === 0 ? " ms" : "")));
    }
  }

  function lane(chart, y, height, label) {
    chart.append(svg("rect", { x: LEFT, y, width: RIGHT - LEFT, height, class: "fence-lane" }));
    chart.append(svg("text", { x: 4, y: y + height / 2 + 4, class: "fence-label" }, label));
  }

  // ---- the pause view --------------------------------------------------------------------------
  function mountPause(stage, wasm, params) {
    const hint = el("p", { class: "dsip-viz-hint" },
      "Keys, while focus is in this figure: F switches fencing; [ and ] shorten and lengthen the pause by 100 ms.");
    let fencing = Boolean(params.fencing);
    const fence = choice("Fencing", [["fencing-off", "Fencing off", false], ["fencing-on", "Fencing on", true]], fencing, (v) => setFencing(v));
    const knobs = el("div", { class: "dsip-controls dsip-viz-knobs fence-knobs", role: "group", "aria-label": "Client 1's pause" });
    const length = slider("pause-ms", "Pause length", 0, 4000, 100, Number(params.pause_ms ?? 1500));
    const at = slider("pause-at", "Pause starts at", 0, 200, 5, Number(params.pause_at_ms ?? 5));
    knobs.append(length.wrapper, at.wrapper);
    const chart = svg("svg", { class: "dsip-viz-chart fence-chart", role: "img", viewBox: `0 0 ${W} 250`, preserveAspectRatio: "xMinYMin meet",
      "aria-label": "Timeline of the lock service, client 1, client 2 and the storage" });
    const legend = el("ul", { class: "dsip-viz-legend" });
    for (const [cls, text] of [["fence-key-c1", "client 1"], ["fence-key-c2", "client 2"], ["fence-key-pause", "pause"], ["fence-key-stale", "stale write accepted"], ["fence-key-refused", "refused"]]) {
      legend.append(holding("li", {}, el("span", { class: "fence-swatch " + cls }), " " + text));
    }
    const { list, dd } = figures([
      ["stale", "Stale writes accepted"], ["refused", "Refused by the storage"],
      ["value", "Final value"], ["verdict", "Module 2's checker"],
    ]);
    const events = el("ol", { class: "fence-events", "data-role": "events", "aria-label": "What happened, in order" });
    const announce = el("p", { class: "dsip-viz-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    stage.append(hint, fence.group, knobs, chart, legend, list, events, announce);

    let reply = null;
    let x = (t) => t;
    let xInverse = (px) => px;

    function compute() {
      const request = { cmd: "pause", fencing, pause_ms: Number(length.input.value), pause_at_ms: Number(at.input.value) };
      const got = wasm.attempt(request, (message) => { announce.textContent = message; });
      if (!got) return;
      reply = got;
      const grants = got.events.filter((e) => e.kind === "granted");
      const writes = got.events.filter((e) => e.kind === "write");
      const state = (w) => (!w.accepted ? "refused" : w.stale ? "stale" : "accepted");
      Object.assign(stage.dataset, {
        fencing: String(got.fencing), pauseMs: length.input.value, pauseAt: at.input.value,
        stale: String(got.stale_accepted), refused: String(got.refused), final: String(got.final_value),
        expected: String(got.expected_value), linearizable: String(got.linearizable),
        grants: grants.map((g) => `${g.client}:${g.token}@${g.t_ms}`).join(","),
        writes: writes.map((w) => `${w.client}:${w.token}:${w.value}:${state(w)}@${w.t_ms}`).join(","),
      });
      dd.stale.textContent = String(got.stale_accepted);
      dd.refused.textContent = String(got.refused);
      dd.value.textContent = `${got.final_value} (expected ${got.expected_value})`;
      dd.verdict.textContent = got.linearizable ? "linearizable" : "not linearizable";
      dd.verdict.className = got.linearizable ? "fence-ok" : "fence-bad";
      events.replaceChildren(...got.events.filter((e) => e.kind !== "busy").map((e) => {
        const item = holding("li", {}, el("span", { class: "fence-when" }, msText(e.t_ms)), " " + e.text + (e.kind === "write" && e.accepted && e.stale ? " (stale)" : ""));
        if (e.kind === "write") item.classList.add(e.accepted ? (e.stale ? "fence-bad" : "fence-ok") : "fence-refused");
        return item;
      }));
      const late = writes.find((w) => w.client === 1 && w.token === grants[0]?.token && grants.length > 1 && w.t_ms > grants[1].t_ms);
      const pauseText = got.pause ? `Client 1 frozen from ${msText(got.pause[0])} to ${msText(got.pause[1])}, lease ends at ${msText(got.first_lease_end_ms)}. ` : "No pause. ";
      const lateText = late ? `Its write with token ${late.token} is ${late.accepted ? "accepted, stale" : "refused"}. ` : "";
      announce.textContent = `Fencing ${fencing ? "on" : "off"}. ${pauseText}${lateText}Value ${got.final_value} (expected ${got.expected_value}), ${got.linearizable ? "linearizable" : "not linearizable"}.`;
      draw();
    }

    function draw() {
      if (!reply) return;
      fit(stage);
      chart.replaceChildren();
      const r = reply;
      const last = Math.max(...r.events.map((e) => e.t_ms), r.pause ? r.pause[1] : 0);
      const end = Math.max(2000, Math.ceil((last + 150) / 500) * 500);
      x = (t) => LEFT + (t / end) * (RIGHT - LEFT);
      xInverse = (px) => ((px - LEFT) / (RIGHT - LEFT)) * end;
      const top = 8, h = 46, gap = 10;
      const y = { lock: top, 1: top + (h + gap), 2: top + 2 * (h + gap), storage: top + 3 * (h + gap) };
      const bottom = y.storage + h;
      chart.setAttribute("viewBox", `0 0 ${W} ${bottom + 24}`);
      lane(chart, y.lock, h, "Lock");
      lane(chart, y[1], h, "Client 1");
      lane(chart, y[2], h, "Client 2");
      lane(chart, y.storage, h, "Storage");
      axis(chart, x, end, end > 3000 ? 1000 : 500, top, bottom);

      // Leases on the lock lane, one band per grant, labelled with its token.
      r.events.filter((e) => e.kind === "granted").forEach((g, i) => {
        const band = i % 2 ? y.lock + 24 : y.lock + 6;
        chart.append(svg("rect", { x: x(g.t_ms), y: band, width: Math.max(2, x(Math.min(g.expires_ms, end)) - x(g.t_ms)), height: 16, class: "fence-lease fence-c" + g.client }));
        chart.append(svg("text", { x: x(g.t_ms) + 4, y: band + 12, class: "fence-mark-text" }, "token " + g.token));
      });
      // Client 2's refused requests: small ticks on its lane.
      for (const e of r.events.filter((e) => e.kind === "busy")) {
        chart.append(svg("line", { x1: x(e.t_ms), x2: x(e.t_ms), y1: y[e.client] + 30, y2: y[e.client] + 40, class: "fence-busy" }));
      }
      chart.append(svg("text", { x: x(0) + 4, y: y[2] + 16, class: "fence-small" }, W < 500 ? "ticks: lock is held" : "asks every 200 ms; ticks: lock is held"));
      // The pause, with a handle at its end to drag.
      if (r.pause) {
        const [from, to] = r.pause;
        chart.append(svg("rect", { x: x(from), y: y[1] + 4, width: Math.max(2, x(to) - x(from)), height: h - 8, class: "fence-pause" }));
        chart.append(svg("text", { x: x(from) + 6, y: y[1] + 27, class: "fence-mark-text" }, `paused ${msText(to - from)}`));
        const handle = svg("rect", { x: x(to) - 6, y: y[1] + 2, width: 12, height: h - 4, rx: 3, class: "fence-handle", "data-role": "pause-handle" });
        handle.append(svg("title", {}, "Drag to set the pause length"));
        chart.append(handle);
        handle.addEventListener("pointerdown", startDrag);
      }
      // Reads and writes at the storage.
      for (const e of r.events.filter((e) => e.kind === "read" || e.kind === "write")) {
        const cx = x(e.t_ms);
        const row = e.client === 1 ? y.storage + 14 : y.storage + 34;
        if (e.kind === "read") {
          chart.append(svg("circle", { cx, cy: row, r: 4, class: "fence-read fence-c" + e.client + (e.accepted ? "" : " fence-x") }));
          continue;
        }
        const cls = !e.accepted ? "fence-refused-mark" : e.stale ? "fence-stale-mark" : "fence-c" + e.client;
        chart.append(svg("rect", { x: cx - 5, y: row - 5, width: 10, height: 10, class: "fence-write " + cls }));
        const label = `${e.value} (token ${e.token})` + (!e.accepted ? " refused" : e.stale ? " stale" : "");
        const flip = cx > RIGHT - 100; // near the right edge, the label goes to the mark's left
        chart.append(svg("text", { x: flip ? cx - 8 : cx + 8, y: row + 4, "text-anchor": flip ? "end" : "start",
          class: "fence-mark-text" + (e.accepted && !e.stale ? "" : " fence-strong") }, label));
      }
    }

    function startDrag(event) {
      event.preventDefault();
      const handle = event.currentTarget;
      handle.setPointerCapture(event.pointerId);
      const move = (e) => {
        const point = chart.createSVGPoint();
        point.x = e.clientX;
        point.y = e.clientY;
        const local = point.matrixTransform(chart.getScreenCTM().inverse());
        const lengthMs = Math.round((xInverse(local.x) - Number(at.input.value)) / 100) * 100;
        const next = Math.min(4000, Math.max(0, lengthMs));
        if (String(next) !== length.input.value) setLength(next);
      };
      const up = () => {
        window.removeEventListener("pointermove", move);
        window.removeEventListener("pointerup", up);
      };
      window.addEventListener("pointermove", move);
      window.addEventListener("pointerup", up);
    }

    function setFencing(value) {
      fencing = value;
      fence.show(fencing);
      compute();
    }

    function setLength(value) {
      length.input.value = String(Math.min(4000, Math.max(0, value)));
      length.refresh();
      compute();
    }

    length.input.addEventListener("input", compute);
    at.input.addEventListener("input", compute);
    onResize(stage, draw);
    DSIP.keepKeys(stage, (key) => {
      if (key === "f" || key === "F") setFencing(!fencing);
      else if (key === "[") setLength(Number(length.input.value) - 100);
      else if (key === "]") setLength(Number(length.input.value) + 100);
      else return false;
      return true;
    });
    compute();
  }

  // ---- the Redlock view ------------------------------------------------------------------------
  function mountRedlock(stage, wasm, params) {
    const hint = el("p", { class: "dsip-viz-hint" },
      "Keys, while focus is in this figure: M switches the expiry clock, N switches 5 nodes and 1; [ and ] change the jump by 100 ms.");
    let monotonic = Boolean(params.monotonic);
    let nodes = Number(params.nodes || 5) === 1 ? 1 : 5;
    const expiry = choice("Key expiry", [["expiry-wall", "Wall-clock expiry", false], ["expiry-monotonic", "Monotonic expiry", true]], monotonic, (v) => { monotonic = v; expiry.show(v); compute(); });
    const count = choice("Lock nodes", [["nodes-5", "5 nodes", 5], ["nodes-1", "1 node", 1]], nodes, (v) => { nodes = v; count.show(v); compute(); });
    const knobs = el("div", { class: "dsip-controls dsip-viz-knobs fence-knobs", role: "group", "aria-label": "Clock jump" });
    const jump = slider("jump-ms", "Clock jump", 0, 5000, 100, Number(params.jump_ms ?? 2000));
    knobs.append(jump.wrapper);
    const chart = svg("svg", { class: "dsip-viz-chart fence-chart", role: "img", viewBox: `0 0 ${W} 300`, preserveAspectRatio: "xMinYMin meet",
      "aria-label": "Timeline of the lock nodes and of the two clients' holds" });
    const legend = el("ul", { class: "dsip-viz-legend" });
    for (const [cls, text] of [["fence-key-c1", "client 1: SET accepted, holds"], ["fence-key-c2", "client 2"], ["fence-key-refused", "SET refused"], ["fence-key-pause", "node the client cannot reach"], ["fence-key-jump", "clock jump"], ["fence-key-stale", "two holders"]]) {
      legend.append(holding("li", {}, el("span", { class: "fence-swatch " + cls }), " " + text));
    }
    const { list, dd } = figures([["outcome", "Outcome"], ["client1", "Client 1"], ["client2", "Client 2"]]);
    const announce = el("p", { class: "dsip-viz-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    stage.append(hint, count.group, expiry.group, knobs, chart, legend, list, announce);

    function compute() {
      const r = wasm.attempt({ cmd: "redlock", jump_ms: Number(jump.input.value), monotonic, nodes }, (message) => { announce.textContent = message; });
      if (!r) return;
      const outcome = r.two_holders ? `two holders at once for ${msText(r.overlap_ms)}` : "one holder";
      Object.assign(stage.dataset, {
        nodes: String(r.nodes.length), jumpMs: jump.input.value, monotonic: String(r.monotonic),
        twoHolders: String(r.two_holders), overlapMs: String(r.overlap_ms),
        holds: r.holds.map((h) => `${h.client}:${h.from_ms}-${h.until_ms}:${[...(h.nodes || [])].sort().join("")}`).join(","),
      });
      dd.outcome.textContent = outcome;
      dd.outcome.className = r.two_holders ? "fence-bad" : "fence-ok";
      for (const c of [1, 2]) {
        const hold = r.holds.find((h) => h.client === c);
        const failed = r.reports.find((e) => e.kind === "failed" && e.client === c);
        dd["client" + c].textContent = hold ? `holds ${msText(hold.from_ms)} to ${msText(hold.until_ms)} (won ${names(hold.nodes)})`
          : failed ? `failed (won only ${names(failed.nodes) || "none"})` : "did not ask";
      }
      announce.textContent = `${r.nodes.length === 1 ? "One node" : "Five nodes"}, ${r.monotonic ? "monotonic" : "wall-clock"} expiry, ` +
        `${r.jump ? "node " + r.jump.node + "'s clock jumps " + msText(r.jump.by_ms) + " at " + msText(r.jump.at_ms) : "no jump"}: ${outcome}.`;
      draw(r);
    }

    let last = null;
    function draw(r) {
      last = r = r || last;
      if (!r) return;
      fit(stage);
      chart.replaceChildren();
      const end = 1400;
      const x = (t) => LEFT + (Math.min(t, end) / end) * (RIGHT - LEFT);
      const top = 8, h = 30, gap = 6;
      const rows = r.nodes.length + 2;
      const y = (i) => top + i * (h + gap);
      const bottom = y(rows) - gap;
      chart.setAttribute("viewBox", `0 0 ${W} ${bottom + 24}`);
      r.nodes.forEach((name, i) => lane(chart, y(i), h, "Node " + name));
      lane(chart, y(r.nodes.length), h, "Client 1");
      lane(chart, y(r.nodes.length + 1), h, "Client 2");
      axis(chart, x, end, 200, top, bottom);
      // Unreachable nodes while each client acquires.
      for (const u of r.unreachable) {
        for (const name of u.nodes) {
          const i = r.nodes.indexOf(name);
          if (i >= 0) chart.append(svg("rect", { x: x(u.from_ms), y: y(i) + 3, width: x(u.to_ms) - x(u.from_ms), height: h - 6, class: "fence-unreachable" }));
        }
      }
      // The overlap, across every lane.
      if (r.two_holders) {
        const from = Math.max(...r.holds.map((hh) => hh.from_ms));
        const until = Math.min(...r.holds.map((hh) => hh.until_ms));
        chart.append(svg("rect", { x: x(from), y: top, width: Math.max(2, x(until) - x(from)), height: bottom - top, class: "fence-overlap" }));
      }
      // SET answers on the node lanes.
      for (const e of r.reports.filter((e) => e.kind === "set")) {
        const i = r.nodes.indexOf(e.node);
        const cy = y(i) + 20;
        if (e.ok) chart.append(svg("circle", { cx: x(e.t_ms), cy, r: 5, class: "fence-c" + e.client }));
        else chart.append(svg("path", { d: `M${x(e.t_ms) - 5},${cy - 5} l10,10 m0,-10 l-10,10`, class: "fence-cross" }));
      }
      // The jump.
      if (r.jump && r.jump.by_ms > 0) {
        const i = r.nodes.indexOf(r.jump.node);
        chart.append(svg("line", { x1: x(r.jump.at_ms), x2: x(r.jump.at_ms), y1: y(i), y2: y(i) + h, class: "fence-jump" }));
        chart.append(svg("text", { x: x(r.jump.at_ms) + 5, y: y(i) + 11, class: "fence-small fence-strong fence-jump-text" }, `clock +${fmt(r.jump.by_ms)} ms`));
      }
      // What each client believes: its hold, or its failure.
      for (const hold of r.holds) {
        const row = y(r.nodes.length + hold.client - 1);
        chart.append(svg("rect", { x: x(hold.from_ms), y: row + 5, width: Math.max(2, x(hold.until_ms) - x(hold.from_ms)), height: h - 10, class: "fence-lease fence-c" + hold.client }));
        chart.append(svg("text", { x: x(hold.from_ms) + 4, y: row + h / 2 + 4, class: "fence-mark-text" }, "holds (" + names(hold.nodes) + ")"));
      }
      for (const f of r.reports.filter((e) => e.kind === "failed")) {
        const row = y(r.nodes.length + f.client - 1);
        chart.append(svg("text", { x: x(f.t_ms) + 4, y: row + h / 2 + 4, class: "fence-mark-text fence-strong" }, "failed: no majority"));
      }
    }

    function setJump(value) {
      jump.input.value = String(Math.min(5000, Math.max(0, value)));
      jump.refresh();
      compute();
    }

    jump.input.addEventListener("input", compute);
    onResize(stage, () => draw());
    DSIP.keepKeys(stage, (key) => {
      if (key === "m" || key === "M") { monotonic = !monotonic; expiry.show(monotonic); compute(); }
      else if (key === "n" || key === "N") { nodes = nodes === 5 ? 1 : 5; count.show(nodes); compute(); }
      else if (key === "[") setJump(Number(jump.input.value) - 100);
      else if (key === "]") setJump(Number(jump.input.value) + 100);
      else return false;
      return true;
    });
    compute();
  }

  function mount(stage, wasm, params) {
    params = params || {};
    stage.classList.add("fence");
    stage.replaceChildren();
    stage.tabIndex = 0;
    stage.dataset.view = params.view === "redlock" ? "redlock" : "pause";
    if (params.view === "redlock") {
      stage.setAttribute("aria-label", "Redlock over five nodes with a clock jump");
      mountRedlock(stage, wasm, params);
    } else {
      stage.setAttribute("aria-label", "A client pause against a lease, with and without fencing");
      mountPause(stage, wasm, params);
    }
  }

  DSIP.registerWidget("fencing-tokens", { mount });
})();
