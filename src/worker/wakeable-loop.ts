import type { OutageLog } from "./outage-log.js";

/** The longest back-off between failed passes. */
const MAX_BACKOFF_MS = 2000;

/**
 * A background loop of a worker (firing schedules, dispatching events): runs `pass` again after
 * the delay it returns, or at once when woken meanwhile. A pass that fails (the store is down) is
 * reported once per outage and retried with back-off.
 */
export class WakeableLoop {
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;
  private failures = 0;

  constructor(
    /** What a pass does, for the outage report: "firing schedules". */
    private readonly what: string,
    private readonly outage: OutageLog,
    /** One pass; resolves to how long to wait before the next one (ms). */
    private readonly pass: () => Promise<number>,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Runs a pass now rather than after the wait (one already under way is followed by another). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let waitMs: number;
      try {
        waitMs = await this.pass();
        this.failures = 0;
        this.outage.recovered();
      } catch (error) {
        if (!this.running) break;
        this.failures++;
        this.outage.failed(this.what, error);
        waitMs = Math.min(100 * 2 ** this.failures, MAX_BACKOFF_MS);
      }
      if (this.running && !this.woken) await this.idle(waitMs);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
