// The frameworks sheet's "Link to this card": copies the card's address to the clipboard and says so.
// Where the Clipboard API is missing or refused (an insecure origin, a browser without permission),
// it shows the address in a field, selected, for the reader to copy themselves. Without JavaScript
// the link still goes to the card, and the address bar holds the link.
(function () {
  "use strict";

  function status(card) {
    let said = card.querySelector(".dsip-sheet-said");
    if (!said) {
      said = window.DSIP.el("span", { class: "dsip-sheet-said", role: "status" });
      card.querySelector(".dsip-sheet-actions").appendChild(said);
    }
    return said;
  }

  function fallback(card, url, said) {
    let field = card.querySelector(".dsip-sheet-field");
    if (!field) {
      const id = card.id + "-link";
      const label = window.DSIP.el("label", { class: "dsip-sheet-field-label", for: id }, "Link to this card");
      field = window.DSIP.el("input", { id, class: "dsip-sheet-field", type: "text", readonly: "" });
      const row = window.DSIP.el("p", { class: "dsip-sheet-fallback" });
      row.append(label, field);
      card.querySelector(".dsip-sheet-actions").after(row);
    }
    field.value = url;
    field.focus();
    field.select();
    said.textContent = "Copy the selected link (Ctrl+C, or Cmd+C on a Mac).";
  }

  function legacyCopy(url) {
    const area = window.DSIP.el("textarea", { class: "dsip-visually-hidden", "aria-hidden": "true" });
    area.value = url;
    document.body.appendChild(area);
    area.select();
    let done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    area.remove();
    return done;
  }

  async function copy(link) {
    const card = link.closest(".dsip-sheet-card");
    const url = new URL(link.getAttribute("href"), window.location.href).href;
    const said = status(card);
    let done = false;
    if (navigator.clipboard && typeof navigator.clipboard.writeText === "function") {
      try {
        await navigator.clipboard.writeText(url);
        done = true;
      } catch (error) {
        done = false;
      }
    }
    if (!done) done = legacyCopy(url);
    if (!done) {
      fallback(card, url, said);
      return;
    }
    link.focus();
    said.textContent = "Link copied.";
    clearTimeout(copy.timers.get(card));
    copy.timers.set(card, setTimeout(() => { said.textContent = ""; }, 4000));
  }
  copy.timers = new Map();

  function start() {
    document.querySelectorAll(".dsip-sheet-card .dsip-sheet-copy").forEach((link) => {
      link.setAttribute("role", "button");
      link.textContent = "Copy link to this card";
      link.addEventListener("click", (event) => {
        event.preventDefault();
        history.replaceState(null, "", link.getAttribute("href"));
        copy(link);
      });
      link.addEventListener("keydown", (event) => {
        if (event.key === " ") {
          event.preventDefault();
          link.click();
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
