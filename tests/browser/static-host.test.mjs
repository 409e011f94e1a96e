// The hosted book is a static site: with no playground server at all, Run on an unedited snippet
// still shows the program's real output (precomputed at build time), and an edited snippet tells
// the learner plainly how to run it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage } from "./harness.mjs";

const STATIC_BOOK_URL = process.env.STATIC_BOOK_URL;
const PAGE = "01-single-node-lie/reference-implementation.html";

async function run(block) {
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

test("with the server stopped, an unedited Run shows its recorded output", { skip: !STATIC_BOOK_URL }, async () => {
  const onServer = await openPage(PAGE);
  const expected = await run(onServer.page.locator("pre.playground").first());
  await onServer.close();

  const { page, consoleErrors, close } = await openPage(new URL(PAGE, STATIC_BOOK_URL).href);
  try {
    const block = page.locator("pre.playground").first();
    assert.equal(await run(block), expected, "the same output as the live playground gives");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("with the server stopped, an edited Run says how to run it locally", { skip: !STATIC_BOOK_URL }, async () => {
  const { page, close } = await openPage(new URL(PAGE, STATIC_BOOK_URL).href);
  try {
    const block = page.locator("pre.playground").first();
    await page.evaluate((el) => {
      window.ace.edit(el.querySelector("code")).setValue('fn main() { println!("edited"); }\n', 1);
    }, await block.elementHandle());
    assert.match(await run(block), /cargo xtask serve/);
  } finally {
    await close();
  }
});
