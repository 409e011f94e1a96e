// The Module 7 retry-storm widget as a reader drives it: trigger a capacity dip and watch the system
// collapse and stay collapsed after the trigger has ended; switch on load shedding and watch it
// recover; do it all again with the keyboard only; in a light and a dark theme, with a clean console.
// Every number the widget shows comes from the `retry-storm` crate; this test checks the widget
// forwards the reader's actions and reports what the crate decided.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, widgetsMounted } from "./harness.mjs";

const PAGE = "07-reliability/retry-storms.html";
const FIGURE = "#viz-retry-storm";

async function openStorm(theme, viewport) {
  const opened = await openPage(PAGE, { theme, viewport });
  const widgets = await widgetsMounted(opened.page);
  const storm = widgets.find((widget) => widget.id === "viz-retry-storm");
  assert.ok(storm, "the chapter embeds the retry-storm widget");
  assert.equal(storm.mounted, "yes", "the widget mounted");
  const figure = opened.page.locator(FIGURE);
  await figure.scrollIntoViewIfNeeded();
  return { ...opened, figure, stage: figure.locator(".dsip-viz-stage") };
}

const control = (figure, role) => figure.locator(`[data-role="${role}"]`);

/** The stage's data-* figures: simulated time, collapse state, tipping point, speed. */
async function status(stage) {
  return stage.evaluate((node) => ({
    time: Number(node.dataset.time),
    collapsed: node.dataset.collapsed,
    tippedAt: node.dataset.tippedAt === undefined ? null : Number(node.dataset.tippedAt),
    requestsPerSecond: Number(node.dataset.requestsPerSecond || 0),
  }));
}

/** Waits until simulated time reaches `seconds`. */
async function until(page, seconds) {
  await page.waitForFunction(
    ([selector, target]) => Number(document.querySelector(selector + " .dsip-viz-stage").dataset.time) >= target,
    [FIGURE, seconds],
    { timeout: 20000 },
  );
}

/** Waits until the widget reports `collapsed` ("yes" or "no") on its stage. */
async function collapsedIs(page, value, timeout = 20000) {
  await page.waitForFunction(
    ([selector, expected]) => document.querySelector(selector + " .dsip-viz-stage").dataset.collapsed === expected,
    [FIGURE, value],
    { timeout },
  );
}

async function announced(figure) {
  return control(figure, "announce").innerText();
}

/** Pauses the autoplay, sets the fastest speed, and remembers the time the trigger will start at. */
async function prepare(figure, stage) {
  if ((await control(figure, "play").getAttribute("aria-pressed")) === "true") {
    await control(figure, "play").click();
  }
  await control(figure, "speed").selectOption("60");
  return (await status(stage)).time;
}

