/**
 * `npm run bench [-- --only A,E] [-- --runs N] [-- --store postgres]`: Endure's throughput,
 * latency, recovery, memory and long-run cost at full durability, next to the raw database's floor
 * and the issue's targets: on the embedded SQLite store, or on PostgreSQL (DATABASE_URL, else a
 * throwaway server with fsync and synchronous commits on).
 *
 *   A  sequential runs: latency and per-step cost    E  recovery: replaying a 10,000-step journal;
 *   B  throughput, 100 runs in flight                   resuming 50 runs after a SIGKILL
 *   C  wake-up lateness of 100 sleeps                F  memory: 100,000 sleeping runs; store bytes
 *   D  burst of 5000 starts                          G  long run: 100,000 steps, first vs last 10,000
 *   H  child runs: a fan-out of 500, 50 in sequence  I  queue admission: 2000 runs, concurrency 50
 *   J  HTTP API: 2000 starts from 50 callers; GET a run, a page
 *   K  replay check: 1000 unfinished runs of 20 steps, read and replayed against the code
 *
 * Prints a table and writes bench/results/latest.json (latest-postgres.json). `npm run bench:check`
 * runs the same workloads and judges them against their targets (bench/check.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseBenchCli } from "./cli.js";
import { perSec, us } from "./format.js";
import { machine, runWorkloads } from "./passes.js";
import { medianOfEach, nowMs } from "./stats.js";
import { printTable, type Section } from "./table.js";
import { judge } from "./targets.js";
import { WORKLOADS } from "./workload-registry.js";

const USAGE = "usage: npm run bench -- [--only A,B,C,D,E,F,G,H,I,J,K] [--runs N] [--store sqlite|postgres]\n" +
  "Runs the workloads (default: all) and prints each next to the raw database's floor and its target.";

async function main(): Promise<void> {
  const options = parseBenchCli(USAGE);
  const began = nowMs();
  const { database, results } = await runWorkloads(options);
  const seconds = (nowMs() - began) / 1000;

  const sections: Section[] = [];
  const json: Record<string, unknown> = {};
  for (const id of options.only) {
    const result = results[id]!;
    const verdicts = judge(id, result.metrics, result.floor, database.kind);
    const targetOf = (key?: string) => verdicts.find((verdict) => verdict.key === key)?.targetText ?? "";
    sections.push({
      title: WORKLOADS[id].title,
      rows: WORKLOADS[id].rows(result.metrics, result.floor).map((row) => [row.metric, row.value, targetOf(row.target), row.floor]),
    });
    json[id] = { title: WORKLOADS[id].title, ...result, targets: verdicts };
  }
  const floorAll = medianOfEach(Object.values(results).flatMap((result) => result.passes.map((pass) => pass.floor)));
  sections.push({
    title: `floor: raw ${database.database} (median of 10 slices per sample, median of samples)`,
    rows: [
      ["1 INSERT per commit", us(floorAll.usPerCommit), "", `mean with stalls: ${us(floorAll.usPerCommitMean)}`],
      ["100 INSERTs per commit", perSec(floorAll.batchedRowsPerSec, "rows"), "", ""],
    ],
  });

  const host = machine();
  console.log("");
  printTable(["metric", "value", "target", `floor: raw ${database.database}, measured just before the pass`], sections, [1]);
  console.log(`\ntargets of A, B and D scale with the floor measured before their pass (bench/targets.ts); the others are absolute`);
  console.log(`${options.runs > 1 ? `median of ${options.runs} passes; ` : ""}${database.durability}; node ${host.node}, ${host.cpus} × ${host.cpuModel}; ${seconds.toFixed(1)} s`);

  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${database.results}`;
  const output = { timestamp: new Date().toISOString(), machine: host, durability: database.durability, runs: options.runs, seconds, floor: floorAll, workloads: json };
  writeFileSync(file, JSON.stringify(output, null, 2) + "\n");
  console.log(`results: ${file}`);
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
