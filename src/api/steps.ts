import { InvalidArgumentError } from "./errors.js";
import { step, type StepOptions } from "./step.js";

/** The object `steps()` returns: each function turned into a step of the same signature. */
export type Steps<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/**
 * Turns every function of an object into a step named by its key.
 *
 * @example
 * ```ts
 * const bank = steps({
 *   withdraw: async (txId: string, account: string, amount: number) => { ... },
 *   deposit: async (txId: string, account: string, amount: number) => { ... },
 * });
 * await bank.withdraw(txId, "alice", 10); // journaled as step "withdraw"
 * ```
 */
export function steps<T extends Record<string, (...args: never[]) => unknown>>(functions: T, options?: StepOptions): Steps<T> {
  const result: Record<string, unknown> = {};
  for (const [key, fn] of Object.entries(functions)) {
    if (typeof fn !== "function") {
      throw new InvalidArgumentError(`steps(): "${key}" must be a function; got ${typeof fn}.`);
    }
    result[key] = step(key, fn as (...args: unknown[]) => unknown, options);
  }
  return result as Steps<T>;
}
