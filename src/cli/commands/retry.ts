import { Command } from "commander";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { printJson } from "../output.js";

export function retryCommand(): Command {
  const command = new Command("retry")
    .description("run a failed or blocked run again, e.g. once a fix is deployed: it resumes at its first failed step")
    .argument("<id>", "the run's id");
  clientOptions(command).action((id: string, options: ClientOptions) => retry(id, options));
  return examples(command, "endure retry charge-order-7 && endure show charge-order-7");
}

async function retry(id: string, options: ClientOptions): Promise<void> {
  const status = await withEndure(options, (endure) => endure.retry(id));
  if (options.json) return printJson({ id, status });
  console.log(`Run ${id} is ${status} again; a worker of its workflow takes it up.`);
}
