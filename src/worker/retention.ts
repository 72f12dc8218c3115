import type { Store } from "../store/store.js";
import type { Logger } from "./logger.js";

/** Runs (or events) deleted per statement: short transactions, so other writers never wait long. */
const BATCH = 500;
/** How often a worker sweeps. Several workers sweeping at once is harmless, only redundant. */
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Retention: deletes finished runs (with their journals and events) once they finished longer
 * than `retentionMs` ago, and events of the event log received longer ago that every trigger has
 * dispatched, in batches, at start and every ten minutes.
 */
export class RetentionSweeper {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly store: Store,
    private readonly retentionMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.sweepInBackground();
    this.timer = setInterval(() => this.sweepInBackground(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** Deletes everything past retention now. @returns how many runs and events were deleted. */
  async sweep(): Promise<{ runs: number; events: number }> {
    const cutOff = Date.now() - this.retentionMs;
    return {
      runs: await inBatches((limit) => this.store.deleteFinishedRuns(cutOff, limit)),
      events: await inBatches((limit) => this.store.deleteOldEvents(cutOff, limit)),
    };
  }

  private sweepInBackground(): void {
    if (this.sweeping) return;
    this.sweeping = this.sweep()
      .then(
        () => {},
        (error: unknown) => this.logger.warn("deleting finished runs and events past retention failed; will retry at the next sweep", { error }),
      )
      .finally(() => (this.sweeping = undefined));
  }
}

/** Deletes batch after batch until one comes back short. @returns how many were deleted. */
async function inBatches(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch(BATCH);
    total += deleted;
    if (deleted < BATCH) return total;
  }
}
