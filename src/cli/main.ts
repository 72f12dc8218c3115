#!/usr/bin/env node
// The `endure` command line. Every command is a thin adapter over the Endure client.
import { CommanderError } from "commander";
import { EXIT, exitCodeOf } from "./exit-codes.js";
import { colorsFor } from "./output.js";
import { createProgram } from "./program.js";

process.exitCode = await run(process.argv);

async function run(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (error) {
    // Commander has printed its own message (help, version, or a usage error).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    printError(error, argv.includes("--verbose"));
    return exitCodeOf(error);
  }
}

/** One line, `endure: <message> (<CODE>)`; the stack trace only when asked for. */
function printError(error: unknown, verbose: boolean): void {
  const red = colorsFor(process.stderr).red;
  const message = error instanceof Error ? error.message.replace(/\s*\n\s*/g, " ") : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const suffix = typeof code === "string" ? ` (${code})` : verbose ? "" : " (run again with --verbose for the stack trace)";
  process.stderr.write(`${red("endure:")} ${message}${suffix}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}
