// The book as a reader meets it: the landing page, every published chapter, the themes, and the
// Run button on real snippets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { editSnippet, openPage, runSnippet, widgetsMounted } from "./harness.mjs";

const THEMES = ["light", "rust", "coal", "navy", "ayu"];

test("the landing page shows the promise, ten module cards and a way into Module 1", async () => {
  const { page, consoleErrors, close } = await openPage("index.html");
  try {
    const cards = page.locator(".dsip-curriculum .dsip-module-card");
    assert.equal(await cards.count(), 10, "one card a module");
    // The published sentence is counted from the cards: it must agree with the Read links shown.
    const linked = await page.locator(".dsip-curriculum .dsip-module-card a.dsip-read").count();
    const status = await page.locator(".dsip-curriculum-status").innerText();
    if (linked === 10) assert.equal(status, "All 10 modules are published.");
    else assert.match(status, /^Published so far: Modules? /, status);
    const moduleOne = page.locator('a[href*="01-single-node-lie/index.html"]').first();
    assert.ok(await moduleOne.isVisible(), "a visible link to Module 1");
    await moduleOne.click();
    await page.waitForURL(/01-single-node-lie\/index\.html/);
    assert.match(await page.locator("main h1").first().innerText(), /Single-Node Lie/);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("every published page loads clean in every theme and its widgets mount", async () => {
  const { page, close } = await openPage("index.html");
  const links = await page.$$eval("#mdbook-sidebar a[href], .sidebar a[href]", (anchors) =>
    [...new Set(anchors.map((a) => a.getAttribute("href")).filter((h) => h && h.endsWith(".html")))],
  );
  await close();
  assert.ok(links.length >= 8, `the sidebar lists the published pages (found ${links.length})`);
  for (const [index, link] of links.entries()) {
    // Every page in one theme, rotating, plus the landing page in all five: enough to catch a
    // page or widget that breaks in a theme without multiplying the run time by five.
    const theme = THEMES[index % THEMES.length];
    const opened = await openPage(link, { theme });
    try {
      const widgets = await widgetsMounted(opened.page);
      for (const widget of widgets) {
        assert.equal(widget.mounted, "yes", `${link}: widget ${widget.id} mounted in ${theme}`);
      }
      assert.deepEqual(opened.consoleErrors(), [], `${link} in ${theme}: no console errors`);
    } finally {
      await opened.close();
    }
  }
  for (const theme of THEMES) {
    const opened = await openPage("index.html", { theme });
    try {
      assert.ok(await opened.page.evaluate((t) => document.documentElement.classList.contains(t), theme));
      assert.deepEqual(opened.consoleErrors(), [], `landing page in ${theme}`);
    } finally {
      await opened.close();
    }
  }
});

test("Run on an unedited snippet shows the program's real output", async () => {
  const { page, consoleErrors, close } = await openPage("01-single-node-lie/reference-implementation.html");
  try {
    const output = await runSnippet(page.locator("pre.playground").first());
    assert.doesNotMatch(output, /error(\[E\d+\])?:|Playground Communication|not available/i);
    assert.ok(output.trim().split("\n").length >= 2, `real output, got: ${output}`);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("Run on an edited snippet compiles it on the playground and shows its output", async () => {
  const { page, consoleErrors, close } = await openPage("01-single-node-lie/reference-implementation.html");
  try {
    const block = page.locator("pre.playground").first();
    const marker = `edited-${Date.now()}`;
    await editSnippet(block, `use clocks::*;\nfn main() {\n    println!("${marker} {}", 6 * 7);\n}\n`);
    const output = await runSnippet(block);
    assert.match(output, new RegExp(`${marker} 42`));
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("a compile error is shown to the learner, not swallowed", async () => {
  const { page, close } = await openPage("01-single-node-lie/reference-implementation.html");
  try {
    const block = page.locator("pre.playground").first();
    await editSnippet(block, 'fn main() { let x: u32 = "nope"; }\n');
    const output = await runSnippet(block);
    assert.match(output, /mismatched types/);
  } finally {
    await close();
  }
});
