import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Logger, NonRetryableError, sleep, step, workflow } from "../../src/index.js";
import { createOrphanRun } from "../helpers/orphan-run.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

interface Line {
  level: "info" | "warn" | "error";
  message: string;
  details?: Record<string, unknown>;
}

/** A Logger that keeps every line. */
function capturingLogger(): Logger & { lines: Line[]; of(runId: string): Line[] } {
  const lines: Line[] = [];
  const at = (level: Line["level"]) => (message: string, details?: Record<string, unknown>) => void lines.push({ level, message, details });
  return { lines, info: at("info"), warn: at("warn"), error: at("error"), of: (runId) => lines.filter((line) => line.details?.runId === runId) };
}

describe("worker logs", () => {
  test("a run's life in one info line each: started, a step retried, suspended, resumed, finished; steps that succeed log nothing", async (t) => {
    let calls = 0;
    const charge = step("charge", async () => {
      if (++calls === 1) throw new Error("the bank timed out");
      return "charged";
    }, { retry: { initialDelay: "10ms" } });
    const notify = step("notify", async () => "sent");
    const order = workflow("logged-order", async () => {
      await charge();
      await sleep("200ms");
      await notify();
    });
    const logger = capturingLogger();
    const { endure, close } = await openTestEndure({ workflows: [order], logger, inMemoryWaitLimit: "50ms" });
    t.after(close);

    await (await endure.start(order, [], { id: "order-1" })).result();
    await waitUntil(() => logger.of("order-1").some((line) => line.message === "run finished"), "the run's last line");
    const lines = logger.of("order-1");
    assert.deepEqual(lines.map((line) => [line.level, line.message]), [
      ["info", "run started"],
      ["info", "step attempt failed; it will be retried"],
      ["info", "run suspended"],
      ["info", "run resumed"],
      ["info", "run finished"],
    ]);
    const [started, retried, , resumed, finished] = lines as [Line, Line, Line, Line, Line];
    assert.deepEqual(started.details, { runId: "order-1", workflow: "logged-order" });
    const { error, retryAt, ...retryFields } = retried.details!;
    assert.deepEqual(retryFields, { runId: "order-1", workflow: "logged-order", step: "charge", position: 0, attempt: 1 });
    assert.equal((error as Error).message, "the bank timed out");
    assert.ok(Date.parse(retryAt as string) > 0, "when the step is attempted again");
    assert.deepEqual(resumed.details, { runId: "order-1", workflow: "logged-order", replayed: 2 });
    const { durationMs, ...finishedFields } = finished.details!;
    assert.deepEqual(finishedFields, { runId: "order-1", workflow: "logged-order", status: "completed" });
    assert.ok(typeof durationMs === "number" && durationMs >= 200, `the run's duration since it started, got ${String(durationMs)}`);
  });

  test("a failed run's last line has its status and error; a step that fails for good says so", async (t) => {
    const decline = step("decline", async () => {
      throw new NonRetryableError("the card was declined");
    });
    const order = workflow("logged-declined", async () => await decline());
    const logger = capturingLogger();
    const { endure, close } = await openTestEndure({ workflows: [order], logger });
    t.after(close);

    await assert.rejects((await endure.start(order, [], { id: "declined" })).result());
    await waitUntil(() => logger.of("declined").some((line) => line.message === "run finished"), "the run's last line");
    const [, failedStep, finished] = logger.of("declined") as [Line, Line, Line];
    assert.equal(failedStep.message, "step failed");
    assert.equal((failedStep.details!.error as Error).message, "the card was declined");
    assert.equal(finished.details!.status, "failed");
    assert.equal((finished.details!.error as Error).message, "the card was declined");
  });

  test("a run whose worker died is taken over, with the lapses of its lease; a stopping worker says it gives its runs back", async (t) => {
    let entered!: () => void;
    const inStep = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const mayFinish = new Promise<void>((resolve) => (release = resolve));
    const slow = step("slow", async () => {
      entered();
      await mayFinish;
    });
    const orphan = workflow("logged-orphan", async () => await slow());
    const logger = capturingLogger();
    const { endure, url, close } = await openTestEndure();
    t.after(close);
    await createOrphanRun(url, "orphan", "logged-orphan");
    const worker = await endure.startWorker({ workflows: [orphan], logger, pollInterval: 10 });
    try {
      await inStep;
      assert.deepEqual(logger.of("orphan")[0], {
        level: "info", message: "run taken over: the lease of the worker that held it lapsed",
        details: { runId: "orphan", workflow: "logged-orphan", lapses: 1, replayed: 0 },
      });
    } finally {
      // The worker stops while the step runs; it lets the attempt finish, then gives the run back.
      const stopping = worker.stop();
      release();
      await stopping;
    }
    assert.deepEqual(logger.of("orphan").map((line) => line.message).slice(1), ["run released: the worker is stopping"]);
  });
});
