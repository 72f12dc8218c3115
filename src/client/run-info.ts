import type { Serializer } from "../serialization/serializer.js";
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
}

/** A run with its journal, as `get()` returns it. */
export interface RunInfo<R = unknown> extends RunSummary<R> {
  journal: JournalEntryInfo[];
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

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

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
