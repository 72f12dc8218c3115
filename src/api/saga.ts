import { CancelledError, CompensationFailedError, InvalidArgumentError, NonDeterminismError } from "./errors.js";
import { requireWorkflow } from "./scope.js";

/**
 * Registers an undo action with the enclosing {@link saga}: `compensate(() => refund(txId))`, or
 * `compensate(refund, txId)` to have the arguments type-checked against the step's.
 */
export type Compensate = <A extends unknown[]>(undo: (...args: A) => unknown, ...args: A) => void;

/**
 * Runs `body` as a saga: after each step that succeeds, `compensate(...)` registers the action that
 * undoes it. If `body` throws (a step's final error, `CancelledError` from `cancel()`, a run
 * timeout), the registered compensations run one after another, last registered first, and then
 * the body's error is rethrown. If `body` returns, the compensations are dropped.
 *
 * Do the undo work in steps: a compensation is part of the workflow body, so its steps are
 * journaled and retried by their own retry policy, and a replay after a crash in the middle of
 * compensating returns the recorded ones and goes on with the rest. A compensation that fails does
 * not stop the others; once all ran, the saga throws {@link CompensationFailedError} (`cause`: the
 * body's error, `failures`: the compensations' errors). A `cancel()` that arrives while
 * compensating interrupts the compensation under way, which is then run once more (a run is
 * cancelled only once), so a cancellation never leaves a saga half undone.
 *
 * Compensations run in the order they were registered, reversed. In parallel branches
 * (`Promise.all`) that is the order in which their steps finished, which a replay keeps; await
 * every branch (`Promise.allSettled`) before the body throws, since a branch that registers a
 * compensation after the saga ended gets `InvalidArgumentError`.
 *
 * @example
 * ```ts
 * export const transfer = workflow("transfer", async (from: string, to: string, amount: number) => {
 *   const txId = uuid();
 *   await saga(async (compensate) => {
 *     await withdraw(txId, from, amount);
 *     compensate(refund, txId, from, amount);   // runs if anything below throws
 *     await deposit(txId, to, amount);
 *   });
 *   return txId;
 * });
 * ```
 */
export async function saga<T>(body: (compensate: Compensate) => Promise<T>): Promise<T> {
  const run = requireWorkflow("saga()");
  if (typeof body !== "function") {
    throw new InvalidArgumentError(`saga() needs an async function that takes compensate, e.g. saga(async (compensate) => { ... }); got ${typeof body}.`);
  }
  const registered: (() => unknown)[] = [];
  let ended = false;
  const compensate: Compensate = (undo, ...args) => {
    // Also refuses a call from inside a step, where the compensation could not be journaled.
    if (requireWorkflow("compensate()") !== run) {
      throw new InvalidArgumentError(`compensate() was called from another run than its saga's ("${run.runId}"). Use the compensate of the saga you are in.`);
    }
    if (typeof undo !== "function") {
      throw new InvalidArgumentError(`compensate() needs the function that undoes the step, e.g. compensate(() => refund(txId)); got ${typeof undo}.`);
    }
    if (ended) {
      throw new InvalidArgumentError(
        `compensate() was called after its saga() had ended, so this compensation would never run. ` +
          `Await every parallel branch of the saga (e.g. with Promise.allSettled) before its body returns or throws.`,
      );
    }
    registered.push(() => undo(...args));
  };
  try {
    return await body(compensate);
  } catch (error) {
    // A blocked run stopped where its code left the journal: nothing more may run.
    if (error instanceof NonDeterminismError) throw error;
    const failures: unknown[] = [];
    // Popped one at a time: a branch still running may register one more meanwhile.
    for (let undo = registered.pop(); undo !== undefined; undo = registered.pop()) {
      const failure = await runCompensation(undo);
      if (failure) failures.push(failure.error);
    }
    if (failures.length > 0) throw new CompensationFailedError(error, failures);
    throw error;
  } finally {
    ended = true;
  }
}

/** Runs one compensation; a `cancel()` that interrupted it is delivered by then, so a second call runs undisturbed. */
async function runCompensation(undo: () => unknown): Promise<{ error: unknown } | undefined> {
  for (let call = 1; ; call++) {
    try {
      await undo();
      return undefined;
    } catch (error) {
      if (!(error instanceof CancelledError) || call === 2) return { error };
    }
  }
}
