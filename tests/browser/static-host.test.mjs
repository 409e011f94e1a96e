// The hosted book is a static site: with no playground server at all, Run on an unedited snippet
// still shows the program's real output (precomputed at build time), and an edited snippet tells
// the learner plainly how to run it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { editSnippet, openPage, runSnippet } from "./harness.mjs";

const STATIC_BOOK_URL = process.env.STATIC_BOOK_URL;
const PAGE = "01-single-node-lie/reference-implementation.html";

test("with the server stopped, an unedited Run shows its recorded output", { skip: !STATIC_BOOK_URL }, async () => {
  const onServer = await openPage(PAGE);
  const expected = await runSnippet(onServer.page.locator("pre.playground").first());
  await onServer.close();

  const { page, consoleErrors, close } = await openPage(new URL(PAGE, STATIC_BOOK_URL).href);
  try {
    const block = page.locator("pre.playground").first();
    assert.equal(await runSnippet(block), expected, "the same output as the live playground gives");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("with the server stopped, an edited Run says how to run it locally", { skip: !STATIC_BOOK_URL }, async () => {
  const { page, close } = await openPage(new URL(PAGE, STATIC_BOOK_URL).href);
  try {
    const block = page.locator("pre.playground").first();
    await editSnippet(block, 'fn main() { println!("edited"); }\n');
    assert.match(await runSnippet(block), /cargo xtask serve/);
  } finally {
    await close();
  }
});
