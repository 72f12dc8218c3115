import { setTimeout as delay } from "node:timers/promises";

/**
 * Polls `condition` until it returns a truthy value, and returns it. Fails with `what` after
 * `timeoutMs`: tests wait for conditions, never for fixed times.
 */
export async function waitUntil<T>(condition: () => T | Promise<T>, what: string, timeoutMs = 10_000, everyMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(everyMs);
  }
}
