// The Module 6 idempotency-timeline widget, following its caption step by step: no fault (one
// charge), lose the response (replayed, one charge), keys off (two charges, deduplication), keys
// on + crash after the network call + atomic recording off (two charges, atomic recording), atomic
// recording on + retries off (one charge, no answer, retry); then the same with the keyboard only
// in a dark theme, and at phone width. Every entry and count comes from the `idempotency` crate;
// the test checks that the widget forwards the reader's actions and shows what the crate returned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openWidget } from "./harness.mjs";

const PAGE = "06-idempotency/three-failures.html";
const ID = "viz-idempotency-timeline";

const open = (theme, viewport) => openWidget(PAGE, ID, { theme, viewport });

const control = (figure, role) => figure.locator(`[data-role="${role}"]`);
const data = (stage) => stage.evaluate((node) => ({ ...node.dataset }));
const rows = (figure) => control(figure, "timeline").locator("li").allInnerTexts();

async function failedCorner(figure) {
  const failed = figure.locator('[data-role^="corner-"][data-failed="true"]');
  const count = await failed.count();
  if (count === 0) return "none";
  assert.equal(count, 1, "at most one corner is marked");
  return (await failed.textContent()).trim();
}

test("caption, step by step: no fault, lose the response, keys off, crash after the network call without atomic recording, retries off", async () => {
  const { figure, stage, consoleErrors, close } = await open("light");
  try {
    // 1. No fault, all three switches on: request, tx 1, network call, approval, tx 2, 200; charged 1.
    assert.equal(await control(figure, "fault").inputValue(), "none");
    for (const role of ["keys", "atomic", "retries"]) {
      assert.equal(await control(figure, role).getAttribute("aria-pressed"), "true", role + " starts on");
    }
    assert.equal(await control(figure, "keys").innerText(), "Idempotency keys: on");
    let lines = await rows(figure);
    const order = ["POST /v1/charges", "transaction 1", "charge req_1", "approved", "transaction 2", "200 ch_1"];
    let at = -1;
    for (const text of order) {
      const next = lines.findIndex((line, i) => i > at && line.includes(text));
      assert.ok(next > at, `"${text}" appears after the previous step: ${JSON.stringify(lines)}`);
      at = next;
    }
    assert.equal(await control(figure, "figure-charges").innerText(), "1");
    assert.equal(await failedCorner(figure), "none");

    // 2. Lose the response: the 200 is drawn lost; the retry gets "200 replayed"; charged 1.
    await control(figure, "fault").selectOption({ label: "Lose the response" });
    lines = await rows(figure);
    assert.ok(lines.some((l) => /lost/.test(l) && /200 ch_1/.test(l)), `the 200 is lost: ${JSON.stringify(lines)}`);
    assert.equal(await control(figure, "timeline").locator("li.it-lost").count(), 1);
    assert.ok(lines.some((l) => /same key/.test(l)), "the client retries with the same key");
    assert.ok(lines.some((l) => /200 replayed/.test(l) && /network is not called/.test(l)), "the retry is a replay");
    assert.equal(await control(figure, "figure-charges").innerText(), "1");

    // 3. Keys off: the retry is a new charge; charged 2; Deduplication failed.
    await control(figure, "keys").click();
    assert.equal(await control(figure, "keys").innerText(), "Idempotency keys: off");
    assert.equal(await control(figure, "figure-charges").innerText(), "2");
    assert.equal(await failedCorner(figure), "Deduplication");

    // 4. Keys on again, crash after the network call, atomic recording off: charged 2; Atomic recording.
    await control(figure, "keys").click();
    assert.equal(await control(figure, "keys").getAttribute("aria-pressed"), "true");
    await control(figure, "fault").selectOption({ label: "Crash after the network call" });
    await control(figure, "atomic").click();
    assert.equal(await control(figure, "atomic").innerText(), "Atomic recording: off");
    assert.equal(await control(figure, "figure-charges").innerText(), "2");
    assert.equal(await failedCorner(figure), "Atomic recording");

    // 5. Atomic recording on, retries off: charged once, the client never hears; Retry.
    await control(figure, "atomic").click();
    await control(figure, "retries").click();
    assert.equal(await control(figure, "retries").innerText(), "Client retries: off");
    assert.equal(await control(figure, "figure-charges").innerText(), "1");
    assert.equal(await control(figure, "figure-answered").innerText(), "no");
    assert.equal(await failedCorner(figure), "Retry");
    assert.match(await control(figure, "verdict").innerText(), /never heard/);
    const d = await data(stage);
    assert.deepEqual([d.charges, d.answered, d.failedCorner], ["1", "false", "retry"]);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("keyboard only, coal: Tab to the fault list, arrows choose a fault, ] [ K A R in the figure, nothing turns the chapter", async () => {
  const { page, figure, stage, consoleErrors, close } = await open("coal");
  try {
    const url = page.url();
    const select = control(figure, "fault");
    await stage.focus();
    for (let i = 0; i < 30 && !(await select.evaluate((node) => node === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    assert.ok(await select.evaluate((node) => node === document.activeElement), "reached the fault list by Tab");
    await page.keyboard.press("ArrowDown");
    assert.equal((await data(stage)).fault, "lose:request", "ArrowDown chose the next fault");
    await page.keyboard.press("ArrowUp");
    assert.equal((await data(stage)).fault, "none");

    await stage.focus();
    for (let i = 0; i < 7; i++) await page.keyboard.press("]");
    assert.equal((await data(stage)).fault, "lose:response", "] steps to the last fault");
    await page.keyboard.press("k");
    assert.equal(await control(figure, "keys").getAttribute("aria-pressed"), "false");
    assert.equal((await data(stage)).charges, "2");
    await page.keyboard.press("k");
    await page.keyboard.press("[");
    await page.keyboard.press("[");
    assert.equal((await data(stage)).fault, "crash:after-network-call");
    await page.keyboard.press("a");
    assert.equal((await data(stage)).failedCorner, "atomic-recording");
    await page.keyboard.press("a");
    await page.keyboard.press("r");
    assert.equal((await data(stage)).failedCorner, "retry");

    // Enter on a switch flips it, like a click.
    const retries = control(figure, "retries");
    for (let i = 0; i < 30 && !(await retries.evaluate((node) => node === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    await page.keyboard.press("Enter");
    assert.equal(await retries.getAttribute("aria-pressed"), "true");
    assert.equal((await data(stage)).failedCorner, "none");
    assert.equal(page.url(), url, "no key reached mdBook's chapter navigation");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("390 px phone, navy: the widget fits the width and the timeline stays readable", async () => {
  const { page, figure, consoleErrors, close } = await open("navy", { width: 390, height: 844 });
  try {
    await control(figure, "fault").selectOption({ label: "Lose the network's reply" });
    const overflow = await figure.evaluate((node) => {
      const box = node.getBoundingClientRect();
      const wide = [...node.querySelectorAll("*")].filter((child) => child.getBoundingClientRect().right > box.right + 1);
      return { right: box.right, width: document.documentElement.clientWidth, wide: wide.map((n) => n.className || n.tagName).slice(0, 5) };
    });
    assert.ok(overflow.right <= overflow.width, `the figure fits the page: ${JSON.stringify(overflow)}`);
    assert.deepEqual(overflow.wide, [], "nothing sticks out of the figure");
    assert.equal(await control(figure, "figure-charges").innerText(), "1");
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, "no sideways scroll");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});
