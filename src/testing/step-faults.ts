import { InvalidArgumentError } from "../api/errors.js";
import type { StepContext } from "../api/step-context.js";
import type { StepInterceptor } from "../engine/step-attempt.js";

export interface FailStepOptions {
  /** How many of the step's next attempts fail (a whole number, at least 1). */
  times: number;
  /** What they throw (default: an `Error` saying it was injected). A `NonRetryableError` fails the step at once. */
  error?: Error | ((context: StepContext) => Error);
}

/** A step body the test puts in place of the real one; it gets the step's arguments. */
export type StepMock = (...args: never[]) => unknown;

/**
 * Failures and mocks of steps, by step name, for every run of a test env: the worker calls
 * {@link intercept} around each step attempt. Injected failures come first, then the mock.
 */
export class StepFaults {
  private readonly failures = new Map<string, { left: number; total: number; error: FailStepOptions["error"] }>();
  private readonly mocks = new Map<string, StepMock>();

  fail(name: string, options: FailStepOptions): void {
    stepName(name, "env.failStep()");
    const times = options?.times;
    if (!Number.isInteger(times) || times < 1) {
      throw new InvalidArgumentError(`env.failStep("${name}"): times must be a whole number of at least 1 (how many attempts fail); got ${String(times)}.`);
    }
    if (options.error !== undefined && !(options.error instanceof Error) && typeof options.error !== "function") {
      throw new InvalidArgumentError(`env.failStep("${name}"): error must be an Error or a function that makes one; got ${typeof options.error}.`);
    }
    this.failures.set(name, { left: times, total: times, error: options.error });
  }

  mock(name: string, fn: StepMock): void {
    stepName(name, "env.mockStep()");
    if (typeof fn !== "function") {
      throw new InvalidArgumentError(`env.mockStep("${name}"): the mock must be a function that takes the step's arguments; got ${typeof fn}.`);
    }
    this.mocks.set(name, fn);
  }

  /** Forgets every failure not yet used and every mock. */
  restore(): void {
    this.failures.clear();
    this.mocks.clear();
  }

  readonly intercept: StepInterceptor = async (context, args, call) => {
    const failure = this.failures.get(context.stepName);
    if (failure) {
      const nth = failure.total - failure.left + 1;
      if (--failure.left === 0) this.failures.delete(context.stepName);
      const { error } = failure;
      throw typeof error === "function" ? error(context)
        : error ?? new Error(`env.failStep("${context.stepName}") made attempt ${context.attempt} fail (injected failure ${nth} of ${failure.total}).`);
    }
    const mock = this.mocks.get(context.stepName);
    return mock ? await (mock as (...a: readonly unknown[]) => unknown)(...args) : await call();
  };
}

function stepName(name: unknown, where: string): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidArgumentError(`${where}: the first argument must be a step's name (the name given to step()); got ${JSON.stringify(name) ?? typeof name}.`);
  }
}
