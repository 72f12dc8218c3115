/**
 * `npm run bench:peers [-- --only A,C] [-- --runs N]` (from the repo root): Endure's four
 * benchmark workloads on DBOS Transact 5.3, on PostgreSQL (DATABASE_URL, else a throwaway server
 * with fsync and synchronous commits on), next to the raw PostgreSQL floor measured by
 * bench/floor-postgres.ts on the same server. Prints a table like `npm run bench` and writes
 * bench/results/peers-dbos.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { type PostgresServer, startPostgres } from "../../test/helpers/postgres-server.js";
import type { FloorMetrics } from "../floor.js";
import { floorPostgres } from "../floor-postgres.js";
import { medianOfEach, nowMs } from "../stats.js";
import { type Metrics, sequential, starts, throughput, wakeup, withFreshDbos } from "./workloads.js";

interface Row {
  metric: string;
  value: string;
  floor: string;
}

interface Workload {
  title: string;
  run(): Promise<Metrics>;
  rows(metrics: Metrics, floor: FloorMetrics): Row[];
}

const ms = (value: number, digits = 2) => `${value.toFixed(digits)} ms`;
const us = (value: number) => `${value.toFixed(0)} µs`;
const perSec = (value: number, unit: string) => `${Math.round(value).toLocaleString("en-US")} ${unit}/s`;
/** Every workload reports fixed keys; a missing one is a bug here, not a zero. */
const get = (metrics: Metrics, key: string): number => {
  const value = metrics[key];
  if (value === undefined) throw new Error(`metric ${key} missing`);
  return value;
};

// Titles and floor columns as in bench/run.ts, so the two tables read side by side.
const WORKLOADS: Record<string, Workload> = {
  A: {
    title: "A  sequential: 200 runs × 10 no-op steps, one at a time",
    run: sequential,
    rows: (m, f) => [
      { metric: "run latency p50", value: ms(get(m, "p50Ms")), floor: `10 commits (1/step): ${ms((10 * f.usPerCommit) / 1000)}` },
      { metric: "run latency p99", value: ms(get(m, "p99Ms")), floor: "" },
      { metric: "per step", value: us(get(m, "usPerStep")), floor: `1 commit: ${us(f.usPerCommit)}` },
    ],
  },
  B: {
    title: "B  throughput: 1000 runs × 10 no-op steps, 100 in flight",
    run: throughput,
    rows: (m, f) => [
      { metric: "steps", value: perSec(get(m, "stepsPerSec"), "steps"), floor: `100 rows/commit: ${perSec(f.batchedRowsPerSec, "rows")}` },
      { metric: "runs", value: perSec(get(m, "runsPerSec"), "runs"), floor: "" },
    ],
  },
  C: {
    title: "C  wake-up: 100 runs sleep(1 s) at once",
    run: wakeup,
    rows: (m) => [
      { metric: "lateness p50", value: ms(get(m, "p50Ms"), 1), floor: "" },
      { metric: "lateness p99", value: ms(get(m, "p99Ms"), 1), floor: "" },
    ],
  },
  D: {
    title: "D  starts: 5000 one-step runs started at once",
    run: starts,
    rows: (m, f) => [
      { metric: "starts", value: perSec(get(m, "startsPerSec"), "starts"), floor: `1 row/commit: ${perSec(1e6 / f.usPerCommit, "commits")}` },
      { metric: "  all 5000 runs finished", value: perSec(get(m, "finishedRunsPerSec"), "runs"), floor: "" },
    ],
  },
};

const IDS = Object.keys(WORKLOADS);

