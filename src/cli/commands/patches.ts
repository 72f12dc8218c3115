import { Command } from "commander";
import { checkReplay, patchUsage, type PatchUsage } from "../../index.js";
import { type ClientOptions, clientOptions, examples, withEndure } from "../client-options.js";
import { color, printJson, table } from "../output.js";
import { loadWorkflowFile } from "../workflow-file.js";
import { storedRuns } from "./replay.js";

export function patchesCommand(): Command {
  const command = new Command("patches")
    .description("list each patched() change with the unfinished runs that still need its old path: at 0 the old branch can go")
    .argument("<file>", "the TypeScript or JavaScript file that exports the workflows, as deployed")
    .argument("[ids...]", "patch ids to report even when no unfinished run met them");
  clientOptions(command).action((file: string, ids: string[], options: ClientOptions) => patches(file, ids, options));
  return examples(command, "endure patches src/workflows.ts --store postgres://endure:secret@db:5432/app", "endure patches src/workflows.ts fraud-check");
}

async function patches(file: string, ids: string[], options: ClientOptions): Promise<void> {
  const { workflows } = await loadWorkflowFile(file);
  const reports = await withEndure(options, (endure) => checkReplay(workflows, storedRuns(endure, workflows.map((workflow) => workflow.name), {})));
  const usage = patchUsage(reports, ids);
  if (options.json) return printJson({ runs: reports.length, patches: usage });
  if (usage.length === 0) return console.log(`No unfinished run meets a patched() change (${reports.length} unfinished runs replayed).`);
  const runs = (runIds: string[]) => (runIds.length === 0 ? "0" : `${runIds.length} (${runIds.slice(0, 3).join(", ")}${runIds.length > 3 ? ", ..." : ""})`);
  console.log(table(["PATCH", "OLD PATH", "NEW PATH", "NEXT STEP"], usage.map((patch) => [patch.id, runs(patch.oldPath), String(patch.newPath.length), advice(patch)])));
}

function advice(patch: PatchUsage): string {
  if (patch.oldPath.length > 0) return "keep both branches until these runs finish";
  return color.green(`remove the old branch: deprecatePatch("${patch.id}")`);
}
