import { NotInWorkflowError } from "./errors.js";
import { scopeStorage } from "./scope.js";

/** What a running step knows about itself. */
export interface StepContext {
  runId: string;
  stepName: string;
  /** The step's position in the run's journal. */
  position: number;
  /**
   * 1 for the first attempt, then 2, 3, ...: the attempts whose failure was journaled, plus this
   * one. An attempt cut short by a crash of its worker left no record, so it is not counted.
   */
  attempt: number;
  /**
   * `runId:position`: the same for every attempt, crash and replay of this step, and different
   * for every other step. Pass it to the outside world to make the step's side effect idempotent.
   */
  idempotencyKey: string;
  /** Aborted when the attempt times out, the run is cancelled, or the worker loses the run. */
  signal: AbortSignal;
}

/**
 * The context of the step being executed.
 *
 * @example
 * ```ts
 * const charge = step("charge", async (amount: number) => {
 *   const { idempotencyKey, signal } = stepContext();
 *   await payments.charge({ amount, idempotencyKey }, { signal });
 * });
 * ```
 * @throws NotInWorkflowError when called outside a step.
 */
export function stepContext(): StepContext {
  const scope = scopeStorage.getStore();
  if (scope?.kind !== "step") {
    throw new NotInWorkflowError("stepContext() was called outside a step; call it inside a function passed to step().");
  }
  return scope.context;
}
