/** A queue's limits as the store keeps them; null: no such limit. */
export interface QueueLimits {
  name: string;
  concurrency: number | null;
  keyConcurrency: number | null;
  rateLimit: { limit: number; periodMs: number } | null;
}

/** A queue's limits and what is in it now. */
export interface QueueState extends QueueLimits {
  /** Runs waiting for admission (status `queued`), delayed ones included. */
  queued: number;
  /** Runs admitted and not finished: the slots in use. */
  active: number;
}

/**
 * Named queues (see `src/store/store.ts` for the run states). A run created in a queue is `queued`
 * (not due) until admitted: then it is `pending`, due now, and holds a slot of its queue
 * (`admittedAt` set) until it finishes, whatever happens in between (waits, crashes, take-overs).
 *
 * Rules every store keeps (the conformance suite checks them):
 * - at most `concurrency` runs of a queue are admitted and unfinished at once, and at most
 *   `keyConcurrency` of those with the same concurrency key;
 * - at most `rateLimit.limit` runs are admitted in any window of `rateLimit.periodMs`;
 * - runs are admitted in order of priority (higher first), then `admitAt`, then id, never before
 *   their `admitAt`; a run held back by its key's limit does not hold back the runs behind it
 *   (within the first {@link ADMISSION_SCAN} queued runs);
 * - admissions of one queue are serialized across every handle on the storage, so concurrent
 *   admitters never exceed a limit together.
 */
export interface QueueStore {
  /** Creates or updates queues' limits (the last registration of a name wins). */
  registerQueues(queues: readonly QueueLimits[]): Promise<void>;
  /** Names of the registered queues, sorted. */
  knownQueues(): Promise<string[]>;
  /**
   * Admits the queued runs the limits of the given queues allow now, each queue in one transaction;
   * at most {@link ADMISSION_SCAN} runs per queue per call. Unknown queues are skipped.
   * @returns how many runs were admitted.
   */
  admitQueued(queues: readonly string[]): Promise<number>;
  /** Every registered queue with its counts, by name. */
  queueStates(): Promise<QueueState[]>;
}

/** How many queued runs, at the head of a queue, one admission looks at: the bound on its work. */
export const ADMISSION_SCAN = 500;
