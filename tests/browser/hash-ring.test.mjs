// The Module 4 hash ring as a reader drives it: nodes added and removed with the mouse and the
// keyboard, mod-N against the ring, a melted shard and its triage, a theme switch, and the frame
// budget at 10,000 keys. Every number asserted here is what the `partitioning` crate computes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, widgetsMounted } from "./harness.mjs";

const PAGE = "04-partitioning/consistent-hashing.html";
const FIGURE = "#viz-hash-ring";

// The page's params are { keys = 10000, nodes = 4, vnodes = 64 } (seed 42). These two counts are
// asserted by the crate's own tests in playground-crates/partitioning/src/scenario.rs:
// `adding_e_to_the_widget_default_moves_the_number_the_browser_test_expects` (ring, add E) and
// `mod_n_moves_more_than_the_ring_for_the_same_change` (mod-N, add E). Change both together.
const RING_ADD_E = { moved: 1868, summary: "1,868 of 10,000 keys moved (18.7%)" };
const MOD_N_ADD_E = { moved: 7915, summary: "7,915 of 10,000 keys moved (79.1%)" };

async function openRing(theme) {
  const opened = await openPage(PAGE, { theme });
  const widgets = await widgetsMounted(opened.page);
  const ring = widgets.find((widget) => widget.id === "viz-hash-ring");
  assert.ok(ring, "the chapter embeds the hash ring");
  assert.equal(ring.mounted, "yes", "the hash ring mounted");
  const figure = opened.page.locator(FIGURE);
  await figure.scrollIntoViewIfNeeded();
  return { ...opened, figure, stage: figure.locator(".dsip-viz-stage") };
}

const role = (figure, name) => figure.locator(`[data-role="${name}"]`);

async function nodeNames(figure) {
  return figure.locator("button[data-node]").evaluateAll((buttons) => buttons.map((button) => button.textContent));
}

async function movedCount(figure) {
  return Number(await role(figure, "moved").getAttribute("data-moved"));
}

