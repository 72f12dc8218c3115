/**
 * Endure's four benchmark workloads (bench/workloads/*.ts), written for DBOS Transact 5.3: the same
 * counts, the same warm-up and the same measurement definitions, with DBOS's own API in place of
 * Endure's (`DBOS.registerWorkflow` for `workflow()`, `DBOS.registerStep` for `step()`,
 * `DBOS.startWorkflow(...)()` + `getResult()` for `endure.start()` + `result()`, `DBOS.sleep` for
 * `sleep()`).
 */
import { randomUUID } from "node:crypto";
import { DBOS } from "@dbos-inc/dbos-sdk";
import pg from "pg";
import { nowMs, percentile } from "../stats.js";

export type Metrics = Record<string, number>;

const STEPS_PER_RUN = 10;

// Registered once, at import: DBOS takes registrations only before DBOS.launch(), and keeps them
// across DBOS.shutdown() (without `deregister`), so every pass's launch serves the same workflows.

const noop = DBOS.registerStep(async () => {}, { name: "noop" });

/** The run of workloads A and B: ten no-op steps, so what is measured is DBOS's own cost. */
const tenSteps = DBOS.registerWorkflow(async () => {
  for (let i = 0; i < STEPS_PER_RUN; i++) await noop();
}, { name: "bench-ten-steps" });

// Date.now() in a step, as in Endure's workload: the step's result is checkpointed, so a replay
// would see the same value.
const clock = DBOS.registerStep(async () => Date.now(), { name: "clock" });

const SLEEP_MS = 1000;

const sleeper = DBOS.registerWorkflow(async () => {
  const before = await clock();
  await DBOS.sleep(SLEEP_MS);
  const after = await clock();
  return { before, after };
}, { name: "bench-c-sleeper" });

const oneStep = DBOS.registerWorkflow(async () => {
  await noop();
}, { name: "bench-d-one-step" });

/**
 * Runs `body` against a freshly launched DBOS whose system database is a new, empty database on the
 * server at `serverUrl` (DBOS creates it at launch); shuts DBOS down and drops the database after.
 * A fresh database per pass, like Endure's fresh schema per pass, so no pass runs against the
 * tables and indexes another one filled.
 */
export async function withFreshDbos<T>(serverUrl: string, body: () => Promise<T>): Promise<T> {
  const database = `dbos_bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const systemDatabaseUrl = new URL(serverUrl);
  systemDatabaseUrl.pathname = `/${database}`;
  DBOS.setConfig({
    name: "endure-bench-peers",
    systemDatabaseUrl: systemDatabaseUrl.toString(),
    // A fixed version: otherwise DBOS derives one by hashing the workflows' source at launch.
    applicationVersion: "bench",
    // DBOS logs each launch and shutdown at "info"; the table is what this script prints.
    logLevel: "warn",
  });
  await DBOS.launch();
  try {
    return await body();
  } finally {
    await DBOS.shutdown();
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      // FORCE (PostgreSQL 13+): a pool connection DBOS has not closed yet must not keep it alive.
      await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
}

/** Starts `workflow` in the background and waits for its result: Endure's `start()` + `result()`. */
async function runToEnd<R>(workflow: () => Promise<R>): Promise<R> {
  return await (await DBOS.startWorkflow(workflow)()).getResult();
}

const A_RUNS = 200;
const A_WARMUP_RUNS = 20;

/**
 * A: one run at a time, 10 no-op steps each (as bench/workloads/a-sequential.ts): run latency
 * p50/p99 and µs per step, over 200 runs after 20 uncounted warm-up runs in the same database.
 */
export async function sequential(): Promise<Metrics> {
  for (let i = 0; i < A_WARMUP_RUNS; i++) await runToEnd(tenSteps);
  const latencies: number[] = [];
  const began = nowMs();
  for (let i = 0; i < A_RUNS; i++) {
    const t0 = nowMs();
    await runToEnd(tenSteps);
    latencies.push(nowMs() - t0);
  }
  const totalMs = nowMs() - began;
  return {
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    usPerStep: (totalMs * 1000) / (A_RUNS * STEPS_PER_RUN),
  };
}

const B_RUNS = 1000;
const B_IN_FLIGHT = 100;

/**
 * B: 1000 runs of 10 no-op steps with a steady 100 in flight (as bench/workloads/b-throughput.ts):
 * each of 100 lanes starts its next run when its last one finished.
 */
export async function throughput(): Promise<Metrics> {
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < B_RUNS) {
      started++;
      await runToEnd(tenSteps);
    }
  };
  const began = nowMs();
  await Promise.all(Array.from({ length: B_IN_FLIGHT }, lane));
  const seconds = (nowMs() - began) / 1000;
  return { stepsPerSec: (B_RUNS * STEPS_PER_RUN) / seconds, runsPerSec: B_RUNS / seconds };
}

const C_RUNS = 100;

/**
 * C: 100 runs started at once, each `clock(); sleep(1 s); clock()` (as bench/workloads/c-wakeup.ts):
 * lateness = after − (before + 1 s), as the workflow sees it. Measured on the second of two rounds.
 */
export async function wakeup(): Promise<Metrics> {
  // Warm-up, as Endure's C: one uncounted round first (pool connections open, code compiled), so
  // what is measured is a running DBOS, not one that has just launched.
  const warmUp = await Promise.all(Array.from({ length: C_RUNS }, () => DBOS.startWorkflow(sleeper)()));
  await Promise.all(warmUp.map((handle) => handle.getResult()));

  const handles = await Promise.all(Array.from({ length: C_RUNS }, () => DBOS.startWorkflow(sleeper)()));
  const outputs = await Promise.all(handles.map((handle) => handle.getResult()));
  const lateness = outputs.map(({ before, after }) => after - (before + SLEEP_MS));
  return { p50Ms: percentile(lateness, 50), p99Ms: percentile(lateness, 99) };
}

const D_RUNS = 5000;

/**
 * D: 5000 one-step runs started at once (as bench/workloads/d-starts.ts); only the time until every
 * start call has resolved is counted. DBOS runs each started workflow in this process right away,
 * so, as with Endure's already-running worker, execution competes with the starts.
 */
export async function starts(): Promise<Metrics> {
  const began = nowMs();
  const handles = await Promise.all(Array.from({ length: D_RUNS }, () => DBOS.startWorkflow(oneStep)()));
  const seconds = (nowMs() - began) / 1000;
  // Drain before shutdown, so the next pass does not start against this one's leftovers.
  await Promise.all(handles.map((handle) => handle.getResult()));
  // Not Endure's D metric, shown beside it: DBOS's start is one INSERT, while running each workflow
  // (its step, its end) costs more, so "started" and "finished" rates differ widely here.
  const finishedSeconds = (nowMs() - began) / 1000;
  return { startsPerSec: D_RUNS / seconds, finishedRunsPerSec: D_RUNS / finishedSeconds };
}
