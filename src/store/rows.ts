import type { EntryKind, EntryStatus, InboxEvent, JournalEntry, NewRun, RunRecord, RunStatus } from "./store.js";

// Rows as the drivers return them. The stores' columns are the same; their types differ a little:
// SQLite has integers for flags and a JSON text list, node-postgres returns BIGINT as a string
// (it may exceed 2^53; Endure's are ms times and counters, well within a double) and real booleans
// and arrays. The mappers below read either.
type Integer = number | string;
type Flag = number | boolean;

export interface RunRow {
  id: string;
  workflow: string;
  status: string;
  input: string;
  output: string | null;
  error: string | null;
  created_at: Integer;
  updated_at: Integer;
  started_at: Integer | null;
  finished_at: Integer | null;
  due_at: Integer | null;
  owner: string | null;
  epoch: Integer;
  lapses: number;
  cancel_requested: Flag;
  cancel_delivered: Flag;
  /** A JSON array (SQLite) or an array (PostgreSQL). */
  waiting_for: string | string[] | null;
  parent_id: string | null;
  parent_position: number | null;
  /** A JSON array (SQLite) or an array (PostgreSQL). */
  tags: string | string[] | null;
  timeout_ms: Integer | null;
  queue: string | null;
  concurrency_key: string | null;
  priority: number;
  admit_at: Integer | null;
  admitted_at: Integer | null;
  continued_from: string | null;
  continued_to: string | null;
  forked_from: string | null;
  retries: number;
  trace_context: string | null;
  version: string | null;
}

export interface JournalRow {
  run_id: string;
  position: number;
  kind: string;
  name: string;
  status: string;
  output: string | null;
  error: string | null;
  attempts: number;
  started_at: Integer | null;
  finished_at: Integer | null;
  wake_at: Integer | null;
  seq: number | null;
}

export interface InboxRow {
  seq: Integer;
  name: string;
  payload: string;
  sent_at: Integer;
}

function orNull(value: Integer | null): number | null {
  return value === null ? null : Number(value);
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    workflow: row.workflow,
    status: row.status as RunStatus,
    input: row.input,
    output: row.output,
    error: row.error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    startedAt: orNull(row.started_at),
    finishedAt: orNull(row.finished_at),
    dueAt: orNull(row.due_at),
    owner: row.owner,
    epoch: Number(row.epoch),
    lapses: row.lapses,
    cancelRequested: row.cancel_requested === true || row.cancel_requested === 1,
    cancelDelivered: row.cancel_delivered === true || row.cancel_delivered === 1,
    waitingFor: stringList(row.waiting_for),
    parentId: row.parent_id,
    parentPosition: row.parent_position,
    tags: stringList(row.tags),
    timeoutMs: orNull(row.timeout_ms),
    queue: row.queue,
    concurrencyKey: row.concurrency_key,
    priority: row.priority,
    admitAt: orNull(row.admit_at),
    admittedAt: orNull(row.admitted_at),
    continuedFrom: row.continued_from,
    continuedTo: row.continued_to,
    forkedFrom: row.forked_from,
    retries: row.retries,
    traceContext: row.trace_context,
    version: row.version,
  };
}

function stringList(value: string | string[] | null): string[] {
  return typeof value === "string" ? (JSON.parse(value) as string[]) : (value ?? []);
}

export function toJournalEntry(row: JournalRow): JournalEntry {
  return {
    position: row.position,
    kind: row.kind as EntryKind,
    name: row.name,
    status: row.status as EntryStatus,
    output: row.output,
    error: row.error,
    attempts: row.attempts,
    startedAt: orNull(row.started_at),
    finishedAt: orNull(row.finished_at),
    wakeAt: orNull(row.wake_at),
    seq: row.seq,
  };
}

/** A journal row as a list of its columns, in this order (SQLite's raw rows, PostgreSQL's JSON). */
export type JournalColumns = [
  position: number, kind: EntryKind, name: string, status: EntryStatus, output: string | null, error: string | null,
  attempts: number, startedAt: number | null, finishedAt: number | null, wakeAt: number | null, seq: number | null,
];

export function journalEntryOf([position, kind, name, status, output, error, attempts, startedAt, finishedAt, wakeAt, seq]: JournalColumns): JournalEntry {
  return { position, kind, name, status, output, error, attempts, startedAt, finishedAt, wakeAt, seq };
}

export function toInboxEvent(row: InboxRow): InboxEvent {
  return { seq: Number(row.seq), name: row.name, payload: row.payload, sentAt: Number(row.sent_at) };
}

/**
 * A fork of `source`: the same workflow, input, tags and timeout, linked to it (see `RetryStore.forkRun`),
 * and pinned to its version, since it replays a copy of its journal.
 */
export function forkOf(source: RunRecord, id: string): NewRun {
  return {
    id, workflow: source.workflow, input: source.input, tags: source.tags, timeoutMs: source.timeoutMs ?? undefined, forkedFrom: source.id,
    version: source.version ?? undefined,
  };
}

/**
 * The columns of a new run. Its state depends on whether it is created claimed (`NewRun.owner`),
 * queued (`NewRun.queue`: due only once admitted), or pending (due at `dueAt`).
 * `tags` is a list: each store encodes it its own way.
 */
export function newRunRow(run: NewRun, now: number) {
  const claimed = run.owner !== undefined;
  const queued = run.queue !== undefined;
  return {
    id: run.id,
    workflow: run.workflow,
    input: run.input,
    status: claimed ? "running" : queued ? "queued" : "pending",
    due_at: claimed ? now + run.owner!.leaseMs : queued ? null : (run.dueAt ?? now),
    owner: run.owner?.workerId ?? null,
    epoch: claimed ? 1 : 0,
    started_at: claimed ? now : null,
    parent_id: run.parentId ?? null,
    parent_position: run.parentPosition ?? null,
    tags: run.tags === undefined || run.tags.length === 0 ? null : [...run.tags],
    timeout_ms: run.timeoutMs ?? null,
    queue: run.queue ?? null,
    concurrency_key: run.concurrencyKey ?? null,
    priority: run.priority ?? 0,
    admit_at: queued ? (run.dueAt ?? now) : null,
    continued_from: run.continuedFrom ?? null,
    forked_from: run.forkedFrom ?? null,
    trace_context: run.traceContext ?? null,
    version: run.version ?? run.owner?.version ?? null,
    now,
  };
}
