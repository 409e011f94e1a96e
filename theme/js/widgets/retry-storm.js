// The retry storm (Module 7): a server at healthy load, clients with timeouts and retries, and a
// scrolling plot of offered load, goodput and queue depth. "Trigger" dips the server's capacity for a
// few seconds; with retries on, the system tips into a collapse that outlasts the trigger
// (a metastable failure), and the plot marks the tipping point. The defense toggles switch layers on
// and off mid-run, so the reader can watch which one brings it back.
//
// This file only draws and forwards commands. The simulation, the defenses and the tipping-point
// detection all live in the `retry-storm` crate behind `wasm.call` (commands documented in
// playground-crates/retry-storm/src/wasm.rs).
//
// Test hooks: controls carry data-role (play, speed, reset, trigger, trigger-seconds, trigger-depth,
// load, capacity, timeout, retries, neighbor, defense-<name>, announce, figures). The stage carries
// data-time (simulated seconds), data-collapsed ("yes"/"no"), data-tipped-at (seconds, when known)
// and data-requests-per-second (simulated requests per second of wall-clock time spent in `advance`,
// measured in this browser).
(function () {
  "use strict";

  const HEIGHT = 280; // css pixels
  const MAX_FRAME_SECONDS = 0.1; // a background tab's long frame must not become a huge jump
  const SPEEDS = [1, 2, 5, 10, 30, 60]; // simulated seconds per real second

  const DEFENSE_LABELS = {
    backoff: "Backoff + jitter",
    retry_budget: "Retry budget (10%)",
    circuit_breaker: "Circuit breaker",
    load_shedding: "Load shedding (>500 ms)",
    queue_timeout: "Queue timeouts + LIFO",
    bulkhead: "Bulkhead (neighbour pool)",
    deadline: "Deadline propagation",
  };

  const el = DSIP.el;

  const whole = (n) => Math.round(n).toLocaleString("en-US");
  const secondsText = (t) => (Math.round(t * 10) / 10).toLocaleString("en-US");
  const percent = (ratio) => Math.round(100 * ratio) + "%";

  function readTheme(stage) {
    // The widget's own variables (theme/css/widgets/retry-storm.css) are set per theme on .rs, so
    // read them from a stage; mdBook's from the root.
    const root = getComputedStyle(document.documentElement);
    const own = stage ? getComputedStyle(stage) : root;
    const style = { getPropertyValue: (name) => (name.startsWith("--rs-") ? own : root).getPropertyValue(name) };
    const pick = (name, fallback) => (style.getPropertyValue(name) || "").trim() || fallback;
    return {
      fg: pick("--fg", "#000"),
      bg: pick("--bg", "#fff"),
      links: pick("--links", "#2b79a2"),
      muted: pick("--rs-muted", "#595959"),
      throughput: pick("--rs-throughput", "#7a4f9e"),
      queue: pick("--rs-queue", "#8a8a8a"),
      warning: pick("--warning-border", "#ff8e00"),
      grid: pick("--table-border-color", "#ddd"),
      shade: pick("--quote-bg", "#f1f1f1"),
    };
  }

  function slider(role, label, min, max, step, value, unit) {
    const input = el("input", { type: "range", min: String(min), max: String(max), step: String(step), "data-role": role });
    input.value = String(value);
    const output = el("output", { class: "dsip-viz-out" });
    const wrapper = el("label", {}, label + " ");
    wrapper.append(input, output);
    const show = () => { output.textContent = whole(Number(input.value)) + unit; };
    show();
    input.addEventListener("input", show);
    return { input, wrapper, show };
  }

  function mount(stage, wasm, params) {
    params = params || {};
    const windowSeconds = Number(params.window || 60); // the plot's shortest span
    const LONGEST_VIEW = 300; // seconds: the plot widens to keep the last trigger in view, up to this
    let state = wasm.call({ cmd: "reset", scenario: params.scenario || "healthy" });
    state = wasm.call({ cmd: "configure", step_ms: Number(params.step_ms || 250) });
    // A figure may open with defences already on (`defenses`: names as the crate lists them; the
    // teardown grid's DynamoDB cell opens with load shedding); Reset goes back to them.
    const presetDefenses = (Array.isArray(params.defenses) ? params.defenses : []).filter((name) => name in state.defenses);
    for (const name of presetDefenses) state = wasm.call({ cmd: "set_defense", name, on: true });
    let theme = readTheme();
    let history = []; // steps, oldest first
    let episodes = state.episodes;
    let time = state.time;
    let playing = false;
    let speed = SPEEDS.includes(Number(params.speed)) ? Number(params.speed) : 5;
    let lastFrame = null;
    let frame = 0;
    let trigger = null; // {start, end, announcedEnd}
    let share = 1; // the crate's goodput / offered over its window
    let marks = []; // [{t, label}]: the reader's changes (defense toggles), drawn on the plot
    let measuredAttempts = 0;
    let measuredMs = 0;

    stage.classList.add("rs");
    theme = readTheme(stage);
    stage.replaceChildren();
    stage.tabIndex = 0;
    stage.setAttribute("aria-label", "Retry storm simulator");

    // ---- controls ---------------------------------------------------------------------------
    const hint = el("p", { class: "dsip-viz-hint" },
      "Keys, while focus is in this figure: P plays or pauses, T triggers a capacity dip, + and − change the speed.");

    const run = el("div", { class: "dsip-controls", role: "group", "aria-label": "Run" });
    const playButton = el("button", { type: "button", class: "dsip-btn", "data-role": "play", "aria-pressed": "false" }, "Play");
    const speedSelect = el("select", { "data-role": "speed", "aria-label": "Speed (simulated seconds per second)" });
    for (const value of SPEEDS) speedSelect.append(el("option", { value: String(value) }, value + "× speed"));
    speedSelect.value = String(speed);
    const resetButton = el("button", { type: "button", class: "dsip-btn", "data-role": "reset" }, "Reset");
    run.append(playButton, speedSelect, resetButton);

    const disturb = el("div", { class: "dsip-controls", role: "group", "aria-label": "Trigger" });
    const triggerButton = el("button", { type: "button", class: "dsip-btn rs-trigger", "data-role": "trigger" }, "Trigger: capacity dip");
    const triggerSeconds = slider("trigger-seconds", "for", 1, 20, 1, Number(params.trigger_seconds || 5), " s");
    const triggerDepth = slider("trigger-depth", "down to", 5, 90, 5, Number(params.trigger_capacity || 30), "% capacity");
    disturb.append(triggerButton, triggerSeconds.wrapper, triggerDepth.wrapper);

    const config = state.config;
    const knobs = el("div", { class: "dsip-controls dsip-viz-knobs", role: "group", "aria-label": "System" });
    const load = slider("load", "Offered load", 50, 1500, 10, config.load, " req/s");
    const capacity = slider("capacity", "Server capacity", 200, 2000, 50, config.capacity, " req/s");
    const timeout = slider("timeout", "Client timeout", 100, 5000, 100, config.timeout_ms, " ms");
    const retries = slider("retries", "Retries", 0, 6, 1, config.retries, "");
    const neighbor = slider("neighbor", "Neighbour load", 0, 300, 10, config.neighbor_load, " req/s");
    knobs.append(load.wrapper, capacity.wrapper, timeout.wrapper, retries.wrapper, neighbor.wrapper);

    const defenses = el("div", { class: "dsip-controls", role: "group", "aria-label": "Defenses" });
    defenses.append(el("span", { class: "dsip-viz-group-label" }, "Defenses:"));
    const defenseButtons = {};
    for (const name of Object.keys(state.defenses)) {
      const button = el("button", { type: "button", class: "dsip-btn", "data-role": "defense-" + name, "aria-pressed": "false" },
        DEFENSE_LABELS[name] || name);
      button.addEventListener("click", () => toggleDefense(name));
      defenseButtons[name] = button;
      defenses.append(button);
    }

    // ---- plot, legend, figures --------------------------------------------------------------
    const canvas = el("canvas", { class: "rs-canvas", role: "img", "aria-label": "Offered load, goodput and queue depth over time" });
    const legend = el("ul", { class: "dsip-viz-legend", "aria-hidden": "true" });
    const legendItems = [
      ["offered", "offered load"], ["goodput", "goodput"], ["throughput", "server throughput"],
      ["neighbor", "neighbour goodput"], ["queue", "queue depth (right axis)"], ["trigger", "trigger"], ["tip", "tipping point"],
    ];
    const swatches = {};
    for (const [key, label] of legendItems) {
      const swatch = el("span", { class: "rs-swatch rs-swatch-" + key });
      swatches[key] = swatch;
      const item = el("li", {});
      item.append(swatch, document.createTextNode(label));
      legend.append(item);
    }
    const figures = el("dl", { class: "dsip-viz-figures", "data-role": "figures" });
    const figure = {};
    for (const [key, label] of [
      ["time", "Simulated time"], ["goodput", "Goodput / offered"], ["retries", "Retries"],
      ["queue", "Queue"], ["p99", "p99 latency"], ["breaker", "Breaker"], ["speed", "Simulator speed here"],
    ]) {
      figure[key] = el("dd", { "data-role": "figure-" + key });
      figures.append(el("dt", {}, label), figure[key]);
    }
    const announce = el("p", { class: "dsip-viz-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    // The plot sits right under Play and Trigger, with the defences just below it, so on a phone the
    // reader sees the collapse they trigger and the recovery they switch on; the knobs come last.
    stage.append(hint, run, disturb, canvas, defenses, announce, legend, figures, knobs);

    // ---- talking to the crate ---------------------------------------------------------------
    function say(message) {
      announce.textContent = message;
    }

    function call(request) {
      return wasm.attempt(request, say);
    }

    function adopt(reply) {
      if (!reply) return;
      state = reply;
      for (const [name, button] of Object.entries(defenseButtons)) {
        button.setAttribute("aria-pressed", String(Boolean(state.defenses[name])));
      }
    }

    function advance(seconds) {
      const started = performance.now();
      const reply = call({ cmd: "advance", seconds });
      measuredMs += performance.now() - started;
      if (!reply) return;
      measuredAttempts += reply.attempts;
      if (measuredMs > 0) {
        stage.dataset.requestsPerSecond = String(Math.round(measuredAttempts / (measuredMs / 1000)));
      }
      time = reply.time;
      share = reply.goodput_share;
      history.push(...reply.steps);
      const keep = Math.ceil((LONGEST_VIEW * 1000) / state.config.step_ms) + 4;
      if (history.length > keep) history.splice(0, history.length - keep);
      noticeEpisodes(reply.episodes);
      if (trigger && !trigger.announcedEnd && time >= trigger.end) {
        trigger.announcedEnd = true;
        say("Trigger ended at t=" + secondsText(trigger.end) + " s; goodput is " +
          percent(share) + " of offered load. Does it come back?");
      }
    }

    function noticeEpisodes(next) {
      const before = episodes;
      episodes = next;
      next.forEach((episode, i) => {
        const old = before[i];
        if (!old) {
          const cause = episode.trigger_ended_at !== null
            ? "; trigger ended at t=" + secondsText(episode.trigger_ended_at) + " s"
            : "";
          const kind = state.config.utilization < 1
            ? " Offered load is " + percent(state.config.utilization) + " of capacity: the retries keep it down."
            : " Offered load exceeds capacity: plain overload.";
          say("Collapsed at t=" + secondsText(episode.tipped_at) + " s: goodput " +
            percent(episode.goodput_ratio) + " of offered load" + cause + "." + kind);
        } else if (old.recovered_at === null && episode.recovered_at !== null) {
          say("Recovered at t=" + secondsText(episode.recovered_at) + " s: goodput is back above half of offered load.");
        }
      });
      const current = next[next.length - 1];
      const collapsed = Boolean(current && current.recovered_at === null);
      stage.dataset.collapsed = collapsed ? "yes" : "no";
      if (current) stage.dataset.tippedAt = String(current.tipped_at);
      else delete stage.dataset.tippedAt;
    }

    function toggleDefense(name) {
      const on = !state.defenses[name];
      adopt(call({ cmd: "set_defense", name, on }));
      marks.push({ t: time, label: (DEFENSE_LABELS[name] || name).replace(/ \(.*\)$/, "") + (on ? " on" : " off") });
      say((DEFENSE_LABELS[name] || name) + (on ? " on" : " off") + " at t=" + secondsText(time) + " s.");
      render();
    }

    function configure(field, value) {
      adopt(call({ cmd: "configure", [field]: value }));
      render();
    }

    function fireTrigger() {
      const seconds = Number(triggerSeconds.input.value);
      const depth = Number(triggerDepth.input.value) / 100;
      const reply = call({ cmd: "trigger", seconds, capacity_factor: depth });
      if (!reply) return;
      adopt(reply);
      trigger = { start: reply.start, end: reply.end, announcedEnd: false };
      say("Trigger at t=" + secondsText(reply.start) + " s: capacity at " + percent(depth) + " for " + seconds + " s.");
      setPlaying(true);
    }

    // Reset starts the preset again: every defence off (or only the figure's preset ones on),
    // every knob at its starting value, so "repeat with another defence" tests that defence alone.
    function reset() {
      adopt(call({ cmd: "reset", scenario: params.scenario || "healthy" }));
      adopt(call({ cmd: "configure", step_ms: Number(params.step_ms || 250) }));
      for (const name of presetDefenses) adopt(call({ cmd: "set_defense", name, on: true }));
      const knobsNow = state.config;
      for (const [control, value] of [[load, knobsNow.load], [capacity, knobsNow.capacity],
        [timeout, knobsNow.timeout_ms], [retries, knobsNow.retries], [neighbor, knobsNow.neighbor_load]]) {
        control.input.value = String(value);
        control.show();
      }
      share = 1;
      history = [];
      marks = [];
      episodes = [];
      trigger = null;
      time = 0;
      noticeEpisodes([]);
      advance(Math.min(10, windowSeconds / 3));
      say("Reset: a healthy system at t=0, " + (presetDefenses.length
        ? presetDefenses.map((name) => DEFENSE_LABELS[name] || name).join(", ") + " on and every other defence off"
        : "every defence off") + ", knobs back to their starting values.");
      render();
    }

    function setPlaying(on) {
      playing = on;
      playButton.textContent = on ? "Pause" : "Play";
      playButton.setAttribute("aria-pressed", String(on));
      lastFrame = null;
      cancelAnimationFrame(frame);
      if (on) frame = requestAnimationFrame(tick);
    }

    function setSpeed(value) {
      speed = value;
      speedSelect.value = String(value);
    }

    function tick(now) {
      if (!playing) return;
      // A figure taken off the page (the teardown grid closes its "Try it" panel) stops running.
      if (!stage.isConnected) {
        setPlaying(false);
        return;
      }
      if (lastFrame !== null) {
        const real = Math.min((now - lastFrame) / 1000, MAX_FRAME_SECONDS);
        advance(real * speed);
        render();
      }
      lastFrame = now;
      frame = requestAnimationFrame(tick);
    }

    // ---- events -----------------------------------------------------------------------------
    playButton.addEventListener("click", () => setPlaying(!playing));
    speedSelect.addEventListener("change", () => setSpeed(Number(speedSelect.value)));
    resetButton.addEventListener("click", reset);
    triggerButton.addEventListener("click", fireTrigger);
    load.input.addEventListener("input", () => configure("load", Number(load.input.value)));
    capacity.input.addEventListener("input", () => configure("capacity", Number(capacity.input.value)));
    timeout.input.addEventListener("input", () => configure("timeout_ms", Number(timeout.input.value)));
    retries.input.addEventListener("input", () => configure("retries", Number(retries.input.value)));
    neighbor.input.addEventListener("input", () => configure("neighbor_load", Number(neighbor.input.value)));

    // Keys handled inside the figure stay inside it: mdBook turns the chapter on ← and →, which
    // would throw the run away. Arrow, Home, End and Page keys still move a focused slider or select;
    // they just never reach the page. No shortcut fires while a slider or the select has focus.
    DSIP.keepKeys(stage, (pressed) => {
      const key = pressed.toLowerCase();
      if (key === "p") {
        setPlaying(!playing);
      } else if (key === "t") {
        fireTrigger();
      } else if (key === "+" || key === "=") {
        setSpeed(SPEEDS[Math.min(SPEEDS.indexOf(speed) + 1, SPEEDS.length - 1)]);
        say("Speed " + speed + "×.");
      } else if (key === "-" || key === "_") {
        setSpeed(SPEEDS[Math.max(SPEEDS.indexOf(speed) - 1, 0)]);
        say("Speed " + speed + "×.");
      } else {
        return false;
      }
      return true;
    }, { fields: "control", navigation: true });

    // ---- drawing ----------------------------------------------------------------------------
    function render() {
      const last = history[history.length - 1];
      stage.dataset.time = String(time);
      figure.time.textContent = secondsText(time) + " s";
      figure.goodput.textContent = last ? percent(share) + " (last 2 s)" : "–";
      figure.retries.textContent = last ? whole(last.retries) + " /s" : "–";
      figure.queue.textContent = last ? whole(last.queue) + " of " + whole(state.config.queue_limit) : "–";
      figure.p99.textContent = last && last.p99_ms !== null ? whole(last.p99_ms) + " ms" : "no successes";
      figure.breaker.textContent = state.defenses.circuit_breaker ? (last ? last.breaker : state.breaker) : "off";
      const rate = Number(stage.dataset.requestsPerSecond || 0);
      figure.speed.textContent = rate ? (rate / 1e6).toFixed(2) + " M simulated requests/s" : "–";
      draw();
    }

    function colors() {
      return {
        offered: theme.fg,
        goodput: theme.links,
        throughput: theme.throughput,
        neighbor: theme.links,
        queue: theme.queue,
        trigger: theme.warning,
        tip: theme.warning,
      };
    }

    function paintLegend() {
      const palette = colors();
      for (const [key, swatch] of Object.entries(swatches)) swatch.style.setProperty("--rs-swatch", palette[key]);
    }

    function draw() {
      const width = Math.max(280, Math.floor(canvas.parentElement ? stage.clientWidth : 600));
      const ratio = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(HEIGHT * ratio)) {
        canvas.width = Math.round(width * ratio);
        canvas.height = Math.round(HEIGHT * ratio);
        canvas.style.width = width + "px";
        canvas.style.height = HEIGHT + "px";
      }
      const ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.fillStyle = theme.bg;
      ctx.fillRect(0, 0, width, HEIGHT);
      const palette = colors();
      const left = 52, right = width - 52, top = 24, bottom = HEIGHT - 26;
      // The span grows to keep the last trigger (and 10 s before it) in view, so trigger, tipping
      // point and recovery show together, up to LONGEST_VIEW seconds.
      const end = Math.max(windowSeconds, time);
      const wanted = trigger ? end - trigger.start + 10 : windowSeconds;
      const span = Math.min(LONGEST_VIEW, Math.max(windowSeconds, Math.ceil(wanted / 30) * 30));
      const start = end - span;
      const x = (t) => left + ((t - start) / span) * (right - left);
      const visible = history.filter((s) => s.end > start);
      const rateMax = niceCeiling(Math.max(
        state.config.capacity, state.config.load + state.config.neighbor_load,
        ...visible.map((s) => Math.max(s.offered, s.goodput, s.throughput)),
      ) * 1.1);
      const queueMax = Math.max(1, state.config.queue_limit);
      const yRate = (v) => bottom - (v / rateMax) * (bottom - top);
      const yQueue = (v) => bottom - (Math.min(v, queueMax) / queueMax) * (bottom - top);

      ctx.font = "11px system-ui, sans-serif";
      ctx.lineWidth = 1;
      // Grid and axes.
      ctx.strokeStyle = theme.grid;
      ctx.fillStyle = theme.muted;
      ctx.textBaseline = "middle";
      ctx.lineWidth = 1;
      for (let i = 0; i <= 4; i++) {
        const value = (rateMax * i) / 4;
        const y = yRate(value);
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(right, y);
        ctx.stroke();
        ctx.textAlign = "right";
        ctx.fillText(whole(value), left - 6, y);
        ctx.textAlign = "left";
        ctx.fillText(whole((queueMax * i) / 4), right + 6, y);
      }
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      // Time ticks: about one per 70 px, none so close to an edge that it runs into a corner.
      const tickEvery = [5, 10, 15, 30, 60, 120].find((every) => (every / span) * (right - left) >= 70) || 120;
      for (let t = Math.ceil(start / tickEvery) * tickEvery; t <= end; t += tickEvery) {
        const px = x(t);
        if (px - left < 16 || right - px < 16) continue;
        ctx.fillText(t + " s", px, bottom + 6);
      }
      // Units above their axes, clear of the tick labels.
      ctx.textBaseline = "bottom";
      ctx.textAlign = "left";
      ctx.fillText("req/s", 4, top - 6);
      ctx.textAlign = "right";
      ctx.fillText("queue", width - 4, top - 6);

      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top, right - left, bottom - top);
      ctx.clip();

      // Trigger periods: shaded where any step had a trigger in effect.
      ctx.globalAlpha = 0.18;
      ctx.fillStyle = palette.trigger;
      for (const s of visible) {
        if (s.triggered) ctx.fillRect(x(s.t), top, x(s.end) - x(s.t) + 0.5, bottom - top);
      }
      ctx.globalAlpha = 1;

      // Queue depth: a filled area on the right axis.
      if (visible.length) {
        ctx.globalAlpha = 0.35;
        ctx.fillStyle = palette.queue;
        ctx.beginPath();
        ctx.moveTo(x(visible[0].t), bottom);
        for (const s of visible) ctx.lineTo(x(s.end), yQueue(s.queue));
        ctx.lineTo(x(visible[visible.length - 1].end), bottom);
        ctx.closePath();
        ctx.fill();
        ctx.globalAlpha = 1;
      }

      const line = (field, color, width, dash) => {
        if (!visible.length) return;
        ctx.strokeStyle = color;
        ctx.lineWidth = width;
        ctx.setLineDash(dash);
        ctx.beginPath();
        visible.forEach((s, i) => {
          const px = x((s.t + s.end) / 2);
          const py = yRate(s[field]);
          if (i === 0) ctx.moveTo(px, py);
          else ctx.lineTo(px, py);
        });
        ctx.stroke();
        ctx.setLineDash([]);
      };
      line("throughput", palette.throughput, 1.6, [2, 3]);
      if (visible.some((s) => s.neighbor_offered > 0)) line("neighbor_goodput", palette.neighbor, 1.2, [1, 2]);
      line("offered", palette.offered, 1.5, [6, 4]);
      line("goodput", palette.goodput, 2.5, []);

      // The reader's changes: a thin dashed line, labelled at the bottom.
      ctx.textBaseline = "bottom";
      ctx.setLineDash([3, 3]);
      marks = marks.filter((mark) => mark.t >= start);
      marks.forEach((mark, i) => {
        ctx.strokeStyle = palette.offered;
        ctx.fillStyle = palette.offered;
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x(mark.t), top);
        ctx.lineTo(x(mark.t), bottom);
        ctx.stroke();
        // Staggered, so close marks stay legible; flipped to the left of the line near the right edge.
        label(ctx, mark.label, x(mark.t), bottom - 4 - 14 * (i % 3), right);
      });
      ctx.setLineDash([]);

      // Tipping points and recoveries.
      ctx.textBaseline = "top";
      ctx.font = "600 11px system-ui, sans-serif";
      for (const episode of episodes) {
        marker(ctx, x(episode.tipped_at), top, bottom, palette.tip, "tipped at " + secondsText(episode.tipped_at) + " s", 0, right);
        if (episode.recovered_at !== null) {
          marker(ctx, x(episode.recovered_at), top, bottom, palette.goodput, "recovered " + secondsText(episode.recovered_at) + " s", 16, right);
        }
      }
      ctx.restore();
    }

    function label(ctx, text, px, py, limit) {
      const fits = px + 4 + ctx.measureText(text).width <= limit;
      ctx.textAlign = fits ? "left" : "right";
      ctx.fillText(text, fits ? px + 4 : px - 4, py);
    }

    function marker(ctx, px, top, bottom, color, text, below, limit) {
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(px, top);
      ctx.lineTo(px, bottom);
      ctx.stroke();
      label(ctx, text, px, top + 2 + below, limit);
    }

    function niceCeiling(value) {
      const magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(value, 1))));
      for (const step of [1, 2, 2.5, 5, 10]) {
        if (value <= step * magnitude) return step * magnitude;
      }
      return 10 * magnitude;
    }

    // ---- theme, size, visibility ------------------------------------------------------------
    DSIP.onThemeChange(stage, () => {
      theme = readTheme(stage);
      paintLegend();
      draw();
    });
    if (window.ResizeObserver) new ResizeObserver(() => draw()).observe(stage);
    // It starts paused (the reader presses Play); scrolled out of view, it pauses so it does not burn
    // a core in the background.
    if (window.IntersectionObserver) {
      new IntersectionObserver((entries) => {
        if (playing && !entries.some((entry) => entry.isIntersecting)) setPlaying(false);
      }).observe(stage);
    }

    adopt(state);
    paintLegend();
    advance(Math.min(10, windowSeconds / 3));
    say("A healthy system at " + percent(state.config.utilization) + " of capacity. Press Play, then Trigger to dip its capacity.");
    render();
  }

  DSIP.registerWidget("retry-storm", { mount });
})();
