import type { ScheduleFiring, ScheduleRecord } from "../store/schedule-store.js";
import type { Store } from "../store/store.js";
import type { Logger } from "./logger.js";
import type { OutageLog } from "./outage-log.js";
import { planFiring } from "./schedule-plan.js";

/** Schedules are looked at least this often: another process may have created or changed one. */
const RECHECK_MS = 1000;
/** Most schedules fired in one transaction. */
const FIRE_LIMIT = 20;

/**
 * Fires the cron schedules of a worker's workflows: sleeps until the earliest next tick it knows
 * (at most {@link RECHECK_MS}), then has the store start the due ticks' runs. Only schedules of
 * workflows the worker serves: every run it starts has a worker, and ticks that come due while no
 * worker serves a workflow are missed ones, which its catch-up policy decides about.
 *
 * Any number of workers may fire at once: the store fires each schedule in one transaction and
 * tick runs have ids derived from the tick, so each tick starts one run.
 */
export class Scheduler {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private failures = 0;
  /** Schedules whose plan failed, reported once each. */
  private readonly broken = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly workflows: readonly string[],
    private readonly logger: Logger,
    private readonly outage: OutageLog,
    /** Called when runs were started, so the worker claims them at once. */
    private readonly onFired: () => void,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.fireLoop();
  }

  /** Looks for due ticks now rather than at the next check (the test kit, after it moved time). */
  fireNow(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async fireLoop(): Promise<void> {
    while (this.running) {
      let waitMs = RECHECK_MS;
      try {
        const fired = await this.store.fireSchedules({ workflows: this.workflows, limit: FIRE_LIMIT, plan: (schedule, now) => this.plan(schedule, now) });
        this.failures = 0;
        this.outage.recovered();
        if (fired.created.length > 0) this.onFired();
        if (fired.nextAt !== null) waitMs = Math.max(0, Math.min(waitMs, fired.nextAt - fired.now));
      } catch (error) {
        if (!this.running) break;
        this.failures++;
        this.outage.failed("firing schedules", error);
        waitMs = Math.min(100 * 2 ** this.failures, 2000);
      }
      if (this.running) await this.idle(waitMs);
    }
  }

  /** A schedule whose cron no longer parses (stored by another version) stops rather than blocking every other one. */
  private plan(schedule: ScheduleRecord, now: number): ScheduleFiring {
    try {
      return planFiring(schedule, now);
    } catch (error) {
      if (!this.broken.has(schedule.name)) {
        this.broken.add(schedule.name);
        this.logger.error(`schedule "${schedule.name}" cannot be fired and stops; set it again with a valid cron`, { error });
      }
      return { runs: [], nextAt: null, lastAt: null };
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
