// Tail at scale (Module 9): two panels, both driven by the `tail-latency` crate compiled to wasm.
//
// panel "fanout": a request fans out to N leaves (1 to 1,000) and waits for all of them. Sliders set
// N, how often a leaf hits its slow mode, and how slow that mode is; the bars show p50, p99 and
// p99.9 of one leaf against the whole request, and the hedging switch (with its pXX threshold) adds
// the hedged request and the extra load it costs.
// panel "queue": an M/M/c queue. Servers and utilisation sliders; the curve is the mean wait in
// service times against utilisation, with the knee marked and the current point drawn on it.
//
// This file only draws. Every number comes from `wasm.call` (commands in
// playground-crates/tail-latency/src/wasm.rs).
//
// Test hooks: controls carry data-role (fanout, fanout-preset-<n>, slow-percent, slow-ms, hedge,
// hedge-quantile, servers, utilization, announce, figure-<name>). The stage carries
// data-leaves, data-request-p50, data-request-p99, data-leaf-p50, data-leaf-p99, data-hedged-p99, data-extra-load, data-p-slow (fanout) and
// data-knee, data-p-wait, data-wait (queue), and data-calls-per-second (simulated leaf calls per
// second of wall time, measured in this browser).
(function () {
  "use strict";

  const el = DSIP.el;
  const SVG = "http://www.w3.org/2000/svg";
  const PRESETS = [1, 10, 40, 100, 1000];
  const QUANTILES = [["0.9", "p90"], ["0.95", "p95"], ["0.99", "p99"]];
  const SERVERS = [1, 2, 4, 8, 16, 32, 64, 128];

  const ms = (v) => (v === null || v === undefined ? "–" : v >= 100 ? Math.round(v).toLocaleString("en-US") + " ms" : v.toFixed(1) + " ms");
  const pct = (v, digits = 1) => (v === null || v === undefined ? "–" : (100 * v).toFixed(digits) + "%");

  function svg(tag, attributes = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function slider(role, label, min, max, step, value, show) {
    const input = el("input", { type: "range", min: String(min), max: String(max), step: String(step), "data-role": role });
    input.value = String(value);
    const output = el("output", { class: "dsip-viz-out" });
    const wrapper = el("label", {}, label + " ");
    wrapper.append(input, output);
    const refresh = () => { output.textContent = show(Number(input.value)); };
    refresh();
    input.addEventListener("input", refresh);
    return { input, wrapper, refresh };
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

  // ---- the fan-out panel --------------------------------------------------------------------
  function mountFanout(stage, wasm, params) {
    const hint = el("p", { class: "dsip-viz-hint" },
      "Keys, while focus is in this figure: H switches hedging, [ and ] halve and double the fan-out.");
    const presets = el("div", { class: "dsip-controls", role: "group", "aria-label": "Fan-out presets" });
    presets.append(el("span", { class: "dsip-viz-group-label" }, "Fan-out:"));
    const knobs = el("div", { class: "dsip-controls dsip-viz-knobs", role: "group", "aria-label": "Leaves" });
    const fanout = slider("fanout", "Leaves per request", 1, 1000, 1, Number(params.fanout || 1), (n) => n.toLocaleString("en-US"));
    const slow = slider("slow-percent", "Slow mode: calls", 0, 5, 0.1, Number(params.slow_percent ?? 1), (v) => v.toFixed(1) + "%");
    const slowMs = slider("slow-ms", "Slow mode latency", 100, 2000, 50, Number(params.slow_ms || 1000), (v) => v.toLocaleString("en-US") + " ms");
    knobs.append(fanout.wrapper, slow.wrapper, slowMs.wrapper);
    for (const n of PRESETS) {
      const button = el("button", { type: "button", class: "dsip-btn", "data-role": "fanout-preset-" + n }, n.toLocaleString("en-US"));
      button.addEventListener("click", () => { fanout.input.value = String(n); fanout.refresh(); update(); });
      presets.append(button);
    }
    const hedging = el("div", { class: "dsip-controls", role: "group", "aria-label": "Hedging" });
    const hedge = el("button", { type: "button", class: "dsip-btn", "data-role": "hedge", "aria-pressed": "false" }, "Hedging: off");
    const quantile = el("select", { "data-role": "hedge-quantile", "aria-label": "Send the backup after the leaf's" });
    for (const [value, label] of QUANTILES) quantile.append(el("option", { value }, "backup after the leaf's " + label));
    quantile.value = "0.95";
    hedging.append(hedge, quantile);

    const chart = svg("svg", { class: "dsip-viz-chart tas-bars", role: "img", "aria-label": "p50, p99 and p99.9 latency of one leaf and of the whole request", viewBox: "0 0 640 200", preserveAspectRatio: "xMinYMin meet" });
    const { list, dd } = figures([
      ["p-slow", "P(request meets a slow leaf) = 1 − (1 − q)^N"],
      ["p-slow-measured", "Measured over the simulated requests"],
      ["leaf-p99", "Leaf p99"], ["request-p99", "Request p99"],
      ["hedged-p99", "Hedged request p99"], ["extra-load", "Extra requests from hedging"],
    ]);
    const announce = el("p", { class: "dsip-viz-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    stage.append(hint, presets, knobs, hedging, chart, list, announce);

    let on = Boolean(params.hedge);
    let pending = 0;
    let calls = 0, spent = 0;

    function update() {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(compute);
    }

    function compute() {
      const request = {
        cmd: "fanout", leaves: Number(fanout.input.value), slow_fraction: Number(slow.input.value) / 100,
        slow_ms: Number(slowMs.input.value), hedge: on, hedge_quantile: Number(quantile.value), seed: 1,
      };
      const started = performance.now();
      const reply = wasm.attempt(request, (message) => { announce.textContent = message; });
      spent += performance.now() - started;
      if (!reply) return;
      calls += reply.calls;
      if (spent > 0) stage.dataset.callsPerSecond = String(Math.round(calls / (spent / 1000)));
      stage.dataset.requestP99 = String(reply.request.p99);
      stage.dataset.requestP50 = String(reply.request.p50);
      stage.dataset.leafP50 = String(reply.leaf.p50);
      stage.dataset.leaves = String(request.leaves);
      stage.dataset.leafP99 = String(reply.leaf.p99);
      stage.dataset.pSlow = String(reply.p_slow);
      if (reply.hedged_request) {
        stage.dataset.hedgedP99 = String(reply.hedged_request.p99);
        stage.dataset.extraLoad = String(reply.extra_requests);
      } else {
        delete stage.dataset.hedgedP99;
        delete stage.dataset.extraLoad;
      }
      dd["p-slow"].textContent = pct(reply.p_slow);
      dd["p-slow-measured"].textContent = pct(reply.p_slow_measured) + " of " + reply.requests.toLocaleString("en-US");
      dd["leaf-p99"].textContent = ms(reply.leaf.p99);
      dd["request-p99"].textContent = ms(reply.request.p99);
      dd["hedged-p99"].textContent = reply.hedged_request ? ms(reply.hedged_request.p99) : "hedging off";
      dd["extra-load"].textContent = reply.hedged_request ? pct(reply.extra_requests) + " (after " + ms(reply.hedge_after_ms) + ")" : "hedging off";
      const n = request.leaves;
      announce.textContent = "Fan-out " + n.toLocaleString("en-US") + ": leaf p99 " + ms(reply.leaf.p99) + ", request p99 " + ms(reply.request.p99) +
        (reply.hedged_request ? ", hedged " + ms(reply.hedged_request.p99) + " for " + pct(reply.extra_requests) + " more requests." : ".");
      draw(reply);
    }

    function draw(reply) {
      chart.replaceChildren();
      const rows = [["One leaf", reply.leaf, "leaf"], ["Whole request", reply.request, "request"]];
      if (reply.hedged_request) rows.push(["Request, hedged", reply.hedged_request, "hedged"]);
      const left = 130, right = 620, top = 8, rowHeight = 56;
      const max = Math.log10(5000), min = Math.log10(1);
      const x = (v) => left + ((Math.log10(Math.max(v, 1)) - min) / (max - min)) * (right - left);
      chart.setAttribute("viewBox", `0 0 640 ${top + rows.length * rowHeight + 24}`);
      for (const tick of [1, 10, 100, 1000]) {
        chart.append(svg("line", { x1: x(tick), x2: x(tick), y1: top, y2: top + rows.length * rowHeight, class: "dsip-viz-grid" }));
        chart.append(svg("text", { x: x(tick), y: top + rows.length * rowHeight + 16, class: "tas-tick", "text-anchor": "middle" }, tick.toLocaleString("en-US") + " ms"));
      }
      rows.forEach(([label, s, kind], i) => {
        const y = top + i * rowHeight;
        chart.append(svg("text", { x: 0, y: y + 28, class: "tas-label" }, label));
        [["p50", s.p50], ["p99", s.p99], ["p99.9", s.p999]].forEach(([name, v], j) => {
          const by = y + 4 + j * 16;
          chart.append(svg("rect", { x: left, y: by, width: Math.max(1, x(v) - left), height: 12, class: "tas-bar tas-bar-" + kind + " tas-q" + j }));
          chart.append(svg("text", { x: Math.min(x(v) + 4, right - 80), y: by + 10, class: "tas-value" }, name + " " + ms(v)));
        });
      });
    }

    function setHedge(value) {
      on = value;
      hedge.setAttribute("aria-pressed", String(on));
      hedge.textContent = on ? "Hedging: on" : "Hedging: off";
      update();
    }

    function scaleFanout(factor) {
      const next = Math.min(1000, Math.max(1, Math.round(Number(fanout.input.value) * factor)));
      fanout.input.value = String(next);
      fanout.refresh();
      update();
    }

    hedge.addEventListener("click", () => setHedge(!on));
    quantile.addEventListener("change", update);
    for (const s of [fanout, slow, slowMs]) s.input.addEventListener("input", update);
    DSIP.keepKeys(stage, (key) => {
      if (key === "h" || key === "H") setHedge(!on);
      else if (key === "]") scaleFanout(2);
      else if (key === "[") scaleFanout(0.5);
      else return false;
      return true;
    });
    setHedge(on);
  }

  // ---- the queue panel ----------------------------------------------------------------------
  function mountQueue(stage, wasm, params) {
    const hint = el("p", { class: "dsip-viz-hint" },
      "Keys, while focus is in this figure: + and − change the utilisation by 5 points, K jumps to the knee.");
    const knobs = el("div", { class: "dsip-controls dsip-viz-knobs", role: "group", "aria-label": "Queue" });
    const servers = el("select", { "data-role": "servers", "aria-label": "Servers" });
    for (const n of SERVERS) servers.append(el("option", { value: String(n) }, n + (n === 1 ? " server" : " servers")));
    servers.value = String(params.servers || 1);
    const rho = slider("utilization", "Utilisation", 1, 99, 1, Number(params.utilization || 80), (v) => v + "%");
    knobs.append(servers, rho.wrapper);
    const chart = svg("svg", { class: "dsip-viz-chart tas-curve", role: "img", "aria-label": "Mean wait in service times against utilisation, with the knee marked", viewBox: "0 0 640 260", preserveAspectRatio: "xMinYMin meet" });
    const { list, dd } = figures([
      ["knee", "Knee (least response time per unit of load)"], ["p-wait", "P(wait) — Erlang C"],
      ["wait", "Mean wait"], ["p99-wait", "p99 wait (service time 10 ms)"],
    ]);
    const announce = el("p", { class: "dsip-viz-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    stage.append(hint, knobs, chart, list, announce);
    let knee = 0.5;

    function compute() {
      const reply = wasm.attempt({ cmd: "queue", servers: Number(servers.value), utilization: Number(rho.input.value) / 100, service_ms: 10 },
        (message) => { announce.textContent = message; });
      if (!reply) return;
      knee = reply.knee;
      const at = reply.at;
      stage.dataset.knee = String(reply.knee);
      stage.dataset.pWait = String(at.p_wait);
      stage.dataset.wait = String(at.wait_in_service_times);
      dd.knee.textContent = pct(reply.knee);
      dd["p-wait"].textContent = pct(at.p_wait);
      dd.wait.textContent = at.wait_in_service_times.toFixed(2) + " × service time";
      dd["p99-wait"].textContent = ms(at.p99_wait);
      const where = at.rho > reply.knee + 0.005 ? "above the knee" : at.rho < reply.knee - 0.005 ? "below the knee" : "at the knee";
      announce.textContent = servers.value + " server" + (servers.value === "1" ? "" : "s") + " at " + Math.round(at.rho * 100) + "%: " +
        where + " (" + pct(reply.knee) + "); a request waits " + at.wait_in_service_times.toFixed(2) + " service times on average.";
      draw(reply);
    }

    function draw(reply) {
      chart.replaceChildren();
      const left = 48, right = 624, top = 10, bottom = 226, cap = 20;
      const x = (r) => left + r * (right - left);
      const y = (w) => bottom - (Math.min(w, cap) / cap) * (bottom - top);
      for (const w of [0, 5, 10, 15, 20]) {
        chart.append(svg("line", { x1: left, x2: right, y1: y(w), y2: y(w), class: "dsip-viz-grid" }));
        chart.append(svg("text", { x: left - 6, y: y(w) + 4, class: "tas-tick", "text-anchor": "end" }, String(w)));
      }
      for (const r of [0, 0.25, 0.5, 0.75, 1]) {
        chart.append(svg("text", { x: x(r), y: bottom + 18, class: "tas-tick", "text-anchor": "middle" }, Math.round(r * 100) + "%"));
      }
      chart.append(svg("text", { x: left, y: top + 4, class: "tas-tick", dx: 4, dy: 8 }, "mean wait (service times)"));
      const points = reply.curve.filter((p) => Number.isFinite(p.wait)).map((p) => x(p.rho).toFixed(1) + "," + y(p.wait).toFixed(1));
      chart.append(svg("polyline", { points: points.join(" "), class: "tas-line" }));
      chart.append(svg("line", { x1: x(reply.knee), x2: x(reply.knee), y1: top, y2: bottom, class: "tas-knee" }));
      chart.append(svg("text", { x: x(reply.knee) - 4, y: top + 24, class: "tas-knee-label", "text-anchor": "end" }, "knee " + pct(reply.knee)));
      const at = reply.at;
      chart.append(svg("circle", { cx: x(at.rho), cy: y(at.wait_in_service_times), r: 6, class: "tas-point" }));
    }

    function setRho(value) {
      rho.input.value = String(Math.min(99, Math.max(1, Math.round(value))));
      rho.refresh();
      compute();
    }

    servers.addEventListener("change", compute);
    rho.input.addEventListener("input", compute);
    DSIP.keepKeys(stage, (key) => {
      if (key === "+" || key === "=") setRho(Number(rho.input.value) + 5);
      else if (key === "-" || key === "_") setRho(Number(rho.input.value) - 5);
      else if (key === "k" || key === "K") setRho(knee * 100);
      else return false;
      return true;
    });
    compute();
  }

  function mount(stage, wasm, params) {
    params = params || {};
    stage.classList.add("tas");
    stage.replaceChildren();
    stage.tabIndex = 0;
    if (params.panel === "queue") {
      stage.setAttribute("aria-label", "Queue wait against utilisation");
      mountQueue(stage, wasm, params);
    } else {
      stage.setAttribute("aria-label", "Fan-out latency simulator");
      mountFanout(stage, wasm, params);
    }
  }

  DSIP.registerWidget("tail-at-scale", { mount });
})();
