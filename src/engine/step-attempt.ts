import {
  InvalidArgumentError,
  NonRetryableError,
  NotInWorkflowError,
  PayloadTooLargeError,
  SerializationError,
  TimeoutError,
} from "../api/errors.js";
import { scopeStorage, type DurableRun } from "../api/scope.js";
import type { StepContext } from "../api/step-context.js";
import type { ResolvedRetryPolicy } from "../api/step.js";
import type { Transaction } from "../api/transaction-types.js";
import type { LazyAbort } from "./lazy-abort.js";
import type { StepObservation } from "./observer.js";

/** A step call of a workflow, across its attempts. */
export interface StepCall {
  position: number;
  name: string;
  /** A transactional step: `fn` takes the store's transaction first, then `args`. */
  transactional: boolean;
  fn: (...args: never[]) => unknown;
  args: unknown[];
  policy: ResolvedRetryPolicy;
  timeoutMs: number | undefined;
  startedAt: number;
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** What follows the attempt under way (logs, traces, metrics), if anything does. */
  observation?: StepObservation;
}


/**
 * Wraps every step attempt's call of the user's function (the test kit's failStep and mockStep):
 * `call` runs the step's own function; `args` are the arguments it gets (a transaction step's
 * start with its `tx`). Runs in the step's scope, so `stepContext()` works.
 * @internal
 */
export type StepInterceptor = (context: StepContext, args: readonly unknown[], call: () => Promise<unknown>) => Promise<unknown>;

export interface StepAttempt {
  run: DurableRun;
  context: StepContext;
  controller: LazyAbort;
  fn: (...args: never[]) => unknown;
  args: unknown[];
  timeoutMs: number | undefined;
  /** Its `enter` runs the function in the observers' context (the step's span active). */
  observation?: StepObservation;
  intercept?: StepInterceptor;
}

/**
 * Runs one attempt of a step in its own scope (so `stepContext()` works and durable calls inside
 * are refused). A timeout aborts the attempt's signal and fails it with `TimeoutError`, whether or
 * not the function honours the signal.
 */
export function runStepAttempt(attempt: StepAttempt): Promise<unknown> {
  const { run, context, fn, args, timeoutMs, observation, intercept } = attempt;
  const invoke = () => {
    try {
      return Promise.resolve((fn as (...a: unknown[]) => unknown)(...args));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };
  const call = () => scopeStorage.run({ kind: "step", run, context }, intercept === undefined ? invoke : () => intercept(context, args, invoke));
  const execution = observation?.enter ? observation.enter(call) : call();
  return timeoutMs === undefined ? execution : withTimeout(execution, attempt, timeoutMs);
}

async function withTimeout(execution: Promise<unknown>, attempt: StepAttempt, timeoutMs: number): Promise<unknown> {
  const { context, controller } = attempt;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(`Step "${context.stepName}" (attempt ${context.attempt}) took longer than its timeout of ${timeoutMs} ms.`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([execution, timeout]);
  } finally {
    clearTimeout(timer);
    execution.catch(() => {}); // a timed-out attempt may still fail later; nobody listens then
  }
}

/**
 * Runs one attempt of a transactional step: `fn(tx, ...args)`, as {@link runStepAttempt} does. It
 * gives up as soon as the attempt's signal is aborted (a timeout, a cancellation, the run lost), so
 * the store rolls the transaction back and frees its connection at once, whether or not the function
 * honours the signal; the statements it still makes are refused.
 */
export async function runTransactionAttempt(attempt: StepAttempt, tx: Transaction): Promise<unknown> {
  const { signal } = attempt.controller;
  if (signal.aborted) throw signal.reason;
  const execution = runStepAttempt({ ...attempt, args: [tx, ...attempt.args] });
  execution.catch(() => {}); // an attempt given up on may still fail later; nobody listens then
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([execution, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** Delay before attempt `attempt + 1`. */
export function retryDelay(attempt: number, policy: ResolvedRetryPolicy): number {
  return Math.min(policy.initialDelayMs * policy.backoffFactor ** (attempt - 1), policy.maxDelayMs);
}

// Misuse of Endure inside a step fails the same way on every attempt: retrying only delays the news.
const NEVER_RETRIED = [NonRetryableError, SerializationError, PayloadTooLargeError, NotInWorkflowError, InvalidArgumentError];

export function isRetryable(error: unknown): boolean {
  return !NEVER_RETRIED.some((cls) => error instanceof cls);
}
