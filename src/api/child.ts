import { InvalidArgumentError } from "./errors.js";
import { runOptions, type StartOptions } from "./run-options.js";
import { requireWorkflow } from "./scope.js";
import type { WorkflowDefinition } from "./workflow.js";

/** What a child run is started with: `start()`'s options. */
export type ChildOptions = StartOptions;

/**
 * Starts a child run of `definition` from inside a workflow and waits durably for its result, as
 * calling the definition does, with options. The child's id is the parent's id and the call's
 * position unless `options.id` names one, so a replay finds the same child instead of starting
 * another. While it waits the parent holds no memory. A child that fails rejects with
 * `RunFailedError` (its `cause` is the child's error); a cancelled one with `CancelledError`.
 * Cancelling the parent cancels the children it waits for.
 *
 * @example
 * ```ts
 * const receipts = await Promise.all(orders.map((order) => child(charge, [order], { tags: ["batch"] })));
 * ```
 */
export function child<A extends unknown[], R>(definition: WorkflowDefinition<A, R>, args: NoInfer<A>, options: ChildOptions = {}): Promise<R> {
  return startChild(definition, args, options, "child()");
}

/** @internal What calling a workflow definition does. */
export async function startChild<A extends unknown[], R>(definition: WorkflowDefinition<A, R>, args: A, options: ChildOptions, where: string): Promise<R> {
  const run = requireWorkflow(where, `To start a run from outside a workflow, use endure.start(${definition.name}, args).`);
  if (!Array.isArray(args)) {
    throw new InvalidArgumentError(`${where}: the child's args must be an array of its workflow's arguments; got ${typeof args}.`);
  }
  return (await run.child(definition.name, args, runOptions(options, where, run.clock()))) as R;
}
