/**
 * `npm run bench [-- --only A,C] [-- --runs N]`: Endure's throughput and latency on the embedded
 * SQLite store at full durability, next to raw SQLite's floor. Prints a table and writes
 * bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { floor, type FloorMetrics } from "./floor.js";
import { medianOfEach, nowMs } from "./stats.js";
import { sequential } from "./workloads/a-sequential.js";
import { throughput } from "./workloads/b-throughput.js";
import { wakeup } from "./workloads/c-wakeup.js";
import { starts } from "./workloads/d-starts.js";

type Metrics = Record<string, number>;

interface Row {
  metric: string;
  value: string;
  floor: string;
}

interface Workload<M extends Metrics> {
  title: string;
  run(): Promise<M>;
  rows(metrics: M, floor: FloorMetrics): Row[];
}

const ms = (value: number, digits = 2) => `${value.toFixed(digits)} ms`;
const us = (value: number) => `${value.toFixed(0)} µs`;
const perSec = (value: number, unit: string) => `${Math.round(value).toLocaleString("en-US")} ${unit}/s`;

// Declared through a helper so each entry's rows() is checked against its own metrics type.
const define = <M extends Metrics>(workload: Workload<M>): Workload<Metrics> => workload as unknown as Workload<Metrics>;

const WORKLOADS = {
  A: define({
    title: "A  sequential: 200 runs × 10 no-op steps, one at a time",
    run: sequential,
    rows: (m, f) => [
      { metric: "run latency p50", value: ms(m.p50Ms), floor: `10 commits (1/step): ${ms((10 * f.usPerCommit) / 1000)}` },
      { metric: "run latency p99", value: ms(m.p99Ms), floor: "" },
      { metric: "per step", value: us(m.usPerStep), floor: `1 commit: ${us(f.usPerCommit)}` },
    ],
  }),
  B: define({
    title: "B  throughput: 1000 runs × 10 no-op steps, 100 in flight",
    run: throughput,
    rows: (m, f) => [
      { metric: "steps", value: perSec(m.stepsPerSec, "steps"), floor: `100 rows/commit: ${perSec(f.batchedRowsPerSec, "rows")}` },
      { metric: "runs", value: perSec(m.runsPerSec, "runs"), floor: "" },
    ],
  }),
  C: define({
    title: "C  wake-up: 100 runs sleep(1 s) at once",
    run: wakeup,
    rows: (m) => [
      // Whole ms: the workflow reads Date.now() (in steps).
      { metric: "lateness p50", value: ms(m.p50Ms, 1), floor: "" },
      { metric: "lateness p99", value: ms(m.p99Ms, 1), floor: "" },
      {
        metric: "  p50 parts: setup / timer / resume",
        value: `${m.setupP50Ms} / ${m.timerP50Ms} / ${m.resumeP50Ms} ms`,
        floor: "",
      },
    ],
  }),
  D: define({
    title: "D  starts: 5000 one-step runs started at once",
    run: starts,
    rows: (m, f) => [{ metric: "starts", value: perSec(m.startsPerSec, "starts"), floor: `1 row/commit: ${perSec(1e6 / f.usPerCommit, "commits")}` }],
  }),
} satisfies Record<string, Workload<Metrics>>;

type WorkloadId = keyof typeof WORKLOADS;

function parseCli(): { only: WorkloadId[]; runs: number } {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      runs: { type: "string", default: "1" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  const ids = Object.keys(WORKLOADS) as WorkloadId[];
  if (values.help) {
    console.log(`usage: npm run bench -- [--only ${ids.join(",")}] [--runs N]\n` +
      "  --only  comma-separated workloads to run (default: all)\n" +
      "  --runs  passes per workload, each in a fresh store; the median of each metric is reported (default 1)");
    process.exit(0);
  }
  const only = values.only === undefined ? ids : values.only.split(",").map((id) => id.trim().toUpperCase());
  const unknown = only.filter((id) => !ids.includes(id as WorkloadId));
  if (unknown.length > 0 || only.length === 0) throw new Error(`--only takes workloads among ${ids.join(",")}; got "${values.only}".`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1; got "${values.runs}".`);
  return { only: only as WorkloadId[], runs };
}

interface Pass {
  metrics: Metrics;
  /** The floor measured right before this pass: disk speed drifts on shared machines. */
  floor: FloorMetrics;
}

