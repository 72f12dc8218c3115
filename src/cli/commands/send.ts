import { Command } from "commander";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { parseJson } from "../json-argument.js";
import { printJson } from "../output.js";

interface SendOptions extends ClientOptions {
  key?: string;
}

export function sendCommand(): Command {
  const command = new Command("send")
    .description("send an event to a run; its next waitForEvent(event) receives the payload")
    .argument("<id>", "the run's id")
    .argument("<event>", "the event's name")
    .argument("[payload]", "the payload as JSON (default: null)")
    .option("--key <key>", "delivery key: an event sent again with the same key is dropped");
  clientOptions(command).action((id: string, event: string, payload: string | undefined, options: SendOptions) => send(id, event, payload, options));
  return examples(command, `endure send order-7 approval '{"approved": true, "by": "dana"}'`);
}

async function send(id: string, event: string, payloadText: string | undefined, options: SendOptions): Promise<void> {
  const payload = payloadText === undefined ? null : parseJson(payloadText, "the event's payload", `'{"approved": true}'`);
  const { duplicate } = await withEndure(options, (endure) => endure.send(id, event, payload, { key: options.key }));
  if (options.json) return printJson({ id, event, duplicate });
  console.log(duplicate ? `Event "${event}" with key "${options.key}" was already sent to run ${id}; not sent again.` : `Sent event "${event}" to run ${id}.`);
}
