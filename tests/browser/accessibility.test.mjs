// An accessibility audit with axe-core on every page, in a light and a dark theme: no serious or
// critical violation (colour contrast included), with the widgets mounted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { axeViolations, openPage, publishedPages, widgetsMounted } from "./harness.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

// The other three themes on pages that hold every kind of card, a glossary term, a table and a
// widget: each page in all five themes would multiply the run by five for little more coverage.
const SAMPLE = ["index.html", "01-single-node-lie/time-and-order.html", "09-operating-it/interview.html", "10-teardown/the-teardown-template.html"];
for (const theme of ["rust", "navy", "ayu"]) {
  test(`axe-core finds no serious or critical violation on sample pages in ${theme}`, async () => {
    const found = [];
    for (const path of SAMPLE) {
      const opened = await openPage(path, { theme });
      try {
        await widgetsMounted(opened.page);
        for (const v of await axeViolations(opened.page)) found.push(`${path} ${v}`);
      } finally {
        await opened.close();
      }
    }
    assert.deepEqual(found, [], `in ${theme}:\n${found.join("\n")}`);
  });
}

for (const theme of ["light", "coal"]) {
  test(`axe-core finds no serious or critical violation on any page in ${theme}`, async () => {
    const found = [];
    const counts = { pages: 0, minor: 0, moderate: 0, serious: 0, critical: 0 };
    for (const path of await publishedPages()) {
      const opened = await openPage(path, { theme });
      try {
        await widgetsMounted(opened.page);
        await opened.page.addScriptTag({ path: AXE });
        const violations = await opened.page.evaluate(async () => {
          const result = await window.axe.run(document, { resultTypes: ["violations"] });
          return result.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + ": " + (n.failureSummary || "").split("\n").slice(1, 2).join("")),
          }));
        });
        counts.pages++;
        for (const v of violations) {
          counts[v.impact] = (counts[v.impact] || 0) + 1;
          if (v.impact === "serious" || v.impact === "critical") {
            found.push(`${path} [${v.impact}] ${v.id}\n    ${v.nodes.join("\n    ")}`);
          }
        }
      } finally {
        await opened.close();
      }
    }
    console.log(`axe-core, ${theme}: ${JSON.stringify(counts)}`);
    assert.deepEqual(found, [], `in ${theme}:\n${found.join("\n")}`);
  });
}
