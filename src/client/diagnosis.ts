import ms from "ms";
import { subscriptionPosition } from "../api/subscribe.js";
import { RESERVED_EVENT_PREFIX } from "../api/validate.js";
import type { QueueUsage, WorkerRecord } from "../store/worker-registry.js";
import { serves } from "../store/version-pinning.js";
import type { JournalEntryInfo, RunSummary } from "./run-info.js";

/** Why a run is where it is; see {@link Diagnosis}. */
export type DiagnosisReason =
  | "queued"
  | "delayed"
  | "no-worker"
  | "pending"
  | "running"
  | "lease-lapsed"
  | "retrying"
  | "sleeping"
  | "waiting-for-event"
  | "waiting-for-child"
  | "cancelling"
  | "failed"
  | "cancelled"
  | "blocked";

/**
 * What a run that has not completed is doing, or why it is not moving, in words — "why is it
 * stuck?" — as `endure show`, the HTTP API and the dashboard show it.
 */
export interface Diagnosis {
  /** One or two sentences, e.g. `Sleeping until 2026-11-27T09:00:00.000Z (in 3 hours).` */
  summary: string;
  reason: DiagnosisReason;
  /** Since when the run has been in this state, where known. */
  since: Date | null;
  /** When the state ends by itself (a timer, a retry, a lease), where known. */
  until: Date | null;
}

/** Everything a diagnosis reads: the run, its journal, and what the store says around it. */
export interface RunFacts {
  run: RunSummary;
  /** The run's due time as the store has it: a pending run's start, a running run's lease end. */
  dueAt: Date | null;
  /** When a queued run may be admitted (its start delay). */
  admitAt: Date | null;
  journal: readonly JournalEntryInfo[];
  /** The store's worker registry (only read for runs that wait for a worker). */
  workers: readonly WorkerRecord[];
  /** The run's queue and its load, for a queued run. */
  queue?: QueueUsage;
  /** The child runs the run waits for, by the position of the call that awaits each, where found. */
  children: ReadonlyMap<number, Pick<RunSummary, "id" | "status">>;
  now: number;
}

/** A worker silent for this many heartbeat periods is taken for dead. */
const SILENT_HEARTBEATS = 3;

export function isAlive(worker: WorkerRecord, now: number): boolean {
  return now - worker.heartbeatAt <= SILENT_HEARTBEATS * worker.heartbeatMs;
}

/** Says why a run is not moving, or what it is doing; null for a completed run. */
export function diagnose(facts: RunFacts): Diagnosis | null {
  const { run } = facts;
  switch (run.status) {
    case "completed":
      return null;
    case "failed":
      return failed(facts);
    case "cancelled":
      return state("cancelled", `Cancelled ${at(run.finishedAt, facts.now)}: ${run.error?.message ?? "no reason recorded"}`, run.finishedAt);
    case "blocked":
      return blocked(facts);
    case "queued":
      return queued(facts);
    case "pending":
      return pending(facts);
    case "running":
      return running(facts);
    case "waiting":
      return waiting(facts);
  }
}

function failed({ run, journal, now }: RunFacts): Diagnosis {
  const step = journal.findLast((entry) => entry.status === "failed");
  const where = step ? ` in ${step.kind} "${step.name}" (position ${step.position}${step.attempts > 1 ? `, after ${step.attempts} attempts` : ""})` : "";
  const error = run.error ? `${run.error.name}: ${run.error.message}` : "no error recorded";
  return state("failed", `Failed ${at(run.finishedAt, now)}${where}: ${error}. Fix the cause, then retry the run.`, run.finishedAt);
}

function blocked({ run, now }: RunFacts): Diagnosis {
  const error = run.error as (Error & { code?: string; position?: number; expected?: string; actual?: string }) | undefined;
  if (error?.code === "NON_DETERMINISM") {
    return state(
      "blocked",
      `Blocked by non-determinism at position ${error.position}: the journal recorded ${error.expected}, but the code now calls ${error.actual}. ` +
        `Deploy code that matches the journal, then retry the run${run.version === null ? "" : ` (endure retry ${run.id} --pin <version> hands it to the workers of another version)`}.`,
      run.finishedAt,
    );
  }
  return state("blocked", `Blocked ${at(run.finishedAt, now)}: ${error?.message ?? "no reason recorded"}. Retry it once the cause is fixed.`, run.finishedAt);
}

