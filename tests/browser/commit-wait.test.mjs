// The Module 10 commit-wait widget, following its caption step by step: ε = 4 ms with the wait on
// (s1 +4.5, wait 8.0 ms, T2 at +10.0 with s2 +10.5, holds by 6.0); the wait off (broken by 2.0);
// ε 1.0 (holds by 1.0) and 2.0 (a tie, broken); the wait back on at 7.0 ms (14.0 ms, holds by 9.0).
// Then the same with the keyboard only in a dark theme and at phone width, checking that no key
// turned the chapter. Every number comes from the `clocks` crate; the test checks the widget
// forwards the reader's actions and shows what the crate computed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openWidget } from "./harness.mjs";

const PAGE = "10-teardown/spanner.html";

const open = (theme, viewport) => openWidget(PAGE, "viz-commit-wait", { theme, viewport });

const control = (figure, role) => figure.locator(`[data-role="${role}"]`);
const text = (figure, name) => control(figure, "figure-" + name).innerText();

/** What a reader sees in the figures, read in one go. */
async function seen(figure) {
  return {
    s1: await text(figure, "s1"),
    wait: await text(figure, "wait"),
    start: await text(figure, "t2-start"),
    s2: await text(figure, "s2"),
    order: await text(figure, "order"),
  };
}

async function epsilonIs(page, stage, us) {
  await page.waitForFunction(([node, v]) => node.dataset.epsilonUs === String(v), [await stage.elementHandle(), us]);
}

