// The hash ring (Module 4): keys as dots around a circle, coloured by the node that owns them; nodes
// come and go, and the reader watches which keys move, how the load per node shifts and what the skew
// does. A mod-N mode shows the same change under `hash % N`, and "melt a shard" makes one key hot and
// asks the Hot-Key Triage tree what to do.
//
// This file only draws and forwards commands. Ownership, the keys that moved, load, skew, capacity
// and the triage all come from the `partitioning` crate through `wasm.call` (commands documented in
// playground-crates/partitioning/src/wasm.rs); each reply is the whole state.
//
// 10,000 dots are drawn on a canvas (SVG would be one DOM node a key), batched into one path per
// colour. Each frame of the move animation is timed; the figures land on the stage for tests:
// data-frame-ms (95th percentile of a frame's drawing time), data-frame-ms-max, data-frame-ms-mean,
// data-frame-count,
// data-frame-interval-ms (mean time between animation frames), data-lookups-per-second.
//
// Test hooks: buttons and figures carry data-role (add-node, remove-<name>, scheme-ring,
// scheme-mod-n, scheme-rendezvous, vnodes, dist-uniform, dist-zipf, zipf-s, shape, melt, cool,
// measure-speed, skew, moved, triage, announce); the moved figure also has data-moved (a number).
(function () {
  "use strict";

  const TAU = Math.PI * 2;
  const ANIMATION_MS = 900;
  const MAX_SIZE = 440; // css pixels: the canvas is square
  const DOT = 2.2; // css pixels a side
  const SPEED_LOOKUPS = 200000;
  // Readers who asked for less motion still see moved keys change colour, without the jump.
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  const el = DSIP.el;

  const count = (n) => Math.round(n).toLocaleString("en-US");

  // A stable hue per node name, spread by the golden angle so neighbouring letters differ.
  function nodeColor(name, dark) {
    const hue = ((name.charCodeAt(0) - 65) * 137.508 + 12) % 360;
    return "hsl(" + hue.toFixed(1) + " 70% " + (dark ? "64%" : "42%") + ")";
  }

  function readTheme() {
    const style = getComputedStyle(document.documentElement);
    const pick = (name, fallback) => (style.getPropertyValue(name) || "").trim() || fallback;
    return {
      dark: window.DSIP && DSIP.isDark ? DSIP.isDark() : false,
      fg: pick("--fg", "#000"),
      bg: pick("--bg", "#fff"),
      links: pick("--links", "#2b79a2"),
      warning: pick("--warning-border", "#ff8e00"),
    };
  }

  function mount(stage, wasm, params) {
    params = params || {};
    const config = {
      cmd: "init",
      keys: Number(params.keys || 10000),
      nodes: Number(params.nodes || 4),
      vnodes: Number(params.vnodes || 64),
      seed: Number(params.seed || 42),
      requests: Number(params.requests || 100000),
      distribution: params.distribution === "zipf" ? "zipf" : "uniform",
      zipf_s: Number(params.zipf_s || 1.1),
    };
    let state = wasm.call(config);
    let zipfS = config.zipf_s;
    const keyCount = state.key_positions.length;
    const cos = new Float32Array(keyCount);
    const sin = new Float32Array(keyCount);
    const lane = new Float32Array(keyCount); // a small radial offset so dots do not sit on one line
    state.key_positions.forEach((fraction, i) => {
      // Angle 0 at twelve o'clock, clockwise: the direction a ring lookup walks.
      const angle = fraction * TAU - Math.PI / 2;
      cos[i] = Math.cos(angle);
      sin[i] = Math.sin(angle);
      lane[i] = ((Math.imul(i, 2654435761) >>> 0) % 9) - 4;
    });
    let owners = Uint8Array.from(state.owners);
    let previousOwners = owners;
    let previousNodes = state.nodes.map((n) => n.name);
    let moved = new Int32Array(0);
    let theme = readTheme();
    let animationStart = null;
    let animationFrame = 0;
    let version = 0; // bumped whenever the picture's inputs change; the still layer follows it
    let still = null;
    const layer = document.createElement("canvas"); // reused: allocating a canvas costs a frame
    let frameStats = null;
    // Keys grouped by owner (a counting sort per change), so a frame walks the keys once.
    let byOwner = new Int32Array(keyCount);
    let ownerStart = [];
    function sortByOwner() {
      const nodeCount = state.nodes.length;
      const sizes = new Int32Array(nodeCount + 1);
      for (let i = 0; i < keyCount; i++) sizes[owners[i] + 1]++;
      for (let node = 0; node < nodeCount; node++) sizes[node + 1] += sizes[node];
      ownerStart = Array.from(sizes);
      const next = sizes.slice(0, nodeCount);
      for (let i = 0; i < keyCount; i++) byOwner[next[owners[i]]++] = i;
    }
    sortByOwner();

    stage.classList.add("hr");
    stage.replaceChildren();
    stage.tabIndex = 0;
    stage.setAttribute("aria-label", "Hash ring widget");

    // ---- controls ---------------------------------------------------------------------------
    const hint = el("p", { class: "hr-hint" },
      "Keys, while focus is in this figure: + adds a node, − removes the last one. " +
      "On the ring: click the centre to add a node, a node's tick to remove it.");

    const membership = el("div", { class: "dsip-controls", role: "group", "aria-label": "Nodes" });
    const addButton = el("button", { type: "button", class: "dsip-btn", "data-role": "add-node" }, "Add node");
    membership.append(addButton);

    const schemeGroup = el("div", { class: "dsip-controls", role: "group", "aria-label": "Partitioning scheme" });
    const schemeButtons = {};
    for (const [id, label] of [["ring", "Consistent hashing"], ["mod-n", "mod-N"], ["rendezvous", "Rendezvous"]]) {
      const button = el("button", { type: "button", class: "dsip-btn", "data-role": "scheme-" + id, "aria-pressed": "false" }, label);
      button.addEventListener("click", () => change({ cmd: "set_scheme", scheme: id }, "Switched to " + label));
      schemeButtons[id] = button;
      schemeGroup.append(button);
    }
    const vnodesInput = el("input", { type: "range", min: "1", max: "256", step: "1", "data-role": "vnodes" });
    vnodesInput.value = String(state.vnodes || config.vnodes);
    const vnodesOut = el("output", { class: "hr-out" });
    const vnodesLabel = el("label", {}, "Virtual nodes ");
    vnodesLabel.append(vnodesInput, vnodesOut);
    schemeGroup.append(vnodesLabel);

    const workloadGroup = el("div", { class: "dsip-controls", role: "group", "aria-label": "Key popularity" });
    const distButtons = {};
    for (const [id, label] of [["uniform", "Uniform"], ["zipf", "Zipfian"]]) {
      const button = el("button", { type: "button", class: "dsip-btn", "data-role": "dist-" + id, "aria-pressed": "false" }, label);
      button.addEventListener("click", () => setDistribution(id));
      distButtons[id] = button;
      workloadGroup.append(button);
    }
    const zipfInput = el("input", { type: "range", min: "0.5", max: "1.6", step: "0.1", "data-role": "zipf-s" });
    zipfInput.value = String(zipfS);
    const zipfOut = el("output", { class: "hr-out" });
    const zipfLabel = el("label", {}, "Skew s ");
    zipfLabel.append(zipfInput, zipfOut);
    workloadGroup.append(zipfLabel);
    let distribution = config.distribution;

    const meltGroup = el("div", { class: "dsip-controls", role: "group", "aria-label": "Hot key" });
    const shapeSelect = el("select", { "data-role": "shape", "aria-label": "Hot key's traffic" });
    for (const shape of state.shapes) shapeSelect.append(el("option", { value: shape.id }, shape.label));
    const meltButton = el("button", { type: "button", class: "dsip-btn hr-melt", "data-role": "melt" }, "Melt a shard");
    const coolButton = el("button", { type: "button", class: "dsip-btn", "data-role": "cool" }, "Cool down");
    const speedButton = el("button", { type: "button", class: "dsip-btn", "data-role": "measure-speed" }, "Measure lookup speed");
    meltGroup.append(shapeSelect, meltButton, coolButton, speedButton);

    // ---- picture and figures ----------------------------------------------------------------
    const body = el("div", { class: "hr-body" });
    const canvas = el("canvas", { class: "hr-canvas", role: "img" });
    const side = el("div", { class: "hr-side" });
    const figures = el("dl", { class: "hr-figures" });
    const skewValue = el("dd", { "data-role": "skew" });
    const keySkewValue = el("dd", { "data-role": "key-skew" });
    const movedValue = el("dd", { "data-role": "moved" });
    const speedValue = el("dd", { "data-role": "speed" }, "not measured yet");
    figures.append(
      el("dt", {}, "Request skew (max / mean)"), skewValue,
      el("dt", {}, "Keys stored, skew"), keySkewValue,
      el("dt", {}, "Keys moved on the last change"), movedValue,
      el("dt", {}, "Lookups per second here"), speedValue,
    );
    const barsHeading = el("p", { class: "hr-bars-heading" }, "Requests per node (the line is one node's capacity)");
    const bars = el("ul", { class: "hr-bars", "aria-label": "Load per node" });
    const triagePanel = el("section", { class: "hr-triage", "data-role": "triage", hidden: "" });
    side.append(figures, barsHeading, bars, triagePanel);
    body.append(canvas, side);

    const announce = el("p", { class: "hr-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    stage.append(hint, membership, schemeGroup, workloadGroup, meltGroup, body, announce);

    // ---- talking to the crate ---------------------------------------------------------------
    function apply(reply, message) {
      previousOwners = owners;
      previousNodes = state.nodes.map((n) => n.name);
      state = reply;
      owners = Uint8Array.from(state.owners);
      sortByOwner();
      if (state.change) moved = Int32Array.from(state.moved);
      const animate = Boolean(state.change) && moved.length > 0;
      if (state.change && !animate) {
        cancelAnimationFrame(animationFrame);
        animationStart = null;
      }
      render(!animate);
      if (animate) startAnimation();
      if (message) say(message);
    }

    function change(request, verb) {
      try {
        const reply = wasm.call(request);
        apply(reply, reply.change ? verb + ": " + reply.change.summary : verb);
      } catch (error) {
        say(error.message);
      }
    }

    function addNode() {
      const before = new Set(state.nodes.map((n) => n.name));
      try {
        const reply = wasm.call({ cmd: "add_node" });
        const added = reply.nodes.map((n) => n.name).find((name) => !before.has(name));
        apply(reply, "Added node " + added + ": " + reply.change.summary);
      } catch (error) {
        say(error.message);
      }
    }

    function removeNode(name) {
      if (state.nodes.length <= 1) {
        say("Node " + name + " is the last node; a cluster needs at least one.");
        return;
      }
      change({ cmd: "remove_node", node: name }, "Removed node " + name);
    }

    function setDistribution(id) {
      distribution = id;
      const reply = wasm.call({ cmd: "set_distribution", distribution: id, zipf_s: zipfS });
      apply(reply, (id === "zipf" ? "Zipfian popularity, s = " + zipfS.toFixed(1) : "Uniform popularity") +
        ": request skew " + reply.skew.toFixed(2));
    }

    function melt() {
      const reply = wasm.call({ cmd: "melt", shape: shapeSelect.value, share: 0.5 });
      const hot = reply.hot_key;
      apply(reply, "Melted " + hot.key + " on node " + hot.node + ". Recommendation: " + hot.title);
    }

    addButton.addEventListener("click", addNode);
    vnodesInput.addEventListener("input", () => { vnodesOut.textContent = vnodesInput.value; });
    vnodesInput.addEventListener("change", () => {
      change({ cmd: "set_vnodes", vnodes: Number(vnodesInput.value) }, "Virtual nodes set to " + vnodesInput.value);
    });
    zipfInput.addEventListener("input", () => { zipfOut.textContent = Number(zipfInput.value).toFixed(1); });
    zipfInput.addEventListener("change", () => {
      zipfS = Number(zipfInput.value);
      setDistribution("zipf");
    });
    meltButton.addEventListener("click", melt);
    shapeSelect.addEventListener("change", () => { if (state.hot_key) melt(); });
    coolButton.addEventListener("click", () => apply(wasm.call({ cmd: "cool" }), "Cooled down: the hot key is back to normal"));
    speedButton.addEventListener("click", measureSpeed);

    // Keys only when focus is inside the widget; we stop the ones we handle so mdBook never sees them.
    stage.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.target.tagName === "SELECT") return;
      if (event.key === "+" || event.key === "=") {
        addNode();
      } else if (event.key === "-" || event.key === "_") {
        const names = state.nodes.map((n) => n.name);
        removeNode(names[names.length - 1]);
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    });

    // Canvas clicks: the hub adds a node, a tick (a node's point on the ring) removes that node.
    function hit(event) {
      const rect = canvas.getBoundingClientRect();
      const x = event.clientX - rect.left - rect.width / 2;
      const y = event.clientY - rect.top - rect.height / 2;
      const r = Math.hypot(x, y);
      const radius = ringRadius(rect.width);
      if (r < radius * 0.4) return { add: true };
      if (Math.abs(r - radius) > 16 || state.points.length === 0) return null;
      let fraction = (Math.atan2(y, x) + Math.PI / 2) / TAU;
      if (fraction < 0) fraction += 1;
      let best = null;
      let bestGap = 0.01; // about 3.6 degrees
      for (const [position, node] of state.points) {
        const gap = Math.min(Math.abs(position - fraction), 1 - Math.abs(position - fraction));
        if (gap < bestGap) {
          bestGap = gap;
          best = node;
        }
      }
      return best === null ? null : { remove: state.nodes[best].name };
    }
    canvas.addEventListener("click", (event) => {
      const target = hit(event);
      if (target && target.add) addNode();
      else if (target && target.remove) removeNode(target.remove);
    });
    canvas.addEventListener("mousemove", (event) => {
      canvas.style.cursor = hit(event) ? "pointer" : "default";
    });

    function measureSpeed() {
      wasm.call({ cmd: "lookup_many", count: 1000 }); // warm up
      const start = performance.now();
      wasm.call({ cmd: "lookup_many", count: SPEED_LOOKUPS });
      const seconds = (performance.now() - start) / 1000;
      const perSecond = SPEED_LOOKUPS / Math.max(seconds, 1e-6);
      stage.dataset.lookupsPerSecond = String(Math.round(perSecond));
      speedValue.textContent = count(perSecond) + " (" + schemeName() + ")";
      say(count(perSecond) + " lookups per second in this browser, " + schemeName());
    }

    function schemeName() {
      if (state.scheme === "ring") return "ring, " + state.vnodes + " vnodes";
      return state.scheme === "mod-n" ? "mod-N" : "rendezvous";
    }

    function say(message) {
      announce.textContent = message;
    }

    // ---- drawing ------------------------------------------------------------------------------
    function ringRadius(size) {
      return size / 2 - 26;
    }

    // Redraws the controls, figures, bars and triage from `state`; paints the ring too unless an
    // animation is about to (or already does).
    function render(paint = true) {
      version++;
      const dark = theme.dark;
      for (const [id, button] of Object.entries(schemeButtons)) {
        button.setAttribute("aria-pressed", String(state.scheme === id));
      }
      for (const [id, button] of Object.entries(distButtons)) {
        button.setAttribute("aria-pressed", String(distribution === id));
      }
      vnodesInput.disabled = state.scheme !== "ring";
      vnodesOut.textContent = vnodesInput.value;
      zipfInput.disabled = distribution !== "zipf";
      zipfOut.textContent = zipfS.toFixed(1);
      addButton.disabled = state.nodes.length >= 26;
      meltButton.textContent = state.hot_key ? "Melt again" : "Melt a shard";
      coolButton.disabled = !state.hot_key;

      skewValue.textContent = state.skew.toFixed(2);
      keySkewValue.textContent = state.key_skew.toFixed(2);
      if (state.change) {
        movedValue.textContent = state.change.summary;
        movedValue.dataset.moved = String(state.change.moved);
      } else if (!movedValue.textContent) {
        movedValue.textContent = "no change yet";
      }

      const scale = Math.max(state.node_capacity, ...state.nodes.map((n) => n.requests)) * 1.05;
      bars.replaceChildren();
      bars.style.setProperty("--hr-capacity", (state.node_capacity / scale * 100).toFixed(2) + "%");
      for (const node of state.nodes) {
        const row = el("li", { class: "hr-bar-row" });
        const remove = el("button", {
          type: "button", class: "dsip-btn hr-node", "data-role": "remove-" + node.name,
          "aria-label": "Remove node " + node.name, title: "Remove node " + node.name,
        }, node.name);
        remove.style.setProperty("--hr-node", nodeColor(node.name, dark));
        remove.addEventListener("click", () => removeNode(node.name));
        const track = el("div", { class: "hr-track" });
        const bar = el("div", { class: "hr-bar" });
        bar.style.width = (node.requests / scale * 100).toFixed(2) + "%";
        bar.style.background = nodeColor(node.name, dark);
        if (node.requests > state.node_capacity) row.classList.add("hr-over");
        track.append(bar);
        const value = el("span", { class: "hr-value" },
          count(node.requests) + " req · " + count(node.keys) + " keys");
        row.append(remove, track, value);
        bars.append(row);
      }

      if (state.hot_key) {
        const hot = state.hot_key;
        triagePanel.hidden = false;
        const path = el("ol", { class: "hr-path" });
        for (const step of hot.path) {
          const item = el("li");
          item.append(el("span", { class: "hr-question" }, step.question + " "), el("strong", {}, step.answer));
          path.append(item);
        }
        triagePanel.replaceChildren(
          el("p", { class: "hr-triage-head" }, hot.key + " on node " + hot.node + ": " + count(hot.requests) + " requests"),
          path,
          el("p", { class: "hr-recommendation", "data-role": "recommendation" }, hot.recommendation),
        );
      } else {
        triagePanel.hidden = true;
        triagePanel.replaceChildren();
      }

      canvas.setAttribute("aria-label",
        "Hash ring: " + count(keyCount) + " keys on " + state.nodes.length + " nodes (" + schemeName() +
        "), request skew " + state.skew.toFixed(2) + ".");
      if (paint && animationStart === null) draw(1);
    }

    function sizeCanvas() {
      const width = Math.min(MAX_SIZE, Math.max(220, stage.clientWidth || MAX_SIZE));
      const ratio = window.devicePixelRatio || 1;
      canvas.style.width = width + "px";
      canvas.style.height = width + "px";
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(width * ratio);
    }

    // Draws the ring at animation progress t in [0, 1]: moved keys jump outwards and change colour
    // halfway. While animating, everything that stands still (the ring, the points, the keys that
    // did not move) is painted once into an offscreen layer, so a frame is one copy plus the moved
    // keys.
    function draw(t) {
      const ratio = window.devicePixelRatio || 1;
      const size = canvas.width / ratio;
      const ctx = canvas.getContext("2d");
      const animating = t < 1 && moved.length > 0;
      if (animating) {
        if (!still || still.version !== version) still = paintStill(ratio, size);
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.drawImage(still.canvas, 0, 0);
        ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
        paintMoved(ctx, size, t);
      } else {
        ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
        paintBase(ctx, size, null, 1);
      }
      paintHotKey(ctx, size);
    }

    function paintStill(ratio, size) {
      if (layer.width !== canvas.width || layer.height !== canvas.height) {
        layer.width = canvas.width;
        layer.height = canvas.height;
      }
      const ctx = layer.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const isMoved = new Uint8Array(keyCount);
      for (let m = 0; m < moved.length; m++) isMoved[moved[m]] = 1;
      paintBase(ctx, size, isMoved, 0.35);
      return { canvas: layer, version };
    }

    // The ring, the nodes' points, the keys (all but `skip`, at `alpha`) and the hub.
    function paintBase(ctx, size, skip, alpha) {
      const cx = size / 2;
      const cy = size / 2;
      const radius = ringRadius(size);
      const colors = state.nodes.map((n) => nodeColor(n.name, theme.dark));
      ctx.fillStyle = theme.bg;
      ctx.fillRect(0, 0, size, size);

      ctx.globalAlpha = 0.25;
      ctx.strokeStyle = theme.fg;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.arc(cx, cy, radius, 0, TAU);
      ctx.stroke();
      ctx.globalAlpha = 1;

      // The nodes' points (ring mode only): short ticks just inside the keys, one path per node.
      if (state.points.length) {
        const perNode = colors.map(() => new Path2D());
        for (const [position, node] of state.points) {
          const angle = position * TAU - Math.PI / 2;
          const c = Math.cos(angle);
          const s = Math.sin(angle);
          perNode[node].moveTo(cx + c * (radius - 20), cy + s * (radius - 20));
          perNode[node].lineTo(cx + c * (radius - 8), cy + s * (radius - 8));
        }
        ctx.lineWidth = 1.5;
        perNode.forEach((path, node) => {
          ctx.strokeStyle = colors[node];
          ctx.stroke(path);
        });
      }

      const half = DOT / 2;
      ctx.globalAlpha = alpha;
      for (let node = 0; node < colors.length; node++) {
        ctx.fillStyle = colors[node];
        ctx.beginPath();
        for (let k = ownerStart[node]; k < ownerStart[node + 1]; k++) {
          const i = byOwner[k];
          if (skip && skip[i]) continue;
          const r = radius + lane[i];
          ctx.rect(cx + cos[i] * r - half, cy + sin[i] * r - half, DOT, DOT);
        }
        ctx.fill();
      }
      ctx.globalAlpha = 1;

      // The hub: what scheme this is, and the add affordance.
      ctx.fillStyle = theme.fg;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.font = "600 14px system-ui, sans-serif";
      ctx.fillText(schemeName(), cx, cy - 10);
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillStyle = theme.links;
      ctx.fillText("click here: add a node", cx, cy + 12);
    }

    // The keys that moved, lifted off the ring; old owner's colour first, the new one's after.
    function paintMoved(ctx, size, t) {
      const cx = size / 2;
      const cy = size / 2;
      const radius = ringRadius(size);
      const lift = reducedMotion.matches ? 0 : Math.sin(Math.PI * t) * 22;
      const useNew = t >= 0.5;
      const names = useNew ? state.nodes.map((n) => n.name) : previousNodes;
      const ownerOf = useNew ? owners : previousOwners;
      for (let node = 0; node < names.length; node++) {
        ctx.fillStyle = nodeColor(names[node], theme.dark);
        ctx.beginPath();
        for (let m = 0; m < moved.length; m++) {
          const i = moved[m];
          if (ownerOf[i] !== node) continue;
          const r = radius + lane[i] + lift;
          ctx.rect(cx + cos[i] * r - 1.5, cy + sin[i] * r - 1.5, 3, 3);
        }
        ctx.fill();
      }
    }

    // The melted key: a big dot and a ring in the theme's warning colour.
    function paintHotKey(ctx, size) {
      if (!state.hot_key) return;
      const i = state.hot_key.index;
      const r = ringRadius(size) + lane[i];
      const x = size / 2 + cos[i] * r;
      const y = size / 2 + sin[i] * r;
      ctx.fillStyle = theme.warning;
      ctx.strokeStyle = theme.warning;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x, y, 6, 0, TAU);
      ctx.fill();
      ctx.beginPath();
      ctx.arc(x, y, 11, 0, TAU);
      ctx.stroke();
    }

    function startAnimation() {
      cancelAnimationFrame(animationFrame);
      // Paint the still layer now, with the change, so no animation frame pays for it.
      const ratio = window.devicePixelRatio || 1;
      still = paintStill(ratio, canvas.width / ratio);
      animationStart = performance.now();
      frameStats = { draws: [], intervals: [], last: null };
      animationFrame = requestAnimationFrame(frame);
    }

    function frame(now) {
      if (animationStart === null) return;
      const t = Math.min(1, (now - animationStart) / ANIMATION_MS);
      const before = performance.now();
      draw(t);
      const drawn = performance.now() - before;
      if (frameStats.last !== null) frameStats.intervals.push(now - frameStats.last);
      frameStats.last = now;
      frameStats.draws.push(drawn);
      if (t < 1) {
        animationFrame = requestAnimationFrame(frame);
        return;
      }
      animationStart = null;
      const draws = frameStats.draws;
      const sorted = [...draws].sort((a, b) => a - b);
      const mean = (list) => list.reduce((a, b) => a + b, 0) / Math.max(1, list.length);
      // The 95th percentile: a frame budget is about what the reader sees, and one frame delayed by
      // a garbage collection or a busy machine is not a stutter.
      stage.dataset.frameMs = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))].toFixed(2);
      stage.dataset.frameMsMax = sorted[sorted.length - 1].toFixed(2);
      stage.dataset.frameMsMean = mean(draws).toFixed(2);
      stage.dataset.frameCount = String(draws.length);
      stage.dataset.frameIntervalMs = mean(frameStats.intervals).toFixed(2);
    }

    // Re-read colours when the reader switches mdBook theme (it changes <html>'s class).
    new MutationObserver(() => {
      theme = readTheme();
      render();
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });

    if (window.ResizeObserver) {
      let lastWidth = 0;
      new ResizeObserver(() => {
        if (Math.abs(stage.clientWidth - lastWidth) < 1) return;
        lastWidth = stage.clientWidth;
        sizeCanvas();
        version++;
        if (animationStart === null) draw(1);
      }).observe(stage);
    }
    sizeCanvas();
    render();
  }

  window.DSIP.registerWidget("hash-ring", { mount });
})();
