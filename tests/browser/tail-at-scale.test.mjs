// The Module 9 tail-at-scale widget, following its two captions step by step: the fan-out panel
// (1 → 10 → 100 leaves, hedging on, slow mode off, 1,000 leaves at 0.1%, backup after the p99) and the
// queue panel (one server at 80%, K to the knee, + steps, 16 and 64 servers, 95%); then the same with
// the keyboard only in a dark theme, checking that no key turned the chapter. Every number comes from
// the `tail-latency` crate; the test checks the widget forwards the reader's actions and shows what the
// crate computed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, widgetsMounted } from "./harness.mjs";

async function open(path, id, theme) {
  const opened = await openPage(path, { theme });
  const widgets = await widgetsMounted(opened.page);
  const widget = widgets.find((w) => w.id === id);
  assert.ok(widget, `the page embeds ${id}`);
  assert.equal(widget.mounted, "yes", "the widget mounted");
  const figure = opened.page.locator("#" + id);
  await figure.scrollIntoViewIfNeeded();
  return { ...opened, figure, stage: figure.locator(".dsip-viz-stage") };
}

const control = (figure, role) => figure.locator(`[data-role="${role}"]`);
const data = (stage) => stage.evaluate((node) => ({ ...node.dataset }));

/** Waits until the stage reports `leaves` (the widget recomputes on the next animation frame). */
async function leavesAre(page, stage, leaves) {
  await page.waitForFunction(([node, n]) => node.dataset.leaves === String(n), [await stage.elementHandle(), leaves]);
  return data(stage);
}

async function settled(page) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

