// The Module 8 fencing-tokens widget, following its two captions step by step: the pause view
// (fencing off with a 1,500 ms pause; fencing on; fencing off and a 900 ms pause set with the arrow
// keys; a 1,100 ms pause set by dragging the end of the pause) and the Redlock view (five nodes and a
// 2,000 ms jump; 500 ms; back to 2,000 with monotonic expiry; wall clock and one node). Then the
// widget's own keys in a dark theme, checking that no key turned the chapter, and both views at
// 390 px. Every event comes from the `coordination` crate; the test checks that the widget forwards
// the reader's actions and shows what the crate computed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openWidget } from "./harness.mjs";

const open = openWidget;

const control = (figure, role) => figure.locator(`[data-role="${role}"]`);
const data = (stage) => stage.evaluate((node) => ({ ...node.dataset }));
const text = async (figure, role) => (await control(figure, role).innerText()).trim();

/** "client:token@ms,…" as objects. */
const grants = (d) => d.grants.split(",").filter(Boolean).map((g) => {
  const [who, at] = g.split("@");
  const [client, token] = who.split(":").map(Number);
  return { client, token, t: Number(at) };
});
/** "client:token:value:state@ms,…" as objects. */
const writes = (d) => d.writes.split(",").filter(Boolean).map((w) => {
  const [what, at] = w.split("@");
  const [client, token, value, state] = what.split(":");
  return { client: Number(client), token: Number(token), value: Number(value), state, t: Number(at) };
});
const near = (actual, expected, slack, what) =>
  assert.ok(Math.abs(actual - expected) <= slack, `${what}: ${actual}, expected about ${expected}`);

async function waitFor(page, stage, key, value) {
  await page.waitForFunction(([node, k, v]) => node.dataset[k] === v, [await stage.elementHandle(), key, value], { timeout: 5000 });
  return data(stage);
}

