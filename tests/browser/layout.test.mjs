// Directives hold their content: on a phone, a laptop and a wide screen, nothing inside a card
// (a framework table, a question with code in it, a ladder tier) is wider than the card, unless it
// scrolls inside a container that fits; and no page scrolls sideways.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, publishedPages, widgetsMounted } from "./harness.mjs";

const WIDTHS = [390, 1280, 1920];

// Runs in the page: every element that sticks out of its card, with by how much.
function overflowingElements() {
  const CARDS = ".dsip-framework, .dsip-postmortem, .dsip-ladder, .dsip-when-not, .dsip-check, .dsip-crate, .dsip-module-card, .dsip-viz, .dsip-module";
  const scrolls = (el) => ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX);
  const problems = [];
  for (const card of document.querySelectorAll(CARDS)) {
    if (card.parentElement.closest(CARDS)) continue; // judged as part of its outer card
    const box = card.getBoundingClientRect();
    if (box.width === 0) continue;
    for (const el of card.querySelectorAll("*")) {
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || getComputedStyle(el).position === "fixed") continue;
      // Inside a scroll container, the container is what must fit (and is judged on its own).
      let inScroller = false;
      for (let up = el.parentElement; up && up !== card; up = up.parentElement) {
        if (scrolls(up)) {
          inScroller = true;
          break;
        }
      }
      if (inScroller) continue;
      const frame = box;
      // Text runs are not elements: an overflowing line shows as its box's content being wider
      // than the box (a flex row of text runs did this to questions with code in them).
      const display = getComputedStyle(el).display;
      if (!display.startsWith("inline") && !scrolls(el) && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${card.id || card.className}: the content of <${el.tagName.toLowerCase()}> "${(el.innerText || "").slice(0, 40)}" is ${el.scrollWidth - el.clientWidth} px wider than it`);
      }
      const past = Math.round(rect.right - frame.right);
      const before = Math.round(frame.left - rect.left);
      if (past > 1 || before > 1) {
        const name = el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : "");
        problems.push(`${card.id || card.className}: <${name}> "${(el.innerText || "").slice(0, 40)}" sticks out ${Math.max(past, before)} px`);
      }
    }
  }
  const sideways = document.documentElement.scrollWidth - window.innerWidth;
  if (sideways > 1) problems.push(`the page scrolls sideways by ${sideways} px`);
  return problems;
}

for (const width of WIDTHS) {
  test(`every page at ${width} px: nothing is wider than its card`, async () => {
    const problems = [];
    for (const path of await publishedPages()) {
      const opened = await openPage(path, { viewport: { width, height: 900 } });
      try {
        await widgetsMounted(opened.page);
        // Open every check-yourself answer: an answer's table must fit too.
        await opened.page.$$eval(".dsip-check details", (all) => all.forEach((d) => (d.open = true)));
        // Measure the settled layout, not a marker halfway through its opening rotation.
        await opened.page.addStyleTag({ content: "*, *::before, *::after { transition: none !important; animation: none !important; }" });
        for (const problem of await opened.page.evaluate(overflowingElements)) {
          problems.push(`${path}: ${problem}`);
        }
      } finally {
        await opened.close();
      }
    }
    assert.deepEqual(problems, [], `at ${width} px:\n${problems.join("\n")}`);
  });
}

test("printed, a framework's table keeps every column", async () => {
  const opened = await openPage("01-single-node-lie/failure-detection.html");
  try {
    await opened.page.emulateMedia({ media: "print" });
    const clipped = await opened.page.$$eval(".dsip-framework table", (tables) =>
      tables.flatMap((table) => {
        const card = table.closest(".dsip-framework").getBoundingClientRect();
        return [...table.querySelectorAll("th, td")]
          .filter((cell) => cell.getBoundingClientRect().right > card.right + 1)
          .map((cell) => cell.innerText.slice(0, 30));
      }),
    );
    assert.ok((await opened.page.$$(".dsip-framework table")).length > 0, "the page has a framework table");
    assert.deepEqual(clipped, [], "cells past the card's edge in print");
  } finally {
    await opened.close();
  }
});