function queued({ run, queue, workers, admitAt, now }: RunFacts): Diagnosis {
  const name = `queue "${run.queue}"`;
  if (!queue) return state("queued", `Queued in ${name}, which no worker has registered: start a worker with this queue in its queues.`, run.createdAt);
  if (admitAt !== null && admitAt.getTime() > now) {
    return state("delayed", `Queued in ${name} with a start delay: it may be admitted ${at(admitAt, now)}.`, run.createdAt, admitAt);
  }
  const admitters = workers.filter((worker) => isAlive(worker, now) && worker.queues.includes(queue.name));
  const waitingIn = `${queue.queued} run${queue.queued === 1 ? " waits" : "s wait"} in it`;
  let why: string;
  if (queue.concurrency !== null && queue.active >= queue.concurrency) {
    const slots = queue.concurrency === 1 ? "its one slot is" : `all ${queue.concurrency} slots are`;
    why = `behind its concurrency limit: ${slots} in use, and ${waitingIn}.`;
  } else if (queue.keyConcurrency !== null && queue.keyActive !== null && queue.keyActive >= queue.keyConcurrency) {
    why = `behind its limit per key: ${queue.keyActive} of ${queue.keyConcurrency} runs with key "${run.concurrencyKey}" are active.`;
  } else if (queue.rateLimit !== null && queue.admittedInWindow !== null && queue.admittedInWindow >= queue.rateLimit.limit) {
    why = `behind its rate limit: ${queue.admittedInWindow} runs were admitted in the last ${ms(queue.rateLimit.periodMs, { long: true })}; more are admitted as that window moves on.`;
  } else if (admitters.length === 0) {
    return state("no-worker", `Queued in ${name}, but no live worker admits this queue: start a worker with it in its queues.`, run.createdAt);
  } else {
    why = `with room to run: a worker admits it at its next poll (${waitingIn}).`;
  }
  return state("queued", `Queued in ${name} ${why}`, run.createdAt);
}

function pending({ run, workers, dueAt, now }: RunFacts): Diagnosis {
  if (run.startedAt === null && dueAt !== null && dueAt.getTime() > now) return state("delayed", `Starts ${at(dueAt, now)} (a start delay).`, run.createdAt, dueAt);
  const live = workers.filter((worker) => isAlive(worker, now) && worker.workflows.includes(run.workflow));
  const since = `Pending since ${time(run.updatedAt, now)}`;
  if (live.length === 0) {
    return state("no-worker", `${since}, but no live worker serves workflow "${run.workflow}": start one (endure worker <file>).`, run.updatedAt);
  }
  const serving = live.filter((worker) => serves(worker, run.version));
  if (serving.length === 0) return state("no-worker", `${since}, but it is ${unservedVersion(run, live, "live")}`, run.updatedAt);
  const slots = serving.reduce((sum, worker) => sum + worker.concurrency, 0);
  const busy = serving.reduce((sum, worker) => sum + worker.activeRuns, 0);
  if (busy >= slots) {
    return state("pending", `${since}: every live worker of workflow "${run.workflow}" is busy (${busy} of ${slots} slots in use); it starts when one frees up.`, run.updatedAt);
  }
  return state("pending", `${since}: due now; one of ${serving.length} live worker${serving.length === 1 ? "" : "s"} of workflow "${run.workflow}" claims it at its next poll.`, run.updatedAt);
}

function running(facts: RunFacts): Diagnosis {
  const { run, workers, journal, dueAt: leaseUntil, now } = facts;
  const holder = workers.find((worker) => worker.id === run.owner);
  const who = holder ? `worker ${holder.name}` : `worker ${run.owner ?? "unknown"}`;
  const heartbeat = holder ? `its last heartbeat was ${at(new Date(holder.heartbeatAt), now)}` : "it is not in the worker registry";
  if (leaseUntil !== null && leaseUntil.getTime() < now) {
    const others = workers.filter((worker) => isAlive(worker, now) && worker.workflows.includes(run.workflow) && worker.id !== run.owner);
    const next = others.some((worker) => serves(worker, run.version))
      ? `A live worker of workflow "${run.workflow}" takes the run over at its next poll.`
      : others.length > 0
        ? `It is ${unservedVersion(run, others, "other live")}`
        : `No other live worker serves workflow "${run.workflow}": start one to take the run over.`;
    return state("lease-lapsed", `Held by ${who}, whose lease lapsed ${at(leaseUntil, now)}; ${heartbeat}. It has likely died. ${next}`, leaseUntil);
  }
  const retrying = journal.find((entry) => entry.status === "retrying");
  if (retrying) return retryingStep(retrying, now, ` on ${who}`);
  if (run.cancelRequested) return state("cancelling", `Cancel requested: ${who} delivers it at the run's next durable call.`, run.updatedAt);
  const last = journal.findLast((entry) => entry.finishedAt !== null);
  const progress = last ? ` Last journal entry: ${last.kind} "${last.name}" (position ${last.position}) ${last.status} ${at(last.finishedAt, now)}.` : "";
  return state("running", `Running on ${who}; ${heartbeat}, and its lease runs until ${time(leaseUntil, now)}.${progress}`, run.startedAt, leaseUntil);
}

