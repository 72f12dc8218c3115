import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { registerTracing, type SpanRecord } from "../helpers/tracing.js";
import { waitUntil } from "../helpers/wait-until.js";
import { FINISHED, openScene } from "./fixtures/scene.js";
import { executionOf } from "./fixtures/side-effects.js";

// This process starts the run, traced by an SDK of its own; each worker process exports its spans
// to a file (see fixtures/traced-run.ts).
const exporter = new InMemorySpanExporter();
registerTracing(exporter);

function spansOf(dir: string, tag: string): SpanRecord[] {
  const file = join(dir, `spans-${tag}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as SpanRecord);
}

test("a run's spans from a worker SIGKILLed mid-run and from the worker that takes it over are all in the run's one trace", async () => {
  const scene = await openScene("traces");
  const { dir, endure, processes, effects } = scene;
  const worker = { workflows: ["traced-run"], lease: "500ms" };
  try {
    const a = await processes.spawnWorker({ tag: "A", ...worker });
    await endure.start("traced-run", [], { id: "traced" });
    const [start] = exporter.getFinishedSpans().filter((span) => span.name === "endure.start traced-run");
    assert.ok(start, "the run was started with no active span: Endure's start span roots its trace");
    const traceId = start.spanContext().traceId;

    await waitUntil(() => executionOf(effects, "traced:1"), "step second to start in worker A");
    await a.kill();
    const fromA = spansOf(dir, "A");
    assert.deepEqual(fromA.map((span) => span.name), ["endure.step first"], "A's run span never ended: it died");

    await processes.spawnWorker({ tag: "B", ...worker });
    assert.equal(await scene.waitForStatus("traced", FINISHED), "completed");
    const fromB = await waitUntil(() => {
      const spans = spansOf(dir, "B");
      return spans.some((span) => span.name.startsWith("endure.run")) ? spans : undefined;
    }, "worker B's run span");
    assert.deepEqual(fromB.map((span) => span.name), ["endure.step second", "endure.step third", "endure.run traced-run"]);

    for (const span of [...fromA, ...fromB]) assert.equal(span.traceId, traceId, `${span.name} is in the run's trace`);
    const run = fromB.at(-1)!;
    assert.equal(run.parentSpanId, start.spanContext().spanId, "B's execution is under the run's stored context");
    assert.deepEqual(
      [run.attributes["endure.resumed"], run.attributes["endure.replay"], run.attributes["endure.lease_lapses"], run.attributes["endure.outcome"]],
      [true, 1, 1, "completed"],
      "B took the run over from A, whose lease lapsed, and replayed step first",
    );
    assert.deepEqual(fromB.slice(0, 2).map((span) => span.parentSpanId), [run.spanId, run.spanId]);
    assert.notEqual(fromA[0]!.parentSpanId, run.spanId, "A's step is under A's own execution");
  } finally {
    await scene.dispose();
  }
});
