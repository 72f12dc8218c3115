import type { ScheduleFiring, ScheduleRecord } from "../store/schedule-store.js";
import type { Store } from "../store/store.js";
import type { Logger } from "./logger.js";
import type { OutageLog } from "./outage-log.js";
import { planFiring } from "./schedule-plan.js";
import { WakeableLoop } from "./wakeable-loop.js";

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
  private readonly loop: WakeableLoop;
  /** Schedules whose plan failed, reported once each. */
  private readonly broken = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly workflows: readonly string[],
    private readonly logger: Logger,
    outage: OutageLog,
    /** Called when runs were started, so the worker claims them at once. */
    private readonly onFired: () => void,
  ) {
    this.loop = new WakeableLoop("firing schedules", outage, () => this.fire());
  }

  start(): void {
    this.loop.start();
  }

  /** Looks for due ticks now rather than at the next check (the test kit, after it moved time). */
  fireNow(): void {
    this.loop.wake();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Fires the due ticks. @returns how long until the next tick (at most {@link RECHECK_MS}). */
  private async fire(): Promise<number> {
    const fired = await this.store.fireSchedules({ workflows: this.workflows, limit: FIRE_LIMIT, plan: (schedule, now) => this.plan(schedule, now) });
    if (fired.created.length > 0) this.onFired();
    return fired.nextAt === null ? RECHECK_MS : Math.max(0, Math.min(RECHECK_MS, fired.nextAt - fired.now));
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
}
