import type { LoggedEvent } from "../api/logged-event.js";
import type { WebhookConfig } from "../api/webhook.js";
import type { TriggerRecord } from "../store/event-log-store.js";
import type { RunSummary } from "./run-info.js";

// The shapes the event log shows its events, triggers and webhooks in (see EventLog).

/** What `endure.emit()` returns: the event as recorded. */
export type EmittedEvent<T = unknown> = LoggedEvent<T> & {
  /** An event with the same key was recorded before: this is that one, and nothing new was recorded. */
  duplicate: boolean;
};

/** An event and what it did: the runs its triggers started. */
export interface EventInfo<T = unknown> extends LoggedEvent<T> {
  /** On a copy re-dispatched to one trigger: that trigger (no other trigger, and no subscription, sees it). */
  target: string | null;
  /** The runs triggers started for it (tagged `event:<seq>`), newest first. */
  runs: RunSummary[];
}

/** What `events.redispatch()` returns: the copy appended to the log. */
export type RedispatchedEvent<T = unknown> = Omit<EventInfo<T>, "runs">;

/** A page of the event log, newest first. */
export interface EventList {
  events: LoggedEvent[];
  /** Pass as `cursor` to get the next page; null on the last one. */
  nextCursor: string | null;
}

/** A trigger registered by a worker, and how far it has dispatched the log. */
export interface TriggerInfo {
  name: string;
  eventType: string;
  workflow: string;
  /** Every event of its type up to this seq has been dispatched (runs started, or filtered out). */
  cursor: number;
  /** The greatest seq of the log: events of its type between `cursor` and `head` wait for a worker. */
  head: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A webhook registered by a worker, without its secret. */
export interface WebhookInfo {
  name: string;
  /** The type of its events (with `typeHeader`: `<type>.<that header's value>`). */
  type: string;
  typeHeader: string | null;
  /** Whether requests must carry a valid signature (then the API token is not asked of them). */
  signed: boolean;
  /** The header carrying the signature; null when unsigned. */
  signatureHeader: string | null;
  deliveryHeader: string | null;
  /** The headers kept with each event, besides Content-Type, the type and the delivery header. */
  headers: string[];
  updatedAt: Date;
}

export function toTriggerInfo(record: TriggerRecord, head: number): TriggerInfo {
  return {
    name: record.name,
    eventType: record.eventType,
    workflow: record.workflow,
    cursor: record.cursor,
    head,
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
  };
}

export function toWebhookInfo(config: WebhookConfig, updatedAt: number): WebhookInfo {
  return {
    name: config.name,
    type: config.type,
    typeHeader: config.typeHeader,
    signed: config.signature !== null,
    signatureHeader: config.signature?.header ?? null,
    deliveryHeader: config.deliveryHeader,
    headers: config.headers,
    updatedAt: new Date(updatedAt),
  };
}
