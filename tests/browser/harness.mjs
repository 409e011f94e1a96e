// Shared set-up for the browser tests: one headless Debian chromium per test file, a fresh page per
// test, the book's theme chosen before any script runs, and every console error and uncaught
// exception recorded so a test can insist the page ran clean.
import { after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const BOOK_URL = process.env.BOOK_URL;
if (!BOOK_URL) {
  throw new Error("BOOK_URL is not set: run these through `cargo xtask test` (see ARCHITECTURE.md)");
}

// The flags this machine needs: no sandbox as root, and no background traffic to Google's hosts,
// which the closed network here refuses many times a second.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let browserPromise;

function browser() {
  browserPromise ??= chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  return browserPromise;
}

/** The absolute URL of a page of the book, from a path relative to the book's root. */
export function bookUrl(path = "") {
  return new URL(path, BOOK_URL).href;
}

/**
 * Opens `path` in a fresh browser context.
 *
 * options.theme: one of mdBook's themes (light, rust, coal, navy, ayu), stored where mdBook's
 * own theme picker keeps it so the page starts in that theme.
 * options.viewport: {width, height}, default a laptop screen.
 * options.javaScript: false to open the page with JavaScript off.
 * options.init: a function run in the page before any of its scripts (to stub a browser API).
 */
export async function openPage(path, options = {}) {
  const context = await (await browser()).newContext({
    viewport: options.viewport || { width: 1280, height: 900 },
    javaScriptEnabled: options.javaScript !== false,
    acceptDownloads: true,
  });
  if (options.init) await context.addInitScript(options.init);
  if (options.theme) {
    await context.addInitScript((theme) => {
      localStorage.setItem("mdbook-theme", theme);
    }, options.theme);
  }
  const page = await context.newPage();
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText;
    // A navigation cancels the old page's pending loads (ERR_ABORTED): not a failure of the page.
    if (reason !== "net::ERR_ABORTED") errors.push("request failed: " + request.url() + " (" + reason + ")");
  });
  const response = await page.goto(bookUrl(path), { waitUntil: "load" });
  if (!response || !response.ok()) {
    throw new Error(bookUrl(path) + " answered " + (response ? response.status() : "nothing"));
  }
  return {
    page,
    context,
    consoleErrors: () => [...errors],
    close: () => context.close(),
  };
}

/**
 * Clicks the Run button of a code block (mdBook shows it on hover only) and returns what the
 * block shows once the answer has arrived.
 */
export async function runSnippet(block) {
  await block.scrollIntoViewIfNeeded();
  await block.hover();
  const button = block.locator("button.play-button");
  await button.waitFor({ state: "visible", timeout: 6000 });
  await button.click();
  const result = block.locator("code.result");
  await result.waitFor({ timeout: 10000 });
  await block.page().waitForFunction(
    (el) => el.innerText.trim() !== "" && el.innerText !== "Running...",
    await result.elementHandle(),
    { timeout: 10000 },
  );
  return result.innerText();
}

/** Replaces the text in a code block's editor, as a learner typing would. */
export async function editSnippet(block, code) {
  await block.page().evaluate(
    ([el, text]) => window.ace.edit(el.querySelector("code")).setValue(text, 1),
    [await block.elementHandle(), code],
  );
}

/** Every page of the book the sidebar links, landing page first, as paths relative to the root. */
export async function publishedPages() {
  const { page, close } = await openPage("index.html");
  try {
    const links = await page.$$eval("#mdbook-sidebar a[href], .sidebar a[href]", (anchors) =>
      anchors.map((a) => a.getAttribute("href")).filter((h) => h && h.endsWith(".html")),
    );
    return [...new Set(["index.html", ...links])];
  } finally {
    await close();
  }
}

/** Waits until every widget on the page has mounted (or failed, which the test then sees). */
export async function widgetsMounted(page) {
  await page.waitForFunction(() =>
    [...document.querySelectorAll("figure.dsip-viz")].every(
      (figure) => figure.dataset.mounted === "yes" || figure.dataset.mounted === "failed",
    ),
  );
  return page.$$eval("figure.dsip-viz", (figures) =>
    figures.map((figure) => ({ id: figure.id, mounted: figure.dataset.mounted })),
  );
}

/**
 * Opens `path`, waits for its widgets, insists the figure `id` mounted, and scrolls it into view:
 * what every widget test does first. Returns openPage's result plus the figure and its stage.
 */
export async function openWidget(path, id, options = {}) {
  const opened = await openPage(path, options);
  const widgets = await widgetsMounted(opened.page);
  const widget = widgets.find((w) => w.id === id);
  assert.ok(widget, `the page embeds ${id}`);
  assert.equal(widget.mounted, "yes", "the widget mounted");
  const figure = opened.page.locator("#" + id);
  await figure.scrollIntoViewIfNeeded();
  return { ...opened, figure, stage: figure.locator(".dsip-viz-stage") };
}

// Close the shared browser after the file's last test: an open browser connection would keep
// node's event loop, and so the test run, alive forever.
after(async () => {
  if (browserPromise) {
    const running = await browserPromise;
    browserPromise = undefined;
    await running.close();
  }
});

/**
 * axe-core's serious and critical violations on the page, or inside the element `selector` names,
 * as "rule: first targets" lines, so a test can assert there are none and say where if there are.
 */
export async function axeViolations(page, selector) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async (within) => {
    const context = within ? document.querySelector(within) : document;
    const result = await window.axe.run(context, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => v.id + ": " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
  }, selector);
}
