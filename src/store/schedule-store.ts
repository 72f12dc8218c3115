import type { NewRun, RunRecord } from "./store.js";

/**
 * Which of the ticks missed while no worker fired a schedule run, once one does:
 * `skip` none (a tick runs only when fired on time), `latest` the most recent one, `all` every one.
 */
export type CatchUpPolicy = "skip" | "latest" | "all";

/** A cron schedule as the store keeps it. Times are the store clock's, in ms. */
export interface ScheduleRecord {
  name: string;
  workflow: string;
  cron: string;
  /** An IANA time zone name, e.g. `"Europe/Berlin"`. */
  timezone: string;
  /** Serialized argument array each tick's run starts with. */
  input: string;
  /** JSON of the run options each tick's run starts with (a part of `NewRun`: tags, timeoutMs, queue, ...). */
  options: string;
  catchUp: CatchUpPolicy;
  paused: boolean;
  /** The next tick to fire; null while paused (or when the cron has no further tick). */
  nextAt: number | null;
  /** The last tick fired. */
  lastAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type NewSchedule = Pick<ScheduleRecord, "name" | "workflow" | "cron" | "timezone" | "input" | "options" | "catchUp">;

/** What firing one due schedule does: the runs to start and where the schedule goes next. */
export interface ScheduleFiring {
  /** Started unless a run with the same id exists (run ids derive from the schedule and the tick). */
  runs: NewRun[];
  nextAt: number | null;
  /** The last tick fired now; null when none was (missed ticks skipped). */
  lastAt: number | null;
}

export interface FireRequest {
  /** Fires only schedules of these workflows (the ones the firing worker serves). */
  workflows: readonly string[];
  /** Most schedules fired per call. */
  limit: number;
  /** Decides, for a due schedule, what to fire (the store knows nothing of cron). Called inside the transaction. */
  plan: (schedule: ScheduleRecord, now: number) => ScheduleFiring;
}

export interface FireResult {
  /** The runs this call created. */
  created: RunRecord[];
  /** The earliest `nextAt` of the request's workflows' schedules after the call (null: none). */
  nextAt: number | null;
  /** The store clock's time of the call. */
  now: number;
}

/**
 * Cron schedules (part of {@link Store}). The store only keeps schedules and fires them
 * atomically; cron arithmetic comes from the caller as functions of the store clock's now.
 */
export interface ScheduleStore {
  /**
   * Creates the schedule, or replaces the definition of the one with this name. `nextTick(now)` is
   * its next tick for a new schedule, or for one whose cron or time zone changed; otherwise the
   * existing `nextAt` is kept (a due tick not yet fired still fires), and so is `paused`.
   */
  upsertSchedule(schedule: NewSchedule, nextTick: (now: number) => number | null): Promise<ScheduleRecord>;
  getSchedule(name: string): Promise<ScheduleRecord | undefined>;
  /** By name. */
  listSchedules(): Promise<ScheduleRecord[]>;
  /** Pauses: no tick fires until resumed. `undefined` when there is no such schedule. */
  pauseSchedule(name: string): Promise<ScheduleRecord | undefined>;
  /** Resumes a paused schedule at `nextTick(now)`: ticks while paused never fire. A running one is left as it is. */
  resumeSchedule(name: string, nextTick: (now: number) => number | null): Promise<ScheduleRecord | undefined>;
  /** @returns whether there was such a schedule. Runs it started are kept. */
  deleteSchedule(name: string): Promise<boolean>;
  /**
   * In one transaction: takes up to `limit` schedules whose `nextAt` has passed (schedules another
   * process is firing at the same moment are skipped, not waited for), starts the runs their plan
   * names (an existing run id is left as it is) and moves their `nextAt` and `lastAt` on.
   */
  fireSchedules(request: FireRequest): Promise<FireResult>;
}