/** Runs a workload `runs` times, each in a fresh store right after its own floor measurement. */
async function repeat(id: WorkloadId, runs: number): Promise<{ metrics: Metrics; floor: FloorMetrics; passes: Pass[] }> {
  const passes: Pass[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowMs();
    const passFloor = floor();
    passes.push({ floor: passFloor, metrics: await WORKLOADS[id].run() });
    console.error(`  ${id}${runs > 1 ? ` pass ${i + 1}/${runs}` : ""}: ${((nowMs() - t0) / 1000).toFixed(1)} s`);
  }
  return {
    metrics: medianOfEach(passes.map((pass) => pass.metrics)),
    floor: medianOfEach(passes.map((pass) => pass.floor)),
    passes,
  };
}

function printTable(sections: { title: string; rows: Row[] }[]): void {
  const header: Row = { metric: "metric", value: "value", floor: "floor: raw SQLite, WAL + FULL, measured just before the pass" };
  const all = [header, ...sections.flatMap((section) => section.rows)];
  const width = {
    metric: Math.max(...all.map((row) => row.metric.length)),
    value: Math.max(...all.map((row) => row.value.length)),
    floor: Math.max(...all.map((row) => row.floor.length)),
  };
  const line = (row: Row) => `  ${row.metric.padEnd(width.metric)}  ${row.value.padStart(width.value)}  ${row.floor}`.trimEnd();
  const rule = "  " + "-".repeat(width.metric + width.value + width.floor + 4);
  console.log(line(header));
  for (const section of sections) {
    console.log(rule);
    console.log(section.title);
    for (const row of section.rows) console.log(line(row));
  }
}

async function main(): Promise<void> {
  const { only, runs } = parseCli();
  const began = nowMs();
  const machine = { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGiB: +(totalmem() / 2 ** 30).toFixed(1) };
  console.error(`Endure bench: ${only.join(",")}, ${runs} pass(es) each; node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}`);

  const results: Partial<Record<WorkloadId, { title: string } & Awaited<ReturnType<typeof repeat>>>> = {};
  const sections: { title: string; rows: Row[] }[] = [];
  for (const id of only) {
    const result = await repeat(id, runs);
    results[id] = { title: WORKLOADS[id].title, ...result };
    sections.push({ title: WORKLOADS[id].title, rows: WORKLOADS[id].rows(result.metrics, result.floor) });
  }
  const floorAll = medianOfEach(Object.values(results).flatMap((result) => result.passes.map((pass) => pass.floor)));
  sections.push({
    title: "floor: raw better-sqlite3, same file settings (median of 10 slices per sample, median of samples)",
    rows: [
      { metric: "1 INSERT per commit", value: us(floorAll.usPerCommit), floor: `mean with stalls: ${us(floorAll.usPerCommitMean)}` },
      { metric: "100 INSERTs per commit", value: perSec(floorAll.batchedRowsPerSec, "rows"), floor: "" },
    ],
  });
  const seconds = (nowMs() - began) / 1000;

  console.log("");
  printTable(sections);
  console.log(`\n${runs > 1 ? `median of ${runs} passes; ` : ""}SQLite WAL + synchronous=FULL; node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}; ${seconds.toFixed(1)} s`);

  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}latest.json`;
  const json = { timestamp: new Date().toISOString(), machine, durability: "WAL, synchronous=FULL", runs, seconds, floor: floorAll, workloads: results };
  writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
  console.log(`results: ${file}`);
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
