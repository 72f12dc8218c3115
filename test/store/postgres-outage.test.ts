// Database outage: the PostgreSQL server stops in the middle of runs and comes back. Worker
// processes ride it out and finish every run without re-running a recorded step; clients get a
// clear StoreUnavailableError meanwhile.
//
// This file starts a server of its own, because it stops it: the shared server of DATABASE_URL is
// never touched.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import type Database from "better-sqlite3";
import { Endure, RunNotFoundError, type RunStatus, StoreUnavailableError } from "../../src/index.js";
import { expectedOutageOutput, OUTAGE_CALLS, OUTAGE_STEPS, outage, outageStepValue } from "../crash/fixtures/outage.js";
import { type Child, Processes } from "../crash/fixtures/processes.js";
import { openEffects, readEffects, readExecutions, readViolations } from "../crash/fixtures/side-effects.js";
import { postgresOnly } from "../helpers/postgres.js";
import { findPostgresBinaries, POSTGRES_HINT, type PostgresServer, startPostgres } from "../helpers/postgres-server.js";
import { tempDir } from "../helpers/temp-store.js";
import { waitUntil } from "../helpers/wait-until.js";

const WORKERS = 3;
const RUNS = 24;
const CONCURRENCY = 8;
const LEASE = "1s";
/** How long the server stays down: longer than the lease, so every lease lapses meanwhile. */
const OUTAGE_MS = 3000;
/** "the store is not answering" lines a worker may print for one outage (claims, renewals and commits fail together). */
const MAX_OUTAGE_LINES = 3;
/** `[endure]` log lines a worker may print for one outage, whatever its length and however many runs it held. */
const MAX_LOG_LINES = 10;
const FINISHED: RunStatus[] = ["completed", "failed", "cancelled", "blocked"];

// It needs the server binaries (it starts and stops a server of its own), not only DATABASE_URL.
const outageOnly = findPostgresBinaries() ? postgresOnly : { skip: POSTGRES_HINT };

/** A server of this file's own, a client on it, the worker processes and their side-effect database. */
interface OutageScene {
  server: PostgresServer;
  endure: Endure;
  processes: Processes;
  effects: Database.Database;
  dispose(): Promise<void>;
}

async function openOutageScene(): Promise<OutageScene> {
  const server = await startPostgres();
  const dir = tempDir("endure-outage-");
  try {
    const endure = await Endure.open({ store: server.url });
    const effects = openEffects(dir.dir);
    const processes = new Processes(dir.dir, server.url);
    return {
      server, endure, processes, effects,
      async dispose() {
        try {
          await processes.killAll();
          await endure.close();
          effects.close();
        } finally {
          server.destroy();
          dir.cleanup();
        }
      },
    };
  } catch (error) {
    server.destroy();
    rmSync(dir.dir, { recursive: true, force: true });
    throw error;
  }
}

/** The worker's log lines (each may be followed by the lines of the error it reports). */
function logLines(worker: Child): string[] {
  return worker.stderr.split("\n").filter((line) => line.startsWith("[endure]"));
}

