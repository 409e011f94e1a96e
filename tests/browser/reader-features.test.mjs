// The reader features, as a reader uses them: a ladder taken as an exercise (answer, reveal, place,
// reload, export, "Where you sit"), progress kept across pages (the sidebar, the curriculum cards,
// "Forget my progress"), the frameworks sheet (one card per framework of the book, copy-link with
// and without the Clipboard API), glossary terms on hover and on keyboard focus, and axe-core on
// each of those states. Each test opens a fresh browser context, so it starts with empty storage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { axeViolations, bookUrl, openPage, publishedPages } from "./harness.mjs";

const LADDER_PAGE = "02-consistency/interview.html";

async function exerciseReady(page) {
  await page.waitForSelector("section.dsip-ladder[data-exercise='ready']");
  return page.locator("section.dsip-ladder").first();
}

// The "What it missed" lines of a ladder's four tiers, without their label.
async function missedLines(ladder) {
  return ladder.locator(".dsip-tier-missed").evaluateAll((lines) =>
    lines.map((line) => line.textContent.replace(/^\s*What it missed:\s*/, "").replace(/\s+/g, " ").trim()),
  );
}

// Answers the first ladder of LADDER_PAGE with the keyboard and places it at L4.
async function answerAndPlace(page) {
  const ladder = await exerciseReady(page);
  const box = ladder.getByLabel("Your answer, before you read the tiers");
  await box.focus();
  await page.keyboard.type("Pin the user's reads to the primary for a while after they write.");
  await page.keyboard.press("Tab");
  await assert.doesNotReject(
    page.waitForFunction(() => document.activeElement?.classList.contains("dsip-exercise-reveal")),
    "Tab from the answer box reaches the Show button",
  );
  await page.keyboard.press("Enter");
  await ladder.locator(".dsip-ladder-tiers").waitFor({ state: "visible" });
  const l3 = ladder.getByRole("radio", { name: "L3" });
  await l3.focus();
  await page.keyboard.press("ArrowRight"); // the radio group moves to, and checks, L4
  await ladder.locator(".dsip-next-move").first().waitFor();
  return ladder;
}

test("a ladder is an exercise: the question and a box first, the tiers only when asked", async () => {
  const opened = await openPage(LADDER_PAGE);
  try {
    const ladder = await exerciseReady(opened.page);
    assert.ok(await ladder.locator(".dsip-ladder-question").isVisible());
    assert.ok(await ladder.getByLabel("Your answer, before you read the tiers").isVisible());
    assert.match(await ladder.locator(".dsip-exercise-hint").innerText(), /two minutes/);
    assert.equal(await ladder.locator(".dsip-ladder-tiers").isVisible(), false, "tiers hidden before the answer");
    assert.equal(await ladder.locator(".dsip-placement").isVisible(), false);
    await ladder.getByRole("button", { name: "Show the four answers" }).click();
    assert.ok(await ladder.locator(".dsip-ladder-tiers").isVisible());
    assert.equal(await ladder.locator(".dsip-tier").count(), 4);
    assert.deepEqual(opened.consoleErrors(), []);
  } finally {
    await opened.close();
  }
});

test("answer, place at L4, and the three moves ahead are the L4, L5 and L6 missed lines; a reload keeps it all", async () => {
  const opened = await openPage(LADDER_PAGE);
  try {
    const { page } = opened;
    const ladder = await answerAndPlace(page);
    const missed = await missedLines(ladder);
    const moves = () => ladder.locator(".dsip-next-move").evaluateAll((items) =>
      items.map((item) => item.textContent.replace(/\s+/g, " ").trim()));
    const expected = [
      "To reach L5: " + missed[1],
      "To reach L6: " + missed[2],
      "Beyond L6: " + missed[3],
    ];
    assert.deepEqual(await moves(), expected);
    assert.match(await ladder.locator(".dsip-next-title").innerText(), /reached L4/);

    await page.reload({ waitUntil: "load" });
    const again = await exerciseReady(page);
    assert.equal(
      await again.getByLabel("Your answer, before you read the tiers").inputValue(),
      "Pin the user's reads to the primary for a while after they write.",
    );
    assert.ok(await again.getByRole("radio", { name: "L4" }).isChecked(), "the placement survives a reload");
    assert.ok(await again.locator(".dsip-ladder-tiers").isVisible(), "revealed stays revealed");
    assert.deepEqual(await again.locator(".dsip-next-move").evaluateAll((items) =>
      items.map((item) => item.textContent.replace(/\s+/g, " ").trim())), expected);
    assert.equal(await page.locator("section.dsip-ladder").nth(1).locator(".dsip-ladder-tiers").isVisible(), false,
      "the page's other ladder is still unanswered");

    // Where you sit: this ladder placed at L4, only the moves still ahead, the first one next.
    await page.goto(bookUrl("where-you-sit.html"), { waitUntil: "load" });
    const entry = page.locator(`.dsip-sit-ladder[data-ladder^="${LADDER_PAGE}#"]`).first();
    await page.waitForFunction(() => document.querySelector(".dsip-sit-tally"));
    assert.match(await entry.locator(".dsip-sit-placement").innerText(), /You placed your answer at L4/);
    assert.equal(await entry.locator(".dsip-sit-move:not([hidden])").count(), 3);
    assert.equal(await entry.locator(".dsip-sit-move[data-level='L3']").isVisible(), false);
    assert.match(await entry.locator(".dsip-sit-next dt").innerText(), /Your next move: to reach L5/);
    assert.equal((await entry.locator(".dsip-sit-next dd").innerText()).replace(/\s+/g, " ").trim(), missed[1]);
    assert.match(await page.locator("#where-you-sit-module-2 .dsip-sit-tally").innerText(), /^1 of 2 ladders placed/);
    assert.deepEqual(await axeViolations(page), [], "Where you sit with a placement");
    assert.deepEqual(opened.consoleErrors(), []);
  } finally {
    await opened.close();
  }
});

