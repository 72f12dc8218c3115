import type { Serializer } from "../serialization/serializer.js";
import { AsyncLocalStorage } from "node:async_hooks";
import { NotInWorkflowError } from "./errors.js";
import type { StepContext } from "./step-context.js";
import type { ResolvedStepOptions } from "./step.js";
import type { RunSettings } from "./run-options.js";
import type { Transaction } from "./transaction-types.js";

/**
 * The durable calls of one run, as the public functions see them. The engine's `RunExecution`
 * implements it; the public API only ever reaches a run through this interface.
 */
/**
 * What an inbox event's payload makes a wait resolve to, serialized; undefined skips the event (it is
 * consumed all the same, and the wait goes on). A subscription's filter is applied this way.
 */
export type EventSelector = (payload: string, serializer: Serializer) => string | undefined;

export interface DurableRun {
  readonly runId: string;
  /** The time by the clock of the worker running the run (virtual in the test kit). */
  clock(): number;
  step<A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R> | R, args: A, options: ResolvedStepOptions): Promise<R>;
  /** A step whose `fn` runs in a transaction of the run's store that also records its result. */
  transaction<A extends unknown[], R>(
    name: string,
    fn: (tx: Transaction, ...args: A) => Promise<R>,
    args: A,
    options: ResolvedStepOptions,
  ): Promise<R>;
  sleep(ms: number): Promise<void>;
  /** Waits for the next inbox event `name`; `select` says what it resolves to, or skips it. */
  waitForEvent(name: string, timeoutMs: number | undefined, select?: EventSelector): Promise<unknown>;
  /** Opens a subscription to the event log's events of `eventType`, durably; resolves to its position. */
  subscribe(eventType: string): Promise<number>;
  /** Journals a synchronous value (`now()`, `uuid()`, `random()`), or returns the recorded one. */
  record<T>(kind: "now" | "uuid" | "random", produce: () => T): T;
  /** Starts a child run (or finds the one a replay started) and waits for its result. */
  child(workflow: string, args: unknown[], options: RunSettings): Promise<unknown>;
  /** Journals a named value the outside can read while the run goes on. */
  publish(name: string, value: unknown): void;
  /** Whether the run takes the new path of change `id` (see `patched()`); journals it when it does. */
  patched(id: string): boolean;
  /** Ends the run, continued by a new run of its workflow with `args`. Never resolves. */
  continueAsNew(args: unknown[]): Promise<never>;
}

/**
 * What the code running right now belongs to. Only the *current run* travels in
 * AsyncLocalStorage; there is no process-global engine.
 */
export type Scope =
  | { kind: "workflow"; run: DurableRun }
  | { kind: "step"; run: DurableRun; context: StepContext };

export const scopeStorage = new AsyncLocalStorage<Scope>();

/**
 * The run whose workflow body is calling `fn`: the one guard of every durable call.
 * @param outsideAdvice Said after the standard message when called outside any workflow.
 * @throws NotInWorkflowError outside a workflow body, or inside a step.
 */
export function requireWorkflow(fn: string, outsideAdvice?: string): DurableRun {
  const scope = scopeStorage.getStore();
  if (scope?.kind === "workflow") return scope.run;
  if (scope?.kind === "step") {
    throw new NotInWorkflowError(
      `${fn} was called inside step "${scope.context.stepName}"; durable calls belong in the workflow body, ` +
        `not inside steps. Move the call out of the step, into the workflow function.`,
    );
  }
  throw new NotInWorkflowError(
    `${fn} was called outside a workflow; it only works inside a workflow function that a worker runs. ` +
      `Call it from the body of a function passed to workflow().${outsideAdvice === undefined ? "" : ` ${outsideAdvice}`}`,
  );
}
