/**
 * `npm run bench:check [-- --store postgres] [-- --only A,B] [-- --runs N]`: runs the bench's
 * workloads (default: all) and judges each against its target (bench/targets.ts), the disk-bound
 * ones relative to the floor measured in the same run. Prints workload, measured, target, ratio
 * (higher is better; 1 meets the target) and status; exits with 1 when any ratio is below 0.5
 * (REGRESSION). Not part of `npm test`: it takes minutes and needs a quiet machine.
 */
import { parseBenchCli } from "./cli.js";
import { runWorkloads } from "./passes.js";
import { printTable } from "./table.js";
import { judge, REGRESSION_RATIO, type Verdict } from "./targets.js";
import { WORKLOADS } from "./workload-registry.js";

const USAGE = "usage: npm run bench:check -- [--only A,B,C,D,E,F,G] [--runs N] [--store sqlite|postgres]\n" +
  `Runs the workloads (default: all) and reports each one's ratio to its target; exits non-zero below ${REGRESSION_RATIO}.`;

async function main(): Promise<void> {
  const options = parseBenchCli(USAGE);
  const { database, results } = await runWorkloads(options);
  const verdicts: Verdict[] = options.only.flatMap((id) => judge(id, results[id]!.metrics, results[id]!.floor, database.kind));

  console.log("");
  printTable(
    ["workload", "measured", "target", "ratio", "status", "target from"],
    options.only.map((id) => ({
      title: WORKLOADS[id].title,
      rows: verdicts.filter((verdict) => verdict.workload === id).map((verdict) => [
        `  ${verdict.label}`, verdict.measuredText, verdict.targetText, verdict.ratio.toFixed(2), verdict.status, verdict.basis,
      ]),
    })),
    [1, 3],
  );
  const regressions = verdicts.filter((verdict) => verdict.status === "REGRESSION");
  const below = verdicts.filter((verdict) => verdict.status === "below target");
  console.log(`\n${database.database}: ${verdicts.length - regressions.length - below.length} ok, ${below.length} below target, ${regressions.length} regression(s) (ratio < ${REGRESSION_RATIO})`);
  if (regressions.length > 0) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