test("fan-out caption: 1, 10, 100 leaves; hedging on; slow mode off; 1,000 at 0.1%; backup after the p99", async () => {
  const { page, figure, stage, consoleErrors, close } = await open("09-operating-it/tail-at-scale.html", "viz-fanout", "light");
  try {
    // 1. One leaf, 1% slow at 1,000 ms: leaf and request are the same, the p99 tens of ms.
    let d = await leavesAre(page, stage, 1);
    assert.equal(await control(figure, "slow-percent").inputValue(), "1");
    assert.equal(await control(figure, "slow-ms").inputValue(), "1000");
    assert.equal(d.leafP99, d.requestP99, "one leaf: the request is the leaf");
    assert.ok(Number(d.requestP99) < 100, `p99 tens of ms: ${d.requestP99}`);

    // 2. 10, then 100: the leaf's p50 stays; the request's p50 passes a second; 63.4%.
    await control(figure, "fanout-preset-10").click();
    const ten = await leavesAre(page, stage, 10);
    await control(figure, "fanout-preset-100").click();
    d = await leavesAre(page, stage, 100);
    assert.ok(Math.abs(Number(d.leafP50) - Number(ten.leafP50)) < 1, "the leaf bars stay put");
    assert.ok(Number(d.requestP50) > 1000, `request p50 past a second: ${d.requestP50}`);
    assert.equal(await control(figure, "figure-p-slow").innerText(), "63.4%");

    // 3. 10 leaves, hedging on (after the p95): the hedged p99 falls to tens of ms for about 5% more.
    await control(figure, "fanout-preset-10").click();
    await leavesAre(page, stage, 10);
    assert.equal(await control(figure, "hedge").innerText(), "Hedging: off");
    await control(figure, "hedge").click();
    assert.equal(await control(figure, "hedge").getAttribute("aria-pressed"), "true");
    await page.waitForFunction((node) => node.dataset.hedgedP99 !== undefined, await stage.elementHandle());
    d = await data(stage);
    assert.ok(Number(d.requestP99) > 1000 && Number(d.hedgedP99) < 100, `hedged: ${d.requestP99} -> ${d.hedgedP99}`);
    assert.ok(Math.abs(Number(d.extraLoad) - 0.05) < 0.01, `about 5%: ${d.extraLoad}`);
    assert.match(await control(figure, "figure-extra-load").innerText(), /^[45]\.\d% \(after/);
    assert.equal(await figure.locator("svg.tas-bars .tas-bar-hedged").count(), 3, "a third row, the hedged request");
    // ... and at 100 leaves the hedged request is still around a second.
    await control(figure, "fanout-preset-100").click();
    d = await leavesAre(page, stage, 100);
    assert.ok(Number(d.hedgedP99) > 900, `still around a second: ${d.hedgedP99}`);

    // 4. Slow mode 0%: no seconds anywhere. Then 1,000 leaves at 0.1%: 63.2%; backup after the p99.
    await control(figure, "slow-percent").fill("0");
    await settled(page);
    await page.waitForFunction((node) => Number(node.dataset.requestP99) < 100, await stage.elementHandle());
    d = await data(stage);
    assert.ok(Number(d.hedgedP99) < 100, `no seconds: ${JSON.stringify(d)}`);
    await control(figure, "fanout-preset-1000").click();
    await control(figure, "slow-percent").fill("0.1");
    await page.waitForFunction((node) => node.dataset.leaves === "1000" && Number(node.dataset.pSlow) > 0.6, await stage.elementHandle());
    d = await data(stage);
    assert.equal(await control(figure, "figure-p-slow").innerText(), "63.2%");
    assert.ok(Number(d.requestP50) > 1000, `median back over a second: ${d.requestP50}`);
    const afterP95 = d;
    await control(figure, "hedge-quantile").selectOption("0.99");
    await page.waitForFunction((node) => Number(node.dataset.extraLoad) < 0.02, await stage.elementHandle());
    d = await data(stage);
    assert.ok(Math.abs(Number(d.extraLoad) - 0.01) < 0.004, `about 1%: ${d.extraLoad}`);
    assert.ok(Number(d.hedgedP99) > Number(afterP95.hedgedP99), `a later backup cuts less: ${afterP95.hedgedP99} -> ${d.hedgedP99}`);

    const rate = Number(d.callsPerSecond);
    console.log(`in-browser fan-out simulator: ${(rate / 1e6).toFixed(2)} M simulated leaf calls/s`);
    assert.ok(rate > 1e6, `simulates fast enough: ${rate}`);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("queue caption: one server at 80%, K to the knee, + steps, 16 and 64 servers, 95%", async () => {
  const { page, figure, stage, consoleErrors, close } = await open("09-operating-it/capacity.html", "viz-queue", "light");
  try {
    // 1. One server at 80%: above the knee at 50%, four service times.
    assert.equal(await control(figure, "utilization").inputValue(), "80");
    assert.equal(await control(figure, "figure-knee").innerText(), "50.0%");
    assert.equal(await control(figure, "figure-wait").innerText(), "4.00 × service time");
    assert.match(await control(figure, "announce").innerText(), /above the knee/);

    // 2. K jumps to the knee; + steps grow the wait faster each time.
    await stage.focus();
    await page.keyboard.press("k");
    assert.equal(await control(figure, "utilization").inputValue(), "50");
    assert.match(await control(figure, "announce").innerText(), /at the knee/);
    const waits = [Number((await data(stage)).wait)];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("+");
      waits.push(Number((await data(stage)).wait));
    }
    assert.equal(await control(figure, "utilization").inputValue(), "65");
    const steps = waits.slice(1).map((w, i) => w - waits[i]);
    assert.ok(steps[0] < steps[1] && steps[1] < steps[2], `each step costs more: ${waits}`);

    // 3. 16 then 64 servers at 80%: the point drops, the knee moves right; 95% on 64: a wall.
    await control(figure, "utilization").fill("80");
    await control(figure, "servers").selectOption("16");
    const sixteen = await data(stage);
    assert.equal(await control(figure, "figure-knee").innerText(), "81.0%");
    await control(figure, "servers").selectOption("64");
    const sixtyFour = await data(stage);
    assert.equal(await control(figure, "figure-knee").innerText(), "90.0%");
    assert.ok(Number(sixtyFour.wait) < Number(sixteen.wait) && Number(sixteen.wait) < 4, "the point drops");
    await control(figure, "utilization").fill("95");
    const wall = await data(stage);
    assert.ok(Number(wall.wait) > 10 * Number(sixtyFour.wait), `a wall: ${sixtyFour.wait} -> ${wall.wait}`);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("keyboard only, coal: H, ] and [ in the figure; arrows on a slider never turn the chapter", async () => {
  const { page, figure, stage, consoleErrors, close } = await open("09-operating-it/tail-at-scale.html", "viz-fanout", "coal");
  try {
    const url = page.url();
    await stage.focus();
    await page.keyboard.press("]");
    await leavesAre(page, stage, 2);
    await page.keyboard.press("]");
    await leavesAre(page, stage, 4);
    await page.keyboard.press("[");
    await leavesAre(page, stage, 2);
    await page.keyboard.press("h");
    await page.waitForFunction((node) => node.getAttribute("aria-pressed") === "true",
      await control(figure, "hedge").elementHandle(), { timeout: 5000 });
    // Tab to the fan-out slider and move it with the arrow keys.
    const slider = control(figure, "fanout");
    for (let i = 0; i < 30 && !(await slider.evaluate((node) => node === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    assert.ok(await slider.evaluate((node) => node === document.activeElement), "reached the slider by Tab");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowLeft");
    await leavesAre(page, stage, 3);
    // Enter on the hedging button switches it off again.
    const hedge = control(figure, "hedge");
    for (let i = 0; i < 30 && !(await hedge.evaluate((node) => node === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    await page.keyboard.press("Enter");
    await page.waitForFunction((node) => node.getAttribute("aria-pressed") === "false", await hedge.elementHandle(), { timeout: 5000 });
    assert.equal(page.url(), url, "no key reached mdBook's chapter navigation");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});
