import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { type SpanContext, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { Endure, NonRetryableError, sleep, step, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { registerTracing } from "../helpers/tracing.js";
import { waitUntil } from "../helpers/wait-until.js";

const exporter = new InMemorySpanExporter();
registerTracing(exporter);
const testTracer = trace.getTracer("test");

afterEach(() => exporter.reset());

/** The finished spans whose name starts with `prefix`, in the order they ended. */
function spans(prefix: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.name.startsWith(prefix));
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: { spanContext(): SpanContext }) => span.spanContext().spanId;
const traceOf = (span: { spanContext(): SpanContext }) => span.spanContext().traceId;

describe("traces", () => {
  test("one trace per run: its executions across a suspension and a hand-over to another worker are spans under the caller's span", async (t) => {
    let enteredTwo!: () => void;
    const inTwo = new Promise<void>((resolve) => (enteredTwo = resolve));
    let finishTwo!: () => void;
    const twoMayFinish = new Promise<void>((resolve) => (finishTwo = resolve));
    const one = step("one", async () => 1);
    const two = step("two", async () => {
      enteredTwo();
      await twoMayFinish;
      return 2;
    });
    const three = step("three", async () => 3);
    const journey = workflow("traced-journey", async () => {
      await one();
      await sleep("300ms"); // past the in-memory wait limit: the run is suspended, then claimed again
      await two();
      await three();
      return "done";
    });
    const { endure, url, close } = await openTestEndure();
    // A second client on the same store, for the worker that goes on with the run.
    const second = await Endure.open({ store: url });
    t.after(async () => {
      await second.close();
      await close();
    });
    const firstWorker = await endure.startWorker({ workflows: [journey], inMemoryWaitLimit: "50ms", pollInterval: 10 });

    const caller = await testTracer.startActiveSpan("POST /journeys", async (span) => {
      try {
        await endure.start(journey, [], { id: "journey" });
        return span;
      } finally {
        span.end();
      }
    });
    // The first worker stops while step "two" runs: it lets the attempt finish, then gives the run back.
    try {
      await inTwo;
    } finally {
      const stopping = firstWorker.stop();
      finishTwo();
      await stopping;
    }
    await second.startWorker({ workflows: [journey], pollInterval: 10 });
    assert.equal(await second.handle("journey").result(), "done");

    await waitUntil(() => spans("endure.run").length === 3, "three run spans");
    const runs = spans("endure.run");
    assert.deepEqual(runs.map((span) => [span.name, span.attributes["endure.resumed"], span.attributes["endure.replay"], span.attributes["endure.outcome"]]), [
      ["endure.run traced-journey", false, 0, "waiting"],
      ["endure.run traced-journey", true, 2, "released"],
      ["endure.run traced-journey", true, 3, "completed"],
    ]);
    for (const run of runs) {
      assert.equal(traceOf(run), traceOf(caller), "every execution is in the caller's trace");
      assert.equal(parentOf(run), idOf(caller), "every execution is a child of the caller's span");
      assert.equal(run.attributes["endure.run_id"], "journey");
    }
    const steps = spans("endure.step");
    assert.deepEqual(steps.map((span) => [span.name, span.attributes["endure.position"], span.attributes["endure.attempt"], parentOf(span)]), [
      ["endure.step one", 0, 1, idOf(runs[0]!)],
      ["endure.step two", 2, 1, idOf(runs[1]!)],
      ["endure.step three", 3, 1, idOf(runs[2]!)],
    ], "each executed step under the execution that ran it; replayed steps make no spans");
    assert.equal(spans("endure.start").length, 0, "the caller had a span: no span of Endure's own at the start");
  });

  test("a child run's spans are in its parent's trace, under the parent's execution that started it; a step's code sees the step's span", async (t) => {
    const lookUp = step("look-up", async () => {
      // The user's own instrumentation (an HTTP client's, say) nests under the step.
      testTracer.startActiveSpan("GET /rates", (span) => span.end());
      return trace.getActiveSpan()?.spanContext().spanId;
    });
    const kid = workflow("traced-kid", async () => await lookUp());
    const parent = workflow("traced-parent", async () => await kid());
    const { endure, close } = await openTestEndure({ workflows: [kid, parent] });
    t.after(close);

    const activeInStep = await (await endure.start(parent, [], { id: "family" })).result();
    await waitUntil(() => spans("endure.run traced-parent").length === 2, "the parent's two executions (before and after its child)");

    const [start] = spans("endure.start");
    assert.equal(start?.name, "endure.start traced-parent", "started with no active span: Endure's own start span roots the trace");
    assert.equal(start.attributes["endure.run_id"], "family");
    const parents = spans("endure.run traced-parent");
    const [child] = spans("endure.run traced-kid");
    const [stepSpan] = spans("endure.step look-up");
    const [userSpan] = spans("GET /rates");
    for (const span of [...parents, child!, stepSpan!, userSpan!]) assert.equal(traceOf(span), traceOf(start), `${span.name} is in the run's trace`);
    assert.deepEqual(parents.map(parentOf), [idOf(start), idOf(start)]);
    assert.equal(parentOf(child!), idOf(parents[0]!), "the child's execution is under the parent's execution that started it");
    assert.equal(parentOf(stepSpan!), idOf(child!));
    assert.equal(activeInStep, idOf(stepSpan!), "the step's span is the active span in the step's code");
    assert.equal(parentOf(userSpan!), idOf(stepSpan!));
  });

  test("a failed step attempt's span has status ERROR and the exception; a step that fails for good fails the run's span", async (t) => {
    let calls = 0;
    const flaky = step("flaky", async () => {
      if (++calls === 1) throw new Error("the bank timed out");
      return "ok";
    }, { retry: { initialDelay: "10ms" } });
    const doomed = step("doomed", async () => {
      throw new NonRetryableError("the card was declined");
    });
    const failing = workflow("traced-failures", async () => {
      await flaky();
      await doomed();
    });
    const { endure, close } = await openTestEndure({ workflows: [failing] });
    t.after(close);

    await assert.rejects((await endure.start(failing, [])).result(), { name: "RunFailedError" });
    await waitUntil(() => spans("endure.run").length === 1, "the run span");

    const attempts = spans("endure.step");
    assert.deepEqual(attempts.map((span) => [span.name, span.attributes["endure.attempt"], span.attributes["endure.outcome"], span.status.code]), [
      ["endure.step flaky", 1, "retrying", SpanStatusCode.ERROR],
      ["endure.step flaky", 2, "completed", SpanStatusCode.UNSET],
      ["endure.step doomed", 1, "failed", SpanStatusCode.ERROR],
    ]);
    const exception = (span: ReadableSpan) => span.events.find((event) => event.name === "exception")?.attributes;
    assert.equal(exception(attempts[0]!)?.["exception.message"], "the bank timed out");
    assert.equal(attempts[0]!.status.message, "the bank timed out");
    assert.ok(typeof attempts[0]!.attributes["endure.retry_at"] === "string");
    assert.equal(exception(attempts[1]!), undefined);
    assert.equal(exception(attempts[2]!)?.["exception.message"], "the card was declined");
    const [run] = spans("endure.run");
    assert.equal(run!.attributes["endure.outcome"], "failed");
    assert.equal(run!.status.code, SpanStatusCode.ERROR);
    assert.equal(exception(run!)?.["exception.message"], "the card was declined");
  });
});
