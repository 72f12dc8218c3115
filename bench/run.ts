/**
 * `npm run bench [-- --only A,C] [-- --runs N] [-- --store postgres]`: Endure's throughput and
 * latency at full durability, next to the raw database's floor: on the embedded SQLite store, or
 * on PostgreSQL (DATABASE_URL, else a throwaway server with fsync and synchronous commits on).
 * Prints a table and writes bench/results/latest.json (latest-postgres.json).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { startPostgres } from "../test/helpers/postgres-server.js";
import { floor, type FloorMetrics } from "./floor.js";
import { floorPostgres } from "./floor-postgres.js";
import { benchOn } from "./harness.js";
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

type StoreKind = "sqlite" | "postgres";

function parseCli(): { only: WorkloadId[]; runs: number; store: StoreKind } {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      store: { type: "string", default: "sqlite" },
      runs: { type: "string", default: "1" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  const ids = Object.keys(WORKLOADS) as WorkloadId[];
  if (values.help) {
    console.log(`usage: npm run bench -- [--only ${ids.join(",")}] [--runs N] [--store sqlite|postgres]\n` +
      "  --only   comma-separated workloads to run (default: all)\n" +
      "  --runs   passes per workload, each in a fresh store; the median of each metric is reported (default 1)\n" +
      "  --store  sqlite (default) or postgres: DATABASE_URL, else a throwaway server with fsync on");
    process.exit(0);
  }
  const only = values.only === undefined ? ids : values.only.split(",").map((id) => id.trim().toUpperCase());
  const unknown = only.filter((id) => !ids.includes(id as WorkloadId));
  if (unknown.length > 0 || only.length === 0) throw new Error(`--only takes workloads among ${ids.join(",")}; got "${values.only}".`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1; got "${values.runs}".`);
  if (values.store !== "sqlite" && values.store !== "postgres") throw new Error(`--store takes sqlite or postgres; got "${values.store}".`);
  return { only: only as WorkloadId[], runs, store: values.store };
}

interface Pass {
  metrics: Metrics;
  /** The floor measured right before this pass: disk speed drifts on shared machines. */
  floor: FloorMetrics;
}

/** Runs a workload `runs` times, each in a fresh store right after its own floor measurement. */
async function repeat(id: WorkloadId, runs: number, measureFloor: () => Promise<FloorMetrics>): Promise<{ metrics: Metrics; floor: FloorMetrics; passes: Pass[] }> {
  const passes: Pass[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowMs();
    const passFloor = await measureFloor();
    passes.push({ floor: passFloor, metrics: await WORKLOADS[id].run() });
    console.error(`  ${id}${runs > 1 ? ` pass ${i + 1}/${runs}` : ""}: ${((nowMs() - t0) / 1000).toFixed(1)} s`);
  }
  return {
    metrics: medianOfEach(passes.map((pass) => pass.metrics)),
    floor: medianOfEach(passes.map((pass) => pass.floor)),
    passes,
  };
}

function printTable(sections: { title: string; rows: Row[] }[], database: string): void {
  const header: Row = { metric: "metric", value: "value", floor: `floor: raw ${database}, measured just before the pass` };
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

/** Where the workloads run, what their floor is, and how the results are labelled. */
interface Target {
  database: string;
  durability: string;
  results: string;
  floor(): Promise<FloorMetrics>;
  stop(): Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  return {
    database: "SQLite, WAL + FULL",
    durability: "WAL, synchronous=FULL",
    results: "latest.json",
    floor: async () => floor(),
    stop: async () => {},
  };
}

/** DATABASE_URL, else a throwaway durable server; every pass gets a fresh schema. */
async function postgresTarget(): Promise<Target> {
  const server = process.env.DATABASE_URL ? undefined : await startPostgres({ durable: true });
  const url = process.env.DATABASE_URL ?? server!.url;
  benchOn(async () => {
    const schema = `bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const withSchema = new URL(url);
    withSchema.searchParams.set("schema", schema);
    return {
      url: withSchema.toString(),
      remove: async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      },
    };
  });
  return {
    database: "PostgreSQL 15, fsync + synchronous_commit on",
    durability: "PostgreSQL fsync=on, synchronous_commit=on",
    results: "latest-postgres.json",
    floor: () => floorPostgres(url),
    stop: async () => server?.destroy(),
  };
}

async function main(): Promise<void> {
  const { only, runs, store } = parseCli();
  const target = store === "postgres" ? await postgresTarget() : await sqliteTarget();
  try {
    await benchmark(only, runs, target);
  } finally {
    await target.stop();
  }
}

async function benchmark(only: WorkloadId[], runs: number, target: Target): Promise<void> {
  const began = nowMs();
  const machine = { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGiB: +(totalmem() / 2 ** 30).toFixed(1) };
  console.error(`Endure bench: ${only.join(",")}, ${runs} pass(es) each; node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}`);

  const results: Partial<Record<WorkloadId, { title: string } & Awaited<ReturnType<typeof repeat>>>> = {};
  const sections: { title: string; rows: Row[] }[] = [];
  for (const id of only) {
    const result = await repeat(id, runs, () => target.floor());
    results[id] = { title: WORKLOADS[id].title, ...result };
    sections.push({ title: WORKLOADS[id].title, rows: WORKLOADS[id].rows(result.metrics, result.floor) });
  }
  const floorAll = medianOfEach(Object.values(results).flatMap((result) => result.passes.map((pass) => pass.floor)));
  sections.push({
    title: `floor: raw ${target.database} (median of 10 slices per sample, median of samples)`,
    rows: [
      { metric: "1 INSERT per commit", value: us(floorAll.usPerCommit), floor: `mean with stalls: ${us(floorAll.usPerCommitMean)}` },
      { metric: "100 INSERTs per commit", value: perSec(floorAll.batchedRowsPerSec, "rows"), floor: "" },
    ],
  });
  const seconds = (nowMs() - began) / 1000;

  console.log("");
  printTable(sections, target.database);
  console.log(`\n${runs > 1 ? `median of ${runs} passes; ` : ""}${target.durability}; node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}; ${seconds.toFixed(1)} s`);

  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${target.results}`;
  const json = { timestamp: new Date().toISOString(), machine, durability: target.durability, runs, seconds, floor: floorAll, workloads: results };
  writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
  console.log(`results: ${file}`);
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
