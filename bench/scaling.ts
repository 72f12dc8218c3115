/**
 * `npm run bench:scaling [-- --passes 3 --runs 3000 --workers 1,2,4 --stores postgres,sqlite --concurrency 100 --pool 10]`
 *
 * Throughput of the ten-no-op-step workflow with 1, 2 and 4 worker processes on one store:
 * PostgreSQL (a throwaway server with fsync and synchronous commits on, or DATABASE_URL when set)
 * and, for comparison, one SQLite file (WAL, synchronous=FULL). Each pass creates a backlog of runs
 * in a fresh schema or file, then starts every process's worker at the same moment and times until
 * no run is left. Alongside: CPU used by the workers and by PostgreSQL, I/O wait, and PostgreSQL's
 * own counts of commits and WAL flushes, and the server's raw commit rate without Endure. Each
 * pass waits for an idle machine, and one during which other processes took CPU is measured again.
 * Prints a table (median of the passes) and writes bench/results/scaling.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { Endure, type RunStatus } from "./endure.js";
import { type PostgresServer, startPostgres } from "../test/helpers/postgres-server.js";
import { medianOfEach, nowMs } from "./stats.js";
import { STEPS_PER_RUN, tenSteps } from "./workflows.js";

const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
const TICKS_PER_SECOND = 100; // USER_HZ: /proc reports CPU time in these on Linux
const CREATE_IN_FLIGHT = 64;

type StoreKind = "postgres" | "sqlite";

interface Options {
  passes: number;
  runs: number;
  workers: number[];
  stores: StoreKind[];
  concurrency: number;
  pool: number;
  /** How long to wait, before each pass, for the machine to be idle. */
  quietWaitMs: number;
  /** A pass during which other work used more CPU than this (in cores) is measured again. */
  maxOtherCores: number;
}

interface PassMetrics extends Record<string, number> {
  /** Creating the backlog: `start()` calls per second, 64 at a time from one client process. */
  startsPerSec: number;
  seconds: number;
  stepsPerSec: number;
  runsPerSec: number;
  /** Share of the machine's CPUs busy during the pass (all processes), in %. */
  machineBusyPct: number;
  /** Share of the machine's CPU time spent waiting for I/O, in %. */
  iowaitPct: number;
  /** CPU seconds per second (1.0 = one core) used by the worker processes together. */
  workerCores: number;
  /** The same for PostgreSQL's processes (0 when the server is not ours to watch). */
  postgresCores: number;
  /** The same for this process (the client that polls for the end of the pass). */
  benchCores: number;
  /** What else the machine ran meanwhile (busy CPU not accounted for above), in cores. */
  otherCores: number;
  /** PostgreSQL only: transactions committed per second (reads included), WAL flushes per second, WAL bytes per step. */
  commitsPerSec: number;
  walFlushesPerSec: number;
  walBytesPerStep: number;
}

