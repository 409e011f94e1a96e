// The Module 1 vector-clock stepper as a reader drives it: with the mouse, with the keyboard only,
// undo and reset, in a light and a dark theme. Every vector asserted here is what the `clocks`
// crate computes; the widget must show exactly that.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, widgetsMounted } from "./harness.mjs";

const PAGE = "01-single-node-lie/vector-clocks.html";
const FIGURE = "#viz-vector-clock-stepper";

async function openStepper(theme, viewport) {
  const opened = await openPage(PAGE, { theme, viewport });
  const widgets = await widgetsMounted(opened.page);
  const stepper = widgets.find((widget) => widget.id === "viz-vector-clock-stepper");
  assert.ok(stepper, "the chapter embeds the stepper");
  assert.equal(stepper.mounted, "yes", "the stepper mounted");
  const figure = opened.page.locator(FIGURE);
  await figure.scrollIntoViewIfNeeded();
  return { ...opened, figure };
}

/** The events on screen, in order: [{label, vector}]. */
function events(figure) {
  return figure.locator("[data-event-id]").evaluateAll((nodes) =>
    nodes.map((node) => ({ label: node.dataset.label, vector: node.dataset.vector })),
  );
}

const button = (figure, role) => figure.locator(`button[data-role="${role}"]`);

async function eventByLabel(figure, label) {
  return figure.locator(`[data-event-id][data-label="${label}"]`);
}

