// "Where you sit": the page lists every ladder of the course by module, with what each tier's answer
// misses (made at build time). Here each ladder the reader has placed says where their answer sat
// and keeps only the moves still ahead of it, the first marked as the next move; each module says
// how many of its ladders are placed. Read from DSIP.store (dsip-progress.js).
(function () {
  "use strict";

  const LEVELS = ["L3", "L4", "L5", "L6"];

  function render() {
    const entries = window.DSIP.store.ladders();
    document.querySelectorAll(".dsip-sit-module").forEach((module) => {
      const ladders = [...module.querySelectorAll(".dsip-sit-ladder[data-ladder]")];
      let placed = 0;
      for (const ladder of ladders) {
        const entry = entries[ladder.dataset.ladder] || {};
        const at = LEVELS.indexOf(entry.level);
        const line = ladder.querySelector(".dsip-sit-placement");
        ladder.dataset.placed = entry.level || "";
        if (at >= 0) {
          placed++;
          line.textContent = "You placed your answer at " + entry.level +
            (entry.placedAt ? " on " + entry.placedAt : "") + (at === 3 ? ": what even L6 can miss is below." : ": your next moves are below.");
        } else if (entry.revealed || entry.answer) {
          line.textContent = "Answered, not placed yet: place it on its page.";
        } else {
          line.textContent = "Not answered yet: answer it on its page, then place yourself.";
        }
        ladder.querySelectorAll(".dsip-sit-move").forEach((move) => {
          const level = LEVELS.indexOf(move.dataset.level);
          move.hidden = at >= 0 && level < at;
          move.classList.toggle("dsip-sit-next", at >= 0 && level === at);
          const term = move.querySelector("dt");
          if (!term.dataset.original) term.dataset.original = term.textContent;
          term.textContent = at >= 0 && level >= 0
            ? (level === at ? "Your next move: " : "Then: ") + (level < 3 ? "to reach " + LEVELS[level + 1] : "beyond L6")
            : term.dataset.original;
        });
      }
      let tally = module.querySelector(".dsip-sit-tally");
      if (!tally) {
        tally = window.DSIP.el("p", { class: "dsip-sit-tally" });
        module.querySelector(".dsip-sit-module-title").after(tally);
      }
      tally.textContent = placed + " of " + ladders.length + " ladder" + (ladders.length === 1 ? "" : "s") + " placed.";
    });
  }

  document.addEventListener("dsip:progress-forgotten", render);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
