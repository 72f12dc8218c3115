import { Cron } from "croner";
import type { ScheduleFiring, ScheduleRecord } from "../store/schedule-store.js";
import type { NewRun } from "../store/store.js";

/** The run options a schedule starts each tick's run with, kept as JSON in `ScheduleRecord.options`. */
export type ScheduleRunOptions = Pick<NewRun, "tags" | "timeoutMs" | "queue" | "priority" | "concurrencyKey">;

/** With catch-up `all`, at most this many missed ticks start per firing; the rest follow at the next one. */
export const MAX_CATCH_UP_TICKS = 100;

/**
 * With catch-up `skip`, a tick fired this late counts as missed. A live worker fires within
 * milliseconds of a tick; only downtime (no worker serving the workflow, the store unreachable)
 * makes it later.
 */
export const MISSED_AFTER_MS = 10_000;

/** Parses a 5-field (minute first) or 6-field (second first) cron expression; throws croner's error when invalid. */
export function parseCron(cron: string, timezone: string): Cron {
  return new Cron(cron, { timezone, mode: "5-or-6-parts" });
}

/** The first tick strictly after `after`; null when the cron has none. */
export function nextTick(cron: Cron, after: number): number | null {
  return cron.nextRun(new Date(after))?.getTime() ?? null;
}

/** The run id of a schedule's tick: every worker that fires the tick names the same run, so it starts once. */
export function scheduleRunId(name: string, tick: number): string {
  return `schedule:${name}:${new Date(tick).toISOString()}`;
}

/** What to fire for a due schedule at `now`: the ticks its catch-up policy runs, and its next tick. */
export function planFiring(schedule: ScheduleRecord, now: number): ScheduleFiring {
  const cron = parseCron(schedule.cron, schedule.timezone);
  const { ticks, nextAt } = dueTicks(schedule, cron, now);
  const options = JSON.parse(schedule.options) as ScheduleRunOptions;
  return {
    runs: ticks.map((tick) => ({ ...options, id: scheduleRunId(schedule.name, tick), workflow: schedule.workflow, input: schedule.input })),
    nextAt,
    lastAt: ticks.at(-1) ?? null,
  };
}

function dueTicks(schedule: ScheduleRecord, cron: Cron, now: number): { ticks: number[]; nextAt: number | null } {
  if (schedule.catchUp === "all") {
    const ticks: number[] = [];
    let tick = schedule.nextAt;
    while (tick !== null && tick <= now && ticks.length < MAX_CATCH_UP_TICKS) {
      ticks.push(tick);
      tick = nextTick(cron, tick);
    }
    return { ticks, nextAt: tick };
  }
  // The most recent tick at or before now (previousRuns looks strictly before its reference).
  const previous = cron.previousRuns(1, new Date(now + 1))[0]?.getTime() ?? schedule.nextAt!;
  const latest = Math.max(previous, schedule.nextAt!);
  const onTime = now - latest <= MISSED_AFTER_MS;
  return { ticks: schedule.catchUp === "latest" || onTime ? [latest] : [], nextAt: nextTick(cron, now) };
}
