import { runPages } from "../store/run-pages.js";
import type { RunRecord, RunStatus, Store } from "../store/store.js";

/** What the unfinished runs of a store are up to, at one moment of virtual time. */
export interface RunActivity {
  /** Something can happen now without the clock moving: a run is held, due, or admitted. */
  busy: boolean;
  /** The earliest time after now at which a run becomes due by itself (null: none does). */
  nextAt: number | null;
  /** The earliest cron tick after now of a schedule of a served workflow (null: none). */
  nextTickAt: number | null;
  /** The ids of the runs not finished. */
  unfinished: ReadonlySet<string>;
  /** Changes whenever any unfinished run changes: tells a stalled store from a quiet one. */
  fingerprint: string;
}

// Read one status after the other, in the order runs move through them, running last: a run that
// moves on between two reads is seen, in its next status, by a later read.
const UNFINISHED: readonly RunStatus[] = ["queued", "pending", "waiting", "running"];

/**
 * Reads the store's unfinished runs. A run's `dueAt` is when it may be claimed (a start delay, a
 * timer, a retry's back-off, a run timeout, a lease's end) by a worker of its workflow (`served`),
 * and a queued run's `admitAt` when its queue may admit it. Queued runs already admissible are admitted here (`queues`): one the limits
 * hold back waits for another run to end, which a busy or due run covers.
 */
export async function readRunActivity(store: Store, now: number, served: readonly string[], queues: readonly string[]): Promise<RunActivity> {
  const runs: RunRecord[] = [];
  for (const status of UNFINISHED) runs.push(...(await allRuns(store, status)));
  let busy = false;
  let nextAt: number | null = null;
  const later = (time: number | null) => {
    if (time !== null && time > now && (nextAt === null || time < nextAt)) nextAt = time;
  };
  // A tick due now is busy until the worker's scheduler fired it (the schedule then moves on).
  let nextTickAt: number | null = null;
  for (const schedule of await store.listSchedules()) {
    if (schedule.nextAt === null || !served.includes(schedule.workflow)) continue;
    if (schedule.nextAt <= now) busy = true;
    else if (nextTickAt === null || schedule.nextAt < nextTickAt) nextTickAt = schedule.nextAt;
  }
  for (const run of runs) {
    if (run.status === "running") busy = true;
    else if (run.status === "queued") later(run.admitAt);
    else if (run.dueAt === null || run.dueAt > now) later(run.dueAt);
    // Due, but of a workflow no worker here runs: it will never move.
    else if (served.includes(run.workflow)) busy = true;
  }
  if (!busy && queues.length > 0 && runs.some((run) => run.status === "queued")) busy = (await store.admitQueued(queues)) > 0;
  const fingerprint = runs.map((run) => `${run.id}:${run.status}:${run.updatedAt}:${run.dueAt}`).sort().join(",");
  return { busy, nextAt, nextTickAt, unfinished: new Set(runs.map((run) => run.id)), fingerprint };
}

async function allRuns(store: Store, status: RunStatus): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for await (const page of runPages(store, { status }, 1000)) runs.push(...page);
  return runs;
}
