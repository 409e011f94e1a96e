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
// Drag: a node's tick dragged along the ring turns all its tokens (the crate's `move_node`); dragged
// off the ring, a "Release to remove" zone appears, and only a release inside it removes the node; the
// tray's "+ E" chip dragged onto the ring adds E. A click on a tick removes nothing. Keyboard: a node's
// chip takes ← → (turn its tokens) and Delete; the tray chip takes Enter. Keys the widget handles, and
// every arrow key inside it, stop at the stage, so mdBook never turns the chapter.
//
// Test hooks: buttons and figures carry data-role (add-node, tray-node, node-<name>, remove-<name>,
// scheme-ring, scheme-mod-n, scheme-rendezvous, vnodes, dist-uniform, dist-zipf, zipf-s, shape, melt,
// cool, measure-speed, skew, moved, triage, announce); the moved figure also has data-moved (a number).
// stage.hrTickAt(name, near) gives the client coordinates of that node's first tick (or nearest `near`).
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

  function dark() {
    return window.DSIP && DSIP.isDark ? DSIP.isDark() : false;
  }

  function readTheme() {
    const style = getComputedStyle(document.documentElement);
    const pick = (name, fallback) => (style.getPropertyValue(name) || "").trim() || fallback;
    return {
      dark: dark(),
      fg: pick("--fg", "#000"),
      bg: pick("--bg", "#fff"),
      links: pick("--links", "#2b79a2"),
      warning: pick("--warning-border", "#ff8e00"),
      danger: dark() ? "#ff7b72" : "#b3261e",
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
    // A figure may open on another rule than the ring (the teardown grid's Kafka cell opens on
    // mod-N, the rule Kafka's default partitioner follows for keyed records).
    if (["ring", "mod-n", "rendezvous"].includes(params.scheme)) config.scheme = params.scheme;
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
      "Drag a node's tick along the ring to turn its tokens, or off the ring to remove it; drag the tray's " +
      "chip onto the ring to add a node. Keys: focus a node's chip, then ← → turn its tokens and Delete removes it.");

    const membership = el("div", { class: "dsip-controls", role: "group", "aria-label": "Nodes" });
    const addButton = el("button", { type: "button", class: "dsip-btn", "data-role": "add-node" }, "Add node");
    const trayLabel = el("span", { class: "hr-tray-label" }, "Tray:");
    const trayChip = el("button", {
      type: "button", class: "dsip-btn hr-tray-chip", "data-role": "tray-node",
    }, "+ E");
    membership.append(addButton, trayLabel, trayChip);

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
    const vnodesOut = el("output", { class: "dsip-viz-out" });
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
    const zipfOut = el("output", { class: "dsip-viz-out" });
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
    // Each figure is a small tile (label over value), so a long value never squeezes into a
    // narrow column and wraps line after line.
    const tile = (label, value) => {
      const item = el("div", { class: "hr-figure" });
      item.append(el("dt", {}, label), value);
      return item;
    };
    figures.append(
      tile("Request skew (max / mean)", skewValue),
      tile("Keys stored, skew", keySkewValue),
      tile("Keys moved on the last change", movedValue),
      tile("Lookups per second here", speedValue),
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

    function addNode(name) {
      const request = name ? { cmd: "add_node", node: name } : { cmd: "add_node" };
      const before = new Set(state.nodes.map((n) => n.name));
      try {
        const reply = wasm.call(request);
        const added = reply.nodes.map((n) => n.name).find((n) => !before.has(n));
        apply(reply, "Added node " + added + ": " + reply.change.summary);
      } catch (error) {
        say(error.message);
      }
    }

    // `refocus`: after a keyboard change the chip list is redrawn, so focus goes back to the chip.
    function removeNode(name, refocus) {
      if (state.nodes.length <= 1) {
        say("Node " + name + " is the last node; a cluster needs at least one.");
        return;
      }
      change({ cmd: "remove_node", node: name }, "Removed node " + name);
      if (refocus) {
        const next = bars.querySelector("[data-node]");
        if (next) next.focus();
      }
    }

    function moveNode(name, turn, refocus) {
      if (state.scheme !== "ring") {
        say("Only a ring has tokens to turn: switch to Consistent hashing.");
        return;
      }
      const degrees = Math.round(turn * 360);
      change({ cmd: "move_node", node: name, turn }, "Turned node " + name + "'s tokens " +
        Math.abs(degrees) + "° " + (turn >= 0 ? "clockwise" : "anticlockwise"));
      if (refocus) {
        const chip = bars.querySelector('[data-node="' + name + '"]');
        if (chip) chip.focus();
      }
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

    addButton.addEventListener("click", () => addNode());
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

    // Keys only when focus is inside the widget, never on its sliders and menu (they keep every
    // key); every arrow key stops here too (sliders, menus and buttons here use them).
    DSIP.keepKeys(stage, (key, event) => {
      const chip = event.target.closest("[data-node]");
      if (chip && (key === "ArrowLeft" || key === "ArrowRight")) {
        const step = event.shiftKey ? 1 / 12 : 1 / 72;
        moveNode(chip.dataset.node, key === "ArrowRight" ? step : -step, true);
      } else if (chip && (key === "Delete" || key === "Backspace")) {
        removeNode(chip.dataset.node, true);
      } else if (key === "+" || key === "=") {
        addNode();
      } else if (key === "Escape" && drag) {
        cancelDrag("Drag cancelled: nothing changed.");
      } else {
        return false;
      }
      return true;
    }, { fields: "control", navigation: true });

    // ---- pointer: drag ticks along the ring, off it, and the tray's chip onto it -----------------
    // Where a pointer is, relative to the ring: its angle as a fraction of a turn (0 at twelve
    // o'clock, clockwise) and how far it is from the ring line, in css pixels.
    function polar(event) {
      const rect = canvas.getBoundingClientRect();
      const x = event.clientX - rect.left - rect.width / 2;
      const y = event.clientY - rect.top - rect.height / 2;
      let fraction = (Math.atan2(y, x) + Math.PI / 2) / TAU;
      if (fraction < 0) fraction += 1;
      const radius = ringRadius(rect.width);
      return { fraction, r: Math.hypot(x, y), radius, off: Math.abs(Math.hypot(x, y) - radius) };
    }
    const ON_RING = 44; // css pixels either side of the ring line that still count as "on the ring"

    // The node whose tick is nearest the pointer, within about 3.6 degrees and 16 px of the ticks.
    function tickAt(event) {
      if (!state.points.length) return null;
      const p = polar(event);
      if (Math.abs(p.r - (p.radius - 14)) > 16) return null;
      let best = null;
      let bestGap = 0.01;
      for (const [position, node] of state.points) {
        const gap = Math.min(Math.abs(position - p.fraction), 1 - Math.abs(position - p.fraction));
        if (gap < bestGap) {
          bestGap = gap;
          best = node;
        }
      }
      return best === null ? null : state.nodes[best].name;
    }

    // The drag in progress: {kind: "tick", node, start, turn, off} or {kind: "tray", node, over}.
    let drag = null;
    const ghost = el("span", { class: "hr-ghost", "aria-hidden": "true", hidden: "" });
    stage.append(ghost);

    function cancelDrag(message) {
      drag = null;
      ghost.hidden = true;
      stage.classList.remove("hr-dragging");
      draw(1);
      if (message) say(message);
    }

    canvas.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      const node = tickAt(event);
      if (!node) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drag = { kind: "tick", node, start: polar(event).fraction, turn: 0, off: false, moved: false };
      tickPressed = true; // the click that follows this press is the drag's, not the hub's
      stage.classList.add("hr-dragging");
      say("Dragging node " + node + ": along the ring turns its tokens; off the ring, release on the red zone to remove it.");
      draw(1);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (drag && drag.kind === "tick") {
        const p = polar(event);
        let turn = p.fraction - drag.start;
        if (turn > 0.5) turn -= 1;
        if (turn < -0.5) turn += 1;
        drag.turn = turn;
        drag.off = p.off > ON_RING;
        drag.moved = drag.moved || Math.abs(turn) > 0.002 || drag.off;
        draw(1);
        return;
      }
      const onHub = polar(event).r < ringRadius(canvas.getBoundingClientRect().width) * 0.4;
      canvas.style.cursor = tickAt(event) ? "grab" : onHub ? "pointer" : "default";
    });
    canvas.addEventListener("pointerup", (event) => {
      if (!drag || drag.kind !== "tick") return;
      const { node, turn, off, moved } = drag;
      cancelDrag();
      if (off) removeNode(node, true);
      else if (moved && Math.abs(turn) > 0.002) moveNode(node, turn, false);
      else say("Node " + node + " unchanged. Drag its tick along the ring to turn its tokens, or off the ring to remove it.");
    });
    canvas.addEventListener("pointercancel", () => { if (drag) cancelDrag("Drag cancelled: nothing changed."); });
    // The hub (the ring's centre) adds a node on a plain click, as its label says.
    let tickPressed = false;
    canvas.addEventListener("click", (event) => {
      if (tickPressed) {
        tickPressed = false;
        return;
      }
      if (polar(event).r < ringRadius(canvas.getBoundingClientRect().width) * 0.4) addNode();
    });

    // The tray chip: a click (or Enter) adds the node; a drag adds it only when released on the ring.
    trayChip.addEventListener("click", () => { if (!trayChip.dataset.dragged) addNode(); delete trayChip.dataset.dragged; });
    trayChip.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || !state.next_node) return;
      trayChip.setPointerCapture(event.pointerId);
      drag = { kind: "tray", node: state.next_node, over: false, x0: event.clientX, y0: event.clientY, moved: false };
    });
    trayChip.addEventListener("pointermove", (event) => {
      if (!drag || drag.kind !== "tray") return;
      if (!drag.moved && Math.hypot(event.clientX - drag.x0, event.clientY - drag.y0) < 6) return;
      if (!drag.moved) {
        drag.moved = true;
        stage.classList.add("hr-dragging");
        ghost.textContent = "+ " + drag.node;
        ghost.hidden = false;
        say("Dragging node " + drag.node + ": release it on the ring to add it.");
      }
      ghost.style.left = event.clientX + "px";
      ghost.style.top = event.clientY + "px";
      const rect = canvas.getBoundingClientRect();
      const inside = event.clientX >= rect.left && event.clientX <= rect.right &&
        event.clientY >= rect.top && event.clientY <= rect.bottom;
      drag.over = inside && polar(event).off <= ON_RING;
      ghost.classList.toggle("hr-ghost-ok", drag.over);
      draw(1);
    });
    trayChip.addEventListener("pointerup", () => {
      if (!drag || drag.kind !== "tray") return;
      const { node, over, moved } = drag;
      cancelDrag();
      if (!moved) return; // a plain click: the click handler adds
      trayChip.dataset.dragged = "yes";
      if (over) addNode(node);
      else say("Released off the ring: node " + node + " was not added.");
    });

    // Client coordinates of `name`'s first tick (or its tick nearest the fraction `near`), for tests
    // that drag it.
    stage.hrTickAt = (name, near) => {
      const index = state.nodes.findIndex((n) => n.name === name);
      const mine = state.points.filter(([, node]) => node === index);
      const gap = (p) => Math.min(Math.abs(p[0] - near), 1 - Math.abs(p[0] - near));
      const point = near === undefined ? mine[0] : mine.reduce((a, b) => (gap(b) < gap(a) ? b : a), mine[0]);
      if (!point) return null;
      const rect = canvas.getBoundingClientRect();
      const angle = point[0] * TAU - Math.PI / 2;
      const r = ringRadius(rect.width) - 14;
      return { x: rect.left + rect.width / 2 + Math.cos(angle) * r, y: rect.top + rect.height / 2 + Math.sin(angle) * r, fraction: point[0] };
    };

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
      trayChip.disabled = !state.next_node;
      trayChip.textContent = state.next_node ? "+ " + state.next_node : "tray empty";
      trayChip.setAttribute("aria-label", state.next_node
        ? "Node " + state.next_node + ": press to add it, or drag it onto the ring" : "No free node names left");
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
      const ring = state.scheme === "ring";
      for (const node of state.nodes) {
        const row = el("li", { class: "hr-bar-row" });
        const color = nodeColor(node.name, dark);
        const chip = el("button", {
          type: "button", class: "dsip-btn hr-node", "data-role": "node-" + node.name, "data-node": node.name,
          "aria-label": "Node " + node.name + (ring ? ": arrow keys turn its tokens, Delete removes it" : ": Delete removes it"),
          title: ring ? "← → turn its tokens · Delete removes it" : "Delete removes it",
        }, node.name);
        chip.style.setProperty("--hr-node", color);
        chip.addEventListener("click", () => say("Node " + node.name + ": " + (ring
          ? "← and → turn its tokens (Shift for bigger steps); Delete, or the ✕ button, removes it."
          : "Delete, or the ✕ button, removes it.")));
        const track = el("div", { class: "hr-track" });
        const bar = el("div", { class: "hr-bar" });
        bar.style.width = (node.requests / scale * 100).toFixed(2) + "%";
        bar.style.background = color;
        if (node.requests > state.node_capacity) row.classList.add("hr-over");
        track.append(bar);
        const value = el("span", { class: "hr-value" },
          count(node.requests) + " req · " + count(node.keys) + " keys");
        const remove = el("button", {
          type: "button", class: "dsip-btn hr-remove", "data-role": "remove-" + node.name,
          "aria-label": "Remove node " + node.name, title: "Remove node " + node.name,
        }, "✕");
        remove.disabled = state.nodes.length <= 1;
        remove.addEventListener("click", () => removeNode(node.name, false));
        row.append(chip, track, value, remove);
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
        const dragged = drag && drag.kind === "tick" ? state.nodes.findIndex((n) => n.name === drag.node) : -1;
        for (const [position, node] of state.points) {
          const angle = (position + (node === dragged ? drag.turn : 0)) * TAU - Math.PI / 2;
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

      // The hub: what scheme this is, and the add affordance; during a drag, what a release does.
      ctx.fillStyle = theme.fg;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.font = "600 14px system-ui, sans-serif";
      ctx.fillText(schemeName(), cx, cy - 10);
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillStyle = theme.links;
      ctx.fillText(drag ? "" : "click here: add a node", cx, cy + 12);
      if (drag) paintDropZone(ctx, cx, cy, radius);
    }

    // While dragging: the ring band that accepts a drop, and a label saying what a release does, so a
    // release is never a surprise. Off the ring, the band turns red and says "Release to remove".
    function paintDropZone(ctx, cx, cy, radius) {
      let label = null;
      let color = theme.links;
      if (drag.kind === "tick") {
        if (drag.off) {
          color = theme.danger;
          label = "Release to remove " + drag.node;
        } else {
          label = "Release to turn " + drag.node + "'s tokens " + Math.abs(Math.round(drag.turn * 360)) + "°";
        }
      } else if (drag.kind === "tray" && drag.moved) {
        label = drag.over ? "Release to add " + drag.node : "Drop on the ring to add " + drag.node;
      }
      if (!label) return;
      ctx.save();
      if (drag.kind === "tick" && drag.off) {
        // The remove zone is everywhere off the ring: the disc inside it, and past the canvas edge.
        ctx.globalAlpha = 0.16;
        ctx.fillStyle = color;
        ctx.beginPath();
        ctx.arc(cx, cy, radius - ON_RING, 0, TAU);
        ctx.fill();
        ctx.globalAlpha = 0.8;
        ctx.strokeStyle = color;
        ctx.lineWidth = 3;
        ctx.setLineDash([6, 4]);
        ctx.strokeRect(1.5, 1.5, cx * 2 - 3, cy * 2 - 3);
      } else {
        // The ring band: a release here moves or adds.
        ctx.globalAlpha = 0.12;
        ctx.strokeStyle = color;
        ctx.lineWidth = ON_RING * 2;
        ctx.beginPath();
        ctx.arc(cx, cy, radius, 0, TAU);
        ctx.stroke();
      }
      ctx.restore();
      ctx.fillStyle = drag.kind === "tick" && drag.off ? theme.danger : theme.fg;
      ctx.font = "600 13px system-ui, sans-serif";
      ctx.fillText(label, cx, cy + 14);
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

    DSIP.onThemeChange(stage, () => {
      theme = readTheme();
      render();
    });

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
