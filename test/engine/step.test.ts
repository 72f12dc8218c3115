import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  NonRetryableError,
  RunFailedError,
  TimeoutError,
  step,
  stepContext,
  steps,
  workflow,
  type StepContext,
} from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";

describe("step()", () => {
  test("outside a workflow a step just runs its function", async () => {
    const double = step("double", (n: number) => n * 2);
    assert.equal(await double(21), 42);
  });

  test("a failing attempt is retried with back-off until it succeeds; attempts are journaled", async (t) => {
    const contexts: StepContext[] = [];
    const flaky = step("flaky", async () => {
      contexts.push(stepContext());
      if (contexts.length < 3) throw new Error(`attempt ${contexts.length} failed`);
      return "done";
    }, { retry: { maxAttempts: 5, initialDelay: 5, backoffFactor: 2 } });
    const wf = workflow("retry-until-success", async () => await flaky());
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, [], { id: "retry-1" });
    assert.equal(await run.result(), "done");
    assert.deepEqual(contexts.map((c) => c.attempt), [1, 2, 3]);
    // The idempotency key is the same for every attempt of the step.
    assert.deepEqual(new Set(contexts.map((c) => c.idempotencyKey)), new Set(["retry-1:0"]));
    assert.equal(contexts[0]!.runId, "retry-1");
    assert.equal(contexts[0]!.stepName, "flaky");
    const [entry] = (await endure.get("retry-1")).journal;
    assert.equal(entry!.status, "completed");
    assert.equal(entry!.attempts, 3);
  });

  test("after maxAttempts the last error fails the run, carried by RunFailedError", async (t) => {
    let calls = 0;
    const broken = step("broken", async () => {
      calls++;
      const error = new Error("service unavailable") as Error & { code: string; status: number };
      error.code = "E_UNAVAILABLE";
      error.status = 503;
      throw error;
    }, { retry: { maxAttempts: 2, initialDelay: 1 } });
    const wf = workflow("retry-exhausted", async () => await broken());
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    const failure = await run.result().then(() => assert.fail("expected a failure"), (error: unknown) => error);
    assert.ok(failure instanceof RunFailedError);
    const cause = failure.cause as Error & { code?: string; status?: number };
    assert.equal(cause.message, "service unavailable");
    assert.equal(cause.code, "E_UNAVAILABLE");
    assert.equal(cause.status, 503);
    assert.equal(calls, 2);
    const info = await endure.get(run.id);
    assert.equal(info.status, "failed");
    assert.equal(info.journal[0]!.status, "failed");
    assert.equal(info.journal[0]!.attempts, 2);
  });

  test("NonRetryableError fails at once, and the workflow can catch it", async (t) => {
    let calls = 0;
    const reject = step("reject", async () => {
      calls++;
      throw new NonRetryableError("card declined");
    });
    const wf = workflow("non-retryable", async () => {
      try {
        await reject();
        return "charged";
      } catch (error) {
        return error instanceof NonRetryableError ? `caught: ${error.message}` : "wrong error class";
      }
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    assert.equal(await (await endure.start(wf, [])).result(), "caught: card declined");
    assert.equal(calls, 1);
  });

  test("a timeout aborts the attempt's signal and fails it with TimeoutError", async (t) => {
    const signals: AbortSignal[] = [];
    const slow = step("slow", async () => {
      const { signal } = stepContext();
      signals.push(signal);
      await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason as Error)));
    }, { timeout: 20, retry: { maxAttempts: 2, initialDelay: 1 } });
    const wf = workflow("step-timeout", async () => await slow());
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const failure = await (await endure.start(wf, [])).result().catch((error: unknown) => error);
    assert.ok(failure instanceof RunFailedError);
    assert.ok(failure.cause instanceof TimeoutError, `cause was ${String(failure.cause)}`);
    assert.match((failure.cause as Error).message, /Step "slow" \(attempt 2\) took longer than its timeout of 20 ms/);
    assert.equal(signals.length, 2);
    assert.ok(signals.every((signal) => signal.aborted));
  });

  test("steps() names each function's step by its key", async (t) => {
    const bank = steps({
      withdraw: async (account: string, amount: number) => `${account}-${amount}`,
      deposit: async (account: string, amount: number) => `${account}+${amount}`,
    });
    const wf = workflow("steps-object", async () => [await bank.withdraw("a", 1), await bank.deposit("b", 1)]);
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    assert.deepEqual(await run.result(), ["a-1", "b+1"]);
    assert.deepEqual((await endure.get(run.id)).journal.map((entry) => entry.name), ["withdraw", "deposit"]);
  });

  test("a step called inside a step runs inline, without its own journal entry", async (t) => {
    const inner = step("inner", async (n: number) => n + 1);
    const outer = step("outer", async (n: number) => (await inner(n)) * 10);
    const wf = workflow("nested-steps", async () => await outer(1));
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    assert.equal(await run.result(), 20);
    assert.deepEqual((await endure.get(run.id)).journal.map((entry) => entry.name), ["outer"]);
  });

  test("bad step definitions are refused with a clear error", () => {
    assert.throws(() => step("", async () => 1), /step\(\) needs a name of 1 to 200 characters/);
    assert.throws(() => step("x", async () => 1, { retry: { maxAttempts: 0 } }), /retry\.maxAttempts must be a whole number of at least 1; got 0/);
    assert.throws(() => step("x", async () => 1, { timeout: "soon" }), /timeout must be a non-negative number of milliseconds/);
  });
});
