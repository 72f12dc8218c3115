import { type Command, Option } from "commander";
import { Endure } from "../index.js";

/** The options every command that reads or writes runs takes. */
export interface ClientOptions {
  store?: string;
  json?: boolean;
}

/** The client's default store, where commands without `--store` or ENDURE_STORE keep their runs. */
export const DEFAULT_STORE = "sqlite:.endure/endure.db";

/** `--store <url>`, from `ENDURE_STORE` when not given; the client's default otherwise. */
export function storeOption(): Option {
  return new Option("--store <url>", `the store: sqlite:path/to/file.db or postgres://user:password@host:5432/db (default: ${DEFAULT_STORE})`).env(
    "ENDURE_STORE",
  );
}

/** Adds `--store` and `--json`. */
export function clientOptions(command: Command): Command {
  return command.addOption(storeOption()).option("--json", "print JSON for scripts instead of a table");
}

/** Opens the client on the command's store, runs `fn`, and closes it. */
export async function withEndure<T>(options: ClientOptions, fn: (endure: Endure) => Promise<T>): Promise<T> {
  const endure = await Endure.open({ store: options.store });
  try {
    return await fn(endure);
  } finally {
    await endure.close();
  }
}

/** The example block at the end of a command's `--help`. */
export function examples(command: Command, ...lines: string[]): Command {
  return command.addHelpText("after", `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}`);
}