function waiting(facts: RunFacts): Diagnosis {
  const { run, journal, now } = facts;
  if (run.cancelRequested) return state("cancelling", "Cancel requested: the run wakes to take it at once.", run.updatedAt);
  const retrying = journal.find((entry) => entry.status === "retrying");
  if (retrying) return retryingStep(retrying, now, "");
  const waits = journal.filter((entry) => entry.status === "waiting");
  const more = (shown: number) => (waits.length > shown ? ` (and ${waits.length - shown} more wait${waits.length - shown === 1 ? "" : "s"})` : "");
  const event = waits.find((entry) => entry.kind === "event");
  if (event) {
    const timeout = event.wakeAt ? `; it times out ${at(event.wakeAt, now)}` : "";
    return state("waiting-for-event", `Waiting for ${eventWaited(event, journal)} since ${time(event.startedAt, now)}${timeout}${more(1)}.`, event.startedAt, event.wakeAt);
  }
  const children = waits.filter((entry) => entry.kind === "child");
  if (children.length > 0) {
    const first = children[0]!;
    const child = facts.children.get(first.position);
    const which = child ? `child run "${child.id}" (${child.status})` : `a child run of workflow "${first.name}"`;
    const others = children.length > 1 ? ` and ${children.length - 1} other child run${children.length === 2 ? "" : "s"}` : "";
    return state("waiting-for-child", `Waiting for ${which}${others} since ${time(first.startedAt, now)}${more(children.length)}.`, first.startedAt);
  }
  const sleep = waits.find((entry) => entry.kind === "sleep");
  if (sleep) return state("sleeping", `Sleeping until ${time(sleep.wakeAt ?? run.wakeAt, now)}${more(1)}.`, sleep.startedAt, sleep.wakeAt ?? run.wakeAt);
  const names = run.waitingFor.filter((name) => !name.startsWith(RESERVED_EVENT_PREFIX));
  if (names.length > 0) return state("waiting-for-event", `Waiting for event ${names.map((name) => `"${name}"`).join(" or ")} since ${time(run.updatedAt, now)}.`, run.updatedAt, run.wakeAt);
  return state("sleeping", `Waiting until ${time(run.wakeAt, now)}.`, run.updatedAt, run.wakeAt);
}

/** `event "approval"`, or for a subscription's wait `the next "github.push" event of its subscription (position 0)`. */
function eventWaited(event: JournalEntryInfo, journal: readonly JournalEntryInfo[]): string {
  const position = subscriptionPosition(event.name);
  if (position === undefined) return `event "${event.name}"`;
  const subscription = journal.find((entry) => entry.position === position && entry.kind === "subscribe");
  return `the next "${subscription?.name ?? "?"}" event of its subscription (position ${position})`;
}

// ---- version pinning ----

/** Says that no worker of `workers` (of the run's workflow) serves the version the run is pinned to, and what to do. */
function unservedVersion(run: RunSummary, workers: readonly WorkerRecord[], which: string): string {
  const served = [...new Set(workers.map((worker) => worker.version === null
    ? "no version (only runs not pinned)"
    : [worker.version, ...worker.compatibleWith].map((version) => `"${version}"`).join(", ")))];
  return (
    `pinned to version "${run.version}"; no ${which} worker serves it: the ${which} workers of workflow "${run.workflow}" serve ${served.join("; ")}. ` +
    `Start a worker of version "${run.version}" or one compatible with it (endure worker <file> --code-version <version> --compatible-with ${run.version}).`
  );
}

function retryingStep(entry: JournalEntryInfo, now: number, where: string): Diagnosis {
  const error = entry.error ? ` with ${entry.error.name}: ${entry.error.message}` : "";
  return state(
    "retrying",
    `Retrying ${entry.kind} "${entry.name}" (position ${entry.position})${where}: attempt ${entry.attempts} failed${error}; the next attempt is ${at(entry.wakeAt, now)}.`,
    entry.finishedAt,
    entry.wakeAt,
  );
}

function state(reason: DiagnosisReason, summary: string, since: Date | null, until: Date | null = null): Diagnosis {
  return { summary, reason, since, until };
}

/** A time exactly and as people read it: `2026-11-26T10:00:00.000Z (3 minutes ago)`. */
function time(when: Date | null, now: number): string {
  if (when === null) return "an unknown time";
  const delta = when.getTime() - now;
  const relative = Math.abs(delta) < 1000 ? "now" : delta > 0 ? `in ${ms(delta, { long: true })}` : `${ms(-delta, { long: true })} ago`;
  return `${when.toISOString()} (${relative})`;
}

/** `at <time>`, for "failed at ...", "lapsed at ...". */
function at(when: Date | null, now: number): string {
  return `at ${time(when, now)}`;
}
