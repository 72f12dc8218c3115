import { Command } from "commander";
import { EventNotFoundError, type EventInfo, type LoggedEvent } from "../../index.js";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { wholeNumber } from "../option-values.js";
import { brief, color, printJson, status, table, time } from "../output.js";

interface ListEventsOptions extends ClientOptions {
  type?: string;
  source?: string;
  limit: number;
  cursor?: string;
}

interface RedispatchCommandOptions extends ClientOptions {
  trigger?: string;
}

const seqArgument = wholeNumber(1, Number.MAX_SAFE_INTEGER);

/** `endure events` (a list), `endure events show <seq>`, `endure events redispatch <seq>`. */
export function eventsCommand(): Command {
  const list = new Command("list")
    .description("list events, newest first (the default)")
    .option("--type <type>", "only events of this type")
    .option("--source <source>", "only events from this source, e.g. webhook:github")
    .option("--limit <n>", "at most this many events, 1 to 1000", wholeNumber(1, 1000), 50)
    .option("--cursor <cursor>", "the page after the one that printed this cursor");
  clientOptions(list).action((options: ListEventsOptions) => listEvents(options));

  const show = new Command("show").description("show an event: its payload, headers, and the runs it started").argument("<seq>", "the event's number", seqArgument);
  clientOptions(show).action((seq: number, options: ClientOptions) => showEvent(seq, options));

  const redispatch = new Command("redispatch")
    .description("append a copy of an event, so that its triggers start new runs for it")
    .argument("<seq>", "the event's number", seqArgument)
    .option("--trigger <name>", "only this trigger acts on the copy");
  clientOptions(redispatch).action((seq: number, options: RedispatchCommandOptions) => redispatchEvent(seq, options));

  const command = new Command("events").description("list, show and re-dispatch the events of the event log");
  for (const subcommand of [list, show, redispatch]) command.addCommand(subcommand.option("--verbose", "print the stack trace of an error"), { isDefault: subcommand === list });
  return examples(
    command,
    "endure events --type github.push --limit 20",
    "endure events show 42",
    "endure events redispatch 42 --trigger deploy-on-push",
  );
}

async function listEvents(options: ListEventsOptions): Promise<void> {
  const page = await withEndure(options, (endure) => endure.events.list({ type: options.type, source: options.source, limit: options.limit, cursor: options.cursor }));
  if (options.json) return printJson(page);
  if (page.events.length === 0) return console.log("No events.");
  console.log(table(["SEQ", "TYPE", "SOURCE", "RECEIVED", "KEY"], page.events.map(row)));
  if (page.nextCursor) console.log(`\nMore events: add --cursor ${page.nextCursor}`);
}

function row(event: LoggedEvent): string[] {
  const copy = event.redispatchOf === null ? "" : color.dim(` (copy of #${event.redispatchOf})`);
  return [String(event.seq), event.type + copy, event.source, time(event.receivedAt), event.key ?? ""];
}

async function showEvent(seq: number, options: ClientOptions): Promise<void> {
  const event = await withEndure(options, (endure) => endure.events.get(seq));
  if (!event) throw new EventNotFoundError(seq);
  if (options.json) return printJson(event);
  console.log(details(event));
}

function details(event: EventInfo): string {
  const lines = [`${color.bold(`Event #${event.seq}`)}  ${event.type}`, ""];
  const field = (name: string, value: string) => lines.push(`  ${color.dim(name.padEnd(10))}${value}`);
  field("source", event.source);
  field("received", time(event.receivedAt));
  if (event.key !== null) field("key", event.key);
  if (event.redispatchOf !== null) field("copy of", `#${event.redispatchOf}${event.target === null ? "" : ` for trigger ${event.target}`}`);
  for (const [name, value] of Object.entries(event.headers)) field("header", `${name}: ${value}`);
  lines.push("", color.dim("  payload"), indent(JSON.stringify(event.payload, null, 2) ?? "null"), "");
  if (event.runs.length === 0) lines.push(color.dim("It started no runs (yet: triggers start runs once a worker with them runs)."));
  else lines.push(table(["RUN", "WORKFLOW", "STATUS", "CREATED"], event.runs.map((run) => [run.id, run.workflow, status(run.status), time(run.createdAt)])));
  return lines.join("\n");
}

function indent(text: string): string {
  return text.split("\n").map((line) => `    ${line}`).join("\n");
}

async function redispatchEvent(seq: number, options: RedispatchCommandOptions): Promise<void> {
  const copy = await withEndure(options, (endure) => endure.events.redispatch(seq, { trigger: options.trigger }));
  if (options.json) return printJson(copy);
  const who = options.trigger === undefined ? `the triggers of ${copy.type} start new runs` : `trigger ${options.trigger} starts a new run`;
  console.log(`Re-dispatched event #${seq} as #${copy.seq}: ${who} for it (${brief(copy.payload, 40)}).`);
}
