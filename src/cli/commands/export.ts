import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { type ClientOptions, examples, storeOption, withEndure } from "../client-options.js";

interface ExportOptions extends Pick<ClientOptions, "store"> {
  out?: string;
}

export function exportCommand(): Command {
  const command = new Command("export")
    .description("write a run and its journal to a JSON file, to replay it against new code elsewhere (endure replay --from)")
    .argument("<id>", "the run's id")
    .addOption(storeOption())
    .option("-o, --out <file>", "the file to write (default: print to stdout)")
    .action((id: string, options: ExportOptions) => exportRun(id, options));
  return examples(command, "endure export order-7 --out test/recorded/order-7.json", "endure replay src/workflows.ts --from test/recorded/*.json");
}

async function exportRun(id: string, options: ExportOptions): Promise<void> {
  const exported = await withEndure(options, (endure) => endure.exportRun(id));
  const json = `${JSON.stringify(exported, null, 2)}\n`;
  if (options.out === undefined) return void process.stdout.write(json);
  writeFileSync(options.out, json);
  console.log(`Wrote run ${id} (${exported.run.workflow}, ${exported.run.status}, ${exported.journal.length} journal entries) to ${options.out}.`);
}
