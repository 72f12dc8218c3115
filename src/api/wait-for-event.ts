import { type Duration, toMilliseconds } from "./duration.js";
import { InvalidArgumentError } from "./errors.js";
import type { EventDefinition } from "./event.js";
import { requireWorkflow } from "./scope.js";
import { validateEventName } from "./validate.js";

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
export function waitForEvent<T = unknown>(name: string, options?: WaitForEventOptions): Promise<T | null>;
/** Waits for the next event of a kind from `defineEvent()`; resolves to its payload type, or `null`. */
export function waitForEvent<T>(event: EventDefinition<T, unknown>, options?: WaitForEventOptions): Promise<T | null>;
export async function waitForEvent(event: string | EventDefinition<unknown, unknown>, options: WaitForEventOptions = {}): Promise<unknown> {
  const run = requireWorkflow("waitForEvent()");
  const name = typeof event === "string" ? event : (event as Partial<EventDefinition> | null)?.name;
  if (typeof name !== "string" || name.length === 0 || name.length > 200) {
    throw new InvalidArgumentError(
      `waitForEvent() needs an event name of 1 to 200 characters, or an event from defineEvent(); got ${JSON.stringify(event) ?? typeof event}.`,
    );
  }
  validateEventName(name, "waitForEvent()");
  const timeoutMs = options.timeout === undefined ? undefined : toMilliseconds(options.timeout, "waitForEvent()'s timeout");
  return await run.waitForEvent(name, timeoutMs);
}
