import { Command } from "commander";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { printJson, table } from "../output.js";

export function triggersCommand(): Command {
  const command = new Command("triggers").description("list the triggers workers registered: the event type each acts on, its workflow, and how far it has dispatched");
  clientOptions(command).action((options: ClientOptions) => triggers(options));
  return examples(command, "endure triggers", "endure triggers --json");
}

async function triggers(options: ClientOptions): Promise<void> {
  const list = await withEndure(options, (endure) => endure.events.triggers());
  if (options.json) return printJson({ triggers: list });
  if (list.length === 0) return console.log("No triggers. Workers register the triggers their workflow file exports.");
  console.log(table(["NAME", "EVENT TYPE", "WORKFLOW", "CURSOR"], list.map((trigger) => [trigger.name, trigger.eventType, trigger.workflow, `${trigger.cursor} (log at ${trigger.head})`])));
}