function parseCli(): Options {
  const { values } = parseArgs({
    options: {
      passes: { type: "string", default: "3" },
      runs: { type: "string", default: "3000" },
      workers: { type: "string", default: "1,2,4" },
      stores: { type: "string", default: "postgres,sqlite" },
      concurrency: { type: "string", default: "100" },
      pool: { type: "string", default: "10" },
      "quiet-wait": { type: "string", default: "180" },
      "max-other": { type: "string", default: "0.15" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log("usage: npm run bench:scaling -- [--passes 3] [--runs 3000] [--workers 1,2,4] [--stores postgres,sqlite] [--concurrency 100] [--pool 10] [--quiet-wait 180] [--max-other 0.15]");
    console.log("  --quiet-wait  seconds to wait before each pass for the machine to be idle (other work skews the numbers)");
    console.log("  --max-other   a pass during which other processes used more CPU cores than this is run again (up to 3 times)");
    process.exit(0);
  }
  const whole = (text: string, name: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number of at least 1; got "${text}".`);
    return value;
  };
  const stores = values.stores.split(",").map((store) => store.trim());
  const unknown = stores.filter((store) => store !== "postgres" && store !== "sqlite");
  if (unknown.length > 0) throw new Error(`--stores takes postgres and sqlite; got "${values.stores}".`);
  return {
    passes: whole(values.passes, "passes"),
    runs: whole(values.runs, "runs"),
    workers: values.workers.split(",").map((n) => whole(n.trim(), "workers")),
    stores: stores as StoreKind[],
    concurrency: whole(values.concurrency, "concurrency"),
    pool: whole(values.pool, "pool"),
    quietWaitMs: Number(values["quiet-wait"]) * 1000,
    maxOtherCores: Number(values["max-other"]),
  };
}

// ---- CPU accounting from /proc ------------------------------------------------------------------

/** utime + stime (and, with `children`, the CPU of children it reaped), in ticks; 0 when gone. */
function processTicks(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    const [utime, stime, cutime, cstime] = [fields[11]!, fields[12]!, fields[13]!, fields[14]!];
    return utime + stime + (children ? cutime + cstime : 0);
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Ticks of the postmaster (with the backends it reaped) and of each live backend, by pid. */
function postgresTicks(dataDir: string): Map<number, number> {
  const postmaster = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  const ticks = new Map([[postmaster, processTicks(postmaster, true)]]);
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && parentOf(pid) === postmaster) ticks.set(pid, processTicks(pid));
  }
  return ticks;
}

function ticksSince(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ticks] of after) sum += ticks - (before.get(pid) ?? 0);
  return sum;
}

/** The machine's CPU time by kind, from /proc/stat, in ticks. */
function machineTicks(): { busy: number; iowait: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, iowait: iowait!, total: busy + idle! + iowait! };
}

// ---- PostgreSQL ---------------------------------------------------------------------------------

interface PgCounters {
  commits: number;
  walFlushes: number;
  walBytes: number;
}

async function pgCounters(url: string): Promise<PgCounters> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Pending statistics of other backends reach these views within a second.
    const db = await client.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`);
    const wal = await client.query(`SELECT wal_sync, wal_bytes FROM pg_stat_wal`);
    return { commits: Number(db.rows[0].xact_commit), walFlushes: Number(wal.rows[0].wal_sync), walBytes: Number(wal.rows[0].wal_bytes) };
  } finally {
    await client.end();
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

function withParams(url: string, params: Record<string, string>): string {
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(params)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

/**
 * Raw commits/s of the server: clients each committing single-row INSERTs as fast as they can, so
 * the table can show what the primary itself does per commit, without Endure. With `notify`, each
 * transaction also calls pg_notify, as Endure's trigger does when a run becomes due (a start).
 */
async function commitFloor(url: string, clients: number, notify: boolean, seconds = 2): Promise<number> {
  const table = `floor_${process.pid}_${clients}`;
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, run_id text NOT NULL, payload text NOT NULL)`);
  const connections = await Promise.all(Array.from({ length: clients }, async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  }));
  let commits = 0;
  const until = nowMs() + seconds * 1000;
  const began = nowMs();
  await Promise.all(connections.map(async (client) => {
    while (nowMs() < until) {
      const insert = `INSERT INTO ${table} (run_id, payload) VALUES ($1, $2)`;
      await client.query(notify ? `WITH i AS (${insert}) SELECT pg_notify('${table}', '')` : insert, ["run-0123456789", "x".repeat(64)]);
      commits++;
    }
  }));
  const rate = commits / ((nowMs() - began) / 1000);
  await Promise.all(connections.map((client) => client.end()));
  await setup.query(`DROP TABLE ${table}`);
  await setup.end();
  return rate;
}

// ---- worker processes ---------------------------------------------------------------------------

interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<void>;
}

async function spawnWorker(url: string, concurrency: number): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/scaling-worker.ts", url, String(concurrency)], {
    cwd: REPO_ROOT, stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: string[] = [];
  child.stdout!.setEncoding("utf8");
  let partial = "";
  child.stdout!.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const worker = { child, lines, exited };
  await waitForLine(worker, "ready", 60_000);
  return worker;
}

async function waitForLine(worker: WorkerProcess, line: string, timeoutMs: number): Promise<void> {
  const deadline = nowMs() + timeoutMs;
  while (!worker.lines.includes(line)) {
    if (worker.child.exitCode !== null) throw new Error(`a worker process exited (${worker.child.exitCode}) before printing "${line}"`);
    if (nowMs() > deadline) throw new Error(`a worker process printed no "${line}" within ${timeoutMs} ms`);
    await delay(5);
  }
}

// ---- one pass -----------------------------------------------------------------------------------

interface Target {
  kind: StoreKind;
  /** A fresh, empty store for one pass, and how to remove it. */
  fresh(tag: string): { url: string; remove(): Promise<void> };
  /** The server's URL (PostgreSQL), for its statistics and the floor. */
  serverUrl?: string;
  /** The data directory of a server this process started, for its CPU time. */
  dataDir?: string;
}

async function createBacklog(endure: Endure, runs: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CREATE_IN_FLIGHT }, async () => {
    while (next < runs) {
      const id = `run-${next++}`;
      await endure.start(tenSteps, [], { id });
    }
  }));
}

async function count(endure: Endure, status: RunStatus): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await endure.list({ status, limit: 1000, ...(cursor && { cursor }) });
    total += page.runs.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return total;
}

async function anyLeft(endure: Endure): Promise<boolean> {
  for (const status of ["pending", "running", "waiting"] as const) {
    if ((await endure.list({ status, limit: 1 })).runs.length > 0) return true;
  }
  return false;
}

/**
 * Waits (up to `maxMs`) until the machine is nearly idle over two seconds, so that a pass does not
 * share the CPUs with whatever else runs here. Returns the busy share last seen, in %.
 */
async function waitForQuiet(maxMs: number, busyPct = 10): Promise<number> {
  const deadline = nowMs() + maxMs;
  for (;;) {
    const before = machineTicks();
    await delay(2000);
    const after = machineTicks();
    const busy = (100 * (after.busy - before.busy)) / (after.total - before.total);
    if (busy < busyPct || nowMs() > deadline) return busy;
  }
}

async function pass(target: Target, workers: number, options: Options, tag: string): Promise<PassMetrics> {
  const store = target.fresh(tag);
  const endure = await Endure.open({ store: store.url });
  const processes: WorkerProcess[] = [];
  try {
    const creating = nowMs();
    await createBacklog(endure, options.runs);
    const startsPerSec = options.runs / ((nowMs() - creating) / 1000);
    processes.push(...(await Promise.all(Array.from({ length: workers }, () => spawnWorker(store.url, options.concurrency)))));
    const pgBefore = target.serverUrl ? await pgCounters(target.serverUrl) : undefined;
    const machineBefore = machineTicks();
    const workersBefore = processes.map((worker) => processTicks(worker.child.pid!));
    const postgresBefore = target.dataDir ? postgresTicks(target.dataDir) : undefined;
    const benchBefore = process.cpuUsage();

    const began = nowMs();
    for (const worker of processes) worker.child.stdin!.write("start\n");
    while (await anyLeft(endure)) await delay(20);
    const seconds = (nowMs() - began) / 1000;

    const machineAfter = machineTicks();
    const workerTicks = processes.reduce((sum, worker, index) => sum + processTicks(worker.child.pid!) - workersBefore[index]!, 0);
    const postgresTicksUsed = postgresBefore ? ticksSince(postgresBefore, postgresTicks(target.dataDir!)) : 0;
    const benchUsage = process.cpuUsage(benchBefore);
    for (const worker of processes) worker.child.stdin!.write("stop\n");
    await Promise.all(processes.map((worker) => worker.exited));
    // The workers' backends are gone, so their statistics are flushed; a second is the views' lag.
    await delay(1100);
    const pgAfter = target.serverUrl ? await pgCounters(target.serverUrl) : undefined;

    const completed = await count(endure, "completed");
    if (completed !== options.runs) throw new Error(`${completed} of ${options.runs} runs completed (${tag})`);
    const steps = options.runs * STEPS_PER_RUN;
    const elapsedTicks = machineAfter.total - machineBefore.total;
    const workerCores = workerTicks / TICKS_PER_SECOND / seconds;
    const postgresCores = postgresTicksUsed / TICKS_PER_SECOND / seconds;
    const benchCores = (benchUsage.user + benchUsage.system) / 1e6 / seconds;
    const busyCores = (machineAfter.busy - machineBefore.busy) / TICKS_PER_SECOND / seconds;
    return {
      startsPerSec,
      seconds,
      stepsPerSec: steps / seconds,
      runsPerSec: options.runs / seconds,
      machineBusyPct: (100 * (machineAfter.busy - machineBefore.busy)) / elapsedTicks,
      iowaitPct: (100 * (machineAfter.iowait - machineBefore.iowait)) / elapsedTicks,
      workerCores,
      postgresCores,
      benchCores,
      otherCores: Math.max(0, busyCores - workerCores - postgresCores - benchCores),
      commitsPerSec: pgBefore && pgAfter ? (pgAfter.commits - pgBefore.commits) / seconds : 0,
      walFlushesPerSec: pgBefore && pgAfter ? (pgAfter.walFlushes - pgBefore.walFlushes) / seconds : 0,
      walBytesPerStep: pgBefore && pgAfter ? (pgAfter.walBytes - pgBefore.walBytes) / steps : 0,
    };
  } finally {
    for (const worker of processes) if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
    await endure.close();
    await store.remove();
  }
}

// ---- main ---------------------------------------------------------------------------------------

function postgresTarget(serverUrl: string, pool: number, server?: PostgresServer): Target {
  return {
    kind: "postgres",
    serverUrl,
    ...(server && { dataDir: server.dataDir }),
    fresh(tag) {
      const schema = `scaling_${tag.replaceAll("-", "_")}_${process.pid}`;
      return { url: withParams(serverUrl, { schema, pool: String(pool) }), remove: () => dropSchema(serverUrl, schema) };
    },
  };
}

function sqliteTarget(): Target {
  return {
    kind: "sqlite",
    fresh() {
      const dir = mkdtempSync(join(tmpdir(), "endure-scaling-"));
      return { url: `sqlite:${join(dir, "endure.db")}`, remove: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  };
}

const fmt = (value: number, digits = 0) => value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const options = parseCli();
  const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGiB: +(totalmem() / 2 ** 30).toFixed(1) };
  let server: PostgresServer | undefined;
  const targets: Target[] = [];
  let postgresSource = "";
  if (options.stores.includes("postgres")) {
    if (process.env.DATABASE_URL) {
      postgresSource = "DATABASE_URL (settings as that server has them)";
      targets.push(postgresTarget(process.env.DATABASE_URL, options.pool));
    } else {
      server = await startPostgres({ durable: true });
      postgresSource = "a throwaway PostgreSQL server on this machine, fsync = on, synchronous_commit = on, full_page_writes = on";
      targets.push(postgresTarget(server.url, options.pool, server));
    }
  }
  if (options.stores.includes("sqlite")) targets.push(sqliteTarget());
  const cleanUp = () => server?.destroy();
  process.on("exit", cleanUp);
  process.on("SIGINT", () => process.exit(130));

  console.error(`scaling bench: ${options.runs} runs × ${STEPS_PER_RUN} no-op steps, workers ${options.workers.join("/")}, ` +
    `concurrency ${options.concurrency} per process, ${options.passes} passes; ${machine.cpus} × ${machine.cpuModel}`);
  const floors: Record<string, number> = {};
  const postgres = targets.find((target) => target.kind === "postgres");
  if (postgres?.serverUrl) {
    for (const notify of [false, true]) {
      for (const clients of [1, 8, 32]) {
        await waitForQuiet(options.quietWaitMs);
        floors[`${clients} client${clients > 1 ? "s" : ""}${notify ? " + NOTIFY" : ""}`] = await commitFloor(postgres.serverUrl, clients, notify);
      }
    }
    console.error(`  raw PostgreSQL commits/s, 1-row INSERT per commit: ${Object.entries(floors).map(([what, rate]) => `${what} ${fmt(rate)}`).join(", ")}`);
  }

  const passes = new Map<string, PassMetrics[]>();
  const loads: number[] = [];
  const discarded: { key: string; metrics: PassMetrics }[] = [];
  // Passes interleaved across configurations, so that a slow spell of the disk hits all of them.
  for (let p = 1; p <= options.passes; p++) {
    for (const target of targets) {
      for (const workers of options.workers) {
        const key = `${target.kind}:${workers}`;
        let metrics: PassMetrics;
        for (let attempt = 1; ; attempt++) {
          const idleBusy = await waitForQuiet(options.quietWaitMs);
          if (idleBusy >= 10) console.error(`  (the machine is ${idleBusy.toFixed(0)}% busy with other work; measuring anyway)`);
          loads.push(loadavg()[0]!);
          metrics = await pass(target, workers, options, `p${p}-w${workers}-a${attempt}`);
          // Other work on the machine took CPU from the pass: measure it again (a few times at most).
          if (metrics.otherCores <= options.maxOtherCores || attempt === 3) break;
          discarded.push({ key, metrics });
          console.error(`  pass ${p} ${target.kind} × ${workers}: discarded, other work used ${metrics.otherCores.toFixed(2)} cores`);
        }
        passes.set(key, [...(passes.get(key) ?? []), metrics]);
        console.error(`  pass ${p} ${target.kind} × ${workers}: ${fmt(metrics.stepsPerSec)} steps/s, ${fmt(metrics.runsPerSec)} runs/s ` +
          `(${metrics.seconds.toFixed(2)} s; CPU busy ${metrics.machineBusyPct.toFixed(0)}%, workers ${metrics.workerCores.toFixed(2)} cores, ` +
          `postgres ${metrics.postgresCores.toFixed(2)}, bench ${metrics.benchCores.toFixed(2)}, other ${metrics.otherCores.toFixed(2)} cores; iowait ${metrics.iowaitPct.toFixed(0)}%)`);
      }
    }
  }

  const header = ["store", "workers", "steps/s", "runs/s", "starts/s", "CPU busy", "worker CPU", "PostgreSQL CPU", "other CPU", "iowait", "commits/s", "WAL flushes/s", "WAL B/step"];
  const rows = [...passes].map(([key, all]) => {
    const [kind, workers] = key.split(":");
    const m = medianOfEach(all);
    const isPg = kind === "postgres";
    return [kind!, workers!, fmt(m.stepsPerSec), fmt(m.runsPerSec), fmt(m.startsPerSec), `${m.machineBusyPct.toFixed(0)}%`, `${m.workerCores.toFixed(2)} cores`,
      isPg && postgres?.dataDir ? `${m.postgresCores.toFixed(2)} cores` : "—", `${(m.benchCores + m.otherCores).toFixed(2)} cores`, `${m.iowaitPct.toFixed(0)}%`,
      isPg ? fmt(m.commitsPerSec) : "—", isPg ? fmt(m.walFlushesPerSec) : "—", isPg ? fmt(m.walBytesPerStep) : "—"];
  });
  console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => " --- ").join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  console.log(`\nmedian of ${options.passes} passes; ${options.runs} runs × ${STEPS_PER_RUN} no-op steps, ${options.concurrency} runs in flight per worker process, ` +
    `starts/s: creating the backlog beforehand, ${CREATE_IN_FLIGHT} start() calls in flight from one process; ` +
    `pool ${options.pool} per process; other CPU = this bench's polling client and anything else running; PostgreSQL: ${postgresSource || "not measured"}; SQLite: WAL, synchronous=FULL; ` +
    `${machine.cpus} × ${machine.cpuModel}; load average before passes ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}; ` +
    `${discarded.length} pass(es) disturbed by other work run again`);
  if (Object.keys(floors).length > 0) {
    console.log(`raw PostgreSQL commits/s, 1-row INSERT per commit: ${Object.entries(floors).map(([what, rate]) => `${what} ${fmt(rate)}`).join(", ")}`);
  }

  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}scaling.json`;
  writeFileSync(file, JSON.stringify({
    timestamp: new Date().toISOString(), machine, options, postgres: postgresSource, postgresCommitFloor: floors, loadAverages: loads, discarded,
    results: Object.fromEntries([...passes].map(([key, all]) => [key, { median: medianOfEach(all), passes: all }])),
  }, null, 2) + "\n");
  console.log(`results: ${file}`);
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
}
