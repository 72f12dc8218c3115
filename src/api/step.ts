import { type Duration, toMilliseconds } from "./duration.js";
import { InvalidArgumentError } from "./errors.js";
import { scopeStorage } from "./scope.js";

/** How a failing step is tried again. Delays grow from `initialDelay` by `backoffFactor` up to `maxDelay`. */
export interface RetryPolicy {
  /** Attempts in all, including the first (default 3; 1 means no retry). */
  maxAttempts?: number;
  /** Delay before the second attempt (default `"1s"`). */
  initialDelay?: Duration;
  /** Multiplier of the delay after each failed attempt (default 2). */
  backoffFactor?: number;
  /** Longest delay between attempts (default `"1m"`). */
  maxDelay?: Duration;
}

export interface StepOptions {
  retry?: RetryPolicy;
  /** Longest time one attempt may take; then its signal is aborted and the attempt fails with `TimeoutError`. */
  timeout?: Duration;
}

/** A {@link RetryPolicy} with every field resolved to milliseconds. */
export interface ResolvedRetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  backoffFactor: number;
  maxDelayMs: number;
}

const STEP_NAME = /^[^\s].{0,199}$/s;

/**
 * Makes `fn` a step: inside a workflow each call is journaled, so after a crash or a suspension the
 * recorded result (or final error) is returned instead of running `fn` again. Outside a workflow,
 * and inside another step, the step simply runs `fn`.
 *
 * Retry rule: an attempt that throws is tried again after a growing delay, up to
 * `retry.maxAttempts` attempts in all (default 3, starting at 1 s, doubling, at most 1 min), unless
 * it throws a {@link NonRetryableError}. The last error is thrown into the workflow. The delay is a
 * durable timer: it survives restarts. A result that cannot be journaled, or a misuse of Endure
 * inside the step (`NotInWorkflowError`, `InvalidArgumentError`), fails at once too: those fail
 * the same way on every attempt.
 *
 * Steps run at least once: a crash after `fn`'s side effect but before its result is durable runs
 * it again. Pass `stepContext().idempotencyKey` to the outside world to make that harmless.
 *
 * @example
 * ```ts
 * const withdraw = step("withdraw", async (txId: string, account: string, amount: number) => {
 *   await bank.withdraw({ txId, account, amount });
 * }, { retry: { maxAttempts: 5 }, timeout: "10s" });
 * ```
 */
export function step<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => Promise<R> | R,
  options: StepOptions = {},
): (...args: A) => Promise<Awaited<R>> {
  const resolved = validateStepDefinition("step", name, fn, options);
  // Not async: on the hot path the run's own promise is returned, without wrapping it in another.
  const durable = (...args: A): Promise<Awaited<R>> => {
    const scope = scopeStorage.getStore();
    if (scope?.kind !== "workflow") return (async (): Promise<Awaited<R>> => await fn(...args))();
    try {
      return scope.run.step<A, Awaited<R>>(name, fn as (...args: A) => Promise<Awaited<R>>, args, resolved);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };
  Object.defineProperty(durable, "name", { value: name });
  return durable;
}

/** Resolves a retry policy against the defaults. */
export function resolveRetryPolicy(retry: RetryPolicy | undefined): ResolvedRetryPolicy {
  return {
    maxAttempts: retry?.maxAttempts ?? 3,
    initialDelayMs: toMilliseconds(retry?.initialDelay ?? 1000, "retry.initialDelay"),
    backoffFactor: retry?.backoffFactor ?? 2,
    maxDelayMs: toMilliseconds(retry?.maxDelay ?? 60_000, "retry.maxDelay"),
  };
}

/** Checks what `step()` or `transaction()` was given; throws `InvalidArgumentError` naming `definer`. */
/** Step options checked and turned into numbers once, when the step is defined. */
export interface ResolvedStepOptions {
  policy: ResolvedRetryPolicy;
  timeoutMs: number | undefined;
}

export function validateStepDefinition(definer: "step" | "transaction", name: string, fn: unknown, options: StepOptions): ResolvedStepOptions {
  if (typeof name !== "string" || !STEP_NAME.test(name)) {
    throw new InvalidArgumentError(`${definer}() needs a name of 1 to 200 characters that does not start with a space; got ${JSON.stringify(name)}.`);
  }
  if (typeof fn !== "function") {
    throw new InvalidArgumentError(`${definer}("${name}") needs a function as its second argument; got ${typeof fn}.`);
  }
  const { retry, timeout } = options;
  const where = `${definer}("${name}")`;
  if (retry?.maxAttempts !== undefined && (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1)) {
    throw new InvalidArgumentError(`${where}: retry.maxAttempts must be a whole number of at least 1; got ${retry.maxAttempts}.`);
  }
  if (retry?.backoffFactor !== undefined && !(retry.backoffFactor >= 1 && Number.isFinite(retry.backoffFactor))) {
    throw new InvalidArgumentError(`${where}: retry.backoffFactor must be a finite number of at least 1; got ${retry.backoffFactor}.`);
  }
  return {
    policy: resolveRetryPolicy(retry),
    timeoutMs: timeout === undefined ? undefined : toMilliseconds(timeout, `${where}: timeout`),
  };
}
