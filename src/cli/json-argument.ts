import { InvalidJsonError } from "./errors.js";

/** Parses a JSON argument of the command line, or fails with a message that says how to write it. */
export function parseJson(text: string, what: string, example: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidJsonError(what, (error as Error).message, example);
  }
}

/**
 * A workflow's arguments from the command line: a JSON array is the argument list, any other JSON
 * value the one argument, nothing no arguments.
 */
export function parseWorkflowArgs(text: string | undefined): unknown[] {
  if (text === undefined) return [];
  const value = parseJson(text, "the workflow's arguments", `'["alice", 10]' (an array of the arguments) or '"alice"' (one argument)`);
  return Array.isArray(value) ? value : [value];
}
