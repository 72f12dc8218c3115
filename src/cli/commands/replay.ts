import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { STATUSES } from "../../client/endure.js";
import { checkReplay, type Endure, InvalidRunExportError, parseRunExport, type ReplayReport, type RunExport, type RunStatus } from "../../index.js";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { EXIT } from "../exit-codes.js";
import { wholeNumber } from "../option-values.js";
import { color, printJson } from "../output.js";
import { loadWorkflowFile } from "../workflow-file.js";

interface ReplayOptions extends ClientOptions {
  from?: string[];
  status?: RunStatus[];
  limit?: number;
}

export function replayCommand(): Command {
  const command = new Command("replay")
    .description("replay recorded runs against a file's workflows, executing nothing, and report each run the code no longer matches (exit 5): run it before a deploy")
    .argument("<file>", "the TypeScript or JavaScript file that exports the workflows, as the new deploy has it")
    .option("--from <files...>", "exported runs to replay (endure export), instead of the store's runs")
    .addOption(new Option("--status <statuses...>", "replay the store's runs with these statuses (default: the unfinished ones)").choices(STATUSES))
    .option("--limit <n>", "at most this many runs per workflow and status, newest first", wholeNumber(1, 1_000_000));
  clientOptions(command).action((file: string, options: ReplayOptions) => replay(file, options));
  return examples(
    command,
    "endure replay src/workflows.ts --store postgres://endure:secret@db:5432/app",
    "endure replay src/workflows.ts --status completed failed --limit 100",
    "endure replay src/workflows.ts --from test/recorded/*.json",
  );
}

async function replay(file: string, options: ReplayOptions): Promise<void> {
  const { workflows } = await loadWorkflowFile(file);
  const reports = options.from
    ? await checkReplay(workflows, options.from.map(readExport))
    : await withEndure(options, (endure) => checkReplay(workflows, storedRuns(endure, workflows.map((workflow) => workflow.name), options)));
  const failed = reports.filter((report) => report.result !== "ok");
  if (failed.length > 0) process.exitCode = EXIT.diverged;
  if (options.json) return printJson({ replayed: reports.length, diverged: failed.length, reports });
  for (const report of reports) console.log(line(report));
  const summary = `${reports.length} run${reports.length === 1 ? "" : "s"} replayed: ${reports.length - failed.length} match${failed.length > 0 ? `, ${failed.length} do not` : ""}.`;
  console.log(failed.length > 0 ? color.red(summary) : reports.length > 0 ? color.green(summary) : "No recorded run to replay.");
}

/** The store's runs to check: by default those a worker will replay after the deploy. */
export function storedRuns(endure: Endure, workflows: string[], options: Pick<ReplayOptions, "status" | "limit">): AsyncIterable<RunExport> {
  return endure.recordedRuns({ workflows, statuses: options.status, limit: options.limit });
}

function readExport(path: string): RunExport {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InvalidRunExportError(path, `the file cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseRunExport(text, path);
}

function line(report: ReplayReport): string {
  const run = `${report.runId}  ${color.dim(`${report.workflow}, ${report.status}`)}`;
  const patches = report.patches.length > 0 ? color.dim(`  (${report.patches.map(({ id, path }) => `${id}: ${path} path`).join(", ")})`) : "";
  if (report.result === "ok") return `${color.green("ok  ")} ${run}${patches}`;
  return `${color.red("FAIL")} ${run}  ${report.divergence?.message ?? report.error}`;
}
