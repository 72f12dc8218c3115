import type { QueueLimits } from "./queue-store.js";
import { RUN_STATUSES, type RunStatus } from "./store.js";
import type { ServedVersions } from "./version-pinning.js";

/** What a worker says about itself at every heartbeat, with the versions of runs it claims. */
export interface WorkerHeartbeat extends ServedVersions {
  id: string;
  /** For people: `host:pid`. */
  name: string;
  host: string;
  pid: number;
  workflows: readonly string[];
  /** Queues it admits runs of. */
  queues: readonly string[];
  concurrency: number;
  /** Runs it holds in memory now. */
  activeRuns: number;
  /** How often it sends a heartbeat: silent for three of these, it is taken for dead. */
  heartbeatMs: number;
}

/** A worker as the store last heard of it (times by the store's clock). */
export interface WorkerRecord extends WorkerHeartbeat {
  startedAt: number;
  heartbeatAt: number;
}

/** A queue's limits and load, as seen by one queued run (see {@link WorkerRegistry.queueUsage}). */
export interface QueueUsage extends QueueLimits {
  queued: number;
  active: number;
  /** Admitted, unfinished runs with the given concurrency key (null: no key given). */
  keyActive: number | null;
  /** Runs admitted within the rate window ending now (null: the queue has no rate limit). */
  admittedInWindow: number | null;
}

/** A worker not heard from for this long is forgotten (its row deleted by the next heartbeat of any worker). */
export const FORGET_WORKERS_MS = 60 * 60 * 1000;

/**
 * Who is alive and what the store holds, for operators: the workers that sent a heartbeat lately,
 * counts of runs by status, and a queue's load. Read by `endure show` ("why is it stuck?"), the
 * metrics and the dashboard; the engine never depends on it.
 */
export interface WorkerRegistry {
  /**
   * Records that a worker is alive: inserts it (its `startedAt` now) or refreshes its heartbeat and
   * counts, by the store's clock. Forgets workers silent for {@link FORGET_WORKERS_MS}.
   */
  heartbeatWorker(worker: WorkerHeartbeat): Promise<void>;
  /** A worker stopping forgets itself. */
  removeWorker(id: string): Promise<void>;
  /** The workers heard from, most recent heartbeat first. */
  listWorkers(): Promise<WorkerRecord[]>;
  /** How many runs are in each status (every status present, 0 when none). */
  countRunsByStatus(): Promise<Record<RunStatus, number>>;
  /** A queue's limits and load, for a queued run with `key` (undefined: unknown queue). */
  queueUsage(queue: string, key: string | null): Promise<QueueUsage | undefined>;
}

/** Counts by status from `(status, n)` rows, with every status present. */
export function statusCounts(rows: readonly { status: string; n: number | string }[]): Record<RunStatus, number> {
  const counts = Object.fromEntries(RUN_STATUSES.map((status) => [status, 0])) as Record<RunStatus, number>;
  for (const row of rows) if (row.status in counts) counts[row.status as RunStatus] = Number(row.n);
  return counts;
}

export interface WorkerRow {
  id: string;
  name: string;
  host: string;
  pid: number;
  workflows: string;
  queues: string;
  concurrency: number;
  active_runs: number;
  heartbeat_ms: number | string;
  started_at: number | string;
  heartbeat_at: number | string;
  version: string | null;
  /** A JSON array. */
  compatible_with: string;
}

export function toWorkerRecord(row: WorkerRow): WorkerRecord {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    pid: row.pid,
    workflows: JSON.parse(row.workflows) as string[],
    queues: JSON.parse(row.queues) as string[],
    concurrency: row.concurrency,
    activeRuns: row.active_runs,
    heartbeatMs: Number(row.heartbeat_ms),
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
    version: row.version,
    compatibleWith: JSON.parse(row.compatible_with) as string[],
  };
}

/** The columns of a heartbeat, in the order of the stores' upsert statements. */
export function workerColumns(worker: WorkerHeartbeat, now: number): unknown[] {
  return [worker.id, worker.name, worker.host, worker.pid, JSON.stringify(worker.workflows), JSON.stringify(worker.queues),
    worker.concurrency, worker.activeRuns, worker.heartbeatMs, worker.version, JSON.stringify(worker.compatibleWith), now];
}
