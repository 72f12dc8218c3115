import { Command } from "commander";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { printJson } from "../output.js";

export function cancelCommand(): Command {
  const command = new Command("cancel")
    .description("cancel a run: CancelledError is thrown into it at its next durable call, so it can clean up")
    .argument("<id>", "the run's id");
  clientOptions(command).action((id: string, options: ClientOptions) => cancel(id, options));
  return examples(command, "endure cancel transfer-42");
}

async function cancel(id: string, options: ClientOptions): Promise<void> {
  const status = await withEndure(options, (endure) => endure.cancel(id));
  if (options.json) return printJson({ id, status });
  if (status === "cancelled") console.log(`Run ${id} is cancelled.`);
  else if (status === "completed" || status === "failed" || status === "blocked") console.log(`Run ${id} had already ended ${status}; left as it is.`);
  else console.log(`Cancellation requested: run ${id} ends cancelled at its next durable call.`);
}
