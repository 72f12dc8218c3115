import { Command, Option } from "commander";
import { createMetrics, Endure } from "../../index.js";
import { examples, storeOption } from "../client-options.js";
import { WORKER_READY } from "../dev/worker-process.js";
import { commandLogger } from "../logger.js";
import { wholeNumber } from "../option-values.js";
import { type ListenOptions, listenOptions, serveApi } from "../server-options.js";
import { untilStopSignal } from "../stop-signal.js";
import { loadWorkflowFile } from "../workflow-file.js";

interface WorkerCommandOptions extends ListenOptions {
  store?: string;
  concurrency: number;
  codeVersion?: string;
  compatibleWith?: string[];
}

export function workerCommand(): Command {
  const command = new Command("worker")
    .description("run the workflows a file exports (for production: start as many as you need on one store)")
    .argument("<file>", "a TypeScript or JavaScript file that exports workflow() definitions (and queue() definitions)")
    .addOption(storeOption())
    .option("--concurrency <n>", "most runs held in memory at once", wholeNumber(1, 100_000), 100)
    // ---- version pinning ----
    .addOption(new Option("--code-version <version>", "the version of this code (a build id, a git sha): runs are pinned to the version that first runs them").env("ENDURE_VERSION"))
    .option("--compatible-with <versions>", "older versions, comma-separated, whose runs this code can still replay (needs --code-version)", versionList);
  listenOptions(command, {}).action((file: string, options: WorkerCommandOptions) => worker(file, options));
  return examples(
    command,
    "endure worker src/workflows.ts --store postgres://endure:secret@db:5432/app --concurrency 200",
    "endure worker src/workflows.ts --port 7070",
    "endure worker dist/workflows.js --code-version 2026-11-26.1 --compatible-with 2026-11-20.3",
  );
}

async function worker(file: string, options: WorkerCommandOptions): Promise<void> {
  const { workflows, queues, triggers, webhooks } = await loadWorkflowFile(file);
  // Under `endure dev` (an IPC channel to it) a person reads the log, and dev says how to stop and reports the restarts.
  const standalone = process.send === undefined;
  const logger = commandLogger(standalone ? "json" : "human");
  const endure = await Endure.open({ store: options.store });
  let server: Awaited<ReturnType<typeof serveApi>> | undefined;
  try {
    const metrics = createMetrics({ endure, logger });
    const versions = { version: options.codeVersion, compatibleWith: options.compatibleWith };
    await endure.startWorker({ workflows, queues, triggers, webhooks, concurrency: options.concurrency, logger, metrics, ...versions });
    if (options.port !== undefined) server = await serveApi(endure, options, { logger, metrics });
    const names = workflows.map((workflow) => workflow.name).join(", ");
    const named = ([what, definitions]: readonly [string, readonly { name: string }[]]) =>
      definitions.length > 0 ? `, ${what} ${definitions.map((definition) => definition.name).join(", ")}` : "";
    const queueNames = ([["queues", queues], ["triggers", triggers], ["webhooks", webhooks]] as const).map(named).join("");
    const api = server ? `, the HTTP API at ${server.url}` : "";
    const compatible = options.compatibleWith?.length ? ` (compatible with ${options.compatibleWith.join(", ")})` : "";
    const version = options.codeVersion === undefined ? "" : ` at version ${options.codeVersion}${compatible}`;
    // Listening before saying so: a Ctrl-C right after the line stops the worker gracefully.
    const stopSignal = untilStopSignal();
    console.log(`Worker running workflows ${names}${queueNames}${version}${api}.${standalone ? " Ctrl-C stops it." : ""}`);
    process.send?.(WORKER_READY);
    await stopSignal;
    if (standalone) console.log("Stopping: runs in progress finish their steps and are handed back.");
  } finally {
    await server?.close();
    await endure.close();
  }
}

/** `--compatible-with a,b`: the versions, blanks dropped (startWorker() checks each). */
function versionList(text: string): string[] {
  return text.split(",").map((version) => version.trim()).filter((version) => version !== "");
}
