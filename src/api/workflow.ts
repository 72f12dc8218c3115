import { InvalidArgumentError } from "./errors.js";
import { startChild } from "./child.js";

export interface WorkflowOptions {
  /** Documentation shown by tools. */
  description?: string;
}

/**
 * A workflow: a named async function whose progress is durable. Pass it to `start()` and
 * `startWorker()`. Called inside another workflow, it runs as a child run and resolves to the
 * child's result (see `child()`).
 */
export interface WorkflowDefinition<A extends unknown[] = unknown[], R = unknown> {
  (...args: A): Promise<R>;
  readonly kind: "workflow";
  /** The workflow's name (also the function's `name`). */
  readonly name: string;
  readonly fn: (...args: A) => Promise<R>;
  readonly options: WorkflowOptions;
}

export const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,127}$/;

/**
 * Defines a workflow. Its body must be deterministic: do I/O in steps, and use `now()`, `uuid()`,
 * `random()` and `sleep()` instead of `Date.now()`, `crypto.randomUUID()`, `Math.random()` and timers.
 *
 * The definition is also a function: called inside another workflow it starts a child run with
 * these arguments and resolves to its result (the parent waits durably, holding no memory).
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
  const call = (...args: A): Promise<Awaited<R>> => startChild(definition, args, {}, `${name}()`);
  Object.defineProperty(call, "name", { value: name });
  const definition: WorkflowDefinition<A, Awaited<R>> = Object.freeze(
    Object.assign(call, { kind: "workflow" as const, fn: fn as (...args: A) => Promise<Awaited<R>>, options }),
  );
  return definition;
}

/** Whether `value` is a definition returned by {@link workflow}. */
export function isWorkflowDefinition(value: unknown): value is WorkflowDefinition {
  return typeof value === "function" && (value as Partial<WorkflowDefinition>).kind === "workflow";
}