test("caption: 4 ms with the wait, without it, 1 and 2 ms without, 7 ms with", async () => {
  const { page, figure, stage, consoleErrors, close } = await open("light");
  try {
    // 1. ε 4.0 ms on A, commit wait on; the sawtooth marks T1's commit 15 s after A's sync.
    assert.equal(await control(figure, "epsilon").inputValue(), "4");
    assert.equal(await control(figure, "wait").innerText(), "Commit wait: on");
    assert.equal(await control(figure, "wait").getAttribute("aria-pressed"), "true");
    assert.match(await control(figure, "sawtooth").locator("text.cw-label").textContent(), /T1 commits: ε = 4\.0 ms/);
    const markerX = Number(await control(figure, "sawtooth").locator("circle.cw-marker").getAttribute("cx"));
    assert.ok(Math.abs(markerX - (40 + (480 - 54) * 0.25)) < 1, `15 s of a 60 s axis: ${markerX}`);
    assert.deepEqual(await seen(figure), {
      s1: "+4.5 ms", wait: "8.0 ms (about 2ε)", start: "+10.0 ms", s2: "+10.5 ms", order: "s1 < s2 by 6.0 ms: holds",
    });
    assert.match(await control(figure, "announce").innerText(), /^Commit wait held T1 for 8\.0 ms/);

    // 2. Switch the wait off: visible at once, T2 at +2.0 with s2 +2.5, broken by 2.0 ms; on the
    // timeline T2's stamp is left of the s1 guide.
    await control(figure, "wait").click();
    assert.equal(await control(figure, "wait").innerText(), "Commit wait: off");
    assert.equal(await control(figure, "wait").getAttribute("aria-pressed"), "false");
    assert.deepEqual(await seen(figure), {
      s1: "+4.5 ms", wait: "skipped", start: "+2.0 ms", s2: "+2.5 ms", order: "s2 ≤ s1 by 2.0 ms: broken",
    });
    const timeline = control(figure, "timeline");
    const guide = Number(await timeline.locator("line.cw-s1-guide").getAttribute("x1"));
    const stamps = timeline.locator("line.cw-stamp");
    assert.equal(await stamps.count(), 2);
    const s2x = Number(await stamps.nth(1).getAttribute("x1"));
    assert.ok(s2x < guide, `T2's stamp (${s2x}) left of s1's line (${guide})`);
    assert.equal(await timeline.locator("rect.cw-wait").count(), 0, "no wait bar");
    assert.match(await control(figure, "announce").innerText(), /External consistency is broken\.$/);

    // 3. ε down to 1.0 ms: holds by 1.0, only because the gap covers A's lead; 2.0 ms: a tie.
    await control(figure, "epsilon").fill("1");
    await epsilonIs(page, stage, 1000);
    assert.equal(await text(figure, "order"), "s1 < s2 by 1.0 ms: holds");
    assert.match(await control(figure, "announce").innerText(), /happened to cover A's lead/);
    await control(figure, "epsilon").fill("2");
    await epsilonIs(page, stage, 2000);
    assert.equal(await text(figure, "order"), "s2 ≤ s1 by 0.0 ms: broken");

    // 4. The wait back on, ε to 7.0 ms: 14.0 ms, holds by 9.0.
    await control(figure, "wait").click();
    await control(figure, "epsilon").fill("7");
    await page.waitForFunction((node) => node.dataset.wait === "true" && Number(node.dataset.epsilonUs) > 6900, await stage.elementHandle());
    assert.equal(await text(figure, "wait"), "14.0 ms (about 2ε)");
    assert.equal(await text(figure, "order"), "s1 < s2 by 9.0 ms: holds");
    assert.equal(await timeline.locator("rect.cw-wait").count(), 1, "the wait is drawn");
    // ... and at every ε on the slider the order holds with the wait.
    for (let e = 1; e <= 7; e += 0.5) {
      await control(figure, "epsilon").fill(String(e));
      await page.waitForFunction(([node, v]) => Math.abs(Number(node.dataset.epsilonUs) - v) <= 5, [await stage.elementHandle(), e * 1000]);
      assert.equal((await stage.evaluate((node) => node.dataset.consistent)), "true", `holds at ${e} ms`);
    }
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("keyboard only, coal, 390 px: W and [ ] in the figure; arrows on the slider never turn the chapter", async () => {
  const { page, figure, stage, consoleErrors, close } = await open("coal", { width: 390, height: 844 });
  try {
    const url = page.url();
    const width = await figure.evaluate((node) => node.getBoundingClientRect().width);
    assert.ok(width <= 390, `fits the phone: ${width}`);
    const overflow = await figure.evaluate((node) => node.scrollWidth - node.clientWidth);
    assert.ok(overflow <= 1, `no horizontal scroll in the figure: ${overflow}`);

    await stage.focus();
    await page.keyboard.press("w");
    await page.waitForFunction((node) => node.dataset.wait === "false", await stage.elementHandle());
    assert.equal(await text(figure, "order"), "s2 ≤ s1 by 2.0 ms: broken");
    await page.keyboard.press("[");
    await page.keyboard.press("[");
    await page.keyboard.press("[");
    await page.keyboard.press("[");
    await page.keyboard.press("[");
    await page.keyboard.press("[");
    await epsilonIs(page, stage, 1000);
    assert.equal(await text(figure, "order"), "s1 < s2 by 1.0 ms: holds");
    await page.keyboard.press("]");
    await page.keyboard.press("]");
    await epsilonIs(page, stage, 2000);
    assert.equal(await text(figure, "order"), "s2 ≤ s1 by 0.0 ms: broken");
    await page.keyboard.press("W");
    await page.waitForFunction((node) => node.dataset.wait === "true", await stage.elementHandle());
    assert.equal(await text(figure, "wait"), "4.0 ms (about 2ε)");

    // Tab to the slider and move it with the arrow keys.
    const slider = control(figure, "epsilon");
    for (let i = 0; i < 20 && !(await slider.evaluate((node) => node === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    assert.ok(await slider.evaluate((node) => node === document.activeElement), "reached the slider by Tab");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowLeft");
    await epsilonIs(page, stage, 2500);
    assert.equal(await text(figure, "wait"), "5.0 ms (about 2ε)");
    // Enter on the wait button switches it off.
    const button = control(figure, "wait");
    for (let i = 0; i < 20 && !(await button.evaluate((node) => node === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    await page.keyboard.press("Enter");
    await page.waitForFunction((node) => node.getAttribute("aria-pressed") === "false", await button.elementHandle());
    await page.keyboard.press("ArrowRight"); // on the button: stays in the figure
    await page.keyboard.press("ArrowLeft");
    assert.equal(page.url(), url, "no key reached mdBook's chapter navigation");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});
