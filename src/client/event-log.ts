import { EventNotFoundError, InvalidArgumentError, UnknownTriggerError } from "../api/errors.js";
import { checkEventPayload, type EventDefinition, isEventDefinition } from "../api/event.js";
import { type LoggedEvent, loggedEvent } from "../api/logged-event.js";
import { validateEventType } from "../api/validate.js";
import type { WebhookConfig } from "../api/webhook.js";
import type { Serializer } from "../serialization/serializer.js";
import { Batcher } from "../store/batcher.js";
import type { AppendedEvent, LogEventRecord, NewLogEvent } from "../store/event-log-store.js";
import type { Store } from "../store/store.js";
import {
  type EmittedEvent,
  type EventInfo,
  type EventList,
  type RedispatchedEvent,
  toTriggerInfo,
  toWebhookInfo,
  type TriggerInfo,
  type WebhookInfo,
} from "./event-info.js";
import { toRunSummary } from "./run-info.js";

export interface EmitOptions {
  /** Deduplication key (1 to 255 printable characters): a second event with the same key is not recorded. */
  key?: string;
  /** Where the event comes from (1 to 200 printable characters; default `"code"`). */
  source?: string;
  /** HTTP-style headers kept with the event (a webhook's); names are stored lower-case. */
  headers?: Record<string, string>;
}

export interface EventQuery {
  /** Only events of this type. */
  type?: string;
  /** Only events from this source, e.g. `webhook:github`. */
  source?: string;
  /** Page size, 1 to 1000 (default 50). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface RedispatchOptions {
  /** Only this trigger acts on the copy (and no subscription sees it); default: every trigger of its type. */
  trigger?: string;
}

const PRINTABLE = /^[^\p{Cc}\p{Cs}]+$/u;
/** The most runs `get()` lists for one event: one per trigger of its type. */
const MAX_RUNS_SHOWN = 1000;

/**
 * The event log: every event from a webhook, the API, `endure emit` or `endure.emit()`, recorded
 * with a monotonic `seq` before any trigger or subscription acts on it. Use it as `endure.events`.
 *
 * @example
 * ```ts
 * const { events } = await endure.events.list({ type: "github.push", limit: 10 });
 * const event = await endure.events.get(events[0]!.seq);      // with the runs it started
 * await endure.events.redispatch(event!.seq, { trigger: "deploy-on-push" });
 * ```
 */
export class EventLog {
  /** Concurrent emits share one transaction. */
  private readonly appends: Batcher<NewLogEvent, AppendedEvent>;

  /** @internal Use `endure.events`. */
  constructor(
    private readonly store: Store,
    private readonly serializer: Serializer,
    private readonly assertOpen: () => void,
    /** Called once an event is appended, so that this process's workers dispatch it at once. */
    private readonly appended: () => void,
  ) {
    this.appends = new Batcher((events) => store.appendEvents(events));
  }

  /** @internal Use `endure.emit()`. */
  async emit(type: string | EventDefinition<unknown, unknown>, payload: unknown, options: EmitOptions = {}): Promise<EmittedEvent> {
    this.assertOpen();
    const name = validateEventType(isEventDefinition(type) ? type.name : type, "emit()");
    if (typeof options !== "object" || options === null) {
      throw new InvalidArgumentError(`emit("${name}"): options must be an object such as { key: "order-7" }; got ${String(options)}.`);
    }
    const key = options.key === undefined ? null : printable(options.key, 255, `emit("${name}"): key`, '"order-7-paid"');
    const source = printable(options.source ?? "code", 200, `emit("${name}"): source`, '"billing"');
    const headers = options.headers === undefined ? null : headerJson(options.headers, `emit("${name}"): headers`);
    if (isEventDefinition(type)) payload = await checkEventPayload(type, payload);
    const text = this.serializer.serialize(payload ?? null, `The payload of event "${name}"`);
    const { event, duplicate } = await this.appends.addAsync({ type: name, source, payload: text, headers, key });
    if (!duplicate) this.appended();
    return { ...this.logged(event), duplicate };
  }

