// Replication lag (Module 3): a three-replica group under a write load, driven by the
// `replication` crate compiled to wasm (playground-crates/replication/src/wasm.rs).
//
// The reader steps simulated time forward 100 ms at a time (from 300 ms to 1,500 ms), and at the
// current moment can fail the leader (cut east-1 and its client off), partition the far follower
// west-1, or heal. Each step replays the whole run from time zero with the reader's events, so
// what is drawn is the crate's run: a lag line per follower, the promotions, the counters of
// acknowledged writes lost and divergent, Module 2's checker's verdict on the clients' history,
// and where the mode sits on The Write-Path Trilemma. This file only draws.
//
// Test hooks: controls carry data-role (mode-sync, mode-semi-sync, mode-async, fail, partition,
// heal, step, reset, announce, figure-<name>); the stage carries data-now, data-mode, data-acked,
// data-lost, data-divergent, data-linearizable, data-leader, data-gives-up, and data-lag-east1, data-lag-east2
// and data-lag-west1 (the latest lag sample of each follower, in ms).
(function () {
  "use strict";

  const el = DSIP.el;
  const SVG = "http://www.w3.org/2000/svg";
  const START = 300, END = 1500, STEP = 100;
  const MODES = [["sync", "Sync", "1"], ["semi-sync", "Semi-sync (k=1)", "2"], ["async", "Async", "3"]];
  const FOLLOWERS = ["east-1", "east-2", "west-1"];
  // dataset names: data-lag-east1, data-lag-east2, data-lag-west1.
  const LAG_KEYS = { "east-1": "lagEast1", "east-2": "lagEast2", "west-1": "lagWest1" };
  const H = 220, LEFT = 44, RIGHT = 14, TOP = 14, BOTTOM = 30;

  function svg(tag, attributes = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const ms = (v) => (v >= 100 ? Math.round(v) : Number(v).toFixed(1)) + " ms";

  function mount(stage, wasm, params) {
    params = params || {};
    stage.classList.add("rlag");
    stage.replaceChildren();
    stage.tabIndex = 0;
    stage.setAttribute("aria-label", "Replication lag timeline: three replicas, a write load, faults you add");

    let mode = ["sync", "semi-sync", "async"].includes(params.mode) ? params.mode : "async";
    let now = START;
    let events = [];
    let open = { leader: false, follower: false };

    const hint = el("p", { class: "dsip-viz-hint" },
      "Keys, while focus is in this figure: N advances 100 ms, F fails the leader, P partitions west-1, H heals, R resets, 1 2 3 pick sync, semi-sync, async.");

    const modes = el("div", { class: "dsip-controls", role: "group", "aria-label": "Replication mode" });
    modes.append(el("span", { class: "dsip-viz-group-label" }, "Mode:"));
    const modeButtons = {};
    for (const [value, label] of MODES) {
      const b = el("button", { type: "button", class: "dsip-btn", "data-role": "mode-" + value, "aria-pressed": "false" }, label);
      b.addEventListener("click", () => setMode(value));
      modeButtons[value] = b;
      modes.append(b);
    }

    const actions = el("div", { class: "dsip-controls", role: "group", "aria-label": "Faults and time" });
    const button = (role, label, action) => {
      const b = el("button", { type: "button", class: "dsip-btn", "data-role": role }, label);
      b.addEventListener("click", action);
      actions.append(b);
      return b;
    };
    const stepButton = button("step", "+100 ms", () => advance());
    const failButton = button("fail", "Fail leader", () => addEvent("fail-leader"));
    const partButton = button("partition", "Partition west-1", () => addEvent("partition-follower"));
    const healButton = button("heal", "Heal", () => addEvent("heal"));
    button("reset", "Reset", () => reset());

    const legend = el("ul", { class: "dsip-viz-legend" });
    for (const f of FOLLOWERS) {
      const swatch = el("span", { class: "rlag-swatch rlag-" + f, "aria-hidden": "true" });
      const item = el("li");
      item.append(swatch, document.createTextNode(f + " lag"));
      legend.append(item);
    }
    const fault = el("li");
    fault.append(el("span", { class: "rlag-swatch rlag-fault", "aria-hidden": "true" }), document.createTextNode("fault"));
    const promo = el("li");
    promo.append(el("span", { class: "rlag-swatch rlag-promo", "aria-hidden": "true" }), document.createTextNode("promotion"));
    legend.append(fault, promo);

    const chart = svg("svg", { class: "dsip-viz-chart rlag-chart", role: "img", preserveAspectRatio: "xMinYMin meet" });

    const pairs = [
      ["now", "Time"], ["leader", "Leader (epoch)"], ["acked", "Writes acknowledged"],
      ["lost", "Acknowledged writes lost on failover"], ["divergent", "Divergent writes on the old leader"],
      ["unknown", "Writes timed out (outcome unknown)"], ["latency", "Write latency p50 / p99"],
      ["verdict", "Module 2's checker"],
    ];
    const figures = el("dl", { class: "dsip-viz-figures" });
    const dd = {};
    for (const [key, label] of pairs) {
      dd[key] = el("dd", { "data-role": "figure-" + key });
      const pair = el("div", { class: "rlag-figure" });
      pair.append(el("dt", {}, label), dd[key]);
      figures.append(pair);
    }
    const witness = el("p", { class: "rlag-witness", "data-role": "witness" });

    const tri = el("div", { class: "rlag-trilemma" });
    const triSvg = svg("svg", { class: "dsip-viz-chart rlag-tri", role: "img", viewBox: "0 0 240 160", "aria-label": "The Write-Path Trilemma" });
    const triText = el("dl", { class: "rlag-tri-text" });
    tri.append(triSvg, triText);

    const announce = el("p", { class: "dsip-viz-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    stage.append(hint, modes, actions, legend, chart, figures, witness, tri, announce);

    function setMode(value) {
      mode = value;
      compute("Mode " + value + ".");
    }

    function advance() {
      if (now >= END) { announce.textContent = "The run ends at 1,500 ms: press Reset to start again."; return; }
      now += STEP;
      compute();
    }

    function addEvent(kind) {
      if (kind === "fail-leader" && open.leader) return;
      if (kind === "partition-follower" && open.follower) return;
      if (kind === "heal" && !open.leader && !open.follower) return;
      events = events.filter((e) => !(e.at_ms === now && e.kind === kind));
      events.push({ at_ms: now, kind });
      if (kind === "fail-leader") open.leader = true;
      else if (kind === "partition-follower") open.follower = true;
      else open = { leader: false, follower: false };
      const said = { "fail-leader": "east-1 and its client cut off", "partition-follower": "west-1 cut off", heal: "every cut healed" };
      compute(said[kind] + " at " + now + " ms.");
    }

    function reset() {
      now = START;
      events = [];
      open = { leader: false, follower: false };
      compute("Reset to " + START + " ms, no faults.");
    }

    function compute(prefix) {
      const reply = wasm.attempt({ cmd: "run", mode, fencing: true, seed: 7, until_ms: now, events }, (m) => { announce.textContent = m; });
      if (!reply) return;
      draw(reply);
      const epoch = reply.promotions.length ? reply.promotions[reply.promotions.length - 1].epoch : 1;
      const d = stage.dataset;
      d.now = String(now); d.mode = mode; d.acked = String(reply.acked); d.lost = String(reply.lost);
      d.divergent = String(reply.divergent); d.linearizable = String(reply.linearizable);
      d.leader = reply.final_leader; d.givesUp = reply.trilemma.gives_up;
      for (const f of FOLLOWERS) {
        const last = reply.lag.filter((s) => s.follower === f).pop();
        const name = LAG_KEYS[f];
        if (last) d[name] = String(last.ms); else delete d[name];
      }
      for (const [value] of MODES) modeButtons[value].setAttribute("aria-pressed", String(value === mode));
      stepButton.disabled = now >= END;
      failButton.disabled = open.leader;
      partButton.disabled = open.follower;
      healButton.disabled = !open.leader && !open.follower;

      dd.now.textContent = now.toLocaleString("en-US") + " ms";
      dd.leader.textContent = reply.final_leader + " (" + epoch + ")";
      dd.acked.textContent = String(reply.acked);
      dd.lost.textContent = String(reply.lost);
      dd.divergent.textContent = String(reply.divergent);
      dd.unknown.textContent = String(reply.unknown);
      dd.latency.textContent = reply.acked ? ms(reply.p50_ms) + " / " + ms(reply.p99_ms) : "–";
      dd.verdict.textContent = reply.linearizable ? "linearizable" : "NOT linearizable";
      dd.verdict.classList.toggle("rlag-bad", !reply.linearizable);
      dd.lost.classList.toggle("rlag-bad", reply.lost > 0);
      witness.textContent = reply.witness
        ? "Witness on key " + reply.witness.key + ": " + reply.witness.ops.join("; ") + ". No order of these fits a single register."
        : "";
      const text = "At " + now + " ms, " + mode + ": " + reply.acked + " acknowledged, " + reply.lost + " lost, " +
        reply.divergent + " divergent; leader " + reply.final_leader + "; " + (reply.linearizable ? "linearizable." : "not linearizable.");
      announce.textContent = (prefix ? prefix + " " : "") + text;
    }

    function draw(reply) {
      chart.replaceChildren();
      // One user unit a CSS pixel, so labels stay readable on a phone.
      const W = Math.max(300, Math.min(640, Math.round(chart.getBoundingClientRect().width || stage.clientWidth || 640)));
      chart.setAttribute("viewBox", `0 0 ${W} ${H}`);
      const peak = Math.max(100, ...reply.lag.map((s) => s.ms));
      const yMax = Math.ceil(peak / 100) * 100;
      const x = (t) => LEFT + (W - LEFT - RIGHT) * (t / END);
      const y = (v) => TOP + (H - TOP - BOTTOM) * (1 - v / yMax);
      chart.setAttribute("aria-label", "Lag per follower over time, up to " + now + " ms; the axis tops at " + yMax + " ms");
      for (let t = 0; t <= END; t += W < 480 ? 500 : 300) {
        chart.append(svg("line", { x1: x(t), x2: x(t), y1: TOP, y2: H - BOTTOM, class: "dsip-viz-grid" }));
        const anchor = t === 0 ? "start" : t === END ? "end" : "middle";
        chart.append(svg("text", { x: x(t), y: H - BOTTOM + 16, class: "rlag-tick", "text-anchor": anchor }, t === END ? t + " ms" : String(t)));
      }
      for (const v of [0, yMax / 2, yMax]) {
        chart.append(svg("line", { x1: LEFT, x2: W - RIGHT, y1: y(v), y2: y(v), class: "dsip-viz-grid" }));
        chart.append(svg("text", { x: LEFT - 4, y: y(v) + 4, class: "rlag-tick", "text-anchor": "end" }, String(v)));
      }
      // Faults as shaded spans, from each event to the next heal (or to now).
      const sorted = [...events].sort((a, b) => a.at_ms - b.at_ms);
      sorted.forEach((e, i) => {
        if (e.kind === "heal") return;
        const heal = sorted.slice(i + 1).find((h) => h.kind === "heal");
        const end = heal ? heal.at_ms : now;
        chart.append(svg("rect", { x: x(e.at_ms), y: TOP, width: Math.max(1, x(end) - x(e.at_ms)), height: H - TOP - BOTTOM, class: "rlag-fault-span " + (e.kind === "fail-leader" ? "rlag-fault-leader" : "rlag-fault-follower") }));
      });
      for (const f of FOLLOWERS) {
        const samples = reply.lag.filter((s) => s.follower === f);
        if (!samples.length) continue;
        // A follower measured by two leaders in turn is drawn as separate runs where time jumps.
        const points = samples.map((s) => x(s.at_ms).toFixed(1) + "," + y(s.ms).toFixed(1));
        chart.append(svg("polyline", { points: points.join(" "), class: "rlag-line rlag-" + f, "data-follower": f }));
      }
      for (const p of reply.promotions) {
        chart.append(svg("line", { x1: x(p.at_ms), x2: x(p.at_ms), y1: TOP, y2: H - BOTTOM, class: "rlag-promo-line" }));
        chart.append(svg("text", { x: x(p.at_ms) + 4, y: TOP + 12, class: "rlag-tick rlag-promo-label" }, p.leader + " leads, epoch " + p.epoch));
      }
      chart.append(svg("line", { x1: x(now), x2: x(now), y1: TOP, y2: H - BOTTOM, class: "rlag-now" }));
      chart.append(svg("text", { x: LEFT + 4, y: TOP + 12, class: "rlag-tick" }, "lag, ms"));

      // The trilemma: the dot sits opposite the corner the mode gives up.
      triSvg.replaceChildren();
      const corners = { durability: [120, 22], latency: [45, 134], availability: [195, 134] };
      triSvg.append(svg("polygon", { points: Object.values(corners).map((c) => c.join(",")).join(" "), class: "rlag-tri-shape" }));
      triSvg.append(svg("text", { x: 120, y: 14, class: "rlag-tick", "text-anchor": "middle" }, "durability"));
      triSvg.append(svg("text", { x: 4, y: 152, class: "rlag-tick", "text-anchor": "start" }, "low latency"));
      triSvg.append(svg("text", { x: 236, y: 152, class: "rlag-tick", "text-anchor": "end" }, "availability"));
      const giveUp = reply.trilemma.gives_up;
      const key = giveUp === "durability" ? "durability" : giveUp === "availability" ? "availability" : null;
      let at;
      if (key) {
        const others = Object.keys(corners).filter((k) => k !== key).map((k) => corners[k]);
        at = [(others[0][0] + others[1][0]) / 2, (others[0][1] + others[1][1]) / 2];
      } else {
        at = [120, 97];
      }
      triSvg.append(svg("circle", { cx: at[0], cy: at[1], r: 7, class: "rlag-tri-dot" }));
      triText.replaceChildren();
      for (const [k, label] of [["durability", "Durability"], ["latency", "Latency"], ["availability", "Availability"], ["gives_up", "Gives up"]]) {
        triText.append(el("dt", {}, label), el("dd", { "data-role": "trilemma-" + k.replace("_", "-") }, reply.trilemma[k]));
      }
    }

    const shortcuts = {
      n: advance, f: () => addEvent("fail-leader"), p: () => addEvent("partition-follower"),
      h: () => addEvent("heal"), r: reset, 1: () => setMode("sync"), 2: () => setMode("semi-sync"), 3: () => setMode("async"),
    };
    DSIP.keepKeys(stage, (key) => {
      const action = shortcuts[key.toLowerCase()];
      if (!action) return false;
      action();
      return true;
    });

    compute();
  }

  DSIP.registerWidget("replication-lag", { mount });
})();