test("export gives a Markdown file with the question, the answer, its tier and the next moves", async () => {
  const opened = await openPage(LADDER_PAGE);
  try {
    const { page } = opened;
    const ladder = await answerAndPlace(page);
    const question = (await ladder.locator(".dsip-ladder-question").innerText()).trim();
    const missed = await missedLines(ladder);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      ladder.getByRole("button", { name: "Export my ladder answers (Markdown)" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "ladder-answers.md");
    const markdown = await readFile(await download.path(), "utf8");
    assert.match(markdown, /^# My ladder answers/);
    assert.ok(markdown.includes("### " + question), markdown);
    assert.ok(markdown.includes("> Pin the user's reads to the primary for a while after they write."), markdown);
    assert.match(markdown, /\*\*My answer\*\*, placed at L4/);
    assert.ok(markdown.includes("- To reach L5: " + missed[1]), markdown);
    assert.ok(markdown.includes("## Module 2: Consistency Is a Per-Operation Decision"), markdown);
    assert.match(await ladder.locator(".dsip-export-said").innerText(), /Saved ladder-answers\.md with 1 answer/);
  } finally {
    await opened.close();
  }
});

test("with JavaScript off a ladder reads as a plain ladder, all four tiers shown", async () => {
  const opened = await openPage(LADDER_PAGE, { javaScript: false });
  try {
    const ladder = opened.page.locator("section.dsip-ladder").first();
    assert.ok(await ladder.locator(".dsip-ladder-tiers").isVisible());
    assert.equal(await ladder.locator(".dsip-tier").count(), 4);
    assert.equal(await ladder.locator("textarea").count(), 0);
  } finally {
    await opened.close();
  }
});

test("the ladder exercise is clean for axe-core before and after placing, in light and coal", async () => {
  for (const theme of ["light", "coal"]) {
    const opened = await openPage(LADDER_PAGE, { theme });
    try {
      await exerciseReady(opened.page);
      assert.deepEqual(await axeViolations(opened.page), [], `${theme}, before`);
      await answerAndPlace(opened.page);
      assert.deepEqual(await axeViolations(opened.page), [], `${theme}, placed`);
    } finally {
      await opened.close();
    }
  }
});

test("progress: pages visited are marked in the sidebar and counted on their module's card; forget clears it", async () => {
  const opened = await openPage("02-consistency/index.html");
  try {
    const { page } = opened;
    for (const path of ["02-consistency/pacelc.html", "02-consistency/check-yourself.html"]) {
      await page.goto(bookUrl(path), { waitUntil: "load" });
    }
    const questions = page.locator(".dsip-check details summary");
    const total = await questions.count();
    await questions.nth(0).click();
    await questions.nth(1).focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelectorAll(".dsip-check details[open]").length === 2);
    await page.goto(bookUrl("index.html"), { waitUntil: "load" });
    await page.waitForSelector("#curriculum-module-2 .dsip-card-progress");
    const sidebar = page.locator("#mdbook-sidebar");
    const modulePages = await sidebar.locator("a[href*='02-consistency/']").evaluateAll((links) =>
      new Set(links.map((link) => new URL(link.href).pathname)).size);
    const card = page.locator("#curriculum-module-2 .dsip-card-progress");
    assert.equal(await card.getAttribute("data-read"), "3");
    assert.equal(await card.getAttribute("data-pages"), String(modulePages));
    assert.equal((await card.innerText()).trim(), `3 of ${modulePages} pages read`);
    assert.match(await page.locator("#curriculum-module-1 .dsip-card-progress").innerText(), /Not started/);
    for (const path of ["index.html", "pacelc.html", "check-yourself.html"]) {
      assert.ok(await sidebar.locator(`a.dsip-read[href$="02-consistency/${path}"]`).count() >= 1, path + " marked read");
    }
    assert.equal(await sidebar.locator('a.dsip-read[href$="02-consistency/the-spectrum.html"]').count(), 0);
    const mark = sidebar.locator('a[href$="02-consistency/check-yourself.html"] .dsip-progress-mark').first();
    assert.equal((await mark.locator("[aria-hidden='true']").innerText()).trim(), `2/${total}`);

    page.once("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: "Forget my progress" }).click();
    await page.waitForFunction(() => document.querySelector(".dsip-forget-said")?.textContent !== "");
    assert.match(await card.innerText(), /Not started/);
    assert.equal(await sidebar.locator("a.dsip-read[href*='02-consistency/']").count(), 0);
    assert.equal(await sidebar.locator(".dsip-progress-mark").count(), 0);
    assert.deepEqual(opened.consoleErrors(), []);
  } finally {
    await opened.close();
  }
});

test("the frameworks sheet has one card for each framework callout of the book", async () => {
  let callouts = 0;
  for (const path of await publishedPages()) {
    if (path.endsWith("frameworks-sheet.html")) continue;
    const opened = await openPage(path, { javaScript: false });
    try {
      callouts += await opened.page.locator(".dsip-framework:not(.dsip-sheet-card)").count();
    } finally {
      await opened.close();
    }
  }
  const opened = await openPage("frameworks-sheet.html");
  try {
    const cards = await opened.page.locator(".dsip-sheet-card").count();
    assert.ok(callouts >= 10, `only ${callouts} framework callouts found`);
    assert.equal(cards, callouts);
    assert.equal((await opened.page.locator(".dsip-sheet-count").innerText()).trim(), `${cards} frameworks, in course order.`);
  } finally {
    await opened.close();
  }
});

test("a sheet card's copy-link copies its address and says so", async () => {
  const opened = await openPage("frameworks-sheet.html");
  try {
    const { page, context } = opened;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(bookUrl()).origin });
    const card = page.locator(".dsip-sheet-card").nth(1);
    const copy = card.getByRole("button", { name: "Copy link to this card" });
    await copy.focus();
    await page.keyboard.press("Enter");
    await card.locator(".dsip-sheet-said").filter({ hasText: "Link copied." }).waitFor();
    const id = await card.getAttribute("id");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), bookUrl("frameworks-sheet.html") + "#" + id);
    assert.deepEqual(await axeViolations(page), [], "the sheet after a copy");
  } finally {
    await opened.close();
  }
});

