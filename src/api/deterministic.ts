import { randomUUID } from "node:crypto";
import { type DurableRun, scopeStorage } from "./scope.js";

// Inside a workflow body the value is journaled, so a replay sees the same one; elsewhere (in a
// step, or outside any run) these are the plain functions. `produce` gets the run, if any.
function deterministic<T>(kind: "now" | "uuid" | "random", produce: (run?: DurableRun) => T): T {
  const scope = scopeStorage.getStore();
  return scope?.kind === "workflow" ? scope.run.record(kind, () => produce(scope.run)) : produce(scope?.run);
}

/**
 * The current time in milliseconds since the epoch, the same on every replay of the run. Use it
 * in workflow bodies instead of `Date.now()` or `new Date()`.
 */
export function now(): number {
  // The run's clock: virtual under the test kit, in steps too.
  return deterministic("now", (run) => run?.clock() ?? Date.now());
}

/**
 * A random UUID (v4), the same on every replay of the run. Use it in workflow bodies instead of
 * `crypto.randomUUID()`, e.g. for a transaction id.
 *
 * @example
 * ```ts
 * const txId = uuid();
 * await withdraw(txId, from, amount);
 * ```
 */
export function uuid(): string {
  return deterministic("uuid", () => randomUUID());
}

/** A random number in [0, 1), the same on every replay of the run. Use it instead of `Math.random()`. */
export function random(): number {
  return deterministic("random", () => Math.random());
}
