import type { WorkerRecord } from "../store/worker-registry.js";
import { isAlive } from "./diagnosis.js";

/** A worker as `endure.workers()` shows it. */
export interface WorkerInfo {
  id: string;
  /** `host:pid`. */
  name: string;
  host: string;
  pid: number;
  workflows: string[];
  /** Queues it admits runs of. */
  queues: string[];
  concurrency: number;
  /** Runs it held in memory at its last heartbeat. */
  activeRuns: number;
  startedAt: Date;
  lastHeartbeatAt: Date;
  /** Whether it sent a heartbeat lately; a worker that died stays listed, not alive, for an hour. */
  alive: boolean;
  /** The version of its code (null: unversioned), and the older versions whose runs it claims too. */
  version: string | null;
  compatibleWith: string[];
}

export function toWorkerInfo(worker: WorkerRecord, now: number): WorkerInfo {
  return {
    id: worker.id,
    name: worker.name,
    host: worker.host,
    pid: worker.pid,
    workflows: [...worker.workflows],
    queues: [...worker.queues],
    concurrency: worker.concurrency,
    activeRuns: worker.activeRuns,
    startedAt: new Date(worker.startedAt),
    lastHeartbeatAt: new Date(worker.heartbeatAt),
    alive: isAlive(worker, now),
    version: worker.version,
    compatibleWith: [...worker.compatibleWith],
  };
}
