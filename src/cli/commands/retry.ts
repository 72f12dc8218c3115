import { Command } from "commander";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { printJson } from "../output.js";

interface RetryCommandOptions extends ClientOptions {
  pin?: string;
}

export function retryCommand(): Command {
  const command = new Command("retry")
    .description("run a failed or blocked run again, e.g. once a fix is deployed: it resumes at its first failed step")
    .argument("<id>", "the run's id")
    // ---- version pinning ----
    .option("--pin <version>", "re-pin the run to this version of the workers' code, so that workers of that version take it up");
  clientOptions(command).action((id: string, options: RetryCommandOptions) => retry(id, options));
  return examples(command, "endure retry charge-order-7 && endure show charge-order-7", "endure retry charge-order-7 --pin 2026-11-26.2");
}

async function retry(id: string, options: RetryCommandOptions): Promise<void> {
  const status = await withEndure(options, (endure) => endure.retry(id, { version: options.pin }));
  if (options.json) return printJson({ id, status });
  const workers = options.pin === undefined ? "a worker of its workflow" : `a worker of its workflow serving version ${options.pin}`;
  console.log(`Run ${id} is ${status} again; ${workers} takes it up.`);
}
