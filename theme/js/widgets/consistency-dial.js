// The Consistency Spectrum Dial (Module 2): pick a consistency level for reads and one for writes,
// run the scripted workload on the `consistency` crate's replicated register (a leader L and
// followers F1, F2; clients C0, C1, C2 at home on L, F1, F2; F2 and C2 cut off from the leader from
// 150 ms to 400 ms), and see each client's operations on a timeline, the anomalies each client
// observed, the linearizability checker's verdict with its witness highlighted, and what the levels
// cost in latency and timeouts.
//
// This file only draws. Who may answer a read, what counts as an anomaly and whether the history is
// linearizable are decided by the crate behind `wasm.call` (commands in
// playground-crates/consistency/src/wasm.rs).
//
// Test hooks: controls carry data-role (read-level, write-level, partition, stale-reads, announce,
// verdict, anomalies, latency, timeline); every drawn operation is a <g data-op="ID"> with
// data-outcome, data-anomalies and data-witness. The stage carries data-read, data-write,
// data-partition ("on"/"off"), data-verdict ("linearizable"/"not linearizable"), data-stale,
// data-nonmono, data-lost, data-timed-out, data-witness-ops and data-read-mean-ms.
(function () {
  "use strict";

  const el = DSIP.el;
  const SVG = "http://www.w3.org/2000/svg";
  const LANE = 58; // px per client lane
  const TOP = 26; // room for the time axis
  const LEFT = 34; // room for the lane labels
  const WIDTH = 740; // the timeline's drawing width (it scrolls sideways on a phone)

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const ms = (value) => (Math.round(value * 10) / 10).toLocaleString("en-US") + " ms";

  function opLabel(op) {
    const value = op.value === null || op.value === undefined ? (op.outcome === "ok" ? "–" : "?") : String(op.value);
    return (op.kind === "write" ? "w" : "r") + value;
  }

  function mount(stage, wasm, params) {
    params = params || {};
    const levels = wasm.call({ cmd: "levels" }).levels;
    let read = params.read || "linearizable";
    let write = params.write || "linearizable";
    let partition = params.partition !== false;
    let stale = false;

    stage.classList.add("cd");
    stage.replaceChildren();
    stage.tabIndex = 0;
    stage.setAttribute("aria-label", "Consistency Spectrum Dial");

    const hint = el("p", { class: "dsip-viz-hint" },
      "Keys, while focus is in this figure: [ and ] turn the read dial, { and } the write dial, P switches the partition, S the stale-follower knob.");

    function levelSelect(role, label, value) {
      const select = el("select", { "data-role": role, "aria-label": label });
      for (const level of levels) select.append(el("option", { value: level.id }, level.name));
      select.value = value;
      const wrapper = el("label", {}, label + " ");
      wrapper.append(select);
      return { select, wrapper };
    }
    const readSelect = levelSelect("read-level", "Reads at", read);
    const writeSelect = levelSelect("write-level", "Writes at", write);
    const dials = el("div", { class: "dsip-controls", role: "group", "aria-label": "Consistency levels" });
    dials.append(readSelect.wrapper, writeSelect.wrapper);

    const partitionButton = el("button", { type: "button", class: "dsip-btn", "data-role": "partition", "aria-pressed": String(partition) },
      "Partition: F2 and C2 cut off, 150–400 ms");
    const staleButton = el("button", { type: "button", class: "dsip-btn cd-break", "data-role": "stale-reads", "aria-pressed": "false" },
      "Break it: followers answer linearizable reads");
    const knobs = el("div", { class: "dsip-controls", role: "group", "aria-label": "Faults" });
    knobs.append(partitionButton, staleButton);

    const scroller = el("div", { class: "cd-scroller", tabindex: "0", role: "region", "aria-label": "Timeline of the three clients' operations", "data-role": "timeline" });
    const legend = el("ul", { class: "dsip-viz-legend", "aria-hidden": "true" });
    for (const [key, label] of [["write", "write"], ["read", "read"], ["failed", "timed out / unknown"], ["anomaly", "anomaly"], ["witness", "checker's witness"], ["partition", "partition"]]) {
      const item = el("li", {});
      item.append(el("span", { class: "cd-swatch cd-swatch-" + key }), document.createTextNode(label));
      legend.append(item);
    }
    const verdict = el("p", { class: "cd-verdict", "data-role": "verdict" });
    const anomalies = el("div", { class: "cd-anomalies", "data-role": "anomalies" });
    const latency = el("table", { class: "cd-latency", "data-role": "latency" });
    const latencyWrap = el("div", { class: "cd-table-wrap", tabindex: "0", role: "region", "aria-label": "What the levels cost" });
    latencyWrap.append(latency);
    const announce = el("p", { class: "dsip-viz-announce", role: "status", "aria-live": "polite", "data-role": "announce" });
    stage.append(hint, dials, knobs, scroller, legend, verdict, anomalies, latencyWrap, announce);

    function say(message) {
      announce.textContent = message;
    }

    function run() {
      const reply = wasm.attempt({
        cmd: "run", read, write, partition: partition ? [150, 400] : null, stale_reads: stale,
      }, say);
      if (!reply) return;
      draw(reply);
    }

    function draw(r) {
      const reads = r.latency.find((l) => l.kind === "read");
      const count = (key) => r.per_client.reduce((sum, c) => sum + c[key], 0);
      const timedOut = r.latency.reduce((sum, l) => sum + l.timed_out, 0);
      Object.assign(stage.dataset, {
        read, write,
        partition: partition ? "on" : "off",
        verdict: r.verdict.linearizable ? "linearizable" : "not linearizable",
        stale: String(count("stale_read")),
        nonmono: String(count("non_monotonic_read")),
        lost: String(count("lost_own_write")),
        timedOut: String(timedOut),
        witnessOps: r.verdict.witness_ops.join(" "),
        readMeanMs: String(reads ? reads.mean_ms : 0),
      });
      drawTimeline(r);

      verdict.replaceChildren();
      verdict.classList.toggle("cd-bad", !r.verdict.linearizable);
      verdict.append(el("strong", {}, "Checker: " + (r.verdict.linearizable ? "linearizable" : "not linearizable")));
      if (!r.verdict.linearizable) {
        const named = r.ops.filter((op) => op.witness).map((op) => "C" + op.client + " " + opLabel(op));
        verdict.append(document.createTextNode(" — these cannot be put in one order that respects real time: " + named.join(", ") + " (outlined on the timeline)."));
      } else {
        verdict.append(document.createTextNode(" — one order of every operation exists that respects real time and the register's rules."));
      }

      anomalies.replaceChildren();
      const list = el("ul", {});
      for (const c of r.per_client) {
        const parts = [
          [c.stale_read, "stale read"], [c.non_monotonic_read, "non-monotonic read"], [c.lost_own_write, "lost own write"],
        ].filter(([n]) => n > 0).map(([n, name]) => n + " " + name + (n > 1 ? "s" : ""));
        list.append(el("li", { "data-client": String(c.client) }, "C" + c.client + ": " + (parts.length ? parts.join(", ") : "no anomaly")));
      }
      anomalies.append(el("strong", {}, "What each client observed"), list);

      latency.replaceChildren();
      const head = el("tr", {});
      for (const h of ["", "level", "ok", "timed out", "mean", "max"]) head.append(el("th", { scope: "col" }, h));
      latency.append(el("caption", {}, "What the levels cost (PACELC's “else”: latency)"), head);
      for (const l of r.latency) {
        const row = el("tr", { "data-kind": l.kind });
        row.append(el("th", { scope: "row" }, l.kind === "read" ? "reads" : "writes"), el("td", {}, l.level),
          el("td", {}, String(l.completed)), el("td", {}, String(l.timed_out)), el("td", {}, ms(l.mean_ms)), el("td", {}, ms(l.max_ms)));
        latency.append(row);
      }
      const total = count("stale_read") + count("non_monotonic_read") + count("lost_own_write");
      say("Reads at " + r.read_level + ", writes at " + r.write_level + (partition ? ", with the partition" : ", no partition") +
        (stale ? ", stale follower reads" : "") + ": " + total + " anomal" + (total === 1 ? "y" : "ies") + ", " + timedOut +
        " timed out, checker says " + stage.dataset.verdict + ".");
    }

    function drawTimeline(r) {
      const end = Math.max(450, ...r.ops.map((op) => (op.complete_ms === null ? op.invoke_ms + 100 : op.complete_ms)));
      const x = (t) => LEFT + ((WIDTH - LEFT - 8) * t) / end;
      const height = TOP + 3 * LANE + 8;
      const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, class: "cd-svg", role: "img",
        "aria-label": "Operations of clients C0, C1 and C2 over time; anomalies and the witness are listed below" });
      for (let t = 0; t <= end; t += 100) {
        root.append(svg("line", { x1: x(t), x2: x(t), y1: TOP - 6, y2: height - 4, class: "dsip-viz-grid" }));
        root.append(svg("text", { x: x(t), y: TOP - 10, class: "cd-axis", "text-anchor": "middle" }, t + " ms"));
      }
      if (r.partition) {
        const y = TOP + 2 * LANE + 2;
        root.append(svg("rect", { x: x(r.partition.start_ms), y, width: x(r.partition.heal_ms) - x(r.partition.start_ms), height: LANE - 4, class: "cd-partition" }));
      }
      ["C0 · L", "C1 · F1", "C2 · F2"].forEach((name, lane) => {
        root.append(svg("text", { x: 2, y: TOP + lane * LANE + 42, class: "cd-lane" }, name.split(" ")[0]));
      });
      const shortOnLane = [0, 0, 0]; // labels that do not fit their box alternate between two rows above it
      for (const op of r.ops) {
        const y = TOP + op.client * LANE + 26;
        const x0 = x(op.invoke_ms);
        const x1 = x(op.complete_ms === null ? op.invoke_ms + 100 : op.complete_ms);
        const classes = ["cd-op", "cd-" + op.kind];
        if (op.outcome !== "ok") classes.push("cd-failed");
        if (op.anomalies.length) classes.push("cd-anomalous");
        if (op.witness) classes.push("cd-witnessed");
        const g = svg("g", { class: classes.join(" "), "data-op": op.id, "data-outcome": op.outcome,
          "data-anomalies": op.anomalies.join(","), "data-witness": op.witness ? "yes" : "no" });
        const title = "C" + op.client + " " + op.kind + " at " + op.level + ", " + ms(op.invoke_ms) + " to " +
          (op.complete_ms === null ? (op.outcome === "fail" ? "timed out" : "unknown (timed out)") : ms(op.complete_ms)) +
          (op.value !== null ? ", value " + op.value : "") + (op.anomalies.length ? " — " + op.anomalies.join(", ") : "") +
          (op.witness ? " — in the checker's witness" : "");
        g.append(svg("title", {}, title));
        const label = opLabel(op) + (op.anomalies.length ? "!" : "");
        const width = Math.max(3, x1 - x0);
        g.append(svg("rect", { x: x0, y, width, height: LANE - 32, rx: 3 }));
        if (width >= 7 * label.length + 4) {
          g.append(svg("text", { x: x0 + 3, y: y + 16, class: "cd-op-label" }, label));
        } else {
          const row = shortOnLane[op.client]++ % 2;
          g.append(svg("text", { x: x0, y: y - 4 - 11 * row, class: "cd-op-label" }, label));
        }
        root.append(g);
      }
      scroller.replaceChildren(root);
    }

    function setRead(value) {
      read = value;
      readSelect.select.value = value;
      run();
    }
    function setWrite(value) {
      write = value;
      writeSelect.select.value = value;
      run();
    }
    function turn(current, by) {
      const i = levels.findIndex((l) => l.id === current);
      return levels[Math.min(levels.length - 1, Math.max(0, i + by))].id;
    }

    readSelect.select.addEventListener("change", () => setRead(readSelect.select.value));
    writeSelect.select.addEventListener("change", () => setWrite(writeSelect.select.value));
    partitionButton.addEventListener("click", () => {
      partition = !partition;
      partitionButton.setAttribute("aria-pressed", String(partition));
      run();
    });
    staleButton.addEventListener("click", () => {
      stale = !stale;
      staleButton.setAttribute("aria-pressed", String(stale));
      run();
    });

    // The shortcuts work on the focused level selects too, as they always have. ← → stay with a
    // select or the scroller; never mdBook.
    DSIP.keepKeys(stage, (key) => {
      if (key === "[") setRead(turn(read, -1));
      else if (key === "]") setRead(turn(read, 1));
      else if (key === "{") setWrite(turn(write, -1));
      else if (key === "}") setWrite(turn(write, 1));
      else if (key === "p" || key === "P") partitionButton.click();
      else if (key === "s" || key === "S") staleButton.click();
      else return false;
      return true;
    }, { fields: "select" });

    run();
  }

  DSIP.registerWidget("consistency-dial", { mount });
})();