test("mouse: local, send, receive show the crate's vectors, and concurrency is reported", async () => {
  const { page, figure, consoleErrors, close } = await openStepper("light");
  try {
    assert.deepEqual(await events(figure), []);
    await button(figure, "local-0").click();
    assert.deepEqual(await events(figure), [{ label: "a1", vector: "[1,0,0]" }]);

    await button(figure, "send-0-1").click();
    assert.deepEqual((await events(figure))[1], { label: "a2", vector: "[2,0,0]" });
    const inFlight = figure.locator('[data-role="in-flight"] button[data-message-id]');
    assert.equal(await inFlight.count(), 1, "m1 is in flight");
    assert.equal(await inFlight.first().getAttribute("data-vector"), "[2,0,0]");
    assert.match(await button(figure, "receive-at-1").innerText(), /Receive m1/);
    assert.ok(await button(figure, "receive-at-0").isDisabled(), "nothing is in flight to A");

    await button(figure, "receive-at-1").click();
    assert.deepEqual((await events(figure))[2], { label: "b1", vector: "[2,1,0]" });
    assert.equal(await inFlight.count(), 0, "m1 was delivered");
    assert.match(
      await figure.locator('[data-role="announce"]').innerText(),
      /B received m1 from A as b1: \[0,0,0\] merged with \[2,0,0\] → \[2,0,0\], then tick → \[2,1,0\]/,
    );
    assert.equal(await figure.locator('[data-role="replica-vector-1"]').innerText(), "[2,1,0]");

    await button(figure, "local-2").click();
    assert.deepEqual((await events(figure))[3], { label: "c1", vector: "[0,0,1]" });

    // a1 then b1: ordered. a1 then c1: concurrent.
    await (await eventByLabel(figure, "a1")).click();
    await (await eventByLabel(figure, "b1")).click();
    assert.match(await figure.locator('[data-role="comparison"]').innerText(), /^a1 → b1/);
    await (await eventByLabel(figure, "c1")).click(); // a third pick starts a new selection
    await (await eventByLabel(figure, "a1")).click();
    const comparison = figure.locator('[data-role="comparison"]');
    assert.match(await comparison.innerText(), /concurrent \(c1 ∥ a1\)/);
    assert.equal(await comparison.getAttribute("data-relation"), "concurrent");

    // One selected event colours its past, future and concurrent events.
    await (await eventByLabel(figure, "a1")).click(); // deselect a1, c1 stays selected
    for (const label of ["a1", "a2", "b1"]) {
      assert.match(await (await eventByLabel(figure, label)).getAttribute("class"), /is-concurrent/, label);
    }

    await button(figure, "toggle-concurrent").click();
    assert.equal(await button(figure, "toggle-concurrent").getAttribute("aria-pressed"), "true");
    const pairs = figure.locator('[data-role="concurrent-pairs"] button');
    assert.deepEqual(await pairs.allInnerTexts(), ["a1 ∥ c1", "a2 ∥ c1", "b1 ∥ c1"]);
    await pairs.nth(2).click(); // highlight one pair: both events selected, a dotted link drawn
    assert.match(await comparison.innerText(), /concurrent \(b1 ∥ c1\)/);
    assert.equal(await figure.locator('[data-event-id][aria-pressed="true"]').count(), 2);
    assert.equal(await figure.locator(".vcs-concurrent-link").count(), 1);

    await button(figure, "undo").click();
    assert.equal((await events(figure)).length, 3, "undo removed c1");
    await button(figure, "undo").click();
    assert.equal(await inFlight.count(), 1, "undoing the receive puts m1 back in flight");
    assert.equal(await figure.locator('[data-role="replica-vector-1"]').innerText(), "[0,0,0]");

    await button(figure, "reset").click();
    assert.deepEqual(await events(figure), []);
    assert.equal(await inFlight.count(), 0);
    assert.ok(await button(figure, "undo").isDisabled());
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("keyboard: the same history without a mouse, and mdBook's keys stay untouched", async () => {
  const { page, figure, consoleErrors, close } = await openStepper("navy");
  try {
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains("navy")));
    const url = page.url();

    // Tab into the widget: its first control takes focus.
    await button(figure, "local-0").focus();
    await page.keyboard.press("1"); // A local
    await page.keyboard.press("s"); // send...
    await page.keyboard.press("1"); // ...from A
    await page.keyboard.press("2"); // ...to B
    assert.equal(
      await page.evaluate(() => document.activeElement && document.activeElement.dataset.role),
      "local-0",
      "focus stayed on the widget's button: s did not open mdBook's search",
    );
    await page.keyboard.press("r"); // deliver the oldest message in flight
    await page.keyboard.press("3"); // C local
    assert.deepEqual(await events(figure), [
      { label: "a1", vector: "[1,0,0]" },
      { label: "a2", vector: "[2,0,0]" },
      { label: "b1", vector: "[2,1,0]" },
      { label: "c1", vector: "[0,0,1]" },
    ]);

    // Arrow keys move between events and never turn the page.
    await page.keyboard.press("ArrowRight"); // from a button: onto the event timeline
    assert.equal(await page.evaluate(() => document.activeElement.dataset.label), "c1");
    await page.keyboard.press("ArrowUp"); // to the nearest event on B's lane
    assert.equal(await page.evaluate(() => document.activeElement.dataset.label), "b1");
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowUp"); // to A's lane
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.evaluate(() => document.activeElement.dataset.label), "a2");
    await page.keyboard.press(" ");
    assert.match(await figure.locator('[data-role="comparison"]').innerText(), /^a2 → b1/);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.evaluate(() => document.activeElement.dataset.label), "c1");
    await page.keyboard.press("Escape");
    assert.equal(await figure.locator('[data-event-id][aria-pressed="true"]').count(), 0);
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("Enter");
    assert.match(await figure.locator('[data-role="comparison"]').innerText(), /concurrent \(c1 ∥ b1\)/);
    assert.equal(page.url(), url, "arrow keys inside the widget did not change chapter");

    await page.keyboard.press("c");
    assert.equal(await button(figure, "toggle-concurrent").getAttribute("aria-pressed"), "true");
    await page.keyboard.press("u");
    await page.keyboard.press("u");
    assert.deepEqual(
      (await events(figure)).map((event) => event.label),
      ["a1", "a2"],
      "two undos took back c1 and the receive",
    );
    assert.match(await figure.locator('[data-role="announce"]').innerText(), /Undid the last step/);
    assert.equal(page.url(), url);

    // Outside the widget its shortcuts do nothing.
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    assert.ok(await page.evaluate(() => document.activeElement === document.body), "focus left the widget");
    await page.keyboard.press("1");
    assert.equal((await events(figure)).length, 2, "1 outside the widget is not a local event");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("the stepper draws in light and dark themes with theme colours and no console errors", async () => {
  const colours = {};
  for (const theme of ["light", "coal"]) {
    const { page, figure, consoleErrors, close } = await openStepper(theme);
    try {
      await button(figure, "local-0").click();
      await button(figure, "send-0-2").click();
      const dot = figure.locator("[data-event-id] circle").first();
      colours[theme] = {
        text: await figure.locator(".vcs-event-vector").first().evaluate((node) => getComputedStyle(node).fill),
        stroke: await dot.evaluate((node) => getComputedStyle(node).stroke),
        page: await page.evaluate(() => getComputedStyle(document.body).color),
      };
      const box = await figure.locator("svg.vcs-svg").boundingBox();
      assert.ok(box && box.width > 100 && box.height > 100, `the timeline is drawn in ${theme}`);
      assert.deepEqual(consoleErrors(), [], `no console errors in ${theme}`);
    } finally {
      await close();
    }
  }
  assert.notEqual(colours.light.text, colours.coal.text, "the vectors' colour follows the theme");
  assert.equal(colours.light.text, colours.light.page, "vectors use the page's text colour (light)");
  assert.equal(colours.coal.text, colours.coal.page, "vectors use the page's text colour (coal)");
});

/** Screen rectangles of the given elements. */
function rects(figure, selector) {
  return figure.locator(selector).evaluateAll((nodes) =>
    nodes.map((node) => {
      const r = node.getBoundingClientRect();
      return { text: node.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    }),
  );
}

const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

test("message labels never sit on an event's name or vector", async () => {
  const { figure, consoleErrors, close } = await openStepper("light");
  try {
    // The history the review tripped on: a message that skips a lane and one that crosses events.
    await button(figure, "local-0").click();
    await button(figure, "send-0-2").click(); // m1 A → C, bowing past B's lane
    await button(figure, "local-1").click();
    await button(figure, "send-1-0").click(); // m2 B → A
    await button(figure, "receive-at-0").click();
    await button(figure, "receive-at-2").click();
    await button(figure, "send-2-1").click(); // m3 in flight
    const labels = await rects(figure, ".vcs-message-label");
    const texts = await rects(figure, ".vcs-event-label, .vcs-event-vector");
    assert.equal(labels.length, 3);
    for (const label of labels) {
      for (const text of texts) {
        assert.ok(!overlap(label, text), `"${label.text}" overlaps "${text.text}"`);
      }
    }
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("Undo, Reset and the pairs toggle have their own row under the replicas", async () => {
  for (const width of [1280, 390]) {
    const { figure, close } = await openStepper("light", { width, height: 900 });
    try {
      const replicas = await rects(figure, ".vcs-replica");
      const [history] = await rects(figure, ".vcs-global");
      const lowest = Math.max(...replicas.map((r) => r.bottom));
      assert.ok(history.top >= lowest - 1, `at ${width} px the history buttons sit below every replica`);
    } finally {
      await close();
    }
  }
});

test("on a phone the lane names stay in view while the timeline scrolls", async () => {
  const { page, figure, close } = await openStepper("light", { width: 390, height: 844 });
  try {
    for (let i = 0; i < 8; i++) await button(figure, "local-" + (i % 3)).click();
    const scroller = figure.locator(".vcs-scroll");
    const scrolled = await scroller.evaluate((node) => {
      node.scrollLeft = node.scrollWidth;
      node.dispatchEvent(new Event("scroll"));
      return node.scrollLeft;
    });
    assert.ok(scrolled > 100, "the timeline is wider than a phone and scrolls");
    await page.waitForTimeout(50);
    const box = await scroller.boundingBox();
    const names = await rects(figure, ".vcs-lane-name");
    assert.deepEqual(names.map((n) => n.text), ["A", "B", "C"]);
    for (const name of names) {
      assert.ok(name.left >= box.x - 1 && name.right <= box.x + box.width + 1, `lane ${name.text} is on screen`);
    }
  } finally {
    await close();
  }
});

test("muted widget text reads at 4.5:1 or more in coal", async () => {
  const { figure, close } = await openStepper("coal");
  try {
    const [fg, bg] = await figure.locator(".vcs-hint").evaluate((node) => {
      let back = node;
      while (back && getComputedStyle(back).backgroundColor.match(/rgba\(.*, 0\)|transparent/)) back = back.parentElement;
      return [getComputedStyle(node).color, getComputedStyle(back || document.body).backgroundColor];
    });
    const channel = (c) => {
      const v = c / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    const luminance = (rgb) => {
      const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).map(Number);
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const [light, dark] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    assert.ok(ratio >= 4.5, `muted text ${fg} on ${bg} is ${ratio.toFixed(2)}:1`);
  } finally {
    await close();
  }
});
