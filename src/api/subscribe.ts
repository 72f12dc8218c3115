import { type Duration, toMilliseconds } from "./duration.js";
import { InvalidArgumentError } from "./errors.js";
import type { EventDefinition } from "./event.js";
import { loggedEvent, type LoggedEvent } from "./logged-event.js";
import { type EventSelector, requireWorkflow } from "./scope.js";
import { validateEventType } from "./validate.js";
import type { LogEventRecord } from "../store/event-log-store.js";

export interface SubscribeOptions<T> {
  /**
   * Which events count (default: every one of the type), e.g. the comments on this pull request
   * only. Keep it a pure function of the event: an event it rejects is passed over for good.
   */
  filter?: (event: LoggedEvent<T>) => boolean;
}

export interface NextEventOptions {
  /** Give up after this long and resolve to `null`. Without it, wait for as long as it takes. */
  timeout?: Duration;
}

/** A run's durable subscription to the event log, from `subscribe()`. */
export interface Subscription<T = unknown> extends AsyncIterable<LoggedEvent<T>> {
  readonly eventType: string;
  /**
   * Waits durably for the next event of the type that passes the filter, oldest first, and resolves
   * to it; `null` when the timeout passes first. While it waits, the run holds no memory.
   */
  next(options?: NextEventOptions): Promise<LoggedEvent<T> | null>;
}

/**
 * Subscribes the run to the event log: from the moment the returned promise resolves, every event
 * of this type appended to the log (by a webhook, `endure.emit()`, the API or `endure emit`) is kept
 * for the run, and `next()` takes them one by one, in order, through the filter. None is missed, even
 * while the run waits suspended or its worker is dead. The subscription lasts as long as the run.
 *
 * @example
 * ```ts
 * const replies = await subscribe<{ thread: string; text: string }>("slack.message", {
 *   filter: (event) => event.payload.thread === threadId,
 * });
 * await postQuestion(threadId);                        // a reply cannot arrive unheard
 * const reply = await replies.next({ timeout: "1 day" });
 * for await (const comment of await subscribe("github.issue_comment")) { ... }   // listen forever
 * ```
 */
export async function subscribe<T = unknown>(event: string | EventDefinition<T, unknown>, options: SubscribeOptions<T> = {}): Promise<Subscription<T>> {
  const run = requireWorkflow("subscribe()");
  const eventType = validateEventType(typeof event === "string" ? event : (event as Partial<EventDefinition> | null)?.name, "subscribe()");
  const filter = options.filter;
  if (filter !== undefined && typeof filter !== "function") {
    throw new InvalidArgumentError(`subscribe("${eventType}"): filter must be a function of the event that returns true for the events to take; got ${typeof filter}.`);
  }
  const position = await run.subscribe(eventType);
  const select = selectEvents(filter as ((event: LoggedEvent) => boolean) | undefined, eventType);
  const next = async (nextOptions: NextEventOptions = {}): Promise<LoggedEvent<T> | null> => {
    const timeoutMs = nextOptions.timeout === undefined ? undefined : toMilliseconds(nextOptions.timeout, `subscription "${eventType}": next()'s timeout`);
    return (await requireWorkflow("next()").waitForEvent(subscriptionEventName(position), timeoutMs, select)) as LoggedEvent<T> | null;
  };
  return {
    eventType,
    next,
    async *[Symbol.asyncIterator]() {
      for (;;) yield (await next())!;
    },
  };
}

const SUBSCRIPTION_PREFIX = "endure:sub:";

/** The inbox event through which the store hands the subscription at `position` its events. */
export function subscriptionEventName(position: number): string {
  return `${SUBSCRIPTION_PREFIX}${position}`;
}

/** The position of the subscription whose events an inbox event name carries (undefined: not a subscription's). */
export function subscriptionPosition(eventName: string): number | undefined {
  return eventName.startsWith(SUBSCRIPTION_PREFIX) ? Number(eventName.slice(SUBSCRIPTION_PREFIX.length)) : undefined;
}

/** An event of the log as the store's trigger writes it into a subscribed run's inbox. */
type SubscribedEvent = Omit<LogEventRecord, "redispatchOf" | "target"> & { redispatchOf?: number | null };

function selectEvents(filter: ((event: LoggedEvent) => boolean) | undefined, eventType: string): EventSelector {
  return (payload, serializer) => {
    const record = JSON.parse(payload) as SubscribedEvent;
    const event = loggedEvent({ ...record, redispatchOf: record.redispatchOf ?? null, target: null }, (text) => serializer.deserialize(text));
    if (filter !== undefined && !filter(event)) return undefined;
    return serializer.serialize(event, `Event ${event.seq} of the subscription to "${eventType}"`);
  };
}
