import { Command } from "commander";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { parseJson } from "../json-argument.js";
import { printJson } from "../output.js";

interface EmitCommandOptions extends ClientOptions {
  key?: string;
  source: string;
}

export function emitCommand(): Command {
  const command = new Command("emit")
    .description("record an event in the event log: the triggers of its type start runs for it")
    .argument("<type>", 'the event type, e.g. "order.paid"')
    .argument("[payload]", "the payload as JSON (default: null)")
    .option("--key <key>", "deduplication key: a second event with the same key is not recorded")
    .option("--source <source>", "where the event comes from", "cli");
  clientOptions(command).action((type: string, payload: string | undefined, options: EmitCommandOptions) => emit(type, payload, options));
  return examples(command, `endure emit order.paid '{"order": "o-7", "amount": 42}' --key order-7-paid`, "endure emit nightly.cleanup");
}

async function emit(type: string, payloadText: string | undefined, options: EmitCommandOptions): Promise<void> {
  const payload = payloadText === undefined ? null : parseJson(payloadText, "the event's payload", `'{"order": "o-7"}'`);
  const event = await withEndure(options, (endure) => endure.emit(type, payload, { key: options.key, source: options.source }));
  if (options.json) return printJson(event);
  console.log(
    event.duplicate
      ? `An event with key "${options.key}" was recorded before, as #${event.seq}; nothing new was recorded.`
      : `Recorded event #${event.seq} (${event.type}). "endure events show ${event.seq}" shows the runs it starts.`,
  );
}
