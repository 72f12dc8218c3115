import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import {
  CancelledError,
  CompensationFailedError,
  InvalidArgumentError,
  NonRetryableError,
  NotInWorkflowError,
  RunFailedError,
  saga,
  sleep,
  step,
  stepContext,
  waitForEvent,
  workflow,
  type Compensate,
} from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

/** What the steps of one test did, in order. */
function recorder() {
  const done: string[] = [];
  /** A step that succeeds, fails its first attempt (then is retried), or always fails. */
  const act = (name: string, fails?: "once" | "always") =>
    step(name, async (label: string) => {
      if (fails === "always") throw new NonRetryableError(`${name} ${label} failed`);
      if (fails === "once" && stepContext().attempt === 1) throw new Error(`${name} ${label}: a passing failure`);
      done.push(`${name} ${label}`);
    }, { retry: { maxAttempts: 3, initialDelay: 1 } });
  return { done, act };
}

/** The run's error: `RunFailedError` as result() gives it, its cause as the workflow threw it. */
async function failureOf(result: Promise<unknown>): Promise<Error> {
  const error = await result.then(() => assert.fail("the run completed"), (thrown: unknown) => thrown);
  assert.ok(error instanceof RunFailedError, `got ${String(error)}`);
  return error.cause as Error;
}

