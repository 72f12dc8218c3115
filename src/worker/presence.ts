import { hostname } from "node:os";
import type { Store } from "../store/store.js";
import type { WorkerHeartbeat } from "../store/worker-registry.js";
import type { OutageLog } from "./outage-log.js";

/** A worker's heartbeat comes at least this far apart, whatever its lease: it is for people, not for fencing. */
const MIN_HEARTBEAT_MS = 1000;

/**
 * Keeps a worker's row in the store's worker registry: written at start, refreshed every lease
 * period (with how many runs it holds), removed at a graceful stop. A worker that dies stops
 * refreshing it, which is how `endure show` tells a dead holder from a live one. Fencing never
 * depends on it: leases on the runs do that.
 */
export class WorkerPresence {
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  /** The heartbeat but for its count of runs. */
  private readonly identity: Omit<WorkerHeartbeat, "activeRuns">;

  constructor(
    private readonly store: Store,
    worker: Pick<WorkerHeartbeat, "id" | "workflows" | "queues" | "concurrency" | "version" | "compatibleWith">,
    leaseMs: number,
    private readonly activeRuns: () => number,
    private readonly outage: OutageLog,
  ) {
    const host = hostname();
    this.identity = { ...worker, name: `${host}:${process.pid}`, host, pid: process.pid, heartbeatMs: Math.max(MIN_HEARTBEAT_MS, leaseMs) };
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beating ??= this.beat()
        .catch((error: unknown) => this.outage.failed("the worker's heartbeat", error))
        .finally(() => (this.beating = undefined));
    }, this.identity.heartbeatMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.store.removeWorker(this.identity.id).catch(() => {});
  }

  private beat(): Promise<void> {
    return this.store.heartbeatWorker({ ...this.identity, activeRuns: this.activeRuns() });
  }
}
