import { Command } from "commander";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { printJson, table } from "../output.js";

export function webhooksCommand(): Command {
  const command = new Command("webhooks").description("list the webhooks workers registered (POST /webhooks/<name> on endure serve), without their secrets");
  clientOptions(command).action((options: ClientOptions) => webhooks(options));
  return examples(command, "endure webhooks");
}

async function webhooks(options: ClientOptions): Promise<void> {
  const list = await withEndure(options, (endure) => endure.events.webhooks());
  if (options.json) return printJson({ webhooks: list });
  if (list.length === 0) return console.log("No webhooks. Workers register the webhooks their workflow file exports.");
  const rows = list.map((webhook) => [
    `/webhooks/${webhook.name}`,
    webhook.typeHeader === null ? webhook.type : `${webhook.type}.<${webhook.typeHeader}>`,
    webhook.signed ? `yes (${webhook.signatureHeader})` : "no (API token)",
    webhook.deliveryHeader ?? "",
  ]);
  console.log(table(["PATH", "EVENT TYPE", "SIGNED", "DELIVERY ID"], rows));
}
