import { type Duration, toMilliseconds } from "./duration.js";
import { InvalidArgumentError } from "./errors.js";
import { requireWorkflow } from "./scope.js";

export interface WaitForEventOptions {
  /** Give up after this long and resolve to `null`. Without it, wait for as long as it takes. */
  timeout?: Duration;
}

/**
 * Waits durably for the next event of this name sent to the run (`endure.send(runId, name, payload)`)
 * and resolves to its payload, or to `null` when the timeout passes first. Events sent before the
 * wait are kept in the run's inbox, oldest first; each is consumed by one wait only. While it
 * waits, the run holds no memory.
 *
 * @example
 * ```ts
 * const approval = await waitForEvent<{ approved: boolean }>("approval", { timeout: "1 day" });
 * if (approval === null) await escalate();
 * ```
 */
export async function waitForEvent<T = unknown>(name: string, options: WaitForEventOptions = {}): Promise<T | null> {
  const run = requireWorkflow("waitForEvent()");
  if (typeof name !== "string" || name.length === 0 || name.length > 200) {
    throw new InvalidArgumentError(`waitForEvent() needs an event name of 1 to 200 characters; got ${JSON.stringify(name)}.`);
  }
  const timeoutMs = options.timeout === undefined ? undefined : toMilliseconds(options.timeout, "waitForEvent()'s timeout");
  return (await run.waitForEvent(name, timeoutMs)) as T | null;
}
