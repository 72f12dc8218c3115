import { InvalidArgumentError } from "./errors.js";
import { requireWorkflow } from "./scope.js";

/**
 * Publishes a named value of the run (progress, an intermediate result) for the outside to read:
 * `endure.get(id).values[name]` is the latest value published under that name, and
 * `endure.waitForValue(id, name)` waits for one to appear. The value is journaled, so a replay does
 * not publish it again; it becomes visible once committed, which happens right away.
 *
 * @example
 * ```ts
 * for (const [index, file] of files.entries()) {
 *   await convert(file);
 *   publish("progress", { done: index + 1, of: files.length });
 * }
 * ```
 */
export function publish(name: string, value: unknown): void {
  const run = requireWorkflow("publish()");
  if (typeof name !== "string" || name.length === 0 || name.length > 200) {
    throw new InvalidArgumentError(`publish() needs a value name of 1 to 200 characters; got ${JSON.stringify(name) ?? typeof name}.`);
  }
  run.publish(name, value);
}
