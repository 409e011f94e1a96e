// The ladder as an exercise: the question, a box for the reader's own answer, and only then the four
// tiers. The reader marks which tier their answer reached, and for each tier above it sees that
// tier's step as their next move (the "What it missed" line of the tier below it). Answers and
// placements stay in this browser (DSIP.store, from dsip-progress.js), under the key
// `<page>#<ladder id>` that "Where you sit" reads. Without JavaScript none of this runs and the
// ladder reads as a plain ladder, all four tiers shown.
(function () {
  "use strict";

  const LEVELS = ["L3", "L4", "L5", "L6"];
  const store = () => window.DSIP.store;

  function el(tag, attributes, text) {
    return window.DSIP.el(tag, attributes || {}, text);
  }

  function textOf(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  // The module a page belongs to, as the sidebar names it ("Module 2: Consistency Is ...").
  function moduleName() {
    const active = document.querySelector("#mdbook-sidebar a.active, .sidebar a.active");
    const section = active && active.closest("ol.section");
    const chapter = section && section.previousElementSibling;
    const link = chapter && chapter.querySelector("a");
    if (!link) return "";
    const number = textOf(link.querySelector("strong")).replace(/\.$/, "");
    const title = textOf(link).replace(/^[0-9.]+\s*/, "");
    return number ? "Module " + number + ": " + title : title;
  }

  function mount(section) {
    const key = window.DSIP.pageKey() + "#" + section.id;
    const name = "ladder:" + key;
    const tiers = section.querySelector(".dsip-ladder-tiers");
    const heading = section.querySelector(".dsip-ladder-question");
    if (!tiers || !heading || section.dataset.exercise) return;
    section.dataset.exercise = "ready";

    const missed = {};
    tiers.querySelectorAll(".dsip-tier").forEach((tier) => {
      const level = textOf(tier.querySelector(".dsip-tier-level"));
      const line = tier.querySelector(".dsip-tier-missed");
      const copy = line ? line.cloneNode(true) : null;
      if (copy) copy.querySelector("strong")?.remove();
      missed[level] = { html: copy ? copy.innerHTML.trim() : "", text: textOf(copy) };
    });

    const load = () => store().get(name, null) || {};
    const save = (change) => {
      const entry = Object.assign(load(), change, {
        question: textOf(heading),
        module: moduleName() || load().module || "",
        page: document.title.split(" - ")[0],
        missed: Object.fromEntries(LEVELS.map((level) => [level, (missed[level] || {}).text || ""])),
      });
      store().set(name, entry);
      document.dispatchEvent(new CustomEvent("dsip:ladder-saved", { detail: { key } }));
      return entry;
    };

    // Before the tiers: the reader's own answer.
    const exercise = el("div", { class: "dsip-exercise" });
    const answerId = section.id + "-answer";
    const hintId = section.id + "-hint";
    const label = el("label", { class: "dsip-exercise-label", for: answerId }, "Your answer, before you read the tiers");
    const hint = el("p", { class: "dsip-exercise-hint", id: hintId },
      "Write what you would say in the interview; two minutes. Then show the four answers and place yours.");
    const box = el("textarea", { id: answerId, class: "dsip-exercise-answer", rows: "6", "aria-describedby": hintId });
    const actions = el("div", { class: "dsip-exercise-actions" });
    const reveal = el("button", { type: "button", class: "dsip-button dsip-button-primary dsip-exercise-reveal" }, "Show the four answers");
    const saved = el("span", { class: "dsip-exercise-saved", role: "status" });
    actions.append(reveal, saved);
    exercise.append(label, hint, box, actions);
    heading.after(exercise);

    // After the tiers: where the reader's answer sits, and the moves ahead of it.
    const placement = el("fieldset", { class: "dsip-placement" });
    placement.append(el("legend", {}, "Which tier did your answer reach?"));
    const choices = el("div", { class: "dsip-placement-choices" });
    const radios = LEVELS.map((level) => {
      const radio = el("input", { type: "radio", name: section.id + "-level", value: level, id: section.id + "-level-" + level.toLowerCase() });
      const option = el("label", { class: "dsip-placement-choice dsip-tier-" + level.toLowerCase(), for: radio.id });
      option.append(radio, document.createTextNode(" " + level));
      choices.appendChild(option);
      return radio;
    });
    placement.appendChild(choices);
    const moves = el("div", { class: "dsip-next-moves", "aria-live": "polite" });
    const after = el("div", { class: "dsip-exercise-actions dsip-exercise-after" });
    const again = el("button", { type: "button", class: "dsip-button dsip-exercise-again" }, "Start this ladder again");
    after.appendChild(again);
    tiers.after(placement, moves, after);
    tiers.setAttribute("tabindex", "-1");

    function showMoves(level) {
      moves.replaceChildren();
      const at = LEVELS.indexOf(level);
      if (at < 0) return;
      moves.appendChild(el("p", { class: "dsip-next-title" },
        at === 3 ? "Your answer reached L6. What even an L6 answer can miss:" : "Your answer reached " + level + ". Your next moves:"));
      const list = el("ol", { class: "dsip-next-list" });
      for (let index = at; index < LEVELS.length; index++) {
        const item = el("li", { class: "dsip-next-move", "data-level": LEVELS[index] });
        const target = index < 3 ? "To reach " + LEVELS[index + 1] + ": " : "Beyond L6: ";
        item.appendChild(el("strong", {}, target));
        const text = el("span");
        text.innerHTML = (missed[LEVELS[index]] || {}).html || "";
        item.appendChild(text);
        list.appendChild(item);
      }
      moves.appendChild(list);
    }

    function render() {
      const entry = load();
      if (box.value !== (entry.answer || "")) box.value = entry.answer || "";
      section.classList.toggle("dsip-exercise-pending", !entry.revealed);
      section.classList.toggle("dsip-exercise-placed", Boolean(entry.level));
      radios.forEach((radio) => { radio.checked = radio.value === entry.level; });
      section.dataset.placed = entry.level || "";
      showMoves(entry.level);
    }

    let typing;
    box.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => {
        save({ answer: box.value, answeredAt: new Date().toISOString().slice(0, 10) });
        saved.textContent = "Saved in this browser.";
      }, 300);
    });
    reveal.addEventListener("click", () => {
      clearTimeout(typing);
      save({ answer: box.value, revealed: true });
      saved.textContent = "";
      render();
      tiers.focus();
    });
    radios.forEach((radio) => radio.addEventListener("change", () => {
      if (!radio.checked) return;
      save({ level: radio.value, placedAt: new Date().toISOString().slice(0, 10) });
      render();
    }));
    again.addEventListener("click", () => {
      store().remove(name);
      document.dispatchEvent(new CustomEvent("dsip:ladder-saved", { detail: { key } }));
      saved.textContent = "";
      render();
      box.focus();
    });
    document.addEventListener("dsip:progress-forgotten", render);
    render();
    document.dispatchEvent(new CustomEvent("dsip:ladder-mounted", { detail: { key } }));
  }

  function start() {
    document.querySelectorAll("section.dsip-ladder").forEach(mount);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
