// The Module 3 replication-lag widget, following its caption step by step: async at 300 ms, fail
// the leader, three steps (the promotion at 550 ms, 10 lost at 600 ms), one more, heal, eight
// steps to 1,500 ms (59 acknowledged, 12 lost, 12 divergent, not linearizable, witness on k1);
// semi-sync and sync on the same faults; reset, partition west-1, four steps. Then the same with
// the keyboard only in a dark theme at phone width, checking that no key turned the chapter.
// Every number comes from the `replication` crate; the test checks that the widget forwards the
// reader's actions and shows what the crate computed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openWidget } from "./harness.mjs";

const PAGE = "03-replication/failover-and-fencing.html";
const ID = "viz-replication-lag";

const open = (theme, viewport) => openWidget(PAGE, ID, { theme, viewport });

const control = (figure, role) => figure.locator(`[data-role="${role}"]`);
const data = (stage) => stage.evaluate((node) => ({ ...node.dataset }));
const text = (figure, role) => control(figure, role).innerText();

async function press(figure, role, times = 1) {
  for (let i = 0; i < times; i++) await control(figure, role).click();
}

test("caption: async failover loses 12, semi-sync and sync lose none, a partitioned follower stops sync writes", async () => {
  const { figure, stage, consoleErrors, close } = await open("light");
  try {
    // 1. Async at 300 ms, no faults: east-2 near 0, west-1 near 70 ms; 25 acknowledged, 0 lost.
    let d = await data(stage);
    assert.equal(d.mode, "async");
    assert.equal(await control(figure, "mode-async").getAttribute("aria-pressed"), "true");
    assert.equal(d.now, "300");
    assert.ok(Number(d.lagEast2) < 5, `east-2 near 0: ${d.lagEast2}`);
    assert.ok(Math.abs(Number(d.lagWest1) - 70) < 10, `west-1 near 70 ms: ${d.lagWest1}`);
    assert.equal(await text(figure, "figure-acked"), "25");
    assert.equal(await text(figure, "figure-lost"), "0");
    assert.equal(await text(figure, "figure-verdict"), "linearizable");
    assert.equal(await figure.locator("svg.rlag-chart polyline[data-follower]").count(), 2, "two lag lines");

    // 2. Fail leader, then +100 ms three times: east-2 promoted at epoch 2 by 600 ms, 10 lost.
    await press(figure, "fail");
    assert.match(await text(figure, "announce"), /east-1 and its client cut off at 300 ms/);
    await press(figure, "step", 3);
    d = await data(stage);
    assert.equal(d.now, "600");
    assert.equal(d.leader, "east-2");
    assert.equal(await text(figure, "figure-leader"), "east-2 (2)");
    assert.match(await figure.locator("svg.rlag-chart").textContent(), /east-2 leads, epoch 2/);
    assert.equal(await text(figure, "figure-lost"), "10");

    // 3. +100 ms, heal, +100 ms eight times: 59 acknowledged, 12 lost, 12 divergent, not linearizable.
    await press(figure, "step");
    await press(figure, "heal");
    await press(figure, "step", 8);
    d = await data(stage);
    assert.equal(d.now, "1500");
    assert.equal(await control(figure, "step").isDisabled(), true, "the run ends at 1,500 ms");
    assert.equal(await text(figure, "figure-acked"), "59");
    assert.equal(await text(figure, "figure-lost"), "12");
    assert.equal(await text(figure, "figure-divergent"), "12");
    assert.equal(await text(figure, "figure-verdict"), "NOT linearizable");
    const witness = await text(figure, "witness");
    assert.match(witness, /key k1/);
    assert.match(witness, /c0-20/);
    assert.equal(d.givesUp, "durability");

    // 4. Semi-sync: 24, 0, 1, linearizable. Sync: 15, 0, 0, linearizable; the dot moves.
    await press(figure, "mode-semi-sync");
    assert.deepEqual(
      [await text(figure, "figure-acked"), await text(figure, "figure-lost"), await text(figure, "figure-divergent"), await text(figure, "figure-verdict")],
      ["24", "0", "1", "linearizable"]);
    const dotAsync = await figure.locator("circle.rlag-tri-dot").getAttribute("cx");
    await press(figure, "mode-sync");
    assert.deepEqual(
      [await text(figure, "figure-acked"), await text(figure, "figure-lost"), await text(figure, "figure-divergent"), await text(figure, "figure-verdict")],
      ["15", "0", "0", "linearizable"]);
    assert.equal((await data(stage)).givesUp, "availability");
    assert.notEqual(await figure.locator("circle.rlag-tri-dot").getAttribute("cx"), dotAsync, "the trilemma dot moved");
    assert.equal(await text(figure, "trilemma-gives-up"), "availability");

    // 5. Reset: still sync at 300 ms. Partition west-1, four steps: its lag passes 400 ms, acked stays 7.
    await press(figure, "reset");
    d = await data(stage);
    assert.equal(d.mode, "sync");
    assert.equal(d.now, "300");
    await press(figure, "partition");
    const lags = [];
    const acked = [];
    for (let i = 0; i < 4; i++) {
      await press(figure, "step");
      d = await data(stage);
      lags.push(Number(d.lagWest1));
      acked.push(await text(figure, "figure-acked"));
    }
    assert.ok(lags.every((v, i) => i === 0 || Math.abs(v - lags[i - 1] - 100) < 1), `100 ms a step: ${lags}`);
    assert.ok(lags[3] > 400, `over 400 ms: ${lags}`);
    assert.deepEqual(acked, ["7", "7", "7", "7"]);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("keyboard only, coal, 390 px: F, N, H, 1-3 and R in the figure; no key turns the chapter; nothing overflows", async () => {
  const { page, figure, stage, consoleErrors, close } = await open("coal", { width: 390, height: 844 });
  try {
    const url = page.url();
    await stage.focus();
    await page.keyboard.press("f");
    for (let i = 0; i < 3; i++) await page.keyboard.press("n");
    assert.equal((await data(stage)).leader, "east-2");
    await page.keyboard.press("n");
    await page.keyboard.press("h");
    for (let i = 0; i < 8; i++) await page.keyboard.press("n");
    assert.equal((await data(stage)).lost, "12");
    await page.keyboard.press("1");
    assert.equal((await data(stage)).mode, "sync");
    assert.equal((await data(stage)).lost, "0");
    await page.keyboard.press("3");
    await page.keyboard.press("r");
    assert.equal((await data(stage)).now, "300");
    // Tab to a button and press it with Enter.
    const step = control(figure, "step");
    for (let i = 0; i < 30 && !(await step.evaluate((node) => node === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    assert.ok(await step.evaluate((node) => node === document.activeElement), "reached +100 ms by Tab");
    await page.keyboard.press("Enter");
    assert.equal((await data(stage)).now, "400");
    assert.equal(page.url(), url, "no key reached mdBook's chapter navigation");
    const overflow = await figure.evaluate((node) => node.scrollWidth - node.clientWidth);
    assert.ok(overflow <= 1, `fits 390 px: overflows by ${overflow}px`);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});