describe("PostgreSQL outage", outageOnly, () => {
  let scene: OutageScene;
  before(async () => {
    scene = await openOutageScene();
  });
  after(() => scene?.dispose());

  it("workers ride out a server restart mid-run: every run completes, no recorded step re-runs, clients get STORE_UNAVAILABLE meanwhile", { timeout: 90_000 }, async (t) => {
    const { server, endure, processes, effects } = scene;
    const workers = await Promise.all(Array.from({ length: WORKERS }, (_, slot) =>
      processes.spawnWorker({ tag: `w${slot}`, workflows: ["outage"], lease: LEASE, concurrency: CONCURRENCY })));
    const pids = workers.map((worker) => worker.pid);

    const ids = Array.from({ length: RUNS }, (_, n) => `outage-${n}`);
    for (const [n, id] of ids.entries()) await endure.start(outage, [n], { id });

    // Runs are in flight on every worker: some steps executed, none of the runs near its end.
    await waitUntil(() => {
      const rows = readExecutions(effects);
      const byWorker = new Set(rows.flatMap((row) => JSON.parse(row.workers) as string[]));
      return rows.length >= RUNS && workers.every((worker) => byWorker.has(worker.tag));
    }, "every worker to have executed steps", 30_000);
    const finishedBefore = (await endure.list({ status: "completed", limit: RUNS })).runs.length;

    server.stop();
    const stoppedAt = Date.now();

    // While it is down, every client call says so, naming the server.
    const calls: [string, () => Promise<unknown>][] = [
      ["start", () => endure.start(outage, [RUNS], { id: "during-outage" })],
      ["get", () => endure.get(ids[0]!)],
      ["list", () => endure.list()],
    ];
    for (const [name, call] of calls) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof StoreUnavailableError, `${name}() rejected with ${String(error)}`);
        assert.equal(error.code, "STORE_UNAVAILABLE");
        assert.match(error.message, new RegExp(`^The PostgreSQL store at postgres@127\\.0\\.0\\.1:${server.port}/postgres is unreachable \\(`));
        assert.match(error.message, /Check that the server is running/);
        return true;
      }, `${name}() while the server is down`);
    }

    // The deliberate outage: the workers stay up (same processes) and their event loops keep turning.
    const statusSeen = workers.map((worker) => worker.events.length);
    await delay(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
    for (const [slot, worker] of workers.entries()) {
      assert.ok(worker.alive, `${worker.describe()} died during the outage: ${JSON.stringify(worker.exit)}\n${worker.stderr}`);
      assert.equal(worker.pid, pids[slot]);
      assert.ok(worker.events.slice(statusSeen[slot]).some((event) => event.event === "status"), `${worker.describe()} printed no status while the server was down`);
    }

    server.start();
    const restartedAt = Date.now();

    const unfinished = new Set(ids);
    await waitUntil(async () => {
      for (const id of unfinished) if (FINISHED.includes(await endure.handle(id).status())) unfinished.delete(id);
      return unfinished.size === 0;
    }, `every run to finish after the restart (left: ${[...unfinished].join(", ")})`, 45_000, 100);
    const recovered = Date.now() - restartedAt;

    // Every run completed, with a complete journal and the right output.
    let spanned = 0;
    for (const [n, id] of ids.entries()) {
      const run = await endure.get(id);
      assert.equal(run.status, "completed", `run ${id} ended ${run.status}: ${run.error?.message}`);
      assert.equal(run.output, expectedOutageOutput(n), `output of ${id}`);
      assert.deepEqual(run.journal.map((entry) => ({ kind: entry.kind, name: entry.name })), OUTAGE_CALLS, `journal of ${id}`);
      assert.deepEqual(run.journal.map((entry) => entry.position), OUTAGE_CALLS.map((_, position) => position), `positions of ${id}`);
      for (const entry of run.journal) assert.equal(entry.status, "completed", `${id} position ${entry.position}`);
      const journaledBefore = run.journal.filter((entry) => entry.finishedAt !== null && entry.finishedAt.getTime() < stoppedAt).length;
      if (journaledBefore > 0 && run.finishedAt!.getTime() > restartedAt) spanned++;
    }
    assert.ok(spanned >= RUNS / 2, `only ${spanned} of ${RUNS} runs had steps journaled before the outage and finished after it`);

    // No step re-ran once its outcome was journaled; each side effect applied once, with its value.
    assert.deepEqual(readViolations(effects), [], "step bodies that ran although their outcome was journaled");
    const executions = readExecutions(effects);
    assert.equal(executions.length, RUNS * OUTAGE_STEPS, "every step body executed");
    const effectRows = new Map(readEffects(effects).map((row) => [row.key, row.value]));
    for (const [n, id] of ids.entries()) {
      for (let i = 0; i < OUTAGE_STEPS; i++) assert.equal(effectRows.get(`${id}:${2 * i}`), outageStepValue(n, i), `effect of ${id} step ${i}`);
    }

    // The start refused during the outage wrote nothing; starting works again.
    await assert.rejects(endure.get("during-outage"), RunNotFoundError);
    const afterwards = await endure.start(outage, [RUNS], { id: "after-outage" });
    assert.equal(await afterwards.result(), expectedOutageOutput(RUNS));

    // The same worker processes did all of it, and none flooded its log.
    for (const [slot, worker] of workers.entries()) {
      assert.ok(worker.alive, `${worker.describe()} exited: ${JSON.stringify(worker.exit)}\n${worker.stderr}`);
      assert.equal(worker.pid, pids[slot]);
      const lines = logLines(worker);
      const outages = lines.filter((line) => line.includes("the store is not answering")).length;
      assert.ok(outages >= 1, `${worker.describe()} logged no outage: was the server really down?\n${worker.stderr}`);
      assert.ok(outages <= MAX_OUTAGE_LINES, `${worker.describe()} logged the outage ${outages} times`);
      assert.ok(lines.length <= MAX_LOG_LINES, `${worker.describe()} logged ${lines.length} lines for one outage:\n${lines.join("\n")}`);
    }

    const reExecutions = executions.reduce((sum, row) => sum + row.count - 1, 0);
    const stderrLines = workers.map((worker) => logLines(worker).length);
    t.diagnostic(`${finishedBefore} of ${RUNS} runs completed before the stop, ${spanned} spanned the outage; ` +
      `all done ${recovered} ms after the restart; ${reExecutions} step re-executions (not journaled when the server stopped); ` +
      `[endure] log lines per worker: ${stderrLines.join(", ")}`);
  });
});
