import type { Serializer } from "../serialization/serializer.js";
import type { Diagnosis } from "./diagnosis.js";
import type { HistoryEntry } from "../store/retry-store.js";
import type { EntryKind, EntryStatus, JournalEntry, RunRecord, RunStatus } from "../store/store.js";

/** A run as `get()` and `list()` show it. */
export interface RunSummary<R = unknown> {
  id: string;
  workflow: string;
  status: RunStatus;
  /** The workflow's arguments. */
  input: unknown[];
  /** The workflow's result, once `completed`. */
  output?: R;
  /** Why the run `failed`, was `cancelled` or is `blocked`. */
  error?: Error;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** When a `waiting` run wakes next by itself (null: only an event wakes it). */
  wakeAt: Date | null;
  /** Event names a `waiting` run waits for. */
  waitingFor: string[];
  cancelRequested: boolean;
  /** The worker holding a `running` run (its id in `endure.workers()`). */
  owner: string | null;
  tags: string[];
  /** The run's `timeout`, in ms. */
  timeoutMs: number | null;
  queue: string | null;
  concurrencyKey: string | null;
  priority: number;
  /** A child run's parent. */
  parentId: string | null;
  /** Continue-as-new: the run this one continues, and the run that continues it. */
  continuedFrom: string | null;
  continuedTo: string | null;
  /** The run this one was forked from. */
  forkedFrom: string | null;
  /** Operator retries so far. */
  retries: number;
  /** The version of the workers' code the run is pinned to (null: not pinned; see `startWorker({ version })`). */
  version: string | null;
}

/** A run with its journal, as `get()` returns it. */
export interface RunInfo<R = unknown> extends RunSummary<R> {
  journal: JournalEntryInfo[];
  /** The values the run published (`publish()`), the latest of each name. */
  values: Record<string, unknown>;
  /**
   * The entries each operator retry replaced, oldest retry first: with `journal`, every attempt of
   * a retried step. Empty for a run never retried (or retried only from `blocked`).
   */
  history: ReplacedEntries[];
  /** What the run is doing or why it is not moving, in words ("why is it stuck?"); null once completed. */
  diagnosis: Diagnosis | null;
}

/** One durable call of a run: a step, a sleep, an event wait, or a `now()`/`uuid()`/`random()` value. */
export interface JournalEntryInfo {
  position: number;
  kind: EntryKind;
  name: string;
  /** `waiting`: a sleep or event wait not yet over; `retrying`: a step between attempts. */
  status: EntryStatus;
  attempts: number;
  output?: unknown;
  error?: Error;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** When a waiting entry fires, or a retrying step tries again. */
  wakeAt: Date | null;
}

/** A time in ms as a Date; null stays null. */
export const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function toRunSummary<R>(run: RunRecord, serializer: Serializer): RunSummary<R> {
  const summary: RunSummary<R> = {
    id: run.id,
    workflow: run.workflow,
    status: run.status,
    input: serializer.deserialize(run.input) as unknown[],
    createdAt: new Date(run.createdAt),
    updatedAt: new Date(run.updatedAt),
    startedAt: date(run.startedAt),
    finishedAt: date(run.finishedAt),
    wakeAt: run.status === "waiting" ? date(run.dueAt) : null,
    waitingFor: run.waitingFor,
    cancelRequested: run.cancelRequested,
    owner: run.status === "running" ? run.owner : null,
    tags: run.tags,
    timeoutMs: run.timeoutMs,
    queue: run.queue,
    concurrencyKey: run.concurrencyKey,
    priority: run.priority,
    parentId: run.parentId,
    continuedFrom: run.continuedFrom,
    continuedTo: run.continuedTo,
    forkedFrom: run.forkedFrom,
    retries: run.retries,
    version: run.version,
  };
  if (run.output !== null) summary.output = serializer.deserialize(run.output) as R;
  if (run.error !== null) summary.error = serializer.deserializeError(run.error);
  return summary;
}

export function toJournalEntryInfo(entry: JournalEntry, serializer: Serializer): JournalEntryInfo {
  const info: JournalEntryInfo = {
    position: entry.position,
    kind: entry.kind,
    name: entry.name,
    status: entry.status,
    attempts: entry.attempts,
    startedAt: date(entry.startedAt),
    finishedAt: date(entry.finishedAt),
    wakeAt: date(entry.wakeAt),
  };
  if (entry.output !== null) info.output = serializer.deserialize(entry.output);
  if (entry.error !== null) info.error = serializer.deserializeError(entry.error);
  return info;
}

/** The latest value of each name a run published, from its journal. */
export function publishedValues(journal: readonly JournalEntry[], serializer: Serializer): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const entry of journal) {
    if (entry.kind === "publish" && entry.output !== null) values[entry.name] = serializer.deserialize(entry.output);
  }
  return values;
}

// ---- retry and fork ----

/** The journal entries operator retry number `retry` (1, 2, ...) replaced, in position order. */
export interface ReplacedEntries {
  retry: number;
  entries: JournalEntryInfo[];
}

export function toReplacedEntries(history: readonly HistoryEntry[], serializer: Serializer): ReplacedEntries[] {
  const byRetry: ReplacedEntries[] = [];
  for (const entry of history) {
    let last = byRetry.at(-1);
    if (last?.retry !== entry.retry) byRetry.push((last = { retry: entry.retry, entries: [] }));
    last.entries.push(toJournalEntryInfo(entry, serializer));
  }
  return byRetry;
}
