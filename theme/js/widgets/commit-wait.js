// Commit wait (Module 10): Spanner's TrueTime interval, the commit timestamp, the wait, and why the
// wait keeps two servers' timestamps in real-time order. Driven by the `clocks` crate compiled to
// wasm (command `commit_wait` in playground-crates/clocks/src/wasm.rs).
//
// T1 commits on server A, whose clock is 0.5 ms ahead and whose ε the reader sets (1 to 7 ms, the
// paper's sawtooth); T2 starts on server B, 0.5 ms behind and just synced, 2 ms after T1 is
// visible. The top chart is A's ε over two poll intervals with T1's commit marked; the timeline
// shows both TT.now() intervals, both timestamps and the wait on one true-time axis.
//
// This file only draws. Test hooks: controls carry data-role (epsilon, wait, announce,
// figure-<name>, sawtooth, timeline); the stage carries data-epsilon-us, data-wait, data-wait-us,
// data-s1, data-s2 (µs after T1 arrives) and data-consistent.
(function () {
  "use strict";

  const el = DSIP.el;
  const SVG = "http://www.w3.org/2000/svg";

  const ms = (us) => (us / 1000).toFixed(1) + " ms";
  const at = (us) => (us >= 0 ? "+" : "−") + (Math.abs(us) / 1000).toFixed(1) + " ms";

  function svg(tag, attributes = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function figures(pairs) {
    const list = el("dl", { class: "dsip-viz-figures" });
    const dd = {};
    for (const [key, label] of pairs) {
      dd[key] = el("dd", { "data-role": "figure-" + key });
      list.append(el("dt", {}, label), dd[key]);
    }
    return { list, dd };
  }

  // The sawtooth of A's ε: x is seconds since a sync (two poll intervals), y is ε in ms.
  function drawSawtooth(chart, tooth) {
    chart.replaceChildren();
    const W = 480, H = 170, left = 40, right = 14, top = 12, bottom = 44;
    const span = 2 * tooth.poll_interval_us;
    const yMax = 8000;
    const x = (t) => left + (W - left - right) * (t / span);
    const y = (e) => H - bottom - (H - top - bottom) * (e / yMax);
    for (const e of [0, 2000, 4000, 6000, 8000]) {
      chart.append(svg("line", { class: "dsip-viz-grid", x1: left, x2: W - right, y1: y(e), y2: y(e) }));
      chart.append(svg("text", { class: "cw-tick", x: left - 6, y: y(e) + 4, "text-anchor": "end" }, String(e / 1000)));
    }
    for (const s of [0, 15, 30, 45, 60]) {
      chart.append(svg("text", { class: "cw-tick", x: x(s * 1e6), y: H - bottom + 18, "text-anchor": s === 60 ? "end" : s === 0 ? "start" : "middle" }, s + " s"));
    }
    chart.append(svg("text", { class: "cw-tick", x: left, y: H - 4 }, "time since A's last sync; ε in ms"));
    const path = tooth.points.map(([t, e], i) => (i ? "L" : "M") + x(t).toFixed(1) + " " + y(e).toFixed(1)).join(" ");
    chart.append(svg("path", { class: "cw-tooth", d: path }));
    const cx = x(tooth.commit_at_us), cy = y(tooth.epsilon_us);
    chart.append(svg("line", { class: "cw-marker-line", x1: cx, x2: cx, y1: y(0), y2: cy }));
    chart.append(svg("circle", { class: "cw-marker", cx, cy, r: 5 }));
    // The label sits in the top-left corner, clear of both teeth at every ε.
    chart.append(svg("text", { class: "cw-label", x: left + 8, y: top + 12 }, "T1 commits: ε = " + ms(tooth.epsilon_us)));
  }

  // One true-time axis: each server's TT.now() interval, its timestamp, and A's wait.
  function drawTimeline(chart, reply) {
    chart.replaceChildren();
    const { t1, t2 } = reply;
    const W = 480, H = 190, left = 28, right = 14;
    const lo = Math.min(t1.earliest, t2.earliest, 0) - 1000;
    const hi = Math.max(t2.latest, t1.visible_at, t1.latest) + 1000;
    const x = (us) => left + (W - left - right) * ((us - lo) / (hi - lo));
    const rows = { A: 46, B: 118 };
    // Whole-millisecond ticks, thinned so labels never collide at phone width.
    const stepMs = (hi - lo) / 1000 > 16 ? 4 : 2;
    for (let m = Math.ceil(lo / 1000 / stepMs) * stepMs; m * 1000 <= hi; m += stepMs) {
      chart.append(svg("line", { class: "dsip-viz-grid", x1: x(m * 1000), x2: x(m * 1000), y1: 18, y2: H - 36 }));
      chart.append(svg("text", { class: "cw-tick", x: x(m * 1000), y: H - 20, "text-anchor": "middle" }, (m > 0 ? "+" : "") + m));
    }
    chart.append(svg("text", { class: "cw-tick", x: left, y: H - 3 }, "true time, ms after T1 reaches A"));
    for (const [commit, name] of [[t1, "A"], [t2, "B"]]) {
      const row = rows[name];
      chart.append(svg("text", { class: "cw-label", x: 4, y: row + 5 }, name));
      chart.append(svg("rect", { class: "cw-interval cw-interval-" + name, x: x(commit.earliest), y: row - 9, width: Math.max(1, x(commit.latest) - x(commit.earliest)), height: 18, rx: 3 }));
      chart.append(svg("line", { class: "cw-stamp", x1: x(commit.timestamp), x2: x(commit.timestamp), y1: row - 16, y2: row + 16 }));
      const stamp = name === "A" ? "s1" : "s2";
      chart.append(svg("text", { class: "cw-label", x: x(commit.timestamp), y: row - 19, "text-anchor": "middle" }, stamp));
    }
    if (t1.wait_us > 0) {
      const row = rows.A + 22;
      chart.append(svg("rect", { class: "cw-wait", x: x(t1.arrived), y: row, width: x(t1.visible_at) - x(t1.arrived), height: 8, rx: 2 }));
      // Under the bar's middle: clear of s2's label, which is always right of the bar's end.
      chart.append(svg("text", { class: "cw-tick", x: (x(t1.arrived) + x(t1.visible_at)) / 2, y: row + 24, "text-anchor": "middle" }, "wait " + ms(t1.wait_us)));
    }
    // s1 carried down to B's row: T2's timestamp must land to its right.
    chart.append(svg("line", { class: "cw-s1-guide", x1: x(t1.timestamp), x2: x(t1.timestamp), y1: rows.A + 16, y2: rows.B + 16 }));
    chart.append(svg("line", { class: "cw-start", x1: x(t2.arrived), x2: x(t2.arrived), y1: rows.A - 14, y2: rows.B + 14 }));
  }

  function mount(stage, wasm, params) {
    params = params || {};
    stage.replaceChildren();
    stage.classList.add("cw");
    stage.tabIndex = 0;
    stage.setAttribute("aria-label", "Commit wait against clock uncertainty");

    const hint = el("p", { class: "dsip-viz-hint" },
      "Keys, while focus is in this figure: W switches commit wait, [ and ] lower and raise ε by 0.5 ms.");
    const controls = el("div", { class: "dsip-controls dsip-viz-knobs", role: "group", "aria-label": "Commit wait controls" });
    const input = el("input", { type: "range", min: "1", max: "7", step: "0.5", "data-role": "epsilon", "aria-label": "ε on server A, in milliseconds" });
    input.value = String(params.epsilon_ms ?? 4);
    const output = el("output", { class: "dsip-viz-out" });
    const label = el("label", {}, "ε on server A ");
    label.append(input, output);
    const waitButton = el("button", { type: "button", class: "dsip-btn", "data-role": "wait", "aria-pressed": "true" }, "Commit wait: on");
    controls.append(label, waitButton);

    const legend = el("ul", { class: "dsip-viz-legend" });
    for (const [cls, text] of [["cw-key-interval", "TT.now() interval"], ["cw-key-stamp", "timestamp s = latest"], ["cw-key-wait", "commit wait"], ["cw-key-start", "T2 starts on B"]]) {
      const item = el("li");
      item.append(el("span", { class: "cw-key " + cls, "aria-hidden": "true" }), document.createTextNode(text));
      legend.append(item);
    }
    const tooth = svg("svg", { class: "dsip-viz-chart cw-chart", "data-role": "sawtooth", role: "img", viewBox: "0 0 480 170", preserveAspectRatio: "xMinYMin meet" });
    const timeline = svg("svg", { class: "dsip-viz-chart cw-chart", "data-role": "timeline", role: "img", viewBox: "0 0 480 190", preserveAspectRatio: "xMinYMin meet" });
    const { list, dd } = figures([
      ["t1-now", "T1: TT.now() on A"], ["s1", "s1 = TT.now().latest"], ["wait", "Commit wait"],
      ["t2-start", "T2 starts on B"], ["s2", "s2 on B"], ["order", "Order"],
    ]);
    const announce = el("p", { class: "dsip-viz-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    stage.append(hint, controls, tooth, legend, timeline, list, announce);

    let wait = params.wait !== false;

    function update() {
      output.textContent = Number(input.value).toFixed(1) + " ms";
      waitButton.textContent = "Commit wait: " + (wait ? "on" : "off");
      waitButton.setAttribute("aria-pressed", String(wait));
      const reply = wasm.attempt({ cmd: "commit_wait", epsilon_us: Math.round(Number(input.value) * 1000), wait },
        (message) => { announce.textContent = message; });
      if (!reply) return;
      const { t1, t2 } = reply;
      drawSawtooth(tooth, { ...reply.sawtooth, epsilon_us: reply.epsilon_us });
      tooth.setAttribute("aria-label", "A's ε over two 30-second poll intervals, rising from 1 to 7 ms and dropping at each sync; T1 commits where ε is " + ms(reply.epsilon_us));
      drawTimeline(timeline, reply);
      timeline.setAttribute("aria-label", "True-time timeline: s1 at " + at(t1.timestamp) + ", T2 starts at " + at(t2.arrived) + ", s2 at " + at(t2.timestamp));
      dd["t1-now"].textContent = "[" + at(t1.earliest) + ", " + at(t1.latest) + "]";
      dd.s1.textContent = at(t1.timestamp);
      dd.wait.textContent = t1.wait_us > 0 ? ms(t1.wait_us) + " (about 2ε)" : "skipped";
      dd["t2-start"].textContent = at(t2.arrived);
      dd.s2.textContent = at(t2.timestamp);
      dd.order.textContent = reply.externally_consistent
        ? "s1 < s2 by " + ms(reply.margin_us) + ": holds"
        : "s2 ≤ s1 by " + ms(-reply.margin_us) + ": broken";
      dd.order.classList.toggle("cw-broken", !reply.externally_consistent);
      announce.textContent = reply.explanation;
      Object.assign(stage.dataset, {
        epsilonUs: String(reply.epsilon_us), wait: String(wait), waitUs: String(t1.wait_us),
        s1: String(t1.timestamp), s2: String(t2.timestamp), consistent: String(reply.externally_consistent),
      });
    }

    input.addEventListener("input", update);
    waitButton.addEventListener("click", () => { wait = !wait; update(); });
    const step = (delta) => {
      input.value = String(Math.min(7, Math.max(1, Number(input.value) + delta)));
      update();
    };
    DSIP.keepKeys(stage, (key) => {
      if (key === "w" || key === "W") { wait = !wait; update(); }
      else if (key === "[") step(-0.5);
      else if (key === "]") step(0.5);
      else return false;
      return true;
    });
    update();
  }

  DSIP.registerWidget("commit-wait", { mount });
})();
