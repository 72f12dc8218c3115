import { setTimeout as delay } from "node:timers/promises";
import { Command } from "commander";
import type { Endure, RunInfo } from "../../index.js";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { EXIT } from "../exit-codes.js";
import { parseWorkflowArgs } from "../json-argument.js";
import { progressLine } from "../journal-view.js";
import { color, duration, printJson, status } from "../output.js";

interface StartOptions extends ClientOptions {
  id?: string;
  tag?: string[];
  wait?: boolean;
}

const POLL_MS = 100;
const FINISHED = new Set(["completed", "failed", "cancelled", "blocked"]);
/** Journaled values that are not worth a line of live progress. */
const QUIET_KINDS = new Set(["now", "uuid", "random"]);
/** Diagnoses worth telling someone who waits: the run will not move until they do something. */
const STUCK = new Set(["no-worker", "lease-lapsed"]);

export function startCommand(): Command {
  const command = new Command("start")
    .description("start a run of a workflow that a worker serves")
    .argument("<workflow>", "the workflow's name")
    .argument("[args]", "its arguments as JSON: an array, or one value taken as the only argument")
    .option("--id <id>", "the run's id (idempotency key): starting an id that exists returns that run")
    .option("--tag <tag...>", "tags to find the run by")
    .option("--wait", "show the steps as they complete, then the result; exit 1 unless the run completes");
  clientOptions(command).action((workflow: string, args: string | undefined, options: StartOptions) => start(workflow, args, options));
  return examples(
    command,
    `endure start transfer '["alice", "bob", 10]' --id transfer-42`,
    `endure start greet '"world"' --wait`,
  );
}

async function start(workflow: string, argsText: string | undefined, options: StartOptions): Promise<void> {
  const args = parseWorkflowArgs(argsText);
  await withEndure(options, async (endure) => {
    const run = await endure.start(workflow, args, { id: options.id, tags: options.tag });
    if (!options.wait) {
      const status = await run.status();
      if (options.json) return printJson({ id: run.id, status, created: run.created });
      if (run.created) console.log(`Started run ${color.bold(run.id)} of ${workflow}. See it with: endure show ${run.id}`);
      else console.log(`Run ${color.bold(run.id)} already exists (${status}); it was not started again. See it with: endure show ${run.id}`);
      return;
    }
    const final = await follow(endure, run.id, !options.json);
    if (options.json) printJson(final);
    else printOutcome(final);
    if (final.status !== "completed") process.exitCode = EXIT.failed;
  });
}

/**
 * Polls the run until it finishes, printing each journal entry as it changes, and follows a run
 * that continued as new to the end of its chain. Resolves to the last run.
 */
async function follow(endure: Endure, id: string, live: boolean): Promise<RunInfo> {
  const shown = new Map<number, string>();
  let stuck: string | undefined;
  if (live) console.log(`Run ${color.bold(id)}`);
  for (;;) {
    const run = await endure.get(id);
    const reason = run.diagnosis && STUCK.has(run.diagnosis.reason) ? run.diagnosis.reason : undefined;
    if (live && reason && reason !== stuck) console.log(color.yellow(`  ${run.diagnosis!.summary}`));
    stuck = reason;
    for (const entry of run.journal) {
      const seen = `${entry.status}:${entry.attempts}`;
      if (!live || QUIET_KINDS.has(entry.kind) || shown.get(entry.position) === seen) continue;
      shown.set(entry.position, seen);
      console.log(`  ${progressLine(entry)}`);
    }
    if (run.status === "completed" && run.continuedTo) {
      if (live) console.log(`Continued as new run ${color.bold(run.continuedTo)}`);
      return await follow(endure, run.continuedTo, live);
    }
    if (FINISHED.has(run.status)) return run;
    await delay(POLL_MS);
  }
}

function printOutcome(run: RunInfo): void {
  const took = run.startedAt && run.finishedAt ? ` in ${duration(run.finishedAt.getTime() - run.startedAt.getTime())}` : "";
  console.log(`${status(run.status)}${took}`);
  if (run.status === "completed") printJson(run.output);
  else if (run.error) console.log(`${run.error.name}: ${run.error.message}`);
}
