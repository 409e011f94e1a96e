// The Module 2 Consistency Spectrum Dial, driven the way its caption tells a reader to, step by step,
// asserting what a reader would notice at each step: timeouts on the cut-off client's lane, anomalies
// per client, the checker's verdict and its outlined witness, and the latency table. Then the same
// with the keyboard only (mdBook's chapter keys untouched), and in a dark theme at phone width.
// Every number comes from the `consistency` crate; this test checks the widget shows what it decided.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, widgetsMounted } from "./harness.mjs";

const PAGE = "02-consistency/the-spectrum.html";
const FIGURE = "#viz-consistency-dial";

async function openDial(theme, viewport) {
  const opened = await openPage(PAGE, { theme, viewport });
  const widgets = await widgetsMounted(opened.page);
  const dial = widgets.find((widget) => widget.id === "viz-consistency-dial");
  assert.ok(dial, "the chapter embeds the dial");
  assert.equal(dial.mounted, "yes", "the dial mounted");
  const figure = opened.page.locator(FIGURE);
  await figure.scrollIntoViewIfNeeded();
  return { ...opened, figure, stage: figure.locator(".dsip-viz-stage") };
}

const control = (figure, role) => figure.locator(`[data-role="${role}"]`);

/** What the stage reports, plus the drawn operations. */
async function state(stage) {
  return stage.evaluate((node) => ({
    read: node.dataset.read,
    write: node.dataset.write,
    partition: node.dataset.partition,
    verdict: node.dataset.verdict,
    stale: Number(node.dataset.stale),
    nonmono: Number(node.dataset.nonmono),
    lost: Number(node.dataset.lost),
    timedOut: Number(node.dataset.timedOut),
    readMeanMs: Number(node.dataset.readMeanMs),
    ops: [...node.querySelectorAll("g[data-op]")].map((g) => ({
      id: Number(g.dataset.op),
      outcome: g.dataset.outcome,
      anomalies: g.dataset.anomalies ? g.dataset.anomalies.split(",") : [],
      witness: g.dataset.witness === "yes",
      title: g.querySelector("title").textContent,
    })),
  }));
}

/** The latency table's rows: {kind, level, ok, timedOut, mean}. */
async function latency(figure) {
  return control(figure, "latency").locator("tr[data-kind]").evaluateAll((rows) =>
    rows.map((row) => {
      const cells = [...row.children].map((cell) => cell.textContent);
      return { kind: row.dataset.kind, level: cells[1], ok: Number(cells[2]), timedOut: Number(cells[3]), mean: parseFloat(cells[4]) };
    }),
  );
}

const c2ReadsInPartition = (s) => s.ops.filter((op) => /^C2 read/.test(op.title)).filter((op) => {
  const at = parseFloat(op.title.match(/, ([\d.,]+) ms to/)[1].replace(",", ""));
  return at >= 150 && at < 400;
});

async function clientLine(figure, client) {
  return control(figure, "anomalies").locator(`li[data-client="${client}"]`).innerText();
}