  /** Events, newest first, a page at a time. */
  async list(query: EventQuery = {}): Promise<EventList> {
    this.assertOpen();
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new InvalidArgumentError(`events.list(): limit must be a whole number from 1 to 1000; got ${limit}.`);
    }
    if (query.type !== undefined) validateEventType(query.type, "events.list()");
    const page = await this.store.listEvents({ type: query.type, source: query.source, cursor: query.cursor, limit });
    return { events: page.events.map((event) => this.logged(event)), nextCursor: page.nextCursor };
  }

  /** The event with the runs its triggers started; undefined when the log has no such seq. */
  async get(seq: number): Promise<EventInfo | undefined> {
    this.assertOpen();
    const record = await this.store.getEvent(validateSeq(seq, "events.get()"));
    if (!record) return undefined;
    const { runs } = await this.store.listRuns({ tags: [`event:${seq}`], limit: MAX_RUNS_SHOWN });
    return { ...this.logged(record), target: record.target, runs: runs.map((run) => toRunSummary(run, this.serializer)) };
  }

  /**
   * Appends a copy of an event (same type, source, payload and headers; no key), so that triggers
   * start new runs for it: every trigger of its type, or only `options.trigger` (then no other
   * trigger and no subscription sees the copy). The original and its runs are left as they are.
   * @throws EventNotFoundError, UnknownTriggerError (no worker registered that trigger)
   */
  async redispatch(seq: number, options: RedispatchOptions = {}): Promise<RedispatchedEvent> {
    this.assertOpen();
    validateSeq(seq, "events.redispatch()");
    const original = await this.store.getEvent(seq);
    if (!original) throw new EventNotFoundError(seq);
    const target = options.trigger ?? null;
    if (target !== null) {
      const triggers = await this.store.listTriggers();
      const trigger = triggers.find((known) => known.name === target);
      if (!trigger) throw new UnknownTriggerError(target, triggers.map((known) => known.name));
      if (trigger.eventType !== original.type) {
        throw new InvalidArgumentError(
          `events.redispatch(${seq}): trigger "${target}" acts on "${trigger.eventType}" events, and event ${seq} is a "${original.type}" one: it would start nothing. Name a trigger of "${original.type}", or none.`,
        );
      }
    }
    const [appended] = await this.store.appendEvents([
      { type: original.type, source: original.source, payload: original.payload, headers: original.headers, redispatchOf: seq, target },
    ]);
    this.appended();
    return { ...this.logged(appended!.event), target: appended!.event.target };
  }

  /** The triggers workers registered, by name, with how far each has dispatched. */
  async triggers(): Promise<TriggerInfo[]> {
    this.assertOpen();
    const [triggers, head] = await Promise.all([this.store.listTriggers(), this.store.eventLogHead()]);
    return triggers.map((trigger) => toTriggerInfo(trigger, head));
  }

  /** The webhooks workers registered, by name, without their secrets. */
  async webhooks(): Promise<WebhookInfo[]> {
    this.assertOpen();
    return (await this.store.listWebhooks()).map((record) => toWebhookInfo(JSON.parse(record.definition) as WebhookConfig, record.updatedAt));
  }

  /** @internal The server's: a webhook's definition with its secret, or undefined when none has that name. */
  async webhookConfig(name: string): Promise<WebhookConfig | undefined> {
    this.assertOpen();
    const record = await this.store.getWebhook(name);
    return record === undefined ? undefined : (JSON.parse(record.definition) as WebhookConfig);
  }

  private logged(record: LogEventRecord): LoggedEvent {
    return loggedEvent(record, (text) => this.serializer.deserialize(text));
  }
}

function validateSeq(seq: unknown, where: string): number {
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) {
    throw new InvalidArgumentError(`${where}: seq must be an event's sequence number, a whole number from 1; got ${JSON.stringify(seq) ?? typeof seq}.`);
  }
  return seq;
}

function printable(value: unknown, max: number, where: string, example: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > max || !PRINTABLE.test(value)) {
    const shown = typeof value === "string" ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value) : typeof value;
    throw new InvalidArgumentError(`${where} must be 1 to ${max} printable characters (e.g. ${example}); got ${shown}${typeof value === "string" ? ` (${value.length} characters)` : ""}.`);
  }
  return value;
}

/** The headers as the store keeps them: JSON of an object of strings, names lower-case. */
function headerJson(headers: unknown, where: string): string {
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    throw new InvalidArgumentError(`${where} must be an object of header names to string values, e.g. { "x-request-id": "abc" }; got ${Array.isArray(headers) ? "an array" : String(headers)}.`);
  }
  const lowerCase: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== "string") throw new InvalidArgumentError(`${where}: the value of "${name}" must be a string; got ${typeof value}.`);
    lowerCase[name.toLowerCase()] = value;
  }
  return JSON.stringify(lowerCase);
}
