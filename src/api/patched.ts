import { InvalidArgumentError } from "./errors.js";
import { requireWorkflow } from "./scope.js";

/**
 * Branches a workflow for a code change that must not break runs already in flight. A run that
 * reaches this call for the first time takes the new path (true) and journals that it did; a run
 * that had already passed this point under the old code, without the patch, gets false on replay,
 * so it keeps making the calls its journal recorded.
 *
 * Once `endure patches` shows no unfinished run on the old path, remove the old branch and replace
 * the call with {@link deprecatePatch}, and later remove that too.
 *
 * @example
 * ```ts
 * if (patched("fraud-check")) {
 *   await checkFraud(order);          // new runs, and old ones that had not got here yet
 * }
 * await charge(order);
 * ```
 * @param id Names the change, unique within the workflow (1 to 200 characters).
 */
export function patched(id: string): boolean {
  return requireWorkflow("patched()").patched(patchId(id, "patched()"));
}

/**
 * Marks where a patch was, once no unfinished run needs its old path: new runs still journal it,
 * so workers that run the previous code (with `patched(id)`) during a rollout can replay them.
 * Remove it in a later deploy; a journaled patch that the code no longer calls is skipped.
 */
export function deprecatePatch(id: string): void {
  requireWorkflow("deprecatePatch()").patched(patchId(id, "deprecatePatch()"));
}

function patchId(id: unknown, where: string): string {
  if (typeof id !== "string" || id.length === 0 || id.length > 200) {
    throw new InvalidArgumentError(`${where} needs a change id of 1 to 200 characters, e.g. patched("fraud-check"); got ${JSON.stringify(id) ?? typeof id}.`);
  }
  return id;
}
