import { InvalidArgumentError } from "./errors.js";
import { requireWorkflow } from "./scope.js";

/**
 * Ends this run and starts a fresh run of the same workflow with these arguments and an empty
 * journal, so a workflow that loops for ever (a monitor, a poller) keeps its journal bounded. The
 * two are linked (`continuedTo`, `continuedFrom`); the new run keeps the tags, timeout, queue and
 * parent of this one, and `result()` of any run of the chain resolves to the last one's result.
 * Nothing after this call runs: await it as the workflow's last statement.
 *
 * @example
 * ```ts
 * export const monitor = workflow("monitor", async (cursor: number) => {
 *   for (let i = 0; i < 100; i++) cursor = await poll(cursor);
 *   return await continueAsNew<[number]>(cursor);
 * });
 * ```
 */
export async function continueAsNew<A extends unknown[] = unknown[]>(...args: A): Promise<never> {
  const run = requireWorkflow("continueAsNew()");
  if (!Array.isArray(args)) throw new InvalidArgumentError(`continueAsNew() takes the new run's arguments; got ${typeof args}.`);
  return await run.continueAsNew(args);
}
