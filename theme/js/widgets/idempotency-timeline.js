// Idempotency timeline (Module 6): one press of "Pay", a fault injected on the first attempt, and
// the client's retries, drawn as a timeline of client → service → card network, with the card
// network's charge count and the Effectively-Once Triangle's failed corner.
//
// This file only draws. The list of faults and every entry of the timeline come from the
// `idempotency` crate compiled to wasm (commands `faults` and `run` in
// playground-crates/idempotency/src/wasm.rs), which runs the service's real phases on its
// in-memory store.
//
// Test hooks: controls carry data-role (fault, keys, atomic, retries, timeline, verdict, announce,
// figure-charges, figure-answered, figure-attempts, corner-<corner>). The stage carries
// data-fault, data-keys, data-atomic, data-retries, data-charges, data-answered and
// data-failed-corner ("none" when every corner held).
(function () {
  "use strict";

  const el = DSIP.el;
  const SVG = "http://www.w3.org/2000/svg";
  const LANES = { client: 1, service: 2, network: 3 };
  const LANE_NAMES = { client: "client", service: "service", network: "card network" };
  const CORNERS = [
    // [id, label, x, y, anchor]
    ["deduplication", "Deduplication", 160, 24, "middle"],
    ["atomic-recording", "Atomic recording", 40, 150, "start"],
    ["retry", "Retry", 280, 150, "end"],
  ];

  // An element with child nodes (DSIP.el takes text only).
  function box(tag, attributes, ...children) {
    const node = el(tag, attributes);
    node.append(...children);
    return node;
  }

  function svg(tag, attributes = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function toggle(role, name) {
    const button = el("button", { type: "button", class: "dsip-btn", "data-role": role, "aria-pressed": "true" }, name + ": on");
    return {
      button,
      get on() { return button.getAttribute("aria-pressed") === "true"; },
      set(on) {
        button.setAttribute("aria-pressed", on ? "true" : "false");
        button.textContent = name + ": " + (on ? "on" : "off");
      },
    };
  }

  function triangle() {
    const chart = svg("svg", {
      class: "it-triangle", role: "img", viewBox: "0 0 320 176", preserveAspectRatio: "xMidYMid meet",
      "aria-label": "The Effectively-Once Triangle: deduplication, atomic recording and retry",
    });
    chart.append(svg("polygon", { points: "160,40 56,140 264,140", class: "it-edge" }));
    const corners = {};
    for (const [id, label, x, y, anchor] of CORNERS) {
      const cx = id === "deduplication" ? 160 : id === "retry" ? 264 : 56;
      const cy = id === "deduplication" ? 40 : 140;
      const group = svg("g", { class: "it-corner", "data-role": "corner-" + id, "data-failed": "false" });
      group.append(svg("circle", { cx, cy, r: 9 }));
      group.append(svg("text", { x, y: id === "deduplication" ? y : y + 16, "text-anchor": anchor, class: "it-corner-label" }, label));
      chart.append(group);
      corners[id] = group;
    }
    return { chart, corners };
  }

  function entryRow(entry) {
    const from = LANES[entry.from] || 2;
    const to = LANES[entry.to] || from;
    const row = el("li", { class: "it-row it-" + entry.kind + (entry.lost ? " it-lost" : "") });
    const first = Math.min(from, to);
    const last = Math.max(from, to);
    row.style.gridColumn = first + " / " + (last + 1);
    if (entry.kind === "arrow") {
      const direction = to > from ? "it-right" : "it-left";
      const route = LANE_NAMES[entry.from] + " → " + LANE_NAMES[entry.to];
      row.append(
        el("span", { class: "it-route" }, route + (entry.lost ? ", lost" : "")),
        el("span", { class: "it-line " + direction, "aria-hidden": "true" }),
        el("span", { class: "it-label" }, entry.label),
      );
    } else {
      const tag = { crash: "crash", restart: "restart", wait: "client waits", note: LANE_NAMES[entry.from] }[entry.kind] || entry.kind;
      row.append(el("span", { class: "it-route" }, tag), el("span", { class: "it-label" }, entry.label));
    }
    row.dataset.charges = String(entry.charges);
    return row;
  }

  function mount(stage, wasm, params) {
    params = params || {};
    stage.classList.add("it");
    stage.replaceChildren();
    stage.tabIndex = 0;
    stage.setAttribute("aria-label", "Timeline of one payment with an injected fault");

    const listed = wasm.attempt({ cmd: "faults" }, (message) => { stage.textContent = message; });
    if (!listed) return;
    const faults = listed.faults;

    const hint = el("p", { class: "dsip-viz-hint" },
      "Keys, while focus is in this figure: [ and ] choose the previous and next fault; K, A and R switch keys, atomic recording and retries.");
    const faultGroup = el("div", { class: "dsip-controls", role: "group", "aria-label": "Fault" });
    const faultLabel = el("label", {}, "Fault on the first attempt ");
    const select = el("select", { "data-role": "fault" });
    for (const fault of faults) {
      select.append(el("option", { value: fault.id }, fault.label));
    }
    select.value = params.fault && faults.some((f) => f.id === params.fault) ? params.fault : "none";
    faultLabel.append(select);
    faultGroup.append(faultLabel);

    const switches = el("div", { class: "dsip-controls", role: "group", "aria-label": "Design" });
    const keys = toggle("keys", "Idempotency keys");
    const atomic = toggle("atomic", "Atomic recording");
    const retries = toggle("retries", "Client retries");
    switches.append(keys.button, atomic.button, retries.button);

    const head = box("div", { class: "it-lanes", "aria-hidden": "true" },
      el("span", {}, "Client"), el("span", {}, "Service"), el("span", {}, "Card network"));
    const timeline = el("ol", { class: "it-timeline", "data-role": "timeline", "aria-label": "What happened, in order" });

    const figures = el("dl", { class: "dsip-viz-figures" });
    const dd = {};
    for (const [key, label] of [["charges", "Card charged"], ["answered", "Client got an answer"], ["attempts", "Attempts"]]) {
      dd[key] = el("dd", { "data-role": "figure-" + key });
      figures.append(el("dt", {}, label), dd[key]);
    }
    const { chart, corners } = triangle();
    const verdict = el("p", { class: "it-verdict", "data-role": "verdict" });
    const summary = box("div", { class: "it-summary" }, chart, box("div", {}, figures, verdict));
    const announce = el("p", { class: "dsip-viz-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    stage.append(hint, faultGroup, switches, head, timeline, summary, announce);

    function render() {
      const request = { cmd: "run", fault: select.value, keys: keys.on, atomic: atomic.on, retries: retries.on };
      const reply = wasm.attempt(request, (message) => { announce.textContent = message; });
      if (!reply) return;
      timeline.replaceChildren();
      let attempt = 0;
      for (const entry of reply.entries) {
        if (entry.attempt !== attempt) {
          attempt = entry.attempt;
          timeline.append(el("li", { class: "it-attempt" }, "Attempt " + attempt));
        }
        timeline.append(entryRow(entry));
      }
      const corner = reply.failed_corner || "none";
      for (const [id, group] of Object.entries(corners)) group.setAttribute("data-failed", id === corner ? "true" : "false");
      dd.charges.textContent = String(reply.charges);
      dd.answered.textContent = reply.answered ? "yes" : "no";
      dd.attempts.textContent = String(attempt);
      const cornerName = CORNERS.find((c) => c[0] === corner);
      verdict.textContent = reply.verdict + (cornerName ? " Failed corner: " + cornerName[1] + "." : "");
      Object.assign(stage.dataset, {
        fault: select.value, keys: String(keys.on), atomic: String(atomic.on), retries: String(retries.on),
        charges: String(reply.charges), answered: String(reply.answered), failedCorner: corner,
      });
      const fault = faults.find((f) => f.id === select.value);
      announce.textContent = (fault ? fault.label : select.value) + ": card charged " + reply.charges +
        (reply.charges === 1 ? " time" : " times") + "; " + (cornerName ? "failed corner: " + cornerName[1] : "every corner held") + ".";
    }

    function flip(which) { which.set(!which.on); render(); }
    function step(by) {
      const index = faults.findIndex((f) => f.id === select.value);
      const next = Math.min(faults.length - 1, Math.max(0, index + by));
      select.value = faults[next].id;
      render();
    }

    select.addEventListener("change", render);
    keys.button.addEventListener("click", () => flip(keys));
    atomic.button.addEventListener("click", () => flip(atomic));
    retries.button.addEventListener("click", () => flip(retries));

    // The shortcuts work on the focused select too, as they always have.
    const actions = { "[": () => step(-1), "]": () => step(1), k: () => flip(keys), a: () => flip(atomic), r: () => flip(retries) };
    DSIP.keepKeys(stage, (key) => {
      const action = actions[key.length === 1 ? key.toLowerCase() : key];
      if (!action) return false;
      action();
      return true;
    }, { fields: "select" });
    render();
  }

  DSIP.registerWidget("idempotency-timeline", { mount });
})();
