// `cargo xtask serve` as a reader and a writer meet it: a page left open stays still (no rebuild,
// no reload) until a chapter really changes; one edit then gives exactly one reload, with the new
// text; and the server compresses what it sends.
//
// xtask serves a scratch copy of the book for this file (LIVE_BOOK_URL, LIVE_BOOK_DIR) with the
// same watcher and rebuild as `cargo xtask serve`, so editing it here never touches src/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { chromium } from "playwright-core";

const LIVE_BOOK_URL = process.env.LIVE_BOOK_URL;
const LIVE_BOOK_DIR = process.env.LIVE_BOOK_DIR;
const CHAPTER = "01-single-node-lie/when-not.md";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("a served page left open does not reload until a chapter changes, then reloads once", async () => {
  assert.ok(LIVE_BOOK_URL && LIVE_BOOK_DIR, "run through `cargo xtask test`, which serves a live copy");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage();
    let loads = 0;
    page.on("load", () => loads++);
    await page.goto(new URL(CHAPTER.replace(/\.md$/, ".html"), LIVE_BOOK_URL).href);
    // The live-reload socket is open: a reload would come through it.
    await page.waitForFunction(() => document.querySelector("script[src*='book']") !== null);
    await page.evaluate(() => { window.__stillHere = "first"; });

    await sleep(15000);
    assert.equal(loads, 1, "no reload in 15 idle seconds");
    assert.equal(await page.evaluate(() => window.__stillHere), "first", "page state survives idling");

    const marker = `Edited while served ${Date.now()}.`;
    const reloaded = page.waitForEvent("load", { timeout: 30000 });
    await appendFile(join(LIVE_BOOK_DIR, "src", CHAPTER), `\n${marker}\n`);
    await reloaded;
    await page.locator("main").getByText(marker).waitFor({ timeout: 5000 });
    await page.evaluate(() => { window.__stillHere = "second"; });

    await sleep(4000);
    assert.equal(loads, 2, "exactly one reload for one edit");
    assert.equal(await page.evaluate(() => window.__stillHere), "second", "no second reload");
    assert.match(await readFile(join(LIVE_BOOK_DIR, "src", CHAPTER), "utf8"), new RegExp(marker));
  } finally {
    await browser.close();
  }
});

test("the server compresses pages, scripts and styles", async () => {
  // mdBook names its assets by content hash (book-<hash>.js): take the names from the page.
  const index = await (await fetch(new URL("index.html", LIVE_BOOK_URL))).text();
  const script = index.match(/src="(book-[0-9a-f]+\.js)"/)?.[1];
  const styles = index.match(/href="(css\/general-[0-9a-f]+\.css)"/)?.[1];
  assert.ok(script && styles, "the landing page links mdBook's script and styles");
  for (const path of ["index.html", script, styles, "widgets/hash-ring.js"]) {
    const gzip = await fetch(new URL(path, LIVE_BOOK_URL), { headers: { "accept-encoding": "gzip" } });
    assert.equal(gzip.headers.get("content-encoding"), "gzip", `${path} with gzip`);
    const br = await fetch(new URL(path, LIVE_BOOK_URL), { headers: { "accept-encoding": "br" } });
    assert.equal(br.headers.get("content-encoding"), "br", `${path} with brotli`);
    assert.ok((await br.text()).length > 100, `${path} decodes to a real file`);
  }
});