test("without a Clipboard API the copy-link shows the address selected, ready to copy", async () => {
  const opened = await openPage("frameworks-sheet.html", {
    init: () => {
      Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined });
      document.execCommand = () => false;
    },
  });
  try {
    const { page } = opened;
    const card = page.locator(".dsip-sheet-card").first();
    await card.getByRole("button", { name: "Copy link to this card" }).click();
    const field = card.getByLabel("Link to this card");
    await field.waitFor();
    const id = await card.getAttribute("id");
    assert.equal(await field.inputValue(), bookUrl("frameworks-sheet.html") + "#" + id);
    assert.ok(await field.evaluate((input) => document.activeElement === input &&
      input.selectionStart === 0 && input.selectionEnd === input.value.length), "the address is focused and selected");
    assert.match(await card.locator(".dsip-sheet-said").innerText(), /Copy the selected link/);
  } finally {
    await opened.close();
  }
});

test("a glossary term shows its definition on hover and on keyboard focus", async () => {
  const opened = await openPage("07-reliability/the-retry-budget.html");
  try {
    const { page } = opened;
    const term = page.locator("a.dsip-term-link").first();
    const tip = page.locator("#" + (await term.getAttribute("aria-describedby")));
    assert.equal(await tip.isVisible(), false, "hidden until asked for");
    assert.match(await tip.textContent(), /retry budget: A cap on retries/);
    await term.hover();
    assert.ok(await tip.isVisible(), "shown on hover");
    await page.mouse.move(0, 0);
    assert.equal(await tip.isVisible(), false);
    // Keyboard: Tab from the link before it lands on the term, and the tip shows.
    await page.evaluate(() => {
      const links = [...document.querySelectorAll("main a[href]")];
      const index = links.indexOf(document.querySelector("a.dsip-term-link"));
      (links[index - 1] || document.body).focus();
    });
    await page.keyboard.press("Tab");
    assert.ok(await term.evaluate((link) => document.activeElement === link), "Tab reaches the term");
    assert.ok(await tip.isVisible(), "shown on keyboard focus");
    // WCAG 1.4.13: Escape dismisses the tip without moving focus, and it comes back next time.
    await page.keyboard.press("Escape");
    assert.equal(await tip.isVisible(), false, "Escape hides the tip");
    assert.ok(await term.evaluate((link) => document.activeElement === link), "focus stays on the term");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    assert.ok(await tip.isVisible(), "focusing the term again shows the tip again");
    const href = await term.getAttribute("href");
    assert.match(href, /glossary\.html#term-retry-budget$/);
    assert.deepEqual(await axeViolations(page), [], "a page with a tip showing");

    await page.goto(new URL(href, page.url()).href, { waitUntil: "load" });
    assert.ok(await page.locator("#term-retry-budget").isVisible());
    assert.ok(await page.locator(".dsip-glossary-entry").count() >= 30);
  } finally {
    await opened.close();
  }
});