test("nodes are added and removed by click and by key, and the moves are the crate's", async () => {
  const { page, figure, stage, consoleErrors, close } = await openRing("light");
  try {
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D"]);
    const skew = Number(await role(figure, "skew").textContent());
    assert.ok(skew >= 1 && skew < 1.5, "skew shown as max/mean: " + skew);

    await role(figure, "add-node").click();
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D", "E"]);
    assert.equal(await movedCount(figure), RING_ADD_E.moved);
    assert.equal(await role(figure, "moved").textContent(), RING_ADD_E.summary);
    assert.equal(await role(figure, "announce").textContent(), "Added node E: " + RING_ADD_E.summary);

    // Removing the node just added moves exactly its keys back: nobody else's.
    await role(figure, "remove-E").click();
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D"]);
    assert.equal(await movedCount(figure), RING_ADD_E.moved);
    assert.match(await role(figure, "announce").textContent(), /^Removed node E: 1,868 of 10,000/);

    // Keyboard: + while focus is in the widget; Delete on a node's chip; mdBook never sees them.
    const url = page.url();
    await stage.focus();
    await page.keyboard.press("+");
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D", "E"]);
    assert.equal(await movedCount(figure), RING_ADD_E.moved);
    await role(figure, "node-E").focus();
    await page.keyboard.press("Delete");
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D"]);
    await role(figure, "remove-B").focus();
    await page.keyboard.press("Enter");
    assert.deepEqual(await nodeNames(figure), ["A", "C", "D"]);
    assert.equal(page.url(), url, "no key reached mdBook's chapter navigation");

    // The ring's hub adds a node too (the first free letter: B again).
    const box = await figure.locator("canvas").boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D"]);

    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("arrow keys on any control stay in the widget, and on a node's chip turn its tokens", async () => {
  const { page, figure, consoleErrors, close } = await openRing("light");
  try {
    const url = page.url();
    for (const control of ["add-node", "scheme-mod-n", "dist-zipf", "melt", "measure-speed"]) {
      await role(figure, control).focus();
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowLeft");
      assert.equal(page.url(), url, "ArrowRight/Left on " + control + " turned the chapter");
    }
    await role(figure, "vnodes").focus();
    await page.keyboard.press("ArrowLeft");
    assert.equal(page.url(), url, "the slider keeps its arrow keys");
    assert.equal(await role(figure, "vnodes").inputValue(), "63");
    const nodes = await nodeNames(figure);
    await page.keyboard.press("+");
    assert.deepEqual(await nodeNames(figure), nodes, "+ on a slider is the slider's, not the add-node shortcut");

    await role(figure, "node-B").focus();
    await page.keyboard.press("ArrowRight");
    assert.equal(page.url(), url);
    assert.match(await role(figure, "announce").textContent(), /^Turned node B's tokens 5° clockwise: [\d,]+ of 10,000 keys moved/);
    assert.ok((await movedCount(figure)) > 0, "turning B's tokens moved keys");
    assert.equal(await page.evaluate(() => document.activeElement.dataset.node), "B", "focus stays on B's chip");
    await page.keyboard.press("ArrowLeft");
    assert.match(await role(figure, "announce").textContent(), /anticlockwise/);
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D"]);

    // A Zipf change moves no key, and the figure says so instead of keeping the last change's count.
    await role(figure, "dist-zipf").click();
    assert.equal(await role(figure, "moved").textContent(), "0 of 10,000 keys moved (0.0%)");
    await role(figure, "add-node").click();
    await role(figure, "melt").click();
    assert.equal(await movedCount(figure), 0, "a melt moves no key");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("drag: a tick along the ring turns its tokens, off the ring removes, the tray adds", async () => {
  const { page, figure, stage, consoleErrors, close } = await openRing("coal");
  try {
    const tick = (near) => stage.evaluate((node, [name, at]) => node.hrTickAt(name, at), ["C", near]);
    const start = await tick();
    const box = await figure.locator("canvas").boundingBox();
    const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    // A point on the ring's tick circle `turn` of a circle clockwise from `from`.
    const along = (from, turn) => {
      const angle = Math.atan2(from.y - centre.y, from.x - centre.x) + turn * 2 * Math.PI;
      const r = Math.hypot(from.x - centre.x, from.y - centre.y);
      return { x: centre.x + Math.cos(angle) * r, y: centre.y + Math.sin(angle) * r };
    };

    // A click on a tick is not a delete.
    await page.mouse.click(start.x, start.y);
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D"]);
    assert.match(await role(figure, "announce").textContent(), /^Node C unchanged/);

    // Along the ring: C's tokens turn, keys move, nobody is removed.
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    for (const step of [0.01, 0.02, 0.03]) {
      const p = along(start, step);
      await page.mouse.move(p.x, p.y);
    }
    await page.mouse.up();
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D"]);
    assert.match(await role(figure, "announce").textContent(), /^Turned node C's tokens 1[01]° clockwise: [\d,]+ of 10,000 keys moved/);
    assert.ok((await movedCount(figure)) > 0);
    const turned = await tick((start.fraction + 0.03) % 1);
    assert.ok(Math.abs(turned.fraction - ((start.fraction + 0.03) % 1)) < 0.002, "C's tick followed the drag");

    // Off the ring (towards the hub): the zone says what a release does, and the release removes C.
    await page.mouse.move(turned.x, turned.y);
    await page.mouse.down();
    await page.mouse.move((turned.x + centre.x) / 2, (turned.y + centre.y) / 2, { steps: 4 });
    await page.mouse.move(centre.x + 5, centre.y + 5, { steps: 4 });
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D"], "nothing removed before the release");
    await page.mouse.up();
    assert.deepEqual(await nodeNames(figure), ["A", "B", "D"]);
    assert.match(await role(figure, "announce").textContent(), /^Removed node C: /);

    // The tray: released off the ring, nothing is added; released on it, C comes back.
    const chip = await role(figure, "tray-node").boundingBox();
    assert.equal(await role(figure, "tray-node").textContent(), "+ C");
    await page.mouse.move(chip.x + chip.width / 2, chip.y + chip.height / 2);
    await page.mouse.down();
    await page.mouse.move(chip.x + 40, chip.y - 30, { steps: 5 });
    await page.mouse.up();
    assert.deepEqual(await nodeNames(figure), ["A", "B", "D"]);
    assert.match(await role(figure, "announce").textContent(), /^Released off the ring/);
    const ringPoint = { x: centre.x, y: box.y + 26 };
    await page.mouse.move(chip.x + chip.width / 2, chip.y + chip.height / 2);
    await page.mouse.down();
    await page.mouse.move(ringPoint.x, ringPoint.y, { steps: 8 });
    await page.mouse.up();
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D"]);
    assert.match(await role(figure, "announce").textContent(), /^Added node C: /);

    // The keyboard equivalent of the tray: Enter on its chip.
    await role(figure, "tray-node").focus();
    await page.keyboard.press("Enter");
    assert.deepEqual(await nodeNames(figure), ["A", "B", "C", "D", "E"]);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("mod-N moves far more keys than the ring for the same change", async () => {
  const { figure, consoleErrors, close } = await openRing("rust");
  try {
    await role(figure, "scheme-mod-n").click();
    assert.equal(await role(figure, "scheme-mod-n").getAttribute("aria-pressed"), "true");
    assert.ok(await role(figure, "vnodes").isDisabled(), "vnodes mean nothing to mod-N");
    await role(figure, "add-node").click();
    assert.equal(await movedCount(figure), MOD_N_ADD_E.moved);
    assert.equal(await role(figure, "moved").textContent(), MOD_N_ADD_E.summary);
    assert.ok(MOD_N_ADD_E.moved > 4 * RING_ADD_E.moved);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("one vnode per node skews the keys; Zipfian popularity skews the requests", async () => {
  const { page, figure, consoleErrors, close } = await openRing("coal");
  try {
    const keySkew = async () => Number(await role(figure, "key-skew").textContent());
    const requestSkew = async () => Number(await role(figure, "skew").textContent());
    const even = await keySkew();
    // Arrow keys and Home/End on a slider are the slider's own (mdBook leaves inputs alone).
    await role(figure, "vnodes").focus();
    await page.keyboard.press("Home");
    assert.equal(await role(figure, "vnodes").inputValue(), "1");
    assert.match(await role(figure, "announce").textContent(), /^Virtual nodes set to 1: [\d,]+ of 10,000 keys moved/);
    assert.ok((await keySkew()) > even, `one point per node: key skew ${await keySkew()} vs ${even}`);

    await page.keyboard.press("End");
    const uniform = await requestSkew();
    await role(figure, "dist-zipf").click();
    assert.equal(await role(figure, "dist-zipf").getAttribute("aria-pressed"), "true");
    assert.ok((await requestSkew()) > uniform + 0.1, `Zipf(1.1): ${await requestSkew()} vs ${uniform}`);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("melting a shard shows what the triage tree recommends", async () => {
  const { figure, consoleErrors, close } = await openRing("navy");
  try {
    assert.ok(await role(figure, "triage").isHidden());
    await role(figure, "melt").click();
    const recommendation = role(figure, "recommendation");
    assert.match(await recommendation.textContent(), /^Cache the key's reads\. /);
    assert.ok(Number(await role(figure, "skew").textContent()) > 2, "one node now carries the hot key");
    assert.equal(await figure.locator(".hr-over").count(), 1, "exactly one node is over capacity");

    await role(figure, "shape").selectOption("ordered-writes");
    assert.match(await recommendation.textContent(), /^Rate-limit the key\. /);
    await role(figure, "shape").selectOption("thundering-herd");
    assert.match(await recommendation.textContent(), /^Coalesce identical reads\. /);

    // More nodes do not cool a hot key: it lives on one node wherever that is.
    await role(figure, "add-node").click();
    await role(figure, "add-node").click();
    assert.equal(await figure.locator(".hr-over").count(), 1);

    await role(figure, "cool").click();
    assert.ok(await role(figure, "triage").isHidden());
    assert.equal(await figure.locator(".hr-over").count(), 0);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("colours follow a theme switch made while the page is open", async () => {
  const { page, figure, consoleErrors, close } = await openRing("light");
  try {
    const corner = () =>
      figure.locator("canvas").evaluate((canvas) => [...canvas.getContext("2d").getImageData(1, 1, 1, 1).data]);
    const light = await corner();
    await page.evaluate(() => {
      document.documentElement.classList.replace("light", "coal");
    });
    const coal = await corner();
    const coalBg = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--bg").trim());
    assert.notDeepEqual(coal, light, "the canvas was repainted");
    assert.ok(coal[0] + coal[1] + coal[2] < 200, "coal's background is dark: " + coal + " (" + coalBg + ")");
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});

test("10,000 keys animate within a 16 ms frame budget", async () => {
  const { figure, stage, consoleErrors, close } = await openRing("ayu");
  try {
    await role(figure, "add-node").click();
    await figure.page().waitForFunction(
      (selector) => document.querySelector(selector + " .dsip-viz-stage").dataset.frameMs !== undefined,
      FIGURE,
    );
    const frames = await stage.evaluate((node) => ({ ...node.dataset }));
    console.log(
      `hash ring, 10,000 keys, ${RING_ADD_E.moved} moving: ${frames.frameCount} frames, ` +
        `draw p95 ${frames.frameMs} ms, max ${frames.frameMsMax} ms, mean ${frames.frameMsMean} ms, ` +
        `mean interval ${frames.frameIntervalMs} ms`,
    );
    assert.ok(Number(frames.frameCount) >= 10, "the move was animated");
    assert.ok(Number(frames.frameMs) < 16, "95th-percentile frame " + frames.frameMs + " ms");

    await role(figure, "measure-speed").click();
    const perSecond = Number(await stage.getAttribute("data-lookups-per-second"));
    console.log(`ring lookups in the browser (wasm): ${perSecond.toLocaleString("en-US")} keys/s`);
    assert.ok(perSecond > 100000, "lookups per second: " + perSecond);
    assert.deepEqual(consoleErrors(), []);
  } finally {
    await close();
  }
});
