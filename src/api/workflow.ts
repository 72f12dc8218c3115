import { InvalidArgumentError } from "./errors.js";

export interface WorkflowOptions {
  /** Documentation shown by tools. */
  description?: string;
}

/** A workflow: a named async function whose progress is durable. Pass it to `start()` and `startWorker()`. */
export interface WorkflowDefinition<A extends unknown[] = unknown[], R = unknown> {
  readonly kind: "workflow";
  readonly name: string;
  readonly fn: (...args: A) => Promise<R>;
  readonly options: WorkflowOptions;
}

export const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,127}$/;

/**
 * Defines a workflow. Its body must be deterministic: do I/O in steps, and use `now()`, `uuid()`,
 * `random()` and `sleep()` instead of `Date.now()`, `crypto.randomUUID()`, `Math.random()` and timers.
 *
 * @example
 * ```ts
 * export const transfer = workflow("transfer", async (from: string, to: string, amount: number) => {
 *   const txId = uuid();
 *   await withdraw(txId, from, amount);
 *   await deposit(txId, to, amount);
 *   return txId;
 * });
 * ```
 */
export function workflow<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => Promise<R>,
  options: WorkflowOptions = {},
): WorkflowDefinition<A, Awaited<R>> {
  if (typeof name !== "string" || !WORKFLOW_NAME.test(name)) {
    throw new InvalidArgumentError(
      `workflow() needs a name of 1 to 128 letters, digits or _ . : - / (starting with a letter or digit); got ${JSON.stringify(name)}.`,
    );
  }
  if (typeof fn !== "function") {
    throw new InvalidArgumentError(`workflow("${name}") needs an async function as its second argument; got ${typeof fn}.`);
  }
  return Object.freeze({ kind: "workflow", name, fn: fn as (...args: A) => Promise<Awaited<R>>, options });
}
