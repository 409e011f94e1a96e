// The Module 5 isolation-stepper widget, following its caption step by step: Hermitage's G2-item at
// repeatable read (ten steps, both commit, the rw cycle, G2-item), the same case at serializable (T2's
// commit fails, no edge, no anomaly), and the reader's own interleaving at read committed (T2 waits
// for T1's row lock and finishes when T1 commits). Then the keys, in a dark theme on a 390 px phone:
// N and R in the figure, Enter on a button, no key turning the chapter, nothing wider than the screen.
// Every answer comes from the `transactions` crate; the test checks the widget shows what it computed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { openWidget } from "./harness.mjs";

const PAGE = "05-transactions/isolation-levels.html";
const ID = "viz-isolation-stepper";

const open = (theme, viewport) => openWidget(PAGE, ID, { theme, viewport });

const control = (figure, role) => figure.locator(`[data-role="${role}"]`);
const data = (stage) => stage.evaluate((node) => ({ ...node.dataset }));
const steps = (figure) => figure.locator(".iss-steps li").allInnerTexts();

async function pressNext(figure, times) {
  for (let i = 0; i < times; i++) await control(figure, "next").click();
}

test("caption, steps 1 to 3: write skew at repeatable read, caught at serializable, a wait at read committed", async () => {
  const { figure, stage, consoleErrors, close } = await open("light");
  try {
    // 1. Opens on G2-item at repeatable read; ten Next steps; both commit; two rw edges on the cycle.
    const caseSelect = control(figure, "case");
    assert.equal(await caseSelect.inputValue(), "g2-item-repeatable-read");
    assert.equal(await caseSelect.locator("option:checked").innerText(), "G2-item: write skew (repeatable read)");
    // The list offers every script the PostgreSQL comparison plays, no more and no fewer (and
    // "free", the reader's own interleaving).
    const scripts = readdirSync(new URL("../../playground-crates/transactions/scripts/", import.meta.url))
      .filter((name) => name.endsWith(".txt"))
      .map((name) => name.slice(0, -4));
    const offered = await caseSelect.locator("option").evaluateAll((options) => options.map((o) => o.value));
    assert.deepEqual(offered.filter((id) => id !== "free").sort(), scripts.sort());
    await pressNext(figure, 10);
    let d = await data(stage);
    assert.equal(d.played, "10");
    assert.equal(d.left, "0");
    assert.ok(await control(figure, "next").isDisabled(), "the case is over");
    let rows = await steps(figure);
    assert.equal(rows.length, 10);
    assert.ok(rows[8].includes("commit → ok") && rows[9].includes("commit → ok"), `both commit: ${rows.slice(8)}`);
    const edges = figure.locator(".iss-graph path.iss-edge");
    assert.equal(await edges.count(), 2);
    assert.equal(await figure.locator(".iss-graph path.iss-rw.iss-cycle").count(), 2, "two dashed rw edges, on the cycle");
    const labels = (await figure.locator(".iss-graph .iss-edge-label").allTextContents()).sort();
    assert.deepEqual(labels, ["rw (1)", "rw (2)"]);
    const graphLabel = await control(figure, "graph").getAttribute("aria-label");
    assert.ok(graphLabel.includes("T1 rw on row 2 to T2") && graphLabel.includes("T2 rw on row 1 to T1"), graphLabel);
    assert.equal(await control(figure, "figure-anomaly").innerText(), "G2-item (write skew)");
    assert.equal(await control(figure, "figure-cycle").innerText(), "T1 -rw(2)-> T2 -rw(1)-> T1");

    // 2. The serializable case: ten steps; T2's commit fails; only T1 committed; no edge, no anomaly.
    await caseSelect.selectOption({ label: "G2-item: write skew (serializable)" });
    assert.equal((await data(stage)).played, "0");
    await pressNext(figure, 10);
    d = await data(stage);
    assert.equal(d.last, "T2 commit -> error: serialization failure");
    rows = await steps(figure);
    assert.ok(rows[9].includes("commit → error: serialization failure"), rows[9]);
    assert.equal(await edges.count(), 0, "no edge");
    assert.equal(await control(figure, "figure-anomaly").innerText(), "none: what committed is serializable");
    assert.ok((await control(figure, "column-T1").innerText()).includes("committed"));
    assert.ok((await control(figure, "column-T2").innerText()).includes("rolled back"));

    // 3. Your own interleaving at read committed: T2 waits for T1's row 1, then finishes.
    await caseSelect.selectOption({ label: "Your own interleaving" });
    await control(figure, "level").selectOption({ label: "read committed" });
    await control(figure, "step-T1").selectOption("set 1 11");
    await control(figure, "run-T1").click();
    await control(figure, "step-T2").selectOption("set 1 12");
    await control(figure, "run-T2").click();
    d = await data(stage);
    assert.equal(d.blocked, "T2");
    assert.equal(d.last, "T2 set 1 12 -> blocked");
    assert.ok(await control(figure, "run-T2").isDisabled(), "T2's controls are disabled");
    assert.ok(await control(figure, "step-T2").isDisabled());
    await control(figure, "step-T1").selectOption("commit");
    await control(figure, "run-T1").click();
    d = await data(stage);
    assert.equal(d.blocked, "");
    assert.equal(d.last, "T2 set 1 12 -> ok 1 (was blocked)");
    rows = await steps(figure);
    assert.ok(rows.some((r) => r.includes("set 1 12 → ok 1 (was blocked)")), rows.join(" | "));
    assert.ok(await control(figure, "run-T2").isEnabled(), "T2 runs again");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("keyboard only, coal, 390 px: N and R in the figure, Enter on Next step, no chapter turn, no overflow", async () => {
  const { page, figure, stage, consoleErrors, close } = await open("coal", { width: 390, height: 844 });
  try {
    const url = page.url();
    await stage.focus();
    for (let i = 0; i < 10; i++) await page.keyboard.press("n");
    assert.equal((await data(stage)).played, "10");
    assert.equal(await control(figure, "figure-anomaly").innerText(), "G2-item (write skew)");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowRight");
    assert.equal(page.url(), url, "the arrows did not turn the chapter");
    await page.keyboard.press("r");
    assert.equal((await data(stage)).played, "0");
    const next = control(figure, "next");
    for (let i = 0; i < 20 && !(await next.evaluate((node) => node === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    assert.ok(await next.evaluate((node) => node === document.activeElement), "reached Next step by Tab");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    assert.equal((await data(stage)).played, "2");
    assert.equal(await control(figure, "announce").innerText(), "T2 begin repeatable-read -> ok");
    const overflow = await figure.evaluate((node) => node.scrollWidth - node.clientWidth);
    assert.ok(overflow <= 1, `the figure fits 390 px (overflow ${overflow})`);
    const graphWidth = await control(figure, "graph").evaluate((node) => node.getBoundingClientRect().width);
    assert.ok(graphWidth <= 390 && graphWidth > 200, `graph ${graphWidth} px`);
    assert.equal(page.url(), url, "no key reached mdBook's chapter navigation");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});