test("mouse: a 5 s dip collapses it for good; load shedding brings it back", async () => {
  const { page, figure, stage, consoleErrors, close } = await openStorm("light");
  try {
    const start = await prepare(figure, stage);
    assert.equal(await control(figure, "retries").inputValue(), "3");
    // Trigger at 1× so the announcement is still there to read (at 60× on a busy machine one frame can
    // reach the collapse), then speed up.
    await control(figure, "speed").selectOption("1");
    await control(figure, "trigger").click(); // a 5 s dip to 30%, and play
    assert.equal(await control(figure, "play").getAttribute("aria-pressed"), "true");
    assert.match(await announced(figure), /Trigger at t=\d+(\.\d)? s: capacity at 30% for 5 s/);
    await control(figure, "speed").selectOption("60");

    await collapsedIs(page, "yes");
    const collapsed = await status(stage);
    // The tipping point is the start of the first collapsed step, which may begin up to one step
    // (250 ms) before the trigger.
    assert.ok(collapsed.tippedAt > start - 0.5 && collapsed.tippedAt < start + 5, `tipped during the dip: ${JSON.stringify(collapsed)}`);
    assert.match(await announced(figure),
      /^Collapsed at t=[\d.]+ s: goodput \d+% of offered load; trigger ended at t=[\d.]+ s\. Offered load is 70% of capacity/);

    // 30 more simulated seconds after the trigger ended: still collapsed.
    await until(page, start + 5 + 30);
    assert.equal((await status(stage)).collapsed, "yes", "it stays collapsed long after the trigger");
    assert.match(await control(figure, "figure-goodput").innerText(), /^\d% \(last 2 s\)$/, "goodput is a few percent at most");

    await control(figure, "defense-load_shedding").click();
    assert.equal(await control(figure, "defense-load_shedding").getAttribute("aria-pressed"), "true");
    await collapsedIs(page, "no");
    assert.match(await announced(figure), /^Recovered at t=[\d.]+ s/);

    const { requestsPerSecond } = await status(stage);
    console.log(`in-browser simulator speed: ${(requestsPerSecond / 1e6).toFixed(2)} M simulated requests/s`);
    assert.ok(requestsPerSecond > 100000, `simulates fast enough: ${requestsPerSecond}`);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("without retries the same dip does not stick", async () => {
  const { page, figure, stage, consoleErrors, close } = await openStorm("light");
  try {
    const start = await prepare(figure, stage);
    await control(figure, "retries").fill("0");
    await control(figure, "trigger").click();
    await until(page, start + 5 + 30);
    assert.equal((await status(stage)).collapsed, "no");
    assert.equal((await status(stage)).tippedAt, null, "no tipping point at all");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("keyboard only, dark theme: T triggers, P pauses, a defense toggles with Enter", async () => {
  const { page, figure, stage, consoleErrors, close } = await openStorm("navy");
  try {
    const start = await prepare(figure, stage);
    await stage.focus();
    const url = page.url();
    await page.keyboard.press("t");
    await collapsedIs(page, "yes");
    assert.ok((await status(stage)).tippedAt > start - 0.5);

    await page.keyboard.press("p");
    assert.equal(await control(figure, "play").getAttribute("aria-pressed"), "false", "P paused it");
    const paused = (await status(stage)).time;
    await page.waitForTimeout(300);
    assert.equal((await status(stage)).time, paused, "no time passes while paused");

    // Tab to the retry-budget toggle and press Enter.
    const budget = control(figure, "defense-retry_budget");
    for (let i = 0; i < 40 && !(await budget.evaluate((node) => node === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    assert.ok(await budget.evaluate((node) => node === document.activeElement), "reached the toggle by Tab");
    await page.keyboard.press("Enter");
    assert.equal(await budget.getAttribute("aria-pressed"), "true");
    await stage.focus();
    await page.keyboard.press("p");
    await collapsedIs(page, "no", 30000);
    assert.match(await announced(figure), /^Recovered at t=/);
    assert.equal(page.url(), url, "the keys never reached mdBook's chapter navigation");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("the plot re-reads the theme's colours on a theme change", async () => {
  const { page, figure, stage, consoleErrors, close } = await openStorm("light");
  try {
    await prepare(figure, stage);
    const pixel = () => figure.locator("canvas").evaluate((canvas) => {
      const ctx = canvas.getContext("2d");
      return Array.from(ctx.getImageData(2, 2, 1, 1).data).join(",");
    });
    const light = await pixel();
    await page.evaluate(() => {
      const html = document.documentElement;
      html.classList.remove("light");
      html.classList.add("coal");
    });
    await page.waitForFunction(
      ([selector, before]) => {
        const canvas = document.querySelector(selector + " canvas");
        return Array.from(canvas.getContext("2d").getImageData(2, 2, 1, 1).data).join(",") !== before;
      },
      [FIGURE, light],
      { timeout: 5000 },
    );
    assert.notEqual(await pixel(), light, "the background follows the theme");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("arrow keys on the widget's controls stay in the widget: the chapter does not turn", async () => {
  const { page, figure, consoleErrors, close } = await openStorm("light");
  try {
    const url = page.url();
    const load = control(figure, "load");
    await load.focus();
    const before = Number(await load.inputValue());
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    assert.equal(Number(await load.inputValue()), before + 20, "the slider still moves");
    await page.keyboard.press("ArrowLeft");
    await control(figure, "defense-backoff").focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowLeft");
    await control(figure, "speed").focus();
    await page.keyboard.press("ArrowLeft");
    await page.waitForTimeout(300);
    assert.equal(page.url(), url, "still on the same chapter");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("Reset switches every defence off and puts the knobs back, as the caption promises", async () => {
  const { page, figure, stage, consoleErrors, close } = await openStorm("light");
  try {
    await prepare(figure, stage);
    await control(figure, "defense-retry_budget").click();
    await control(figure, "defense-queue_timeout").click();
    await control(figure, "retries").fill("1");
    await control(figure, "reset").click();
    for (const name of ["retry_budget", "queue_timeout"]) {
      assert.equal(await control(figure, "defense-" + name).getAttribute("aria-pressed"), "false", name);
    }
    assert.equal(await control(figure, "retries").inputValue(), "3");
    assert.match(await announced(figure), /every defence off/);
    // Caption, literally: Reset, Backoff alone, trigger: it does not come back.
    await control(figure, "defense-backoff").click();
    const start = await prepare(figure, stage);
    await control(figure, "trigger").click();
    await collapsedIs(page, "yes");
    await until(page, start + 5 + 30);
    assert.equal((await status(stage)).collapsed, "yes", "backoff alone never brings it back");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("goodput / offered is smoothed and never above 100%; the queue never reads more than its limit", async () => {
  const { page, figure, stage, consoleErrors, close } = await openStorm("light");
  try {
    await prepare(figure, stage);
    await control(figure, "speed").selectOption("5");
    await control(figure, "play").click();
    const readings = [];
    for (let i = 0; i < 12; i++) {
      await page.waitForTimeout(250);
      readings.push(await control(figure, "figure-goodput").innerText());
    }
    for (const reading of readings) {
      const value = Number(reading.match(/^(\d+)%/)[1]);
      assert.ok(value <= 100 && value >= 85, `healthy and smoothed: ${readings.join(", ")}`);
    }
    // Bulkheads on, then a collapse: the two pools share one limit.
    await control(figure, "neighbor").fill("100");
    await control(figure, "defense-bulkhead").click();
    await control(figure, "speed").selectOption("60");
    await control(figure, "trigger").click();
    await collapsedIs(page, "yes");
    const start = (await status(stage)).time;
    await until(page, start + 20);
    const [queued, limit] = (await control(figure, "figure-queue").innerText()).split(" of ").map((n) => Number(n.replace(/,/g, "")));
    assert.ok(queued <= limit && limit === 5000, `queue ${queued} of ${limit}`);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("on a phone the trigger, Play and the plot share one screen", async () => {
  const { page, figure, close } = await openStorm("light", { width: 390, height: 844 });
  try {
    const trigger = await control(figure, "trigger").boundingBox();
    const play = await control(figure, "play").boundingBox();
    const canvas = await figure.locator("canvas").boundingBox();
    const bottom = canvas.y + canvas.height;
    assert.ok(bottom - Math.min(trigger.y, play.y) <= 844, `Play at ${play.y}, trigger at ${trigger.y}, plot ends at ${bottom}`);
  } finally {
    await close();
  }
});
