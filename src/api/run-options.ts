import { type Duration, toMilliseconds } from "./duration.js";
import { InvalidArgumentError } from "./errors.js";
import type { NewRun } from "../store/store.js";
import { validateRunId } from "./validate.js";

export interface StartOptions {
  /** The run's id, also its idempotency key: starting again with the same id returns the same run. */
  id?: string;
  /**
   * The run is cancelled (status `cancelled`, error `RunTimeoutError`) when it has not finished this
   * long after it started. Cancellation is delivered like `cancel()`'s, so `finally` blocks and
   * compensations run.
   */
  timeout?: Duration;
  /** Starts the run this much later (it is `pending` until then; in a queue, it is admitted no earlier). */
  delay?: Duration;
  /** Labels to find the run by: `list({ tags })` returns runs that have all the given tags. */
  tags?: readonly string[];
  /** Runs it in this queue (defined with `queue()` and served by a worker): it waits, `queued`, until the queue's limits let it start. */
  queue?: string | { readonly name: string };
  /** Within its queue, runs of higher priority are admitted first (default 0, from -1000 to 1000). */
  priority?: number;
  /** Within its queue, at most the queue's `keyConcurrency` runs with the same key run at once (e.g. an account id). */
  concurrencyKey?: string;
}

const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 100;
const MAX_PRIORITY = 1000;
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,127}$/;

/** The parts of a new run that {@link StartOptions} set, checked; the id is the caller's or undefined. */
export type RunSettings = Partial<Pick<NewRun, "id" | "dueAt" | "timeoutMs" | "tags" | "queue" | "priority" | "concurrencyKey">>;

/** Checks `options` and turns them into a new run's settings (`delay` counted from `now`). */
export function runOptions(options: StartOptions, where: string, now: number): RunSettings {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(`${where}: options must be an object such as { id: "order-42" }; got ${options === null ? "null" : typeof options}.`);
  }
  const run: { -readonly [K in keyof RunSettings]: RunSettings[K] } = {};
  if (options.id !== undefined) run.id = validateRunId(options.id, where);
  if (options.timeout !== undefined) {
    const timeoutMs = toMilliseconds(options.timeout, `${where}: timeout`);
    if (timeoutMs <= 0) throw new InvalidArgumentError(`${where}: timeout must be longer than 0 (e.g. "10 minutes"); got ${JSON.stringify(options.timeout)}.`);
    run.timeoutMs = timeoutMs;
  }
  if (options.delay !== undefined) run.dueAt = now + toMilliseconds(options.delay, `${where}: delay`);
  if (options.tags !== undefined) run.tags = validateTags(options.tags, where);
  if (options.queue !== undefined) run.queue = queueName(options.queue, where);
  if (options.priority !== undefined) {
    const { priority } = options;
    if (!Number.isInteger(priority) || Math.abs(priority) > MAX_PRIORITY) {
      throw new InvalidArgumentError(`${where}: priority must be a whole number from -${MAX_PRIORITY} to ${MAX_PRIORITY} (higher runs first); got ${String(priority)}.`);
    }
    run.priority = priority;
  }
  if (options.concurrencyKey !== undefined) {
    const key = options.concurrencyKey;
    if (typeof key !== "string" || key.length === 0 || key.length > 255) {
      throw new InvalidArgumentError(`${where}: concurrencyKey must be a string of 1 to 255 characters, e.g. an account id; got ${JSON.stringify(key) ?? typeof key}.`);
    }
    run.concurrencyKey = key;
  }
  if (run.queue === undefined && (run.priority !== undefined || run.concurrencyKey !== undefined)) {
    throw new InvalidArgumentError(`${where}: priority and concurrencyKey order and limit runs within a queue; give the queue too, e.g. { queue: "payments", priority: 10 }.`);
  }
  return run;
}

/** Checks a list of tags (at most 20 strings of 1 to 100 characters); @returns them without repeats. */
export function validateTags(tags: readonly string[], where: string): string[] {
  if (!Array.isArray(tags) || tags.length > MAX_TAGS) {
    throw new InvalidArgumentError(`${where}: tags must be an array of at most ${MAX_TAGS} strings, e.g. ["customer:42"]; got ${Array.isArray(tags) ? `${tags.length} tags` : typeof tags}.`);
  }
  for (const tag of tags) {
    if (typeof tag !== "string" || tag.length === 0 || tag.length > MAX_TAG_LENGTH) {
      throw new InvalidArgumentError(`${where}: each tag must be a string of 1 to ${MAX_TAG_LENGTH} characters; got ${JSON.stringify(tag) ?? typeof tag}.`);
    }
  }
  return [...new Set(tags)];
}

/** A queue's name, given as the name or as its definition. */
export function queueName(queue: string | { readonly name: string }, where: string): string {
  const name = typeof queue === "object" && queue !== null ? queue.name : queue;
  if (typeof name !== "string" || !QUEUE_NAME.test(name)) {
    throw new InvalidArgumentError(
      `${where}: queue must be a queue's name of 1 to 128 letters, digits or _ . : - / (starting with a letter or digit), or its definition; got ${JSON.stringify(name) ?? typeof name}.`,
    );
  }
  return name;
}
