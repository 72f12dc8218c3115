import type { StepContext } from "../api/step-context.js";
import type { LazyAbort } from "./lazy-abort.js";

/** What `stepContext()` returns inside one attempt of a step; a class, so making one is cheap. */
export class AttemptContext implements StepContext {
  readonly idempotencyKey: string;
  readonly #abort: LazyAbort;

  constructor(
    readonly runId: string,
    readonly stepName: string,
    readonly position: number,
    readonly attempt: number,
    abort: LazyAbort,
  ) {
    this.idempotencyKey = `${runId}:${position}`;
    this.#abort = abort;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }
}
