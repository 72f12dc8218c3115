import { InvalidArgumentError } from "./errors.js";
import type { EventDefinition } from "./event.js";
import type { LoggedEvent } from "./logged-event.js";
import { runOptions, type RunSettings, type StartOptions } from "./run-options.js";
import { validateEventType } from "./validate.js";
import { isWorkflowDefinition, WORKFLOW_NAME, type WorkflowDefinition } from "./workflow.js";

export interface TriggerOptions<T> extends Omit<StartOptions, "id" | "delay"> {
  /** The event type it acts on, or an event from `defineEvent()` (whose payload type the filter and workflow get). */
  event: string | EventDefinition<T, unknown>;
  /** The workflow each matching event starts, with the event as its one argument. */
  workflow: WorkflowDefinition<[LoggedEvent<T>], unknown>;
  /**
   * Which events start a run (default: all of the type). Keep it a pure function of the event: it is
   * applied once per event, by whichever worker dispatches it. An event it throws on starts nothing
   * and is reported in the worker's log.
   */
  filter?: (event: LoggedEvent<T>) => boolean;
}

/** What `trigger()` returns: export it from the workflow file next to its workflow. */
export interface TriggerDefinition<T = unknown> {
  readonly kind: "trigger";
  readonly name: string;
  readonly eventType: string;
  readonly workflow: WorkflowDefinition<[LoggedEvent<T>], unknown>;
  readonly filter: ((event: LoggedEvent<T>) => boolean) | undefined;
  /** The run options each started run gets (tags, timeout, queue, ...), checked. */
  readonly runSettings: RunSettings;
}

/**
 * Declares a trigger: every event of `event`'s type appended to the event log from now on (by a
 * webhook, `endure.emit()`, the API or `endure emit`) that passes `filter` starts one run of
 * `workflow`, with the event as its argument. Exactly one run per trigger and event, however many
 * workers run and wherever they crash: its id is `trigger:<name>:<event seq>`, and it is tagged
 * `trigger:<name>` and `event:<seq>`. One event may start the runs of several triggers.
 *
 * Export it from the workflow file: `endure worker` and `endure dev` dispatch it (or pass it to
 * `startWorker({ triggers })`). Events recorded while no worker runs it start their runs once one
 * does; events from before the trigger was first declared start nothing.
 *
 * @example
 * ```ts
 * export const onPush = trigger("deploy-on-push", {
 *   event: "github.push",
 *   workflow: deploy,
 *   filter: (event) => (event.payload as { ref?: string }).ref === "refs/heads/main",
 * });
 * ```
 */
export function trigger<T = unknown>(name: string, options: TriggerOptions<T>): TriggerDefinition<T> {
  if (typeof name !== "string" || !WORKFLOW_NAME.test(name)) {
    throw new InvalidArgumentError(
      `trigger() needs a name of 1 to 128 letters, digits or _ . : - / (starting with a letter or digit); got ${JSON.stringify(name)}.`,
    );
  }
  const where = `trigger(${JSON.stringify(name)})`;
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(`${where} needs options such as { event: "github.push", workflow: deploy }; got ${String(options)}.`);
  }
  const { event, workflow, filter, ...startOptions } = options;
  const eventType = validateEventType(typeof event === "string" ? event : (event as Partial<EventDefinition> | undefined)?.name, `${where}: event`);
  if (!isWorkflowDefinition(workflow)) {
    throw new InvalidArgumentError(`${where}: workflow must be a definition from workflow(); got ${typeof workflow}.`);
  }
  if (filter !== undefined && typeof filter !== "function") {
    throw new InvalidArgumentError(`${where}: filter must be a function of the event that returns true to start a run; got ${typeof filter}.`);
  }
  const runSettings = runOptions(startOptions, where, 0);
  return Object.freeze({ kind: "trigger" as const, name, eventType, workflow, filter, runSettings });
}

/** A trigger of any payload type (a typed filter takes narrower events than `unknown` ones). */
export type AnyTrigger = TriggerDefinition<never>;

/** Whether `value` came from {@link trigger}. */
export function isTriggerDefinition(value: unknown): value is TriggerDefinition {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "trigger";
}