describe("saga()", () => {
  test("a failure runs the registered compensations in reverse order, then rethrows the failure", async (t) => {
    const { done, act } = recorder();
    const [reserve, undo, charge] = [act("reserve"), act("undo"), act("charge", "always")];
    const wf = workflow("saga-reverse", async () => {
      await saga(async (compensate) => {
        await reserve("a");
        compensate(undo, "a");
        await reserve("b");
        compensate(() => undo("b"));
        await charge("card"); // fails: its own compensation was never registered
        compensate(undo, "charge");
      });
      return "unreachable";
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const failure = await failureOf((await endure.start(wf, [])).result());
    assert.ok(failure instanceof NonRetryableError);
    assert.equal(failure.message, "charge card failed");
    assert.deepEqual(done, ["reserve a", "reserve b", "undo b", "undo a"]);
  });

  test("a body that returns drops its compensations", async (t) => {
    const { done, act } = recorder();
    const [reserve, undo] = [act("reserve"), act("undo")];
    const wf = workflow("saga-success", async () =>
      await saga(async (compensate) => {
        await reserve("a");
        compensate(undo, "a");
        return "booked";
      }));
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    assert.equal(await (await endure.start(wf, [])).result(), "booked");
    assert.deepEqual(done, ["reserve a"]);
  });

  test("a compensation is a step retried by its own policy; one that fails for good does not stop the others", async (t) => {
    const { done, act } = recorder();
    const reserve = act("reserve");
    const flakyUndo = act("flaky-undo", "once"); // fails once, then succeeds
    const brokenUndo = act("broken-undo", "always");
    const undo = act("undo");
    const wf = workflow("saga-compensation-fails", async () => {
      await saga(async (compensate) => {
        await reserve("a");
        compensate(undo, "a");
        await reserve("b");
        compensate(brokenUndo, "b");
        await reserve("c");
        compensate(flakyUndo, "c");
        throw new NonRetryableError("the order was refused");
      });
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    const failure = await failureOf(run.result());
    assert.deepEqual(done, ["reserve a", "reserve b", "reserve c", "flaky-undo c", "undo a"]);
    // Read back from the store: the error and everything attached to it survive serialization.
    assert.ok(failure instanceof CompensationFailedError, `got ${String(failure)}`);
    assert.equal(failure.code, "COMPENSATION_FAILED");
    assert.ok(failure.cause instanceof NonRetryableError);
    assert.equal(failure.cause.message, "the order was refused");
    assert.equal(failure.failures.length, 1);
    assert.equal((failure.failures[0] as Error).message, "broken-undo b failed");
    assert.match(failure.message, /^A saga failed \(NonRetryableError: the order was refused\) and 1 of its compensations failed too \(NonRetryableError: broken-undo b failed\)/);
    const journal = (await endure.get(run.id)).journal;
    assert.deepEqual(journal.map((entry) => `${entry.name}:${entry.status}:${entry.attempts}`), [
      "reserve:completed:1", "reserve:completed:1", "reserve:completed:1",
      "flaky-undo:completed:2", "broken-undo:failed:1", "undo:completed:1",
    ]);
  });

  test("cancel() while the saga waits runs its compensations; they retry as usual; the run ends cancelled", async (t) => {
    const { done, act } = recorder();
    const reserve = act("reserve");
    const release = act("release", "once");
    const wf = workflow("saga-cancelled", async () => {
      await saga(async (compensate) => {
        await reserve("seat");
        compensate(release, "seat");
        await waitForEvent("payment");
      });
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    await waitUntil(async () => (await run.status()) === "waiting", "the saga to wait for its payment");
    await endure.cancel(run.id);
    await assert.rejects(run.result(), CancelledError);
    assert.deepEqual(done, ["reserve seat", "release seat"]);
    const info = await endure.get(run.id);
    assert.equal(info.status, "cancelled");
    assert.deepEqual(info.journal.map((entry) => `${entry.name}:${entry.status}:${entry.attempts}`), ["reserve:completed:1", "payment:failed:0", "release:completed:2"]);
  });

  test("cancel() during a compensation interrupts it; it runs once more, and the others still run", async (t) => {
    const { done, act } = recorder();
    const reserve = act("reserve");
    const undo = act("undo");
    let calls = 0;
    const slowUndo = step("slow-undo", async (label: string) => {
      if (++calls === 1) {
        const { signal } = stepContext();
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
        throw signal.reason as Error;
      }
      done.push(`slow-undo ${label}`);
    });
    const wf = workflow("saga-cancel-while-compensating", async () => {
      await saga(async (compensate) => {
        await reserve("a");
        compensate(undo, "a");
        await reserve("b");
        compensate(slowUndo, "b");
        throw new NonRetryableError("refused");
      });
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    await waitUntil(() => calls === 1, "the first compensation to start");
    await endure.cancel(run.id);
    const failure = await run.result().then(() => undefined, (error: unknown) => error);
    assert.ok(failure instanceof CancelledError, `got ${String(failure)}`);
    assert.equal(calls, 2);
    assert.deepEqual(done, ["reserve a", "reserve b", "slow-undo b", "undo a"]);
    const info = await endure.get(run.id);
    assert.equal(info.status, "cancelled");
    // The body's own error, rethrown once everything was undone.
    assert.ok(info.error instanceof NonRetryableError);
    assert.deepEqual(info.journal.map((entry) => `${entry.name}:${entry.status}`), [
      "reserve:completed", "reserve:completed", "slow-undo:failed", "slow-undo:completed", "undo:completed",
    ]);
  });

  test("a run replayed in the middle of compensating goes on where it stopped; recorded compensations do not run again", async (t) => {
    const { done, act } = recorder();
    const reserve = act("reserve");
    const undo = act("undo");
    let bodyStarts = 0;
    const wf = workflow("saga-replayed", async () => {
      bodyStarts++;
      await saga(async (compensate) => {
        await reserve("a");
        compensate(undo, "a");
        await reserve("b");
        // Suspends between the two compensations: the rest runs in a replay from the top.
        compensate(async () => await sleep(200));
        await reserve("c");
        compensate(undo, "c");
        throw new NonRetryableError("refused");
      });
    });
    // A worker that drops every waiting run from memory, so the wake-up is a full replay.
    const { endure, close } = await openTestEndure({ workflows: [wf], inMemoryWaitLimit: 0 });
    t.after(close);

    const run = await endure.start(wf, []);
    await assert.rejects(run.result(), RunFailedError);
    assert.equal(bodyStarts, 2, "the body ran again after the suspension");
    assert.deepEqual(done, ["reserve a", "reserve b", "reserve c", "undo c", "undo a"]);
    const journal = (await endure.get(run.id)).journal;
    assert.deepEqual(journal.map((entry) => `${entry.kind}:${entry.name}:${entry.status}`), [
      "step:reserve:completed", "step:reserve:completed", "step:reserve:completed",
      "step:undo:completed", "sleep:sleep:completed", "step:undo:completed",
    ]);
  });

  test("in parallel branches compensations run in the reverse order the branches registered them, the same after a replay", async (t) => {
    const { done, act } = recorder();
    const undo = act("undo");
    const reserve = step("reserve", async (label: string) => {
      await delay(Math.floor(Math.random() * 20)); // branches finish in a random order
      return label;
    });
    const registered: string[][] = [];
    const wf = workflow("saga-parallel", async (labels: string[]) => {
      const order: string[] = [];
      registered.push(order);
      await saga(async (compensate) => {
        await Promise.all(labels.map(async (label) => {
          await reserve(label);
          order.push(label);
          compensate(undo, label);
        }));
        await sleep(200); // replays everything above, in the recorded order
        throw new NonRetryableError("refused");
      });
    });
    const { endure, close } = await openTestEndure({ workflows: [wf], inMemoryWaitLimit: 0 });
    t.after(close);

    const labels = ["a", "b", "c", "d", "e", "f"];
    await assert.rejects((await endure.start(wf, [labels])).result(), RunFailedError);
    assert.equal(registered.length, 2);
    assert.deepEqual(registered[1], registered[0], "the replay registered them in the same order");
    assert.deepEqual(done, registered[0]!.map((label) => `undo ${label}`).reverse());
  });

  test("misuse: saga() outside a workflow, compensate() in a step, after the saga, or without a function", async (t) => {
    await assert.rejects(saga(async () => "x"), (error: unknown) => {
      assert.ok(error instanceof NotInWorkflowError);
      assert.match(error.message, /^saga\(\) was called outside a workflow/);
      return true;
    });

    let escaped: Compensate | undefined;
    const callInStep = step("call-in-step", async (compensate: Compensate) => compensate(() => undefined));
    const outcomes: unknown[] = [];
    const wf = workflow("saga-misuse", async () => {
      await saga(async (compensate) => {
        escaped = compensate;
        outcomes.push(await callInStep(compensate).catch((error: unknown) => error));
        try {
          compensate("refund" as unknown as () => void);
        } catch (error) {
          outcomes.push(error);
        }
      });
      try {
        escaped!(() => undefined);
      } catch (error) {
        outcomes.push(error);
      }
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    await (await endure.start(wf, [])).result();
    const [inStep, notAFunction, afterwards] = outcomes as [Error, Error, Error];
    assert.ok(inStep instanceof NotInWorkflowError, `got ${String(inStep)}`);
    assert.match(inStep.message, /compensate\(\) was called inside step "call-in-step"/);
    assert.ok(notAFunction instanceof InvalidArgumentError);
    assert.match(notAFunction.message, /compensate\(\) needs the function that undoes the step/);
    assert.ok(afterwards instanceof InvalidArgumentError);
    assert.match(afterwards.message, /compensate\(\) was called after its saga\(\) had ended/);
  });
});
