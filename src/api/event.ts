import type { StandardSchemaV1 } from "@standard-schema/spec";
import { InvalidArgumentError, InvalidEventPayloadError, type PayloadIssue } from "./errors.js";
import { validateEventName } from "./validate.js";
import { waitForEvent, type WaitForEventOptions } from "./wait-for-event.js";

/**
 * A named event with a payload type, shared by `endure.send(runId, event, payload)` and
 * `event.wait()` / `waitForEvent(event)`. `T` is what the workflow receives; `I` what `send` takes
 * (they differ only for a schema that transforms its input).
 */
export interface EventDefinition<T = unknown, I = T> {
  readonly kind: "event";
  readonly name: string;
  /** Checks payloads at `send`; see {@link defineEvent}. */
  readonly schema: StandardSchemaV1<I, T> | undefined;
  /** In a workflow: waits for the next event of this kind; `null` when the timeout passes first. */
  wait(options?: WaitForEventOptions): Promise<T | null>;
}

export interface EventOptions<S extends StandardSchemaV1> {
  /** A Standard Schema (zod, valibot, arktype, ...): `send` rejects payloads it does not accept. */
  schema: S;
}

/**
 * Defines an event, so that `send` and the workflow's wait agree on its payload's type. With a
 * `schema` (any Standard Schema, e.g. zod) the type is the schema's, and `endure.send(runId, event,
 * payload)` validates the payload first: a payload the schema rejects throws
 * {@link InvalidEventPayloadError} listing each issue, and nothing is sent. What the schema returns
 * (its output, defaults applied) is what the workflow receives. The workflow does not validate the
 * payload again: it was checked on the way in, and a journaled payload must replay as recorded,
 * whatever the schema says after a deploy. An event sent by its plain name is not checked.
 *
 * @example
 * ```ts
 * const approval = defineEvent("approval", { schema: z.object({ approved: z.boolean(), by: z.string() }) });
 * // or, typed without runtime checks: defineEvent<{ approved: boolean; by: string }>("approval")
 *
 * // in the workflow
 * const decision = await approval.wait({ timeout: "1 day" });   // { approved: boolean; by: string } | null
 *
 * // anywhere
 * await endure.send(runId, approval, { approved: true, by: "dana" });
 * ```
 */
export function defineEvent<T>(name: string): EventDefinition<T>;
export function defineEvent<S extends StandardSchemaV1>(
  name: string,
  options: EventOptions<S>,
): EventDefinition<StandardSchemaV1.InferOutput<S>, StandardSchemaV1.InferInput<S>>;
export function defineEvent(name: string, options?: EventOptions<StandardSchemaV1>): EventDefinition {
  if (typeof name !== "string" || name.length === 0 || name.length > 200) {
    throw new InvalidArgumentError(`defineEvent() needs an event name of 1 to 200 characters; got ${JSON.stringify(name) ?? typeof name}.`);
  }
  validateEventName(name, "defineEvent()");
  const schema = options?.schema;
  if (options !== undefined && typeof (schema as Partial<StandardSchemaV1> | undefined)?.["~standard"]?.validate !== "function") {
    throw new InvalidArgumentError(
      `defineEvent("${name}"): options.schema must be a Standard Schema (e.g. a zod, valibot or arktype schema); got ${typeof schema}. ` +
        `Leave options out for an event typed without runtime checks.`,
    );
  }
  const event: EventDefinition = {
    kind: "event",
    name,
    schema,
    wait: (waitOptions) => waitForEvent(event, waitOptions),
  };
  return Object.freeze(event);
}

/** Whether `value` came from {@link defineEvent}. */
export function isEventDefinition(value: unknown): value is EventDefinition<unknown, unknown> {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "event";
}

/**
 * The payload to send for `event`: as given, or what its schema returns for it.
 * @throws InvalidEventPayloadError when the schema rejects it.
 */
export async function checkEventPayload(event: EventDefinition<unknown, unknown>, payload: unknown): Promise<unknown> {
  if (event.schema === undefined) return payload;
  const result = await event.schema["~standard"].validate(payload);
  if (result.issues) throw new InvalidEventPayloadError(event.name, result.issues.map(toPayloadIssue));
  return result.value;
}

function toPayloadIssue(issue: StandardSchemaV1.Issue): PayloadIssue {
  const path = (issue.path ?? []).map((segment) => {
    const key = typeof segment === "object" ? segment.key : segment;
    return typeof key === "number" ? key : String(key);
  });
  return { path, message: issue.message };
}
