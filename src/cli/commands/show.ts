import { Command } from "commander";
import type { RunInfo } from "../../index.js";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { timeline } from "../journal-view.js";
import { brief, color, duration, printJson, status, time } from "../output.js";

export function showCommand(): Command {
  const command = new Command("show")
    .description("show a run: status, input, result or error, and its journal as a timeline")
    .argument("<id>", "the run's id");
  clientOptions(command).action((id: string, options: ClientOptions) => show(id, options));
  return examples(command, "endure show transfer-42", "endure show transfer-42 --json | jq .journal");
}

async function show(id: string, options: ClientOptions): Promise<void> {
  const run = await withEndure(options, (endure) => endure.get(id));
  if (options.json) return printJson(run);
  console.log(details(run));
}

function details(run: RunInfo): string {
  const lines = [`${color.bold(`Run ${run.id}`)}  ${run.workflow}  ${status(run.status)}`];
  // What it is doing, or why it is not moving, before the details.
  if (run.diagnosis) lines.push(color.yellow(`  ${run.diagnosis.summary}`));
  const field = (name: string, value: string) => lines.push(`  ${color.dim(name.padEnd(10))}${value}`);
  lines.push("");
  field("created", time(run.createdAt));
  if (run.startedAt) field("started", time(run.startedAt));
  if (run.finishedAt) field("finished", `${time(run.finishedAt)}${run.startedAt ? `  (took ${duration(run.finishedAt.getTime() - run.startedAt.getTime())})` : ""}`);
  if (run.wakeAt) field("wakes", time(run.wakeAt));
  if (run.waitingFor.length > 0) field("waits for", run.waitingFor.map((name) => `event "${name}"`).join(", "));
  if (run.tags.length > 0) field("tags", run.tags.join(", "));
  if (run.queue) field("queue", run.concurrencyKey ? `${run.queue} (key ${run.concurrencyKey})` : run.queue);
  if (run.parentId) field("parent", run.parentId);
  if (run.continuedFrom) field("continues", run.continuedFrom);
  if (run.continuedTo) field("continued", `as ${run.continuedTo}`);
  if (run.forkedFrom) field("forked", `from ${run.forkedFrom}`);
  if (run.retries > 0) field("retries", String(run.retries));
  if (run.version !== null) field("version", `${run.version} (pinned)`);
  if (run.cancelRequested && run.status !== "cancelled") field("cancel", "requested");
  field("input", brief(run.input, 200));
  if (run.status === "completed") field("output", brief(run.output, 200));
  if (run.error) field("error", color.red(`${run.error.name}: ${run.error.message}`));
  for (const [name, value] of Object.entries(run.values)) field("published", `${name} = ${brief(value, 150)}`);
  lines.push("", run.journal.length > 0 ? timeline(run.journal) : color.dim("The journal is empty: the run has made no durable call yet."));
  return lines.join("\n");
}
