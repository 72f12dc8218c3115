import { InvalidArgumentError } from "../api/errors.js";
import type { QueueDefinition } from "../api/queue.js";
import type { RunExit } from "../engine/host.js";
import type { RunRecord, Store } from "../store/store.js";
import type { OutageLog } from "./outage-log.js";

/**
 * A worker's part in its queues: it registers their limits and, before each claim, admits the
 * queued runs the limits allow (any worker of their workflows then claims them). A run of these
 * queues finishing here frees a slot, so the claim loop is woken to admit at once; slots freed in
 * other processes are seen at the next poll.
 */
export class Admission {
  private readonly queues: readonly QueueDefinition[];
  /** Runs of these queues this worker holds in memory. */
  private readonly held = new Set<string>();

  constructor(
    private readonly store: Store,
    queues: readonly QueueDefinition[],
    private readonly outage: OutageLog,
  ) {
    if (!Array.isArray(queues)) {
      throw new InvalidArgumentError(`startWorker(): queues must be an array of definitions returned by queue(); got ${typeof queues}.`);
    }
    const byName = new Map<string, QueueDefinition>();
    for (const definition of queues as QueueDefinition[]) {
      if (definition?.kind !== "queue") {
        throw new InvalidArgumentError("startWorker(): every entry of queues must be a definition returned by queue(), e.g. queue(\"payments\", { concurrency: 5 }).");
      }
      const existing = byName.get(definition.name);
      if (existing && existing !== definition) {
        throw new InvalidArgumentError(`startWorker(): two different queues are named "${definition.name}"; define each queue once and pass that definition.`);
      }
      byName.set(definition.name, definition);
    }
    this.queues = [...byName.values()];
  }

  /** Writes the queues' limits to the store (the last worker to start with a queue sets its limits). */
  async register(): Promise<void> {
    if (this.queues.length === 0) return;
    await this.store.registerQueues(this.queues.map(({ name, concurrency, keyConcurrency, rateLimit }) =>
      ({ name, concurrency, keyConcurrency, rateLimit: rateLimit && { ...rateLimit } })));
  }

  /** Admits what the queues' limits allow now. A failure (the store down) is logged once per outage. */
  async admit(): Promise<void> {
    if (this.queues.length === 0) return;
    try {
      await this.store.admitQueued(this.queues.map((queue) => queue.name));
    } catch (error) {
      this.outage.failed("admitting queued runs", error);
    }
  }

  /** A run entered this worker's memory. */
  launched(run: RunRecord): void {
    if (run.queue !== null && this.queues.some((queue) => queue.name === run.queue)) this.held.add(run.id);
  }

  /** A run left this worker's memory. @returns whether it freed a slot of one of these queues. */
  left(runId: string, exit: RunExit): boolean {
    return this.held.delete(runId) && exit.kind === "finished";
  }
}
