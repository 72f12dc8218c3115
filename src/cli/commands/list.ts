import { Command, Option } from "commander";
import { STATUSES } from "../../client/endure.js";
import type { RunStatus, RunSummary } from "../../index.js";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { wholeNumber } from "../option-values.js";
import { duration, printJson, status, table, time } from "../output.js";

interface ListOptions extends ClientOptions {
  status?: RunStatus;
  workflow?: string;
  tag?: string[];
  limit: number;
  cursor?: string;
}

export function listCommand(): Command {
  const command = new Command("list")
    .description("list runs, newest first")
    .addOption(new Option("--status <status>", "only runs with this status").choices(STATUSES))
    .option("--workflow <name>", "only runs of this workflow")
    .option("--tag <tag...>", "only runs with every one of these tags")
    .option("--limit <n>", "at most this many runs, 1 to 1000", wholeNumber(1, 1000), 50)
    .option("--cursor <cursor>", "the page after the one that printed this cursor");
  clientOptions(command).action((options: ListOptions) => list(options));
  return examples(command, "endure list --status failed --workflow transfer --limit 20", "endure list --json | jq -r '.runs[].id'");
}

async function list(options: ListOptions): Promise<void> {
  const page = await withEndure(options, (endure) =>
    endure.list({ status: options.status, workflow: options.workflow, tags: options.tag, limit: options.limit, cursor: options.cursor }),
  );
  if (options.json) return printJson(page);
  if (page.runs.length === 0) {
    console.log("No runs.");
    return;
  }
  // The version column only where versioned workers run (see docs/versioning-pinning.md).
  const versioned = page.runs.some((run) => run.version !== null);
  const headers = ["ID", "WORKFLOW", "STATUS", "CREATED", "TOOK", "TAGS", ...(versioned ? ["VERSION"] : [])];
  console.log(table(headers, page.runs.map((run) => [...row(run), ...(versioned ? [run.version ?? ""] : [])])));
  if (page.nextCursor) console.log(`\nMore runs: add --cursor ${page.nextCursor}`);
}

function row(run: RunSummary): string[] {
  const took = run.startedAt && run.finishedAt ? duration(run.finishedAt.getTime() - run.startedAt.getTime()) : "";
  return [run.id, run.workflow, status(run.status), time(run.createdAt), took, run.tags.join(",")];
}
