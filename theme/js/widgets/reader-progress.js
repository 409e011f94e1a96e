// The landing page's curriculum cards show how many of each module's pages the reader has read,
// and "Forget my progress" (below the curriculum and on "Where you sit") clears everything this book
// keeps in the browser: pages read, answers opened, ladder answers and placements. Loaded only on
// those two pages; the store and the sidebar's marks are dsip-progress.js, on every page.
(function () {
  "use strict";

  // Each published curriculum card names its module's folder (data-pages); the sidebar lists its pages.
  function markCards() {
    const cards = document.querySelectorAll(".dsip-module-card[data-pages]");
    if (!cards.length) return;
    const read = window.DSIP.store.get("read", {});
    const keys = [...new Set(window.DSIP.sidebarLinks().map((link) => window.DSIP.pageKey(link.href)))];
    for (const card of cards) {
      const folder = window.DSIP.pageKey(new URL(card.dataset.pages || "./", window.location.href).href).replace(/index\.html$/, "");
      const pages = keys.filter((key) => key.startsWith(folder));
      if (!pages.length) continue;
      const done = pages.filter((key) => read[key]).length;
      let line = card.querySelector(".dsip-card-progress");
      if (!line) {
        line = document.createElement("p");
        line.className = "dsip-card-progress";
        const bar = document.createElement("span");
        bar.className = "dsip-card-progress-bar";
        bar.setAttribute("aria-hidden", "true");
        bar.appendChild(document.createElement("span"));
        const text = document.createElement("span");
        text.className = "dsip-card-progress-text";
        line.append(bar, text);
        (card.querySelector("article") || card).appendChild(line);
      }
      line.dataset.read = String(done);
      line.dataset.pages = String(pages.length);
      line.querySelector(".dsip-card-progress-bar span").style.width = (100 * done) / pages.length + "%";
      line.querySelector(".dsip-card-progress-text").textContent =
        done === 0 ? "Not started: " + pages.length + " pages" : done + " of " + pages.length + " pages read";
    }
  }

  // "Forget my progress": below the curriculum and on "Where you sit".
  function forgetControl() {
    const anchor = document.querySelector(".dsip-curriculum, .dsip-where-you-sit");
    if (!anchor || document.querySelector(".dsip-forget")) return;
    const box = document.createElement("div");
    box.className = "dsip-forget";
    const text = document.createElement("p");
    text.textContent =
      "Your progress (pages read, answers opened, ladder answers and placements) is kept in this browser only.";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "dsip-button";
    button.textContent = "Forget my progress";
    const said = document.createElement("p");
    said.className = "dsip-forget-said";
    said.setAttribute("role", "status");
    button.addEventListener("click", () => {
      if (!window.confirm("Forget every page read, answer opened and ladder answer kept in this browser?")) return;
      window.DSIP.store.forget();
      said.textContent = "Forgotten: this browser keeps no progress of yours now.";
      window.DSIP.refreshProgress();
      markCards();
      document.dispatchEvent(new CustomEvent("dsip:progress-forgotten"));
    });
    box.append(text, button, said);
    anchor.after(box);
  }

  function start() {
    forgetControl();
    markCards();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
