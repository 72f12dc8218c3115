import type { LogEventRecord } from "../store/event-log-store.js";

/**
 * An event of the event log, as a trigger's run, a subscription and the client get it.
 * @typeParam T - the payload's type (from `defineEvent()`, or given).
 */
export interface LoggedEvent<T = unknown> {
  /** Its place in the log: later events have greater numbers. */
  seq: number;
  type: string;
  /** Where it came from: `webhook:<name>`, `api`, `cli`, `code`, or what the emitter named. */
  source: string;
  payload: T;
  /** The HTTP headers kept with a webhook's event, by lower-case name (empty for other events). */
  headers: Record<string, string>;
  /** The deduplication key it was recorded with (a webhook's: `webhook:<name>:<delivery id>`). */
  key: string | null;
  receivedAt: Date;
  /** On a re-dispatched copy: the event it copies. */
  redispatchOf: number | null;
}

/** The event a store record holds, its payload parsed with `parse` (the serializer's). */
export function loggedEvent<T = unknown>(record: LogEventRecord, parse: (text: string) => unknown): LoggedEvent<T> {
  return {
    seq: record.seq,
    type: record.type,
    source: record.source,
    payload: parse(record.payload) as T,
    headers: record.headers === null ? {} : (JSON.parse(record.headers) as Record<string, string>),
    key: record.key,
    receivedAt: new Date(record.receivedAt),
    redispatchOf: record.redispatchOf,
  };
}