function parseCli(): { only: string[]; runs: number } {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      runs: { type: "string", default: "3" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(`usage: npm run bench:peers -- [--only ${IDS.join(",")}] [--runs N]\n` +
      "  --only  comma-separated workloads to run (default: all)\n" +
      "  --runs  passes per workload, each in a fresh database; the median of each metric is reported (default 3)");
    process.exit(0);
  }
  const only = values.only === undefined ? IDS : values.only.split(",").map((id) => id.trim().toUpperCase());
  const unknown = only.filter((id) => !IDS.includes(id));
  if (unknown.length > 0 || only.length === 0) throw new Error(`--only takes workloads among ${IDS.join(",")}; got "${values.only}".`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1; got "${values.runs}".`);
  return { only, runs };
}

interface Pass {
  metrics: Metrics;
  /** The floor measured right before this pass: disk speed drifts on shared machines. */
  floor: FloorMetrics;
}

/** Runs a workload `runs` times, each on a fresh DBOS system database right after its own floor. */
async function repeat(id: string, workload: Workload, runs: number, serverUrl: string): Promise<{ metrics: Metrics; floor: FloorMetrics; passes: Pass[] }> {
  const passes: Pass[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowMs();
    const floor = await floorPostgres(serverUrl);
    passes.push({ floor, metrics: await withFreshDbos(serverUrl, () => workload.run()) });
    console.error(`  ${id}${runs > 1 ? ` pass ${i + 1}/${runs}` : ""}: ${((nowMs() - t0) / 1000).toFixed(1)} s`);
  }
  return {
    metrics: medianOfEach(passes.map((pass) => pass.metrics)),
    floor: medianOfEach(passes.map((pass) => pass.floor)),
    passes,
  };
}

function printTable(sections: { title: string; rows: Row[] }[], header: Row): void {
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

/** The server's version and durability settings, to label the results (and to refuse a non-durable server). */
async function describeServer(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string; fsync: string; sync: string }>(
      `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync`,
    );
    const row = rows[0];
    if (!row || row.fsync !== "on" || row.sync !== "on") throw new Error(`the server must have fsync and synchronous_commit on; got ${JSON.stringify(row)}`);
    // "15.18 (Debian 15.18-0+deb12u1)": the number is enough for a label.
    return `PostgreSQL ${row.version.split(" ")[0]}, fsync + synchronous_commit on`;
  } finally {
    await client.end();
  }
}

async function benchmark(only: string[], runs: number, serverUrl: string): Promise<void> {
  const began = nowMs();
  const dbosVersion = (JSON.parse(readFileSync(new URL("./node_modules/@dbos-inc/dbos-sdk/package.json", import.meta.url), "utf8")) as { version: string }).version;
  const database = await describeServer(serverUrl);
  const machine = { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGiB: +(totalmem() / 2 ** 30).toFixed(1) };
  console.error(`DBOS Transact ${dbosVersion} bench: ${only.join(",")}, ${runs} pass(es) each; ${database}; node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}`);

  const results: Record<string, { title: string } & Awaited<ReturnType<typeof repeat>>> = {};
  const sections: { title: string; rows: Row[] }[] = [];
  for (const id of only) {
    const workload = WORKLOADS[id]!;
    const result = await repeat(id, workload, runs, serverUrl);
    results[id] = { title: workload.title, ...result };
    sections.push({ title: workload.title, rows: workload.rows(result.metrics, result.floor) });
  }
  const floorAll = medianOfEach(Object.values(results).flatMap((result) => result.passes.map((pass) => pass.floor)));
  sections.push({
    title: `floor: raw ${database} (median of 10 slices per sample, median of samples)`,
    rows: [
      { metric: "1 INSERT per commit", value: us(floorAll.usPerCommit), floor: `mean with stalls: ${us(floorAll.usPerCommitMean)}` },
      { metric: "100 INSERTs per commit", value: perSec(floorAll.batchedRowsPerSec, "rows"), floor: "" },
    ],
  });
  const seconds = (nowMs() - began) / 1000;

  console.log("");
  printTable(sections, { metric: "metric", value: `DBOS ${dbosVersion}`, floor: `floor: raw ${database}, measured just before the pass` });
  console.log(`\n${runs > 1 ? `median of ${runs} passes; ` : ""}DBOS Transact ${dbosVersion}; ${database}; node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}; ${seconds.toFixed(1)} s`);

  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}peers-dbos.json`;
  const json = { timestamp: new Date().toISOString(), peer: `@dbos-inc/dbos-sdk ${dbosVersion}`, machine, database, runs, seconds, floor: floorAll, workloads: results };
  writeFileSync(file, JSON.stringify(json, null, 2) + "\n");
  console.log(`results: ${file}`);
}

async function main(): Promise<void> {
  const { only, runs } = parseCli();
  const server: PostgresServer | undefined = process.env.DATABASE_URL ? undefined : await startPostgres({ durable: true });
  // Ctrl-C would otherwise leave the throwaway server running, with its data in a temp directory.
  const onSignal = () => {
    server?.destroy();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await benchmark(only, runs, process.env.DATABASE_URL ?? server!.url);
  } finally {
    server?.destroy();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
}
