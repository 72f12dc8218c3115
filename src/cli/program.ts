import { readFileSync } from "node:fs";
import { Command } from "commander";
import { cancelCommand } from "./commands/cancel.js";
import { devCommand } from "./commands/dev.js";
import { listCommand } from "./commands/list.js";
import { retryCommand } from "./commands/retry.js";
import { serveCommand } from "./commands/serve.js";
import { sendCommand } from "./commands/send.js";
import { showCommand } from "./commands/show.js";
import { startCommand } from "./commands/start.js";
import { workerCommand } from "./commands/worker.js";
import { exportCommand } from "./commands/export.js";
import { replayCommand } from "./commands/replay.js";
import { patchesCommand } from "./commands/patches.js";
import { EXIT_CODES_HELP } from "./exit-codes.js";
// ---- event log ----
import { emitCommand } from "./commands/emit.js";
import { eventsCommand } from "./commands/events.js";
import { triggersCommand } from "./commands/triggers.js";
import { webhooksCommand } from "./commands/webhooks.js";
import { colorsFor } from "./output.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

/** The `endure` command with its subcommands. Parsing errors throw `CommanderError` (see main.ts) instead of exiting. */
export function createProgram(): Command {
  const program = new Command("endure")
    .description("Endure: durable workflows in TypeScript. Run workers, start runs and look into them.")
    .version(version, "-V, --version", "print the version")
    .option("--verbose", "print the stack trace of an error")
    .addHelpText("after", `\nRun "endure <command> --help" for a command's options and examples.\n\n${EXIT_CODES_HELP}`);
  for (const command of [devCommand(), workerCommand(), serveCommand(), startCommand(), listCommand(), showCommand(), sendCommand(), cancelCommand(), retryCommand(), exportCommand(), replayCommand(), patchesCommand(), emitCommand(), eventsCommand(), triggersCommand(), webhooksCommand()]) {
    program.addCommand(command.option("--verbose", "print the stack trace of an error"));
  }
  for (const command of [program, ...program.commands, ...program.commands.flatMap((command) => command.commands)]) {
    command.exitOverride().configureOutput({ outputError: (text) => printUsageError(text, command) });
  }
  return program;
}

/** Commander's parse errors in our one-line form, with where to read the usage. */
function printUsageError(text: string, command: Command): void {
  const message = text.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim();
  const name = command.parent ? `endure ${command.name()}` : "endure";
  const period = /[.?!)]$/.test(message) ? "" : ".";
  process.stderr.write(`${colorsFor(process.stderr).red("endure:")} ${message}${period} Run "${name} --help" for usage.\n`);
}
