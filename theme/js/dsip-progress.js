// Progress you keep, in this browser only (localStorage; no server, no account):
//  - the page a reader opens counts as read, and the sidebar marks the pages read;
//  - a check-yourself question counts once its answer was opened, and the sidebar shows how many
//    of a page's questions were opened;
// The landing page's cards and "Forget my progress" are widgets/reader-progress.js, loaded only on
// the pages that show them. This file also holds the one store the ladder exercise (widgets/reader-ladder.js), "Where you sit" and the
// export read and write: `DSIP.store`. Everything is kept under keys starting with `dsip:`.
(function () {
  "use strict";

  const PREFIX = "dsip:";

  function storage() {
    try {
      const box = window.localStorage;
      box.getItem(PREFIX + "probe");
      return box;
    } catch (error) {
      return null; // storage disabled: the page still reads, nothing is remembered
    }
  }

  const store = {
    get(name, fallback) {
      const box = storage();
      if (!box) return fallback;
      try {
        const text = box.getItem(PREFIX + name);
        return text === null ? fallback : JSON.parse(text);
      } catch (error) {
        return fallback;
      }
    },
    set(name, value) {
      const box = storage();
      if (!box) return;
      try {
        box.setItem(PREFIX + name, JSON.stringify(value));
      } catch (error) {
        console.warn("[dsip] could not save", name, error);
      }
    },
    remove(name) {
      const box = storage();
      if (box) box.removeItem(PREFIX + name);
    },
    // Every stored ladder entry, by its key (`02-consistency/interview.html#ladder-<id>`).
    ladders() {
      const box = storage();
      const found = {};
      if (!box) return found;
      for (let index = 0; index < box.length; index++) {
        const name = box.key(index);
        if (name && name.startsWith(PREFIX + "ladder:")) {
          const entry = store.get(name.slice(PREFIX.length), null);
          if (entry) found[name.slice((PREFIX + "ladder:").length)] = entry;
        }
      }
      return found;
    },
    // Clears everything this book stored, except the reader's theme (mdBook's own key).
    forget() {
      const box = storage();
      if (!box) return;
      const names = [];
      for (let index = 0; index < box.length; index++) {
        const name = box.key(index);
        if (name && name.startsWith(PREFIX)) names.push(name);
      }
      names.forEach((name) => box.removeItem(name));
    },
  };

  function bookRoot() {
    const root = typeof path_to_root === "string" ? path_to_root : "";
    return new URL(root || "./", window.location.href);
  }

  // A page's path from the book's root (`02-consistency/interview.html`), the key progress is kept by.
  function pageKey(href) {
    const url = new URL(href || window.location.href, window.location.href);
    const root = bookRoot();
    let path = url.pathname.startsWith(root.pathname) ? url.pathname.slice(root.pathname.length) : url.pathname;
    path = decodeURIComponent(path);
    if (path === "" || path.endsWith("/")) path += "index.html";
    return path;
  }

  function readPages() {
    return store.get("read", {});
  }

  function checks() {
    return store.get("checks", {});
  }

  function sidebarLinks() {
    return [...document.querySelectorAll("#mdbook-sidebar a[href], .sidebar a[href]")].filter((link) => {
      const href = link.getAttribute("href") || "";
      return href && !href.startsWith("#") && /\.html(#.*)?$/.test(href);
    });
  }

  function markSidebar() {
    const read = readPages();
    const opened = checks();
    for (const link of sidebarLinks()) {
      const key = pageKey(link.href);
      link.querySelectorAll(".dsip-progress-mark").forEach((mark) => mark.remove());
      link.classList.toggle("dsip-read", Boolean(read[key]));
      const check = opened[key];
      let text = read[key] ? "read" : "";
      if (check && check.total) {
        const count = (check.opened || []).length;
        text = (text ? text + ", " : "") + count + " of " + check.total + " answers opened";
      }
      if (text) {
        const mark = document.createElement("span");
        mark.className = "dsip-progress-mark";
        mark.title = text;
        const shown = document.createElement("span");
        shown.setAttribute("aria-hidden", "true");
        shown.textContent = check && check.total ? (check.opened || []).length + "/" + check.total : "";
        const spoken = document.createElement("span");
        spoken.className = "dsip-visually-hidden";
        spoken.textContent = " (" + text + ")";
        mark.append(shown, spoken);
        link.appendChild(mark);
      }
    }
  }

  // The check-yourself questions on this page: each <details> counts once opened.
  function watchChecks(key) {
    const questions = [...document.querySelectorAll(".dsip-check details")];
    if (!questions.length) return;
    const all = checks();
    const entry = all[key] || { opened: [] };
    entry.total = questions.length;
    all[key] = entry;
    store.set("checks", all);
    questions.forEach((details, index) => {
      const opened = () => {
        const now = checks();
        const mine = now[key] || { opened: [], total: questions.length };
        if (!mine.opened.includes(index)) mine.opened.push(index);
        mine.total = questions.length;
        now[key] = mine;
        store.set("checks", now);
        markSidebar();
      };
      // A click on the summary (the keyboard's Enter and Space included) is counted at once, so a
      // reader who opens an answer and leaves the page straight away still has it counted.
      const summary = details.querySelector("summary");
      if (summary) summary.addEventListener("click", () => { if (!details.open) opened(); });
      details.addEventListener("toggle", () => { if (details.open) opened(); });
    });
  }

  function refresh() {
    markSidebar();
  }

  function start() {
    const key = pageKey();
    const read = readPages();
    if (!read[key]) {
      read[key] = new Date().toISOString().slice(0, 10);
      store.set("read", read);
    }
    watchChecks(key);
    refresh();
  }

  window.DSIP = Object.assign(window.DSIP || {}, { store, pageKey, sidebarLinks, refreshProgress: refresh });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
