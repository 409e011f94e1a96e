// Search as stock mdBook has it: `s` focuses the box, typing finds the page that teaches the term,
// and each result's breadcrumb reads as the page's structure (a directive's heading counts once).
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage } from "./harness.mjs";

// A term a reader would look up, and the page that should come first.
const LOOKUPS = [
  ["vector clock", "01-single-node-lie/vector-clocks.html"],
  ["phi", "01-single-node-lie/failure-detection.html"],
  ["metastable", "07-reliability/retry-storms.html"],
  ["consistent hashing", "04-partitioning/consistent-hashing.html"],
];

async function search(page, term) {
  await page.keyboard.press("Escape");
  await page.locator("main").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("s");
  const box = page.locator("#mdbook-searchbar");
  await box.waitFor({ state: "visible" });
  assert.ok(await box.evaluate((el) => el === document.activeElement), "`s` focuses the search box");
  await box.fill("");
  // Typed key by key: mdBook's searcher listens for keystrokes.
  await box.pressSequentially(term);
  // The header says "N search results for 'term':" once the results are for this term.
  await page.waitForFunction(
    (wanted) => (document.getElementById("mdbook-searchresults-header")?.innerText || "").includes(`'${wanted}'`),
    term,
  );
  return page.$$eval("#mdbook-searchresults li a", (links) =>
    links.map((a) => ({ href: a.getAttribute("href"), crumbs: a.innerText.split(" » ").map((s) => s.trim()) })),
  );
}

test("search finds the page that teaches each term first", async () => {
  const { page, consoleErrors, close } = await openPage("index.html");
  try {
    for (const [term, expected] of LOOKUPS) {
      const hits = await search(page, term);
      assert.ok(hits.length > 0, `results for "${term}"`);
      assert.equal(hits[0].href.split("?")[0], expected, `first hit for "${term}": ${JSON.stringify(hits[0])}`);
    }
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("breadcrumbs never repeat a directive's heading", async () => {
  const { page, close } = await openPage("index.html");
  try {
    for (const term of ["fencing", "curriculum", "suspicion", "clocks crate", "postmortem"]) {
      for (const { href, crumbs } of await search(page, term)) {
        // mdBook's own pattern "Chapter » Page title" may repeat once when a page's title is its
        // chapter's name; beyond that a repeated segment means a heading was indexed twice.
        const rest = crumbs.slice(1);
        if (rest.length > 1 && rest[0] === rest[1]) rest.shift();
        for (let i = 1; i < rest.length; i++) {
          assert.notEqual(rest[i], rest[i - 1], `"${term}" → ${href}: ${crumbs.join(" » ")}`);
        }
      }
    }
  } finally {
    await close();
  }
});
