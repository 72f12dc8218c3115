/**
 * Builders for the values the store conformance suite hands to a store: runs, journal entries,
 * commits and claim requests. Each returns a complete, valid value; a test overrides only the
 * fields it is about, so what a test asserts stands out from what it merely needs.
 */
import type {
  ClaimedRun,
  ClaimRequest,
  JournalEntry,
  NewEvent,
  NewRun,
  RunCommit,
  RunOutcome,
  RunRecord,
} from "../../src/store/store.js";

/** The workflow runs are created in unless a test names another. */
export const WORKFLOW = "wf";
/** The lease every claim asks for unless a test says otherwise. */
export const LEASE_MS = 30_000;

let runCounter = 0;

/** A run of {@link WORKFLOW}, due now, with a fresh id and a small serialized input. */
export function newRun(overrides: Partial<NewRun> = {}): NewRun {
  runCounter += 1;
  const id = `run-${String(runCounter).padStart(5, "0")}`;
  return { id, workflow: WORKFLOW, input: JSON.stringify([id, runCounter]), ...overrides };
}

/** Claims for `workerId` up to 10 runs of {@link WORKFLOW}, with a {@link LEASE_MS} lease. */
export function claimRequest(workerId: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    workerId,
    workflows: [WORKFLOW],
    limit: 10,
    leaseMs: LEASE_MS,
    maxLapses: 3,
    crashLoopError: crashLoopError,
    ...overrides,
  };
}

/** The serialized error the default claim request fails a crash-looping run with. */
export function crashLoopError(runId: string, lapses: number): string {
  return JSON.stringify({ code: "WORKER_CRASH_LOOP", runId, lapses });
}

/** A completed step at `position` whose output names the step, delivered in position order. */
export function stepEntry(position: number, overrides: Partial<JournalEntry> = {}): JournalEntry {
  return {
    position,
    kind: "step",
    name: `step-${position}`,
    status: "completed",
    output: JSON.stringify(`output of step-${position}`),
    error: null,
    attempts: 1,
    startedAt: 1_000 + position,
    finishedAt: 2_000 + position,
    wakeAt: null,
    seq: position,
    ...overrides,
  };
}

/** A step at `position` whose last attempt failed and that tries again at `wakeAt`. */
export function retryingStepEntry(position: number, wakeAt: number, overrides: Partial<JournalEntry> = {}): JournalEntry {
  return stepEntry(position, {
    status: "retrying",
    output: null,
    error: JSON.stringify({ message: `attempt of step-${position} failed` }),
    attempts: 2,
    finishedAt: null,
    wakeAt,
    seq: null,
    ...overrides,
  });
}

/** A sleep at `position` that has not fired yet. */
export function sleepEntry(position: number, wakeAt: number, overrides: Partial<JournalEntry> = {}): JournalEntry {
  return {
    position,
    kind: "sleep",
    name: "sleep",
    status: "waiting",
    output: null,
    error: null,
    attempts: 0,
    startedAt: 1_000 + position,
    finishedAt: null,
    wakeAt,
    seq: null,
    ...overrides,
  };
}

/** A `waitForEvent(name)` at `position` that received `payload`. */
export function eventEntry(position: number, name: string, payload: string, overrides: Partial<JournalEntry> = {}): JournalEntry {
  return {
    position,
    kind: "event",
    name,
    status: "completed",
    output: payload,
    error: null,
    attempts: 0,
    startedAt: 1_000 + position,
    finishedAt: 2_000 + position,
    wakeAt: null,
    seq: position,
    ...overrides,
  };
}

/** An event for `runId`, its payload naming the event. */
export function newEvent(runId: string, name: string, overrides: Partial<NewEvent> = {}): NewEvent {
  return { runId, name, payload: JSON.stringify({ event: name }), ...overrides };
}

/**
 * A commit for a claimed run at the epoch it was claimed with, writing nothing unless told:
 * `commitFor(claimed, { entries: [stepEntry(0)], outcome: completed("42") })`.
 */
export function commitFor(claimed: ClaimedRun | RunRecord, parts: Partial<Omit<RunCommit, "runId">> = {}): RunCommit {
  const run = "run" in claimed ? claimed.run : claimed;
  return { runId: run.id, epoch: run.epoch, entries: [], consumed: [], cancelDelivered: false, ...parts };
}

export function completed(output = JSON.stringify("done")): RunOutcome {
  return { status: "completed", output };
}

export function ended(status: "failed" | "cancelled" | "blocked", error = JSON.stringify({ message: `run ${status}` })): RunOutcome {
  return { status, error };
}

/** Suspend until `dueAt` (null: no timer) or until one of the named events arrives. */
export function waiting(dueAt: number | null, waitingFor: string[] = []): RunOutcome {
  return { status: "waiting", dueAt, waitingFor };
}
