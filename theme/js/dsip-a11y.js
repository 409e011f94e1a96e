// Accessibility repairs to mdBook's page that its template does not make, applied once the page's
// own scripts have run (the axe-core audit in tests/browser/accessibility.test.mjs checks them):
//  - the sidebar toggle is a <label> carrying aria-expanded and aria-label, which ARIA allows only
//    on a button: give it the button role it already behaves as;
//  - each editable snippet is an Ace editor whose hidden <textarea> has no label: name it;
//  - a table or output block that scrolls sideways must be reachable from the keyboard to scroll;
//  - mdBook's "on this page" outline puts a nested list straight into a list (not into an item) when
//    a page's first outlined heading is deeper than the next (a card's <h3> before any <h2>): wrap it;
//  - a glossary term's tip (shown by CSS on hover and focus) must be dismissible without moving the
//    pointer or the focus (WCAG 1.4.13): Escape hides it until the pointer or focus leaves the term.
(function () {
  "use strict";

  function labelEditors() {
    document.querySelectorAll("pre.playground .ace_editor").forEach((editor, index) => {
      const name = "Rust snippet " + (index + 1) + ", editable: change it and press Run";
      editor.setAttribute("aria-label", name);
      const input = editor.querySelector("textarea");
      if (input) input.setAttribute("aria-label", name);
    });
  }

  function focusableScrollers() {
    document.querySelectorAll("main table, main pre > code").forEach((box) => {
      if (box.closest(".ace_editor")) return;
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }

  function repairOutline() {
    document.querySelectorAll(".on-this-page ol > ol").forEach((nested) => {
      const item = document.createElement("li");
      item.className = "header-item expanded";
      nested.replaceWith(item);
      item.appendChild(nested);
    });
  }

  function repair() {
    const toggle = document.getElementById("mdbook-sidebar-toggle");
    if (toggle && toggle.tagName === "LABEL") toggle.setAttribute("role", "button");
    labelEditors();
    focusableScrollers();
    repairOutline();
  }

  // mdBook builds the outline after the page's own scripts run, sometimes after `load`: repair it
  // whenever the sidebar gains nodes (the sidebar only, so animating widgets cost nothing).
  function watchOutline() {
    const sidebar = document.getElementById("mdbook-sidebar") || document.querySelector(".sidebar");
    if (sidebar) new MutationObserver(repairOutline).observe(sidebar, { childList: true, subtree: true });
  }

  function dismissibleTips() {
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      const shown = [...document.querySelectorAll(".dsip-term:hover, .dsip-term:focus-within")]
        .filter((term) => !term.classList.contains("dsip-term-dismissed"));
      if (shown.length === 0) return;
      shown.forEach((term) => term.classList.add("dsip-term-dismissed"));
      event.stopPropagation(); // the tip closes; nothing else on the page reacts to this Escape
    }, true);
    const restore = (event) => {
      const term = event.target.closest && event.target.closest(".dsip-term");
      if (term && !term.contains(event.relatedTarget)) term.classList.remove("dsip-term-dismissed");
    };
    document.addEventListener("mouseout", restore);
    document.addEventListener("focusout", restore);
  }

  let pending = 0;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(focusableScrollers, 150);
  });
  watchOutline();
  dismissibleTips();
  if (document.readyState === "complete") {
    repair();
  } else {
    window.addEventListener("load", repair);
  }
})();
