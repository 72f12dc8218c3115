import type { QueueLimits } from "./queue-store.js";

// The admission rules both stores apply once they have read a queue's counts in their transaction.

export interface QueueRow {
  name: string;
  concurrency: number | null;
  key_concurrency: number | null;
  rate_limit: number | null;
  rate_period_ms: number | string | null;
}

export function toQueueLimits(row: QueueRow): QueueLimits {
  return {
    name: row.name,
    concurrency: row.concurrency,
    keyConcurrency: row.key_concurrency,
    rateLimit: row.rate_limit === null || row.rate_period_ms === null ? null : { limit: row.rate_limit, periodMs: Number(row.rate_period_ms) },
  };
}

/** A queue's limits as the columns of its row. */
export function queueColumns(queue: QueueLimits) {
  return {
    name: queue.name,
    concurrency: queue.concurrency,
    key_concurrency: queue.keyConcurrency,
    rate_limit: queue.rateLimit?.limit ?? null,
    rate_period_ms: queue.rateLimit?.periodMs ?? null,
  };
}

/**
 * How many more runs the queue may admit now: what its concurrency limit leaves beside the
 * `active` runs, and its rate limit beside the runs admitted within the last period (`recent`).
 */
export function roomLeft(limits: QueueLimits, active: number, recent: number, cap: number): number {
  let room = cap;
  if (limits.concurrency !== null) room = Math.min(room, limits.concurrency - active);
  if (limits.rateLimit !== null) room = Math.min(room, limits.rateLimit.limit - recent);
  return Math.max(0, room);
}

export interface QueuedCandidate {
  id: string;
  concurrency_key: string | null;
}

/**
 * The runs to admit among `candidates` (due queued runs, in admission order): up to `room`,
 * skipping those whose key is at the queue's per-key limit, counting the ones admitted here.
 * @param activeByKey active runs per concurrency key, for the candidates' keys.
 */
export function chooseAdmissions(limits: QueueLimits, candidates: readonly QueuedCandidate[], activeByKey: Map<string, number>, room: number): string[] {
  const chosen: string[] = [];
  for (const { id, concurrency_key: key } of candidates) {
    if (chosen.length >= room) break;
    if (key !== null && limits.keyConcurrency !== null) {
      const active = activeByKey.get(key) ?? 0;
      if (active >= limits.keyConcurrency) continue;
      activeByKey.set(key, active + 1);
    }
    chosen.push(id);
  }
  return chosen;
}

/** The distinct concurrency keys of the candidates, when the queue limits keys at all. */
export function keysToCount(limits: QueueLimits, candidates: readonly QueuedCandidate[]): string[] {
  if (limits.keyConcurrency === null) return [];
  return [...new Set(candidates.map((candidate) => candidate.concurrency_key).filter((key): key is string => key !== null))];
}
