import { InvalidArgumentError as InvalidOptionError } from "commander";

/** A parser for an option that takes a whole number from `min` to `max`; commander reports a bad one as a usage error. */
export function wholeNumber(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidOptionError(`Use a whole number from ${min} to ${max}.`);
    }
    return value;
  };
}
