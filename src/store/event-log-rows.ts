import type { LogEventRecord, NewLogEvent, TriggerRecord, WebhookRecord } from "./event-log-store.js";

// Rows of the event log's tables as either driver returns them (see rows.ts: BIGINT as a string).
type Integer = number | string;

export interface LogEventRow {
  seq: Integer;
  type: string;
  source: string;
  payload: string;
  headers: string | null;
  key: string | null;
  received_at: Integer;
  redispatch_of: Integer | null;
  target: string | null;
}

export interface TriggerRow {
  name: string;
  event_type: string;
  workflow: string;
  cursor: Integer;
  created_at: Integer;
  updated_at: Integer;
}

export interface WebhookRow {
  name: string;
  definition: string;
  updated_at: Integer;
}

export function toLogEventRecord(row: LogEventRow): LogEventRecord {
  return {
    seq: Number(row.seq),
    type: row.type,
    source: row.source,
    payload: row.payload,
    headers: row.headers,
    key: row.key,
    receivedAt: Number(row.received_at),
    redispatchOf: row.redispatch_of === null ? null : Number(row.redispatch_of),
    target: row.target,
  };
}

export function toTriggerRecord(row: TriggerRow): TriggerRecord {
  return {
    name: row.name,
    eventType: row.event_type,
    workflow: row.workflow,
    cursor: Number(row.cursor),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toWebhookRecord(row: WebhookRow): WebhookRecord {
  return { name: row.name, definition: row.definition, updatedAt: Number(row.updated_at) };
}

/** An event's columns as the stores' insert statements take them (times from the store's clock). */
export function newEventColumns(event: NewLogEvent, now: number) {
  return {
    type: event.type,
    source: event.source,
    payload: event.payload,
    headers: event.headers ?? null,
    key: event.key ?? null,
    received_at: now,
    redispatch_of: event.redispatchOf ?? null,
    target: event.target ?? null,
  };
}
