import { type Duration, toMilliseconds } from "./duration.js";
import { requireWorkflow } from "./scope.js";

/**
 * Pauses the workflow durably: the wake-up time is journaled, so the sleep survives restarts and
 * deploys. A long sleep releases the run from memory; any worker resumes it when it is due.
 *
 * @example
 * ```ts
 * await sleep("3 days");
 * ```
 * @param duration Milliseconds, or a string such as `"90s"` or `"3 days"`.
 */
export async function sleep(duration: Duration): Promise<void> {
  const run = requireWorkflow("sleep()");
  await run.sleep(toMilliseconds(duration, "sleep()'s duration"));
}
