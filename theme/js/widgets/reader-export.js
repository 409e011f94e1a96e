// Export: every ladder answer and placement this browser keeps (DSIP.store), as one Markdown file
// the reader downloads, grouped by module, with the next moves of each placed answer. A button on
// each ladder and on "Where you sit"; nothing leaves the browser unless the reader saves the file.
(function () {
  "use strict";

  const LEVELS = ["L3", "L4", "L5", "L6"];

  function today() {
    return new Date().toISOString().slice(0, 10);
  }

  function quote(text) {
    const lines = String(text || "").trim().split(/\r?\n/);
    return lines.map((line) => (line ? "> " + line : ">")).join("\n");
  }

  // The Markdown of every stored ladder entry, in book order of its key.
  function markdown() {
    const entries = Object.entries(window.DSIP.store.ladders()).sort(([a], [b]) => a.localeCompare(b));
    const root = new URL(typeof path_to_root === "string" && path_to_root ? path_to_root : "./", window.location.href);
    const placed = entries.filter(([, entry]) => entry.level).length;
    const out = [
      "# My ladder answers: Distributed Systems in Practice",
      "",
      "Exported " + today() + ". " + entries.length + " ladder" + (entries.length === 1 ? "" : "s") +
        " answered, " + placed + " placed.",
    ];
    let module = null;
    for (const [key, entry] of entries) {
      if (entry.module !== module) {
        module = entry.module;
        out.push("", "## " + (module || "Ladders"));
      }
      out.push("", "### " + (entry.question || key), "", "<" + new URL(key, root).href + ">", "");
      out.push(entry.level
        ? "**My answer**, placed at " + entry.level + (entry.placedAt ? " on " + entry.placedAt : "") + ":"
        : "**My answer**, not placed yet:");
      out.push("", entry.answer && entry.answer.trim() ? quote(entry.answer) : "> (no answer written)");
      const at = LEVELS.indexOf(entry.level);
      if (at >= 0 && entry.missed) {
        out.push("", "**Next moves:**", "");
        for (let index = at; index < LEVELS.length; index++) {
          const target = index < 3 ? "To reach " + LEVELS[index + 1] : "Beyond L6";
          out.push("- " + target + ": " + (entry.missed[LEVELS[index]] || ""));
        }
      }
    }
    return out.join("\n") + "\n";
  }

  function download(text) {
    const blob = new Blob([text], { type: "text/markdown;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const link = window.DSIP.el("a", { href: url, download: "ladder-answers.md" });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function control() {
    const box = window.DSIP.el("div", { class: "dsip-export" });
    const button = window.DSIP.el("button", { type: "button", class: "dsip-button dsip-export-button" },
      "Export my ladder answers (Markdown)");
    const said = window.DSIP.el("span", { class: "dsip-export-said", role: "status" });
    button.addEventListener("click", () => {
      const count = Object.keys(window.DSIP.store.ladders()).length;
      if (!count) {
        said.textContent = "No ladder answers yet: answer one first.";
        return;
      }
      download(markdown());
      said.textContent = "Saved ladder-answers.md with " + count + " answer" + (count === 1 ? "" : "s") + ".";
    });
    box.append(button, said);
    return box;
  }

  // A ladder's row of buttons is made by reader-ladder.js, which may load before or after this
  // file: add the button to the rows already there, and to each one it makes later.
  function addToLadders() {
    document.querySelectorAll("section.dsip-ladder .dsip-exercise-after").forEach((row) => {
      if (!row.querySelector(".dsip-export")) row.appendChild(control());
    });
  }

  function start() {
    addToLadders();
    document.addEventListener("dsip:ladder-mounted", addToLadders);
    const sit = document.querySelector(".dsip-where-you-sit .dsip-sit-count");
    if (sit && !document.querySelector(".dsip-where-you-sit .dsip-export")) sit.after(control());
  }

  window.DSIP = Object.assign(window.DSIP || {}, { ladderMarkdown: markdown });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
