import { type Duration, toMilliseconds } from "./duration.js";
import { InvalidArgumentError } from "./errors.js";
import { WORKFLOW_NAME } from "./workflow.js";

export interface QueueOptions {
  /** At most this many runs of the queue at once, across every worker (default: no limit). */
  concurrency?: number;
  /** At most this many runs with the same `concurrencyKey` at once (default: no limit). Runs without a key are not limited by it. */
  keyConcurrency?: number;
  /** At most `limit` runs start in any window of `period` (a sliding window). */
  rateLimit?: { limit: number; period: Duration };
}

/** A queue's limits, checked. Pass it to `startWorker({ queues })`; start runs in it with `start(..., { queue })`. */
export interface QueueDefinition {
  readonly kind: "queue";
  readonly name: string;
  /** null: no such limit. */
  readonly concurrency: number | null;
  readonly keyConcurrency: number | null;
  readonly rateLimit: { readonly limit: number; readonly periodMs: number } | null;
}

/**
 * Defines a named queue. Runs started in it wait, `queued`, until its limits let them start; a
 * run holds its slot from its admission until it finishes, sleeps and waits included. The limits
 * hold across every worker process on the store and across crashes.
 *
 * @example
 * ```ts
 * const payments = queue("payments", { concurrency: 10, keyConcurrency: 1, rateLimit: { limit: 100, period: "1m" } });
 * await endure.startWorker({ workflows: [charge], queues: [payments] });
 * await endure.start(charge, [order], { queue: payments, concurrencyKey: order.accountId, priority: 5 });
 * ```
 */
export function queue(name: string, options: QueueOptions = {}): QueueDefinition {
  if (typeof name !== "string" || !WORKFLOW_NAME.test(name)) {
    throw new InvalidArgumentError(
      `queue() needs a name of 1 to 128 letters, digits or _ . : - / (starting with a letter or digit); got ${JSON.stringify(name) ?? typeof name}.`,
    );
  }
  const where = `queue("${name}")`;
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(`${where}: options must be an object such as { concurrency: 5 }; got ${options === null ? "null" : typeof options}.`);
  }
  const { rateLimit } = options;
  let rate: QueueDefinition["rateLimit"] = null;
  if (rateLimit !== undefined) {
    if (typeof rateLimit !== "object" || rateLimit === null) {
      throw new InvalidArgumentError(`${where}: rateLimit must be an object such as { limit: 100, period: "1m" }; got ${rateLimit === null ? "null" : typeof rateLimit}.`);
    }
    const limit = limitOf(rateLimit.limit, `${where}: rateLimit.limit`);
    const periodMs = rateLimit.period === undefined ? NaN : toMilliseconds(rateLimit.period, `${where}: rateLimit.period`);
    if (!(periodMs >= 1)) {
      throw new InvalidArgumentError(`${where}: rateLimit.period must be at least 1 ms, e.g. "1s" or "1 minute"; got ${JSON.stringify(rateLimit.period) ?? "nothing"}.`);
    }
    rate = Object.freeze({ limit, periodMs });
  }
  return Object.freeze({
    kind: "queue",
    name,
    concurrency: options.concurrency === undefined ? null : limitOf(options.concurrency, `${where}: concurrency`),
    keyConcurrency: options.keyConcurrency === undefined ? null : limitOf(options.keyConcurrency, `${where}: keyConcurrency`),
    rateLimit: rate,
  });
}

/** The most a limit may be: a 32-bit integer column. */
const MAX_LIMIT = 1_000_000_000;

function limitOf(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_LIMIT) {
    throw new InvalidArgumentError(`${what} must be a whole number from 1 to ${MAX_LIMIT} (leave it out for no limit); got ${typeof value === "number" ? String(value) : (JSON.stringify(value) ?? typeof value)}.`);
  }
  return value;
}
