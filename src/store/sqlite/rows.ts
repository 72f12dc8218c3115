import type { EntryKind, EntryStatus, InboxEvent, JournalEntry, RunRecord, RunStatus } from "../store.js";

export interface RunRow {
  id: string;
  workflow: string;
  status: string;
  input: string;
  output: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  due_at: number | null;
  owner: string | null;
  epoch: number;
  lapses: number;
  cancel_requested: number;
  cancel_delivered: number;
  waiting_for: string | null;
}

export interface JournalRow {
  position: number;
  kind: string;
  name: string;
  status: string;
  output: string | null;
  error: string | null;
  attempts: number;
  started_at: number | null;
  finished_at: number | null;
  wake_at: number | null;
  seq: number | null;
}

export interface InboxRow {
  seq: number;
  name: string;
  payload: string;
  sent_at: number;
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    workflow: row.workflow,
    status: row.status as RunStatus,
    input: row.input,
    output: row.output,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    dueAt: row.due_at,
    owner: row.owner,
    epoch: row.epoch,
    lapses: row.lapses,
    cancelRequested: row.cancel_requested === 1,
    cancelDelivered: row.cancel_delivered === 1,
    waitingFor: row.waiting_for ? (JSON.parse(row.waiting_for) as string[]) : [],
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
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    wakeAt: row.wake_at,
    seq: row.seq,
  };
}

export function toInboxEvent(row: InboxRow): InboxEvent {
  return { seq: row.seq, name: row.name, payload: row.payload, sentAt: row.sent_at };
}
