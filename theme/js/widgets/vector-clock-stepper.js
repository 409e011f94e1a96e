// The vector-clock stepper (Module 1): replicas as lanes, events as dots labelled with their vector
// clocks, messages as arrows. The reader makes every move (local event, send, deliver a message in
// flight, undo) and picks two events to ask how they are related.
//
// This file only draws and forwards commands. Every vector, merge, comparison and concurrent pair
// comes from the `clocks` crate through `wasm.call` (commands documented in
// playground-crates/clocks/src/wasm.rs); each reply is the whole state and the drawing is redone
// from it, so the picture can never disagree with the crate.
//
// Test hooks: buttons carry data-role (local-0, send-0-1, receive-at-1, receive-<message id>, undo,
// reset, toggle-concurrent); event dots carry data-event-id, data-label and data-vector ("[2,1,0]");
// the comparison panel is data-role="comparison", the live region data-role="announce".
(function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const LEFT = 64; // x of the first event, leaving room for the lane names
  const STEP = 92; // horizontal distance between consecutive events
  const TOP = 42; // y of the first lane
  const LANE = 92; // vertical distance between lanes
  const RADIUS = 9;
  let instances = 0; // makes marker ids unique when a page has two steppers

  const el = DSIP.el;

  function svg(tag, attributes = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const vectorText = (vector) => "[" + vector.join(",") + "]";

  function mount(stage, wasm, params) {
    const instance = ++instances;
    const replicaCount = Math.min(6, Math.max(2, Number((params && params.replicas) || 3)));
    let state = null;
    let selected = []; // up to two event ids
    let comparison = null; // the crate's answer for the two selected events
    let showConcurrent = false;
    let pendingSend = null; // keyboard send in progress: {from: null | index}
    let focusEventId = null; // the event that holds the roving tabindex
    let laneNames = null; // the SVG group of lane names that follows the horizontal scroll

    stage.classList.add("vcs");
    stage.replaceChildren();

    const hint = el("p", { class: "vcs-hint", "data-role": "hint" });
    const keysHint =
      "Keys, while focus is inside this figure: 1–" + replicaCount + " local event on " +
      "A–" + String.fromCharCode(64 + replicaCount) + " · s then two numbers: send (s 1 2 = A sends to B) · " +
      "r deliver the oldest message in flight · u undo · c show concurrent pairs · " +
      "arrow keys move between events · Enter or Space selects · Esc clears.";
    hint.textContent = keysHint;

    const controls = el("div", { class: "vcs-controls" });
    const replicaGroups = [];
    for (let r = 0; r < replicaCount; r++) {
      const name = String.fromCharCode(65 + r);
      const group = el("div", { class: "vcs-replica", role: "group", "aria-label": "Replica " + name });
      const heading = el("div", { class: "vcs-replica-head" });
      heading.append(el("strong", {}, name), " ", el("code", { "data-role": "replica-vector-" + r }));
      group.append(heading);
      const buttons = el("div", { class: "vcs-buttons" });
      buttons.append(el("button", { type: "button", "data-role": "local-" + r }, "Local event"));
      for (let to = 0; to < replicaCount; to++) {
        if (to !== r) {
          buttons.append(el("button", { type: "button", "data-role": "send-" + r + "-" + to },
            "Send to " + String.fromCharCode(65 + to)));
        }
      }
      buttons.append(el("button", { type: "button", "data-role": "receive-at-" + r }, "Receive"));
      group.append(buttons);
      controls.append(group);
      replicaGroups.push(group);
    }
    const global = el("div", { class: "vcs-global", role: "group", "aria-label": "History" });
    const undoButton = el("button", { type: "button", "data-role": "undo" }, "Undo");
    const resetButton = el("button", { type: "button", "data-role": "reset" }, "Reset");
    const concurrentButton = el("button",
      { type: "button", "data-role": "toggle-concurrent", "aria-pressed": "false" }, "Show concurrent pairs");
    global.append(undoButton, resetButton, concurrentButton);
    controls.append(global);

    const inFlight = el("div", { class: "vcs-inflight" });
    const inFlightTitle = el("p", { class: "vcs-inflight-title" }, "Messages in flight");
    const inFlightList = el("ul", { "data-role": "in-flight" });
    inFlight.append(inFlightTitle, inFlightList);

    const scroll = el("div", { class: "vcs-scroll" });
    const picture = svg("svg", { class: "vcs-svg", role: "group", "aria-label": "Timeline: one lane a replica, events left to right in the order they happened" });
    scroll.append(picture);
    scroll.addEventListener("scroll", keepLaneNamesInView, { passive: true });

    const legend = el("p", { class: "vcs-legend" });
    legend.innerHTML =
      '<span class="vcs-key vcs-key-selected"></span> selected ' +
      '<span class="vcs-key vcs-key-before"></span> happened before it ' +
      '<span class="vcs-key vcs-key-after"></span> happened after it ' +
      '<span class="vcs-key vcs-key-concurrent"></span> concurrent with it';

    const comparisonPanel = el("p", { class: "vcs-comparison", "data-role": "comparison" });
    const pairsPanel = el("div", { class: "vcs-pairs", "data-role": "concurrent-pairs", hidden: "" });
    const announce = el("p", { class: "vcs-announce", "data-role": "announce", role: "status", "aria-live": "polite" });

    stage.append(hint, controls, inFlight, scroll, legend, comparisonPanel, pairsPanel, announce);

    function call(request) {
      return wasm.attempt(request, say);
    }

    function say(text) {
      announce.textContent = text;
    }

    // Runs a command that changes the history; the selection is kept when its events survive.
    function perform(request) {
      const reply = call(request);
      if (!reply) return;
      state = reply;
      selected = selected.filter((id) => id < state.events.length);
      if (request.cmd === "reset") selected = [];
      if (state.step) say(state.step);
      if (request.cmd === "local" || request.cmd === "send" || request.cmd === "receive") {
        focusEventId = state.events.length - 1;
      }
      refreshComparison();
      render();
    }

    function refreshComparison() {
      comparison = null;
      if (selected.length === 2) {
        const reply = call({ cmd: "compare", a: selected[0], b: selected[1] });
        if (reply) comparison = reply.comparison;
      }
    }

    function toggleSelection(id) {
      if (selected.includes(id)) {
        selected = selected.filter((s) => s !== id);
      } else if (selected.length >= 2) {
        selected = [id];
      } else {
        selected = [...selected, id];
      }
      focusEventId = id;
      refreshComparison();
      render();
      if (comparison) say(comparisonSentence());
      else if (selected.length === 1) say("Selected " + eventById(id).label + " " + vectorText(eventById(id).vector) + ". Select a second event to compare.");
    }

    function clearSelection() {
      selected = [];
      comparison = null;
      render();
      say("Selection cleared");
    }

    const eventById = (id) => state.events[id];
    const label = (id) => eventById(id).label;

    function comparisonSentence() {
      const [a, b] = selected;
      const va = vectorText(eventById(a).vector);
      const vb = vectorText(eventById(b).vector);
      const detail = label(a) + " " + va + " and " + label(b) + " " + vb;
      switch (comparison.relation) {
        case "before":
          return comparison.text + ": " + label(a) + " happened before " + label(b) + " (" + detail + ")";
        case "after":
          return comparison.text + ": " + label(b) + " happened before " + label(a) + " (" + detail + ")";
        case "concurrent":
          return "concurrent (" + comparison.text + "): neither could have influenced the other (" + detail + ")";
        default:
          return comparison.text + ": the same event";
      }
    }

    // Where each event relates to the single selected one, from the crate's pair lists.
    function relationTo(anchor) {
      const relation = new Map();
      for (const [a, b] of state.happened_before) {
        if (b === anchor) relation.set(a, "before");
        if (a === anchor) relation.set(b, "after");
      }
      for (const [a, b] of state.concurrent) {
        if (a === anchor) relation.set(b, "concurrent");
        if (b === anchor) relation.set(a, "concurrent");
      }
      return relation;
    }

    function render() {
      const hadFocus = stage.contains(document.activeElement) ? document.activeElement : null;
      const focusedRole = hadFocus && hadFocus.getAttribute("data-role");
      const focusedEvent = hadFocus && hadFocus.hasAttribute("data-event-id");

      renderControls();
      renderInFlight();
      renderPicture();
      renderPanels();

      // Redrawing replaced the focused node; put focus back where the reader was.
      if (focusedEvent) {
        focusEvent(focusEventId);
      } else if (focusedRole) {
        const again = stage.querySelector('[data-role="' + focusedRole + '"]');
        if (again && !again.disabled) again.focus();
        else if (state.events.length) focusEvent(focusEventId);
        else undoButton.focus();
      }
    }

    function renderControls() {
      state.replicas.forEach((replica, r) => {
        replicaGroups[r].querySelector('[data-role="replica-vector-' + r + '"]').textContent =
          vectorText(replica.vector);
        const waiting = state.in_flight.filter((m) => m.to === r);
        const receive = replicaGroups[r].querySelector('[data-role="receive-at-' + r + '"]');
        receive.disabled = waiting.length === 0;
        receive.textContent = waiting.length ? "Receive " + waiting[0].label : "Receive";
        receive.title = waiting.length
          ? "Deliver " + waiting[0].label + ", the oldest message in flight to " + replica.name
          : "No message in flight to " + replica.name;
      });
      undoButton.disabled = !state.can_undo;
      concurrentButton.setAttribute("aria-pressed", String(showConcurrent));
      concurrentButton.textContent = showConcurrent ? "Hide concurrent pairs" : "Show concurrent pairs";
      hint.textContent = pendingSend
        ? pendingSend.from === null
          ? "Send: press the sender's number (1–" + replicaCount + "), Esc to cancel."
          : "Send from " + state.replicas[pendingSend.from].name + ": press the receiver's number, Esc to cancel."
        : keysHint;
    }

    function renderInFlight() {
      inFlightList.replaceChildren();
      if (state.in_flight.length === 0) {
        inFlightList.append(el("li", { class: "vcs-empty" }, "none: send a message to put one on the wire"));
        return;
      }
      for (const message of state.in_flight) {
        const from = state.replicas[message.from].name;
        const to = state.replicas[message.to].name;
        const item = el("li");
        item.append(el("button", {
          type: "button",
          "data-role": "receive-" + message.id,
          "data-message-id": String(message.id),
          "data-vector": vectorText(message.vector),
        }, "Deliver " + message.label + ": " + from + " → " + to + " carrying " + vectorText(message.vector)));
        inFlightList.append(item);
      }
    }

    function position(event) {
      return { x: LEFT + event.id * STEP, y: TOP + event.replica * LANE };
    }

    function renderPicture() {
      const columns = Math.max(state.events.length + 1, 5);
      const width = LEFT + columns * STEP;
      const height = TOP + (replicaCount - 1) * LANE + 48;
      picture.replaceChildren();
      picture.setAttribute("viewBox", "0 0 " + width + " " + height);
      picture.setAttribute("width", String(width));
      picture.setAttribute("height", String(height));

      const marker = "vcs-arrow-" + instance;
      const defs = svg("defs");
      const head = svg("marker", { id: marker, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
      head.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "vcs-arrowhead" }));
      defs.append(head);
      picture.append(defs);

      state.replicas.forEach((replica, r) => {
        const y = TOP + r * LANE;
        picture.append(svg("line", { class: "vcs-lane", x1: LEFT - 24, y1: y, x2: width - 12, y2: y }));
      });

      // Two selected events that are concurrent get a dotted line between them.
      if (comparison && comparison.relation === "concurrent") {
        const pa = position(eventById(selected[0]));
        const pb = position(eventById(selected[1]));
        picture.append(svg("line", { class: "vcs-concurrent-link", x1: pa.x, y1: pa.y, x2: pb.x, y2: pb.y }));
      }

      const taken = eventBoxes();
      for (const message of state.messages) {
        const start = position(eventById(message.send_event));
        let end;
        let cls = "vcs-message";
        if (message.receive_event === null) {
          end = { x: LEFT + state.events.length * STEP - RADIUS, y: TOP + message.to * LANE };
          cls += " is-in-flight";
        } else {
          end = position(eventById(message.receive_event));
        }
        // A message that skips a lane bows sideways, so it never runs through a dot on the lane
        // it crosses: the curve's control point sits off the straight line's midpoint.
        const lanesCrossed = Math.abs(message.to - message.from);
        const mid = { x: (start.x + end.x) / 2, y: (start.y + end.y) / 2 };
        const length = Math.hypot(end.x - start.x, end.y - start.y) || 1;
        const bow = lanesCrossed > 1 ? 36 : 0;
        const control = {
          x: mid.x + ((end.y - start.y) / length) * bow,
          y: mid.y - ((end.x - start.x) / length) * bow,
        };
        const leave = Math.atan2(control.y - start.y, control.x - start.x);
        const arrive = Math.atan2(end.y - control.y, end.x - control.x);
        const gap = message.receive_event === null ? 0 : RADIUS + 2;
        const x1 = start.x + Math.cos(leave) * RADIUS;
        const y1 = start.y + Math.sin(leave) * RADIUS;
        const x2 = end.x - Math.cos(arrive) * gap;
        const y2 = end.y - Math.sin(arrive) * gap;
        const group = svg("g", { class: cls, "data-message-id": message.id });
        group.append(svg("path", {
          d: "M" + x1 + "," + y1 + " Q" + control.x + "," + control.y + " " + x2 + "," + y2,
          "marker-end": "url(#" + marker + ")",
        }));
        // Label the curve where it collides with no event's text and no earlier label.
        const text = message.label + (message.receive_event === null ? " in flight" : "");
        const spot = placeLabel(text, { x: x1, y: y1 }, control, { x: x2, y: y2 }, taken);
        taken.push(spot.box);
        group.append(svg("text", { class: "vcs-message-label", x: spot.x, y: spot.y }, text));
        picture.append(group);
      }

      const relation = selected.length === 1 ? relationTo(selected[0]) : new Map();
      // With the pairs shown and nothing selected, every event that has a concurrent partner is
      // ringed; once an event is selected its own relations take over the colours.
      const inPair = new Set(showConcurrent && selected.length === 0 ? state.concurrent.flat() : []);
      if (focusEventId === null || focusEventId >= state.events.length) {
        focusEventId = state.events.length ? state.events.length - 1 : null;
      }
      for (const event of state.events) {
        const { x, y } = position(event);
        const classes = ["vcs-event", "is-" + event.kind];
        if (selected.includes(event.id)) classes.push("is-selected");
        if (relation.has(event.id)) classes.push("is-" + relation.get(event.id));
        if (inPair.has(event.id)) classes.push("in-concurrent-pair");
        const vector = vectorText(event.vector);
        const what = event.kind === "local" ? "local event"
          : event.kind === "send" ? "sends m" + event.message_id + " to " + state.replicas[event.peer].name
          : "receives m" + event.message_id + " from " + state.replicas[event.peer].name;
        const node = svg("g", {
          class: classes.join(" "),
          role: "button",
          tabindex: event.id === focusEventId ? 0 : -1,
          "data-event-id": event.id,
          "data-label": event.label,
          "data-vector": vector,
          "aria-pressed": String(selected.includes(event.id)),
          "aria-label": event.label + ", " + what + ", vector " + vector + ", Lamport " + event.lamport +
            (relation.has(event.id) ? ", " + relationWords(relation.get(event.id)) : ""),
        });
        node.append(svg("circle", { cx: x, cy: y, r: RADIUS }));
        node.append(svg("text", { class: "vcs-event-label", x, y: y - 15 }, event.label));
        node.append(svg("text", { class: "vcs-event-vector", x, y: y + 26 }, vector));
        picture.append(node);
      }

      // The lane names go last, on top of everything, in a group that slides with the horizontal
      // scroll (see keepLaneNamesInView), so on a narrow screen A, B and C never scroll away.
      laneNames = svg("g", { class: "vcs-lane-names", "aria-hidden": "true" });
      laneNames.append(svg("rect", { class: "vcs-lane-names-bg", x: 0, y: 0, width: 30, height }));
      state.replicas.forEach((replica, r) => {
        laneNames.append(svg("text", { class: "vcs-lane-name", x: 8, y: TOP + r * LANE + 5 }, replica.name));
      });
      picture.append(laneNames);
      keepLaneNamesInView();
    }

    function keepLaneNamesInView() {
      if (laneNames) laneNames.setAttribute("transform", "translate(" + scroll.scrollLeft + ",0)");
    }

    // Where a message's label may go: not on an event's dot, name or vector. Boxes are estimated
    // from the monospace font's advance (0.6 em), which is all the precision this needs.
    function textBox(x, baseline, text, size, anchor) {
      const width = text.length * size * 0.6;
      const left = anchor === "middle" ? x - width / 2 : x;
      // 6 px of margin, so a label never reads as part of an event's name ("b2m1").
      return { left: left - 6, right: left + width + 6, top: baseline - size - 2, bottom: baseline + 4 };
    }

    function eventBoxes() {
      const boxes = [];
      for (const event of state.events) {
        const { x, y } = position(event);
        boxes.push({ left: x - RADIUS - 2, right: x + RADIUS + 2, top: y - RADIUS - 2, bottom: y + RADIUS + 2 });
        boxes.push(textBox(x, y - 15, event.label, 12, "middle"));
        boxes.push(textBox(x, y + 26, vectorText(event.vector), 12, "middle"));
      }
      return boxes;
    }

    const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

    // The point at t on the quadratic curve from p0 through control c to p1.
    function onCurve(t, p0, c, p1) {
      const u = 1 - t;
      return { x: u * u * p0.x + 2 * u * t * c.x + t * t * p1.x, y: u * u * p0.y + 2 * u * t * c.y + t * t * p1.y };
    }

    // The first spot along the curve, from its middle outwards, where the label touches neither an
    // event's text nor another message's label; the middle if there is none.
    function placeLabel(text, p0, c, p1, taken) {
      for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
        const point = onCurve(t, p0, c, p1);
        const box = textBox(point.x + 6, point.y + 4, text, 11, "start");
        if (!taken.some((other) => overlaps(box, other))) return { x: point.x + 6, y: point.y + 4, box };
      }
      const point = onCurve(0.5, p0, c, p1);
      return { x: point.x + 6, y: point.y + 4, box: textBox(point.x + 6, point.y + 4, text, 11, "start") };
    }

    function relationWords(relation) {
      const anchor = label(selected[0]);
      if (relation === "before") return "happened before " + anchor;
      if (relation === "after") return "happened after " + anchor;
      return "concurrent with " + anchor;
    }

    function renderPanels() {
      if (selected.length === 2 && comparison) {
        comparisonPanel.textContent = comparisonSentence();
        comparisonPanel.dataset.relation = comparison.relation;
      } else if (selected.length === 1) {
        const event = eventById(selected[0]);
        comparisonPanel.textContent = "Selected " + event.label + " " + vectorText(event.vector) +
          ": select a second event to compare. Coloured dots show what happened before and after it, and what is concurrent.";
        delete comparisonPanel.dataset.relation;
      } else {
        comparisonPanel.textContent = state.events.length
          ? "Select two events (click, or Enter on a focused dot) to see whether one happened before the other."
          : "Nothing has happened yet: every vector is all zeros. Make a local event or send a message.";
        delete comparisonPanel.dataset.relation;
      }
      pairsPanel.hidden = !showConcurrent;
      pairsPanel.replaceChildren();
      if (showConcurrent) {
        if (state.concurrent.length === 0) {
          pairsPanel.append(el("p", {}, "No concurrent pairs yet: a replica's own order or a chain of messages connects every pair of events."));
        } else {
          pairsPanel.append(el("p", {}, "Concurrent pairs (" + state.concurrent.length + "), pick one to select both events:"));
          const list = el("ul");
          for (const [a, b] of state.concurrent) {
            const item = el("li");
            item.append(el("button", {
              type: "button",
              "data-role": "pair-" + a + "-" + b,
              "data-pair": label(a) + " " + label(b),
              "aria-pressed": String(selected.length === 2 && selected.includes(a) && selected.includes(b)),
            }, label(a) + " ∥ " + label(b)));
            list.append(item);
          }
          pairsPanel.append(list);
        }
      }
    }

    function focusEvent(id) {
      if (id === null || id === undefined) return;
      focusEventId = id;
      for (const node of picture.querySelectorAll("[data-event-id]")) {
        node.setAttribute("tabindex", Number(node.dataset.eventId) === id ? "0" : "-1");
      }
      const node = picture.querySelector('[data-event-id="' + id + '"]');
      if (node) {
        node.focus();
        // Keep the focused dot visible in the horizontally scrolling timeline.
        const x = position(eventById(id)).x;
        if (x < scroll.scrollLeft + 40 || x > scroll.scrollLeft + scroll.clientWidth - 40) {
          scroll.scrollLeft = Math.max(0, x - scroll.clientWidth / 2);
        }
      }
    }

    // Arrow keys: left/right along the same lane, up/down to the nearest event on the next lane.
    function moveFocus(key) {
      if (!state.events.length) return;
      const current = eventById(focusEventId === null ? state.events.length - 1 : focusEventId);
      const lane = (r) => state.events.filter((e) => e.replica === r);
      let target = null;
      if (key === "ArrowLeft" || key === "ArrowRight") {
        const same = lane(current.replica);
        const index = same.findIndex((e) => e.id === current.id);
        target = same[index + (key === "ArrowRight" ? 1 : -1)] || null;
      } else {
        const direction = key === "ArrowDown" ? 1 : -1;
        for (let r = current.replica + direction; r >= 0 && r < replicaCount && !target; r += direction) {
          const candidates = lane(r);
          if (candidates.length) {
            target = candidates.reduce((best, e) =>
              Math.abs(e.id - current.id) < Math.abs(best.id - current.id) ? e : best);
          }
        }
      }
      focusEvent(target ? target.id : current.id);
    }

    function oldestInFlight(to) {
      return state.in_flight.find((m) => to === undefined || m.to === to);
    }

    controls.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-role]");
      if (!button || button.disabled) return;
      const role = button.dataset.role;
      let match;
      if ((match = /^local-(\d+)$/.exec(role))) {
        perform({ cmd: "local", replica: Number(match[1]) });
      } else if ((match = /^send-(\d+)-(\d+)$/.exec(role))) {
        perform({ cmd: "send", from: Number(match[1]), to: Number(match[2]) });
      } else if ((match = /^receive-at-(\d+)$/.exec(role))) {
        const message = oldestInFlight(Number(match[1]));
        if (message) perform({ cmd: "receive", message_id: message.id });
      } else if (role === "undo") {
        perform({ cmd: "undo" });
      } else if (role === "reset") {
        perform({ cmd: "reset", replicas: replicaCount });
      } else if (role === "toggle-concurrent") {
        toggleConcurrent();
      }
    });

    inFlightList.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-message-id]");
      if (button) perform({ cmd: "receive", message_id: Number(button.dataset.messageId) });
    });

    pairsPanel.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-role^='pair-']");
      if (!button) return;
      const [, a, b] = /^pair-(\d+)-(\d+)$/.exec(button.dataset.role);
      selected = [];
      toggleSelection(Number(a));
      toggleSelection(Number(b));
    });

    picture.addEventListener("click", (event) => {
      const node = event.target.closest("[data-event-id]");
      if (node) toggleSelection(Number(node.dataset.eventId));
    });

    function toggleConcurrent() {
      showConcurrent = !showConcurrent;
      render();
      say(showConcurrent
        ? state.concurrent.length + " concurrent pair" + (state.concurrent.length === 1 ? "" : "s") + " highlighted"
        : "Concurrent pairs hidden");
    }

    // Shortcuts work only while focus is inside this figure, and every key handled here stops
    // propagating, so mdBook's own keys (arrows for chapters, s for search) never see it.
    DSIP.keepKeys(stage, (pressed, event) => {
      const key = pressed.length === 1 ? pressed.toLowerCase() : pressed;
      const onEvent = event.target.hasAttribute && event.target.hasAttribute("data-event-id");
      const digit = /^[1-9]$/.test(key) ? Number(key) - 1 : null;
      let handled = true;

      if (pendingSend && key !== "Shift") {
        if (digit !== null && digit < replicaCount) {
          if (pendingSend.from === null) {
            pendingSend = { from: digit };
            renderControls();
          } else {
            const from = pendingSend.from;
            pendingSend = null;
            if (from === digit) {
              renderControls();
              say("A replica cannot send to itself; send cancelled");
            } else {
              perform({ cmd: "send", from, to: digit });
            }
          }
        } else {
          pendingSend = null;
          renderControls();
          say("Send cancelled");
        }
      } else if (digit !== null && digit < replicaCount) {
        perform({ cmd: "local", replica: digit });
      } else if (key === "s") {
        pendingSend = { from: null };
        renderControls();
        say("Send: press the sender's number, then the receiver's");
      } else if (key === "r") {
        const message = oldestInFlight();
        if (message) perform({ cmd: "receive", message_id: message.id });
        else say("No message in flight");
      } else if (key === "u") {
        perform({ cmd: "undo" });
      } else if (key === "c") {
        toggleConcurrent();
      } else if (key.startsWith("Arrow")) {
        if (onEvent) moveFocus(key);
        else focusEvent(focusEventId);
      } else if ((key === "Enter" || key === " ") && onEvent) {
        toggleSelection(Number(event.target.dataset.eventId));
      } else if (key === "Escape" && selected.length) {
        clearSelection();
      } else {
        handled = false;
      }
      return handled;
    });

    perform({ cmd: "reset", replicas: replicaCount });
    say("Ready: " + replicaCount + " replicas, every vector all zeros");
  }

  window.DSIP.registerWidget("vector-clock-stepper", { mount });
})();
