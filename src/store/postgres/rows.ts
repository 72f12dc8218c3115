import type { EntryKind, EntryStatus, InboxEvent, JournalEntry, RunRecord, RunStatus } from "../store.js";

// node-postgres returns BIGINT as a string (it may exceed 2^53); Endure's BIGINTs are ms times and
// counters, well within a double.
type BigInt8 = string;

export interface RunRow {
  id: string;
  workflow: string;
  status: string;
  input: string;
  output: string | null;
  error: string | null;
  created_at: BigInt8;
  updated_at: BigInt8;
  started_at: BigInt8 | null;
  finished_at: BigInt8 | null;
  due_at: BigInt8 | null;
  owner: string | null;
  epoch: BigInt8;
  lapses: number;
  cancel_requested: boolean;
  cancel_delivered: boolean;
  waiting_for: string[] | null;
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
  started_at: BigInt8 | null;
  finished_at: BigInt8 | null;
  wake_at: BigInt8 | null;
  seq: number | null;
}

export interface InboxRow {
  run_id: string;
  seq: BigInt8;
  name: string;
  payload: string;
  sent_at: BigInt8;
}

function toNumber(value: BigInt8 | null): number | null {
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
    startedAt: toNumber(row.started_at),
    finishedAt: toNumber(row.finished_at),
    dueAt: toNumber(row.due_at),
    owner: row.owner,
    epoch: Number(row.epoch),
    lapses: row.lapses,
    cancelRequested: row.cancel_requested,
    cancelDelivered: row.cancel_delivered,
    waitingFor: row.waiting_for ?? [],
  };
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
    startedAt: toNumber(row.started_at),
    finishedAt: toNumber(row.finished_at),
    wakeAt: toNumber(row.wake_at),
    seq: row.seq,
  };
}

export function toInboxEvent(row: InboxRow): InboxEvent {
  return { seq: Number(row.seq), name: row.name, payload: row.payload, sentAt: Number(row.sent_at) };
}
