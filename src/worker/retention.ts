import type { Store } from "../store/store.js";
import type { Logger } from "./logger.js";

/** Runs deleted per statement: short transactions, so other writers never wait long. */
const BATCH = 500;
/** How often a worker sweeps. Several workers sweeping at once is harmless, only redundant. */
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Retention: deletes finished runs (with their journals and events) once they finished longer
 * than `retentionMs` ago, in batches, at start and every ten minutes.
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

  /** Deletes everything past retention now. @returns how many runs were deleted. */
  async sweep(): Promise<number> {
    const cutOff = Date.now() - this.retentionMs;
    let total = 0;
    for (;;) {
      const deleted = await this.store.deleteFinishedRuns(cutOff, BATCH);
      total += deleted;
      if (deleted < BATCH) return total;
    }
  }

  private sweepInBackground(): void {
    if (this.sweeping) return;
    this.sweeping = this.sweep()
      .then(
        () => {},
        (error: unknown) => this.logger.warn("deleting finished runs past retention failed; will retry at the next sweep", { error }),
      )
      .finally(() => (this.sweeping = undefined));
  }
}
