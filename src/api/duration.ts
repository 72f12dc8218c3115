import ms from "ms";
import { InvalidArgumentError } from "./errors.js";

/** Milliseconds, or a string such as `"90s"`, `"5 minutes"`, `"3 days"`, `"1.5h"`. */
export type Duration = number | string;

/**
 * Converts a {@link Duration} to milliseconds.
 * @param what Names the argument in the error, e.g. `sleep()'s duration`.
 * @throws InvalidArgumentError when the duration is not a finite, non-negative amount of time.
 */
export function toMilliseconds(duration: Duration, what: string): number {
  const millis = typeof duration === "string" && duration.trim() !== "" ? ms(duration as ms.StringValue) : duration;
  if (typeof millis !== "number" || !Number.isFinite(millis) || millis < 0) {
    throw new InvalidArgumentError(
      `${what} must be a non-negative number of milliseconds or a string such as "90s" or "3 days"; got ${JSON.stringify(duration) ?? String(duration)}.`,
    );
  }
  return Math.round(millis);
}