/** Focuses a control by pressing Tab from the figure, as a keyboard reader would. */
async function tabTo(page, locator) {
  const figure = locator.locator("xpath=ancestor::figure[1]");
  if (!(await figure.evaluate((node) => node.contains(document.activeElement)))) {
    await figure.locator(".dsip-viz-stage").focus();
  }
  for (let i = 0; i < 40 && !(await locator.evaluate((node) => node === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  assert.ok(await locator.evaluate((node) => node === document.activeElement), "reached the control by Tab");
}

test("pause caption: 1,500 ms unfenced, fencing on, 900 ms by the arrow keys, 1,100 ms by dragging", async () => {
  const { page, figure, stage, consoleErrors, close } = await open("08-coordination/leases-and-fencing.html", "viz-pause", { theme: "light" });
  try {
    // 1. Fencing off, client 1 frozen at 5 ms for 1,500 ms.
    let d = await data(stage);
    assert.equal(await control(figure, "fencing-off").getAttribute("aria-pressed"), "true");
    assert.equal(await control(figure, "pause-ms").inputValue(), "1500");
    assert.equal(await control(figure, "pause-at").inputValue(), "5");
    assert.equal(await figure.locator("svg .fence-pause").count(), 1, "the shaded pause on client 1's lane");
    const [first, second] = grants(d);
    assert.deepEqual([first.client, first.token, second.client, second.token], [1, 33, 2, 34]);
    near(second.t, 1043, 2, "token 34 goes to client 2");
    assert.match(await text(figure, "announce"), /lease ends at 1,002\.7 ms/);
    let w = writes(d);
    assert.ok(w.some((x) => x.client === 2 && x.token === 34 && x.value === 1 && x.state === "accepted"), "client 2 writes 1 with 34");
    const stale = w.find((x) => x.client === 1 && x.token === 33);
    assert.equal(stale.state, "stale", "client 1's write with 33 is accepted, stale");
    near(stale.t, 1517, 2, "the stale write");
    assert.equal(await figure.locator("svg text", { hasText: "1 (token 33) stale" }).count(), 1, "the storage lane marks it");
    assert.equal(await text(figure, "figure-stale"), "1");
    assert.equal(await text(figure, "figure-value"), "1 (expected 2)");
    assert.equal(await text(figure, "figure-verdict"), "not linearizable");

    // 2. Fencing on: 33 refused, client 1 takes 35 and writes 2.
    await control(figure, "fencing-on").click();
    d = await waitFor(page, stage, "fencing", "true");
    w = writes(d);
    assert.equal(w.find((x) => x.client === 1 && x.token === 33).state, "refused");
    assert.ok(grants(d).some((g) => g.client === 1 && g.token === 35), "client 1 takes token 35");
    assert.ok(w.some((x) => x.client === 1 && x.token === 35 && x.value === 2 && x.state === "accepted"), "and writes 2");
    assert.equal(await figure.locator("svg text", { hasText: "1 (token 33) refused" }).count(), 1);
    assert.equal(await text(figure, "figure-stale"), "0");
    assert.equal(await text(figure, "figure-value"), "2 (expected 2)");
    assert.equal(await text(figure, "figure-verdict"), "linearizable");

    // 3. Fencing off again; the pause to 900 ms with the arrow keys (100 ms a press).
    await control(figure, "fencing-off").click();
    await waitFor(page, stage, "fencing", "false");
    const slider = control(figure, "pause-ms");
    await tabTo(page, slider);
    for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowLeft");
    d = await waitFor(page, stage, "pauseMs", "900");
    w = writes(d);
    const early = w.find((x) => x.client === 1 && x.token === 33);
    assert.equal(early.state, "accepted");
    near(early.t, 918, 2, "client 1 writes inside its lease");
    const later = grants(d).find((g) => g.client === 2);
    assert.ok(later.token === 34 && later.t > early.t, "client 2 gets 34 afterwards");
    assert.match(await control(figure, "events").innerText(), /client 2 reads 1 with token 34/);
    assert.ok(w.some((x) => x.client === 2 && x.token === 34 && x.value === 2 && x.state === "accepted"), "and writes 2");
    assert.equal(await text(figure, "figure-value"), "2 (expected 2)");
    assert.equal(await text(figure, "figure-verdict"), "linearizable");
    // ... with or without fencing.
    await control(figure, "fencing-on").click();
    await waitFor(page, stage, "fencing", "true");
    assert.equal(await text(figure, "figure-value"), "2 (expected 2)");
    assert.equal(await text(figure, "figure-verdict"), "linearizable");
    await control(figure, "fencing-off").click();
    await waitFor(page, stage, "fencing", "false");

    // 4. 1,100 ms, by dragging the end of the shaded bar: the stale write lands at about 1,117 ms.
    const handle = control(figure, "pause-handle");
    const box = await handle.boundingBox();
    const chart = await figure.locator("svg.fence-chart").boundingBox();
    const msPerPixel = await figure.locator("svg.fence-chart").evaluate((svgNode) => {
      const ticks = [...svgNode.querySelectorAll(".fence-tick")].map((t) => t.getBoundingClientRect().x + t.getBoundingClientRect().width / 2);
      const labels = [...svgNode.querySelectorAll(".fence-tick")].map((t) => Number(t.textContent.replace(/[^0-9]/g, "")));
      return (labels[1] - labels[0]) / (ticks[1] - ticks[0]);
    });
    assert.ok(chart.width > 0);
    const from = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 100 / msPerPixel, from.y, { steps: 5 });
    await page.mouse.move(from.x + 200 / msPerPixel, from.y, { steps: 5 });
    await page.mouse.up();
    d = await waitFor(page, stage, "pauseMs", "1100");
    assert.equal(await control(figure, "pause-ms").inputValue(), "1100", "the slider follows the drag");
    w = writes(d);
    const landed = w.find((x) => x.client === 1 && x.token === 33);
    assert.equal(landed.state, "stale");
    near(landed.t, 1117, 2, "the stale write");
    const client2 = w.find((x) => x.client === 2);
    assert.ok(client2.t < landed.t, "after client 2's write");
    assert.equal(await text(figure, "figure-value"), "1 (expected 2)");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("Redlock caption: 5 nodes and a 2,000 ms jump, 500 ms, monotonic expiry, one node", async () => {
  const { page, figure, stage, consoleErrors, close } = await open("08-coordination/redlock.html", "viz-redlock", { theme: "light" });
  try {
    // 1. Five nodes, wall clock, C jumps 2,000 ms at 200 ms: two holders for 638 ms.
    let d = await data(stage);
    assert.equal(await control(figure, "nodes-5").getAttribute("aria-pressed"), "true");
    assert.equal(await control(figure, "expiry-wall").getAttribute("aria-pressed"), "true");
    assert.equal(await control(figure, "jump-ms").inputValue(), "2000");
    assert.equal(d.nodes, "5");
    assert.equal(await figure.locator("svg .fence-jump").count(), 1, "the red mark on C's lane");
    assert.equal(await figure.locator("svg text", { hasText: "clock +2,000 ms" }).count(), 1);
    assert.ok(await figure.locator("svg .fence-unreachable").count() >= 4, "D, E and A, B shaded");
    assert.equal(d.holds, "1:50-988:ABC,2:350-1288:CDE");
    assert.equal(await text(figure, "figure-client1"), "holds 50 ms to 988 ms (won A, B, C)");
    assert.equal(await text(figure, "figure-client2"), "holds 350 ms to 1,288 ms (won C, D, E)");
    assert.equal(await figure.locator("svg .fence-overlap").count(), 1, "the overlap is shaded");
    assert.equal(await text(figure, "figure-outcome"), "two holders at once for 638 ms");

    // 2. The jump to 500 ms with the arrow keys: C refuses, client 2 wins only D and E.
    const url = page.url();
    await tabTo(page, control(figure, "jump-ms"));
    for (let i = 0; i < 15; i++) await page.keyboard.press("ArrowLeft");
    d = await waitFor(page, stage, "jumpMs", "500");
    assert.equal(page.url(), url, "the arrow keys moved the slider, not the chapter");
    assert.equal(d.twoHolders, "false");
    assert.equal(await text(figure, "figure-client2"), "failed (won only D, E)");
    assert.equal(await text(figure, "figure-outcome"), "one holder");
    assert.equal(await figure.locator("svg text", { hasText: "failed: no majority" }).count(), 1);

    // 3. Back to 2,000 ms, then monotonic expiry: one holder.
    for (let i = 0; i < 15; i++) await page.keyboard.press("ArrowRight");
    d = await waitFor(page, stage, "jumpMs", "2000");
    assert.equal(d.twoHolders, "true");
    await control(figure, "expiry-monotonic").click();
    d = await waitFor(page, stage, "monotonic", "true");
    assert.equal(await text(figure, "figure-outcome"), "one holder");

    // 4. Wall clock again, then one node: two holders for 683.9 ms.
    await control(figure, "expiry-wall").click();
    await waitFor(page, stage, "monotonic", "false");
    await control(figure, "nodes-1").click();
    d = await waitFor(page, stage, "nodes", "1");
    assert.equal(await control(figure, "nodes-1").getAttribute("aria-pressed"), "true");
    assert.equal(await text(figure, "figure-outcome"), "two holders at once for 683.9 ms");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("keyboard only, coal: F, [ and ] in the pause view, M, N and ] in the Redlock view; no key turns the chapter", async () => {
  for (const [path, id] of [["08-coordination/leases-and-fencing.html", "viz-pause"], ["08-coordination/redlock.html", "viz-redlock"]]) {
    const { page, figure, stage, consoleErrors, close } = await open(path, id, { theme: "coal" });
    try {
      const url = page.url();
      await stage.focus();
      if (id === "viz-pause") {
        await page.keyboard.press("f");
        await waitFor(page, stage, "fencing", "true");
        assert.equal(await control(figure, "fencing-on").getAttribute("aria-pressed"), "true");
        await page.keyboard.press("[");
        await page.keyboard.press("[");
        await waitFor(page, stage, "pauseMs", "1300");
        await page.keyboard.press("]");
        await waitFor(page, stage, "pauseMs", "1400");
        assert.equal(await text(figure, "figure-verdict"), "linearizable");
        // Enter on a focused button works as a click.
        await tabTo(page, control(figure, "fencing-off"));
        await page.keyboard.press("Enter");
        await waitFor(page, stage, "fencing", "false");
        assert.equal(await text(figure, "figure-verdict"), "not linearizable");
      } else {
        await page.keyboard.press("m");
        await waitFor(page, stage, "monotonic", "true");
        await page.keyboard.press("m");
        await waitFor(page, stage, "monotonic", "false");
        await page.keyboard.press("n");
        await waitFor(page, stage, "nodes", "1");
        await page.keyboard.press("]");
        await waitFor(page, stage, "jumpMs", "2100");
        assert.equal(await text(figure, "figure-outcome").then((t) => t.startsWith("two holders")), true);
      }
      // Arrow keys on the page (outside a slider) are mdBook's; inside the figure they never were.
      assert.equal(page.url(), url, "no key reached mdBook's chapter navigation");
      const colours = await figure.evaluate((node) => {
        const style = getComputedStyle(node);
        return { fg: style.color, bg: getComputedStyle(document.body).backgroundColor };
      });
      assert.notEqual(colours.fg, colours.bg, "text is visible in coal");
      assert.deepEqual(consoleErrors(), []);
    } finally {
      await close();
    }
  }
});

test("both views fit a 390 px phone", async () => {
  for (const [path, id] of [["08-coordination/leases-and-fencing.html", "viz-pause"], ["08-coordination/redlock.html", "viz-redlock"]]) {
    const { figure, consoleErrors, close } = await open(path, id, { theme: "light", viewport: { width: 390, height: 844 } });
    try {
      const sizes = await figure.evaluate((node) => ({ scroll: node.scrollWidth, client: node.clientWidth, right: node.getBoundingClientRect().right }));
      assert.ok(sizes.scroll <= sizes.client + 1, `no horizontal scroll inside the figure: ${JSON.stringify(sizes)}`);
      assert.ok(sizes.right <= 391, `the figure ends inside the screen: ${JSON.stringify(sizes)}`);
      const chart = await figure.locator("svg.fence-chart").boundingBox();
      assert.ok(chart.width > 300, `the timeline uses the width: ${chart.width}`);
      assert.deepEqual(consoleErrors(), []);
    } finally {
      await close();
    }
  }
});
