import type { NewRun, RunRecord } from "./store.js";

/**
 * One event of the event log, as the store keeps it. Times are the store clock's, in ms.
 * The log is append-only: an event is never changed; re-dispatching one appends a copy.
 */
export interface LogEventRecord {
  /** Monotonic, gap-tolerant: every event committed later has a greater `seq` (see {@link EventLogStore}). */
  seq: number;
  /** What happened, e.g. `github.push`: triggers and subscriptions match on it. */
  type: string;
  /** Where it came from: `webhook:<name>`, `api`, `cli`, `code`, or what the emitter named. */
  source: string;
  /** The serialized payload. */
  payload: string;
  /** JSON text of the HTTP headers kept with a webhook's event (lower-case names); null for others. */
  headers: string | null;
  /** The deduplication key: a second event with the same key is not recorded (null: none given). */
  key: string | null;
  receivedAt: number;
  /** Set on a re-dispatched copy: the event it copies. */
  redispatchOf: number | null;
  /** Set on a copy re-dispatched to one trigger only: then no other trigger, and no subscription, sees it. */
  target: string | null;
}

export type NewLogEvent = Pick<LogEventRecord, "type" | "source" | "payload"> &
  Partial<Pick<LogEventRecord, "headers" | "key" | "redispatchOf" | "target">>;

export interface AppendedEvent {
  event: LogEventRecord;
  /** An event with this key was recorded before: `event` is that one, and nothing was written. */
  duplicate: boolean;
}

export interface LogEventQuery {
  type?: string;
  source?: string;
  limit: number;
  cursor?: string;
}

export interface LogEventPage {
  /** Newest first. */
  events: LogEventRecord[];
  nextCursor: string | null;
}

/** A trigger as the store keeps it: which events it reads, and how far it has dispatched. */
export interface TriggerRecord {
  name: string;
  eventType: string;
  workflow: string;
  /** Every event of `eventType` with a `seq` up to this one has been dispatched (runs started, or filtered out). */
  cursor: number;
  createdAt: number;
  updatedAt: number;
}

export type NewTrigger = Pick<TriggerRecord, "name" | "eventType" | "workflow">;

export interface DispatchRequest {
  /** Dispatches only these triggers (the ones the calling worker has the code of). */
  triggers: readonly string[];
  /** Most events read per trigger per call. */
  limit: number;
  /**
   * The runs to start for a trigger's next events (oldest first; never empty): the caller applies the
   * trigger's filter. Called inside the transaction; run ids must derive from the trigger and the event,
   * so that an event never starts a trigger's run twice.
   */
  plan: (trigger: TriggerRecord, events: readonly LogEventRecord[]) => NewRun[];
}

export interface DispatchResult {
  /** The runs this call created. */
  created: RunRecord[];
  /** Some trigger read `limit` events: call again. */
  more: boolean;
}

/** A webhook's definition as the store keeps it: the server reads it for each request. */
export interface WebhookRecord {
  name: string;
  /** JSON text of the definition (event type, signature settings and secret, delivery id header, kept headers). */
  definition: string;
  updatedAt: number;
}

/** A subscription a run opens with `subscribe()`: events of `eventType` reach its inbox as `endure:sub:<position>`. */
export interface NewSubscription {
  position: number;
  eventType: string;
}

/**
 * The event log (part of {@link Store}): every incoming event, in order, before anything acts on
 * it; the triggers that start runs from it; the webhooks that feed it; and, through
 * `RunCommit.subscriptions`, the runs that listen to it.
 *
 * Rules every store keeps (the conformance suite checks them):
 * - `seq` grows in commit order: once an event is visible, no event with a smaller `seq` becomes
 *   visible later (a trigger's cursor never skips an event committed late);
 * - an event's key is unique across the log; a duplicate is reported, not written;
 * - appending an event copies it, in the same transaction, into the inbox of every unfinished run
 *   subscribed to its type (as `endure:sub:<position>`, the payload a JSON object of the event's
 *   fields), and wakes the run if it waits for that name; a run's subscriptions end with it;
 * - a trigger's runs for an event and its cursor move are one transaction.
 */
export interface EventLogStore {
  /** Appends events in one transaction, each unless its key was seen; in order. */
  appendEvents(events: readonly NewLogEvent[]): Promise<AppendedEvent[]>;
  getEvent(seq: number): Promise<LogEventRecord | undefined>;
  listEvents(query: LogEventQuery): Promise<LogEventPage>;
  /** The greatest `seq` committed (0: an empty log). */
  eventLogHead(): Promise<number>;

  /**
   * Records triggers a worker has the code of: a new one starts at the log's head (events before it
   * existed start nothing); a known one keeps its cursor and takes the new type and workflow.
   */
  registerTriggers(triggers: readonly NewTrigger[]): Promise<void>;
  /** By name. */
  listTriggers(): Promise<TriggerRecord[]>;
  /**
   * For each named trigger, in its own transaction: reads its next events (of its type, after its
   * cursor, not targeted at another trigger), starts the runs `plan` names (an existing id is left as
   * it is) and moves the cursor past the events read. A trigger another process is dispatching at
   * the same moment is skipped, not waited for.
   */
  dispatchEvents(request: DispatchRequest): Promise<DispatchResult>;

  /**
   * Retention: deletes up to `limit` events received before `receivedBefore`, oldest first, that
   * every trigger of their type has dispatched (an event a trigger has not read yet is kept). Looks
   * at the `limit` oldest events only, so a sweep costs the same however long the log is. Runs the
   * events started, and events copied into subscribed runs' inboxes, are not touched; a deleted
   * event's key may be used again.
   * @returns how many events were deleted.
   */
  deleteOldEvents(receivedBefore: number, limit: number): Promise<number>;

  /** Creates or replaces webhooks by name. */
  upsertWebhooks(webhooks: readonly Pick<WebhookRecord, "name" | "definition">[]): Promise<void>;
  getWebhook(name: string): Promise<WebhookRecord | undefined>;
  /** By name. */
  listWebhooks(): Promise<WebhookRecord[]>;
}