test("the caption's five steps, with the mouse", async () => {
  const { figure, stage, consoleErrors, close } = await openDial("light");
  try {
    // 1. Linearizable reads: C2's reads during the partition time out; no anomaly; verdict linearizable.
    let s = await state(stage);
    assert.equal(s.read, "linearizable");
    assert.equal(s.partition, "on");
    const cut = c2ReadsInPartition(s);
    assert.ok(cut.length > 0, "C2 issues reads during the partition");
    assert.ok(cut.some((op) => op.outcome === "fail"), `a C2 read in the partition timed out: ${JSON.stringify(cut)}`);
    assert.equal(s.verdict, "linearizable");
    assert.equal(s.stale + s.nonmono + s.lost, 0);
    for (const c of [0, 1, 2]) assert.match(await clientLine(figure, c), /no anomaly/);
    assert.match(await control(figure, "verdict").innerText(), /^Checker: linearizable/);
    const linearizable = (await latency(figure)).find((row) => row.kind === "read");
    assert.equal(linearizable.level, "linearizable");
    assert.ok(linearizable.timedOut > 0, "the latency table counts the timed-out reads");

    // 2. Eventual: cheaper reads; C1 sees a stale, non-monotonic read and a lost own write; witness outlined.
    await control(figure, "read-level").selectOption("eventual");
    s = await state(stage);
    assert.equal(s.read, "eventual");
    assert.equal(s.verdict, "not linearizable");
    assert.ok(s.stale >= 1 && s.nonmono >= 1 && s.lost >= 1, JSON.stringify(s));
    assert.match(await clientLine(figure, 1), /stale read.*non-monotonic read.*lost own write/);
    const witness = s.ops.filter((op) => op.witness);
    assert.ok(witness.length >= 2, "the witness names at least two operations");
    assert.ok(witness.some((op) => op.anomalies.length > 0), "the anomalous read is in the witness");
    assert.equal(await figure.locator("g.cd-witnessed").count(), witness.length, "the witness is outlined on the timeline");
    assert.match(await control(figure, "verdict").innerText(), /not linearizable.*cannot be put in one order/);
    const eventual = (await latency(figure)).find((row) => row.kind === "read");
    assert.ok(eventual.mean < linearizable.mean, `eventual reads are cheaper (${eventual.mean} < ${linearizable.mean})`);

    // 3. Sequential: no read times out, about 2 ms, C2 reads stale values, nobody goes backwards.
    await control(figure, "read-level").selectOption("sequential");
    s = await state(stage);
    const sequential = (await latency(figure)).find((row) => row.kind === "read");
    assert.equal(sequential.timedOut, 0, "no read times out");
    assert.ok(sequential.mean <= 2.5, `reads cost about 2 ms (${sequential.mean})`);
    assert.match(await clientLine(figure, 2), /stale read/);
    assert.equal(s.nonmono + s.lost, 0, "no client's own view goes backwards");
    assert.equal(s.verdict, "not linearizable");

    // 4. Read-your-writes: no anomaly in this run, at under half the linearizable latency.
    await control(figure, "read-level").selectOption("read-your-writes");
    s = await state(stage);
    assert.equal(s.stale + s.nonmono + s.lost, 0);
    assert.equal(s.verdict, "linearizable");
    const ryw = (await latency(figure)).find((row) => row.kind === "read");
    assert.ok(ryw.mean < linearizable.mean / 2, `${ryw.mean} < half of ${linearizable.mean}`);

    // 5. Back to linearizable, partition off: nothing times out, reads still pay for the leader.
    await control(figure, "read-level").selectOption("linearizable");
    await control(figure, "partition").click();
    assert.equal(await control(figure, "partition").getAttribute("aria-pressed"), "false");
    s = await state(stage);
    assert.equal(s.partition, "off");
    assert.equal(s.timedOut, 0, "nothing times out without the partition");
    assert.equal(s.verdict, "linearizable");
    const quiet = (await latency(figure)).find((row) => row.kind === "read");
    assert.ok(quiet.mean > 4 * sequential.mean, `a quiet linearizable read (${quiet.mean} ms) still costs far more than a local one`);
    assert.equal(await figure.locator(".cd-partition").count(), 0, "no partition band is drawn");

    // The break-it knob: followers answer "linearizable" reads; no timeouts, and the checker refuses.
    await control(figure, "partition").click();
    await control(figure, "stale-reads").click();
    s = await state(stage);
    assert.equal(s.verdict, "not linearizable");
    assert.ok(s.stale > 0);
    assert.equal((await latency(figure)).find((row) => row.kind === "read").timedOut, 0);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("keyboard: the dials turn with [ ] { }, P and S switch faults, and mdBook's keys stay untouched", async () => {
  const { page, figure, stage, consoleErrors, close } = await openDial("coal");
  try {
    const url = page.url();
    await stage.focus();
    await page.keyboard.press("]"); // linearizable -> sequential
    assert.equal((await state(stage)).read, "sequential");
    assert.equal(await control(figure, "read-level").inputValue(), "sequential", "the select follows the key");
    for (let i = 0; i < 10; i++) await page.keyboard.press("]"); // past the end: stays at eventual
    let s = await state(stage);
    assert.equal(s.read, "eventual");
    assert.equal(s.verdict, "not linearizable");
    await page.keyboard.press("}"); // writes: linearizable -> sequential
    assert.equal((await state(stage)).write, "sequential");
    await page.keyboard.press("{");
    assert.equal((await state(stage)).write, "linearizable");
    await page.keyboard.press("p");
    assert.equal((await state(stage)).partition, "off");
    await page.keyboard.press("P");
    assert.equal((await state(stage)).partition, "on");
    await page.keyboard.press("s"); // mdBook's search key: here, the break-it knob
    assert.equal(await control(figure, "stale-reads").getAttribute("aria-pressed"), "true");
    assert.ok(!(await page.locator("#mdbook-searchbar, #searchbar").first().isVisible().catch(() => false)), "s did not open mdBook's search");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowLeft");
    assert.equal(page.url(), url, "arrow keys inside the widget did not change chapter");
    for (let i = 0; i < 10; i++) await page.keyboard.press("[");
    assert.equal((await state(stage)).read, "linearizable");
    assert.match(await control(figure, "announce").innerText(), /Reads at linearizable, writes at linearizable, with the partition, stale follower reads/);
    await control(figure, "read-level").focus();
    await page.keyboard.press("]"); // the shortcut works on the focused select too
    assert.equal((await state(stage)).read, "sequential");
    assert.equal(await control(figure, "read-level").inputValue(), "sequential");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("at phone width the timeline scrolls inside its frame and the controls fit", async () => {
  const { page, figure, close } = await openDial("light", { width: 390, height: 900 });
  try {
    const frame = await figure.boundingBox();
    const scroller = await control(figure, "timeline").boundingBox();
    assert.ok(scroller.x >= frame.x - 1 && scroller.x + scroller.width <= frame.x + frame.width + 1, "the scroller fits the figure");
    const scrolls = await control(figure, "timeline").evaluate((node) => node.scrollWidth > node.clientWidth);
    assert.ok(scrolls, "the timeline scrolls sideways instead of shrinking");
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(sideways <= 1, `the page does not scroll sideways (${sideways} px)`);
  } finally {
    await close();
  }
});
