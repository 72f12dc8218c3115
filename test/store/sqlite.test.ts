import Database from "better-sqlite3";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { tempDir } from "../helpers/temp-store.js";
import { newRun } from "./builders.js";
import { storeConformance } from "./conformance.js";
import { dumpSchema, REGENERATE_COMMAND, schemaOf } from "./dump-schema.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

storeConformance("SqliteStore on a file", {
  async create({ clock }) {
    const dir = tempDir("endure-store-");
    const store = new SqliteStore(dir.dbPath, { clock });
    const others: Store[] = [];
    return {
      store,
      async connectAgain() {
        const other = new SqliteStore(dir.dbPath, { clock });
        others.push(other);
        return other;
      },
      async cleanup() {
        for (const open of [store, ...others]) await open.close();
        dir.cleanup();
      },
    };
  },
});

storeConformance("SqliteStore in memory", {
  async create({ clock }) {
    const store = new SqliteStore(":memory:", { clock });
    return { store, cleanup: () => store.close() };
  },
});

/** The version the newest numbered migration file brings a database to. */
function latestMigration(): number {
  const files = readdirSync(join(repoRoot, "src/store/sqlite/migrations")).filter((file) => /^\d+-.*\.sql$/.test(file));
  assert.ok(files.length > 0, "there are migrations");
  return Math.max(...files.map((file) => Number.parseInt(file, 10)));
}

/** Reads a file's database through a connection of its own, as another process would. */
function inspect<T>(dbPath: string, read: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** The store's own connection: per-connection settings can only be read through it. */
function connectionOf(store: SqliteStore): Database.Database {
  const db: unknown = Reflect.get(store, "db");
  assert.ok(db instanceof Database, "SqliteStore keeps its connection in `db`; if that changed, update connectionOf() here");
  return db;
}

describe("SqliteStore", () => {
  it("creates the file and its directories and migrates it to the newest schema on open", async (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const dbPath = join(dir.dir, "nested", "deeper", "endure.db");
    await new SqliteStore(dbPath).close();
    const { version, tables } = inspect(dbPath, (db) => ({
      version: db.pragma("user_version", { simple: true }) as number,
      tables: (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name`).all() as { name: string }[])
        .map((row) => row.name),
    }));
    assert.equal(version, latestMigration());
    assert.deepEqual(tables, ["event_log", "inbox", "journal", "journal_history", "queues", "runs", "schedules", "subscriptions", "triggers", "webhooks", "workers", "workflows"]);
  });

  it("re-opens an existing file without running its migrations again, keeping its data", async (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const first = new SqliteStore(dir.dbPath);
    const { run } = await first.createRun(newRun());
    await first.close();
    const before = inspect(dir.dbPath, (db) => ({ version: db.pragma("user_version", { simple: true }) as number, schema: schemaOf(db) }));

    // Had a migration run again, its CREATE TABLE would throw here.
    const again = new SqliteStore(dir.dbPath);
    t.after(() => again.close());
    assert.deepEqual(await again.getRun(run.id), run);
    const after = inspect(dir.dbPath, (db) => ({ version: db.pragma("user_version", { simple: true }) as number, schema: schemaOf(db) }));
    assert.deepEqual(after, before);
  });

  it("puts the file in WAL mode and syncs every commit fully (synchronous=FULL)", async (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const store = new SqliteStore(dir.dbPath);
    t.after(() => store.close());
    // The journal mode is kept in the file: any connection sees it.
    assert.equal(inspect(dir.dbPath, (db) => db.pragma("journal_mode", { simple: true })), "wal");
    // synchronous is a setting of each connection (a separate one shows only its own default),
    // so it is read through the store's own connection. 2 = FULL, 1 = NORMAL.
    assert.equal(connectionOf(store).pragma("synchronous", { simple: true }), 2);

    const relaxed = new SqliteStore(join(dir.dir, "relaxed.db"), { synchronous: "NORMAL" });
    t.after(() => relaxed.close());
    assert.equal(connectionOf(relaxed).pragma("synchronous", { simple: true }), 1, "the option is honoured, so the check above can fail");
  });

  it("lets worker processes race on one file: every run is claimed and completed exactly once", { timeout: 60_000 }, async (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const setup = new SqliteStore(dir.dbPath);
    const ids: string[] = [];
    for (let i = 0; i < 120; i += 1) ids.push((await setup.createRun(newRun())).run.id);

    const workers = ["proc-1", "proc-2", "proc-3", "proc-4"].map((id) => racer(dir.dbPath, id));
    t.after(() => workers.forEach((worker) => worker.kill()));
    await Promise.all(workers.map((worker) => worker.ready()));
    for (const worker of workers) worker.go();
    const results = await Promise.all(workers.map((worker) => worker.result()));

    const claims = results.flatMap((result, index) => result.claimed.map((id) => ({ id, worker: `proc-${index + 1}` })));
    assert.equal(claims.length, ids.length, "no run was claimed twice and none was missed");
    assert.deepEqual(new Set(claims.map((claim) => claim.id)), new Set(ids));
    assert.ok(results.every((result) => result.applied.every(Boolean)), "every commit of a claimed run was applied");
    for (const { id, worker } of claims) {
      const run = await setup.getRun(id);
      assert.equal(run?.status, "completed");
      assert.equal(run.output, JSON.stringify(worker), `${id} was completed by the process that claimed it`);
      assert.equal(run.epoch, 1);
    }
    await setup.close();
  });

  describe("user transactions on the one connection", () => {
    const misuse = (pattern: RegExp) => (error: Error & { code?: string }) => {
      assert.equal(error.code, "TRANSACTION_MISUSE", error.message);
      assert.match(error.message, pattern);
      return true;
    };

    it("refuses a call to the store from inside its own transaction, which would wait for itself forever", async (t) => {
      const store = new SqliteStore(":memory:");
      t.after(() => store.close());
      const { run } = await store.createRun(newRun());
      await assert.rejects(store.transaction(async () => await store.getRun(run.id)), misuse(/inside one of its own transactions/));
      await assert.rejects(store.transaction(async () => await store.transaction(async () => 1)), misuse(/use only its tx/));
      assert.equal((await store.getRun(run.id))?.id, run.id, "the store works on afterwards");
    });

    it("refuses SQL that ends the transaction itself", async (t) => {
      const store = new SqliteStore(":memory:");
      t.after(() => store.close());
      await assert.rejects(store.transaction(async (tx) => {
        await tx.sql`CREATE TABLE t (k TEXT)`;
        await tx.sql`COMMIT`;
      }), misuse(/ends the transaction/));
      assert.deepEqual((await store.transaction((tx) => tx.sql`SELECT 1 AS one`)).value, [{ one: 1 }], "the next transaction opens normally");
    });

    it("makes other calls wait for the open transaction only, not for the transactions queued behind it", async (t) => {
      const store = new SqliteStore(":memory:");
      t.after(() => store.close());
      let finishFirst!: () => void;
      const firstMayFinish = new Promise<void>((resolve) => (finishFirst = resolve));
      let firstEnded = false;
      const first = store.transaction(async (tx) => {
        await tx.sql`CREATE TABLE t (k TEXT)`;
        await tx.sql`INSERT INTO t (k) VALUES (${"first"})`;
        await firstMayFinish;
        firstEnded = true;
      });
      // Queued while the first is open: it reads Endure's own table, to see which calls ran before it.
      const second = store.transaction(async (tx) => {
        await tx.sql`INSERT INTO t (k) VALUES (${"second"})`;
        return await tx.sql<{ id: string }>`SELECT id FROM runs`;
      });
      let createdWhileOpen = false;
      const created = store.createRun(newRun()).then(({ run }) => {
        createdWhileOpen = !firstEnded;
        return run;
      });
      // Give every call a chance to run: none may while the first transaction is open.
      for (let turn = 0; turn < 5; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
      finishFirst();
      await first;
      const run = await created;
      assert.equal(createdWhileOpen, false, "createRun waited for the open transaction");
      assert.deepEqual((await second).value, [{ id: run.id }], "createRun, asked for after the second transaction, ran before it");
      assert.deepEqual((await store.transaction((tx) => tx.sql`SELECT k FROM t`)).value, [{ k: "first" }, { k: "second" }]);
      assert.deepEqual(await store.getRun(run.id), run);
    });

    it("closes once the open transaction has ended, letting it commit", async (t) => {
      const dir = tempDir();
      t.after(dir.cleanup);
      const store = new SqliteStore(dir.dbPath);
      let finish!: () => void;
      const mayFinish = new Promise<void>((resolve) => (finish = resolve));
      const open = store.transaction(async (tx) => {
        await tx.sql`CREATE TABLE t (k TEXT)`;
        await tx.sql`INSERT INTO t (k) VALUES (${"kept"})`;
        await mayFinish;
        return "committed";
      });
      const closed = store.close();
      await assert.rejects(store.getRun("x"), (error: Error & { code?: string }) => error.code === "CLOSED");
      finish();
      assert.deepEqual(await open, { value: "committed", applied: true });
      await closed;
      assert.deepEqual(inspect(dir.dbPath, (db) => db.prepare(`SELECT k FROM t`).all()), [{ k: "kept" }]);
    });
  });

  it("answers claims and lists from indexes, however many finished runs the file holds", async (t) => {
    const dir = tempDir();
    t.after(dir.cleanup);
    const store = new SqliteStore(dir.dbPath);
    t.after(() => store.close());
    const db = connectionOf(store);
    db.exec(`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
      INSERT INTO runs (id, workflow, status, input, created_at, updated_at, finished_at)
      SELECT 'done-' || i, 'wf-' || (i % 20), 'completed', '[]', i, i, i FROM n`);
    for (let i = 0; i < 5; i++) await store.createRun(newRun());
    db.exec("ANALYZE");
    const statements = Reflect.get(store, "sql") as Record<string, Database.Statement>;
    const planOf = (group: Record<string, Database.Statement>, name: string, params: unknown) => {
      const statement = group[name];
      assert.ok(statement, `SqliteStore has no statement "${name}"; if it was renamed, update this test`);
      return (db.prepare(`EXPLAIN QUERY PLAN ${statement.source}`).all(params) as { detail: string }[]).map((row) => row.detail).join("\n");
    };
    const plan = (name: string, params: unknown) => planOf(statements, name, params);
    const plans = {
      findDue: plan("findDue", { now: Date.now(), workflows: JSON.stringify(["wf"]), versions: "[]", limit: 100 }),
      // ---- version pinning ----
      findDueVersioned: plan("findDue", { now: Date.now(), workflows: JSON.stringify(["wf"]), versions: JSON.stringify(["v2", "v1"]), limit: 100 }),
      listByStatus: plan("listRuns", { status: "completed", workflow: null, after_created: null, after_id: null, limit: 51, tags: null }),
      listByWorkflow: plan("listRuns", { status: null, workflow: "wf-3", after_created: null, after_id: null, limit: 51, tags: null }),
      retention: plan("oldestFinished", { before: 1000, limit: 500 }),
      retentionDelete: plan("deleteRuns", { ids: JSON.stringify(["done-1"]) }),
    };
    fillOrchestrationTables(db);
    db.exec("ANALYZE");
    const queueStatements = Reflect.get(store, "queueSql") as Record<string, Database.Statement>;
    const scheduleStatements = Reflect.get(store, "scheduleSql") as Record<string, Database.Statement>;
    const now = 10_000_000;
    // The child-run trigger's UPDATE of its parent, as the trigger has it (NEW.x as parameters).
    const trigger = (db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'runs_child_finished'`).pluck().get() as string);
    const wakeParent = /UPDATE runs SET due_at[^;]*;/.exec(trigger)?.[0].replaceAll(/NEW\.(\w+)/g, "@$1");
    assert.ok(wakeParent, `no UPDATE of the parent in the trigger:\n${trigger}`);
    const orchestration = {
      countActive: planOf(queueStatements, "countActive", "q-2"),
      activeByKey: planOf(queueStatements, "activeByKey", { queue: "q-2", keys: JSON.stringify(["k-1", "k-2"]) }),
      countAdmittedSince: planOf(queueStatements, "countAdmittedSince", { queue: "q-2", since: 40_000 }),
      countQueued: planOf(queueStatements, "countQueued", "q-2"),
      queuedHead: planOf(queueStatements, "queuedHead", { queue: "q-2", now, scan: 100 }),
      admit: planOf(queueStatements, "admit", { ids: JSON.stringify(["queued-1", "queued-2"]), now }),
      getQueue: planOf(queueStatements, "getQueue", "q-1"),
      scheduleGet: planOf(scheduleStatements, "get", "s-1"),
      schedulePause: planOf(scheduleStatements, "pause", { name: "s-1", now }),
      scheduleResume: planOf(scheduleStatements, "resume", { name: "s-1", next_at: now, now }),
      scheduleDelete: planOf(scheduleStatements, "delete", "s-1"),
      findDueSchedules: planOf(scheduleStatements, "findDue", { now, workflows: JSON.stringify(["wf-1"]), limit: 50 }),
      advanceSchedule: planOf(scheduleStatements, "advance", { name: "s-1", next_at: now, last_at: now, now }),
      earliestSchedule: planOf(scheduleStatements, "earliest", { workflows: JSON.stringify(["wf-1"]) }),
      rewindPoint: plan("rewindPoint", ["old-6"]),
      moveToHistory: plan("moveToHistory", { run_id: "old-6", position: 9, retry: 2 }),
      deleteJournalFrom: plan("deleteJournalFrom", { run_id: "old-6", position: 9 }),
      reopenEvents: plan("reopenEvents", { run_id: "old-6", position: 9 }),
      childrenFrom: plan("childrenFrom", { run_id: "old-6", position: 9 }),
      consumeNotices: plan("consumeNotices", { run_id: "old-6", name: "endure:child:9", position: 9 }),
      reopenNewestNotice: plan("reopenNewestNotice", { run_id: "old-6", name: "endure:child:9" }),
      retry: plan("retry", { id: "old-6", now, version: "v2" }),
      journalLength: plan("journalLength", ["old-6"]),
      copyJournal: plan("copyJournal", { source: "old-6", fork: "fork-1", position: 5 }),
      getHistory: plan("getHistory", ["old-6"]),
      deleteHistories: plan("deleteHistories", { ids: JSON.stringify(["old-6"]) }),
      // Walks runs newest first (runs_created) until the page is full: a rare tag walks them all.
      listByTag: plan("listRuns", { status: null, workflow: null, after_created: null, after_id: null, limit: 51, tags: JSON.stringify(["t-3"]) }),
      wakeParent: (db.prepare(`EXPLAIN QUERY PLAN ${wakeParent}`).all({ parent_id: "old-6", parent_position: 9, updated_at: now }) as { detail: string }[])
        .map((row) => row.detail).join("\n"),
    };
    Object.assign(plans, orchestration);
    // ---- worker registry ----
    const workerStatements = Reflect.get(store, "workerSql") as Record<string, Database.Statement>;
    const countByStatus = planOf(workerStatements, "countByStatus", []);
    assert.match(countByStatus, /USING COVERING INDEX runs_status_created/, countByStatus);
    assert.match(orchestration.countActive, /USING INDEX runs_queue_active/, orchestration.countActive);
    for (const query of ["retry", "admit", "wakeParent"] as const) {
      assert.match(orchestration[query], /SEARCH runs USING INDEX sqlite_autoindex_runs_1 \(id=\?\)/, `${query}:\n${orchestration[query]}`);
    }
    for (const [query, text] of Object.entries(plans)) {
      assert.doesNotMatch(text, /^SCAN (runs|journal|journal_history|inbox|schedules)$/m, `${query} scans a whole table:\n${text}`);
      assert.match(text, /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|USING PRIMARY KEY/, `${query} uses no index:\n${text}`);
    }
    // Statements on given runs find them by id, not through every running run (the status index).
    const byId = {
      renewLeases: plan("renewLeases", { owner: "worker-1", ids: JSON.stringify(["done-1"]), lease_until: 1 }),
      release: plan("release", { owner: "worker-1", ids: JSON.stringify(["done-1"]), now: 1 }),
      fence: plan("fence", { id: "done-1", owner: "worker-1", epoch: 1, now: 1, cancel_delivered: 0 }),
    };
    for (const [query, text] of Object.entries(byId)) assert.match(text, /SEARCH runs USING INDEX sqlite_autoindex_runs_1 \(id=\?\)/, `${query}:\n${text}`);
  });

  // ---- event log ----
  it("answers the event log's queries, and finds the runs an event wakes, from indexes however long the log", async (t) => {
    const store = new SqliteStore(":memory:");
    t.after(() => store.close());
    const db = connectionOf(store);
    const upTo = (to: number) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${to})`;
    db.exec(`
      ${upTo(50000)} INSERT INTO event_log (type, source, payload, key, received_at) SELECT 't-' || (i % 50), 's-' || (i % 7), 'null', 'k-' || i, i FROM n;
      ${upTo(1000)} INSERT INTO triggers (name, event_type, workflow, cursor, created_at, updated_at) SELECT 'tr-' || i, 't-' || (i % 50), 'wf', 49000, 0, 0 FROM n;
      ${upTo(20000)} INSERT INTO subscriptions (run_id, position, event_type) SELECT 'r-' || i, 0, 't-' || (i % 500) FROM n;
      ANALYZE;`);
    // No runs: planned with the statistics of an empty runs table, the wake-up would walk the status index.
    const statements = Reflect.get(store, "eventLogSql") as Record<string, Database.Statement>;
    const explain = (text: string, params: unknown) => (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[]).map((row) => row.detail).join("\n");
    const plan = (name: string, params: unknown) => {
      const statement = statements[name];
      assert.ok(statement, `SqliteStore has no event log statement "${name}"; if it was renamed, update this test`);
      return explain(statement.source, params);
    };
    // The subscription trigger's wake-up, as the trigger has it (NEW.x as parameters).
    const trigger = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'event_log_to_subscribers'`).pluck().get() as string;
    const wake = /UPDATE runs SET due_at[^;]*;/.exec(trigger)?.[0].replaceAll(/NEW\.(\w+)/g, "@$1");
    assert.ok(wake, `no UPDATE of runs in the trigger:\n${trigger}`);
    const plans = {
      page: plan("listEvents", { before: 100, limit: 51 }),
      ofType: plan("listEventsOfType", { type: "t-3", before: 40000, limit: 51 }),
      fromSource: plan("listEventsFromSource", { source: "s-3", before: 40000, limit: 51 }),
      ofTypeFromSource: plan("listEventsOfTypeFromSource", { type: "t-3", source: "s-3", before: 40000, limit: 51 }),
      eventByKey: plan("eventByKey", ["k-7"]),
      pendingTriggers: plan("pendingTriggers", { names: JSON.stringify(["tr-1", "tr-2"]) }),
      nextEvents: plan("nextEvents", { type: "t-3", cursor: 100, name: "tr-1", limit: 100 }),
      deleteSubscriptions: plan("deleteSubscriptions", { ids: JSON.stringify(["r-1"]) }),
      wake: explain(wake, { type: "t-3", received_at: 1 }),
    };
    for (const [query, text] of Object.entries(plans)) {
      assert.doesNotMatch(text, /^SCAN (event_log|triggers|subscriptions|runs)$/m, `${query} scans a whole table:\n${text}`);
      assert.match(text, /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|USING PRIMARY KEY/, `${query} uses no index:\n${text}`);
    }
    assert.match(plans.wake, /SEARCH runs USING INDEX sqlite_autoindex_runs_1 \(id=\?\)/, `the woken runs are found by id, not among every waiting run:\n${plans.wake}`);
    assert.match(plans.ofType, /USING INDEX event_log_type/, plans.ofType);
    assert.match(plans.fromSource, /USING INDEX event_log_source/, plans.fromSource);
  });

  it("has the schema committed in test/store/schema.sql", async () => {
    const live = await dumpSchema();
    const committed = readFileSync(new URL("./schema.sql", import.meta.url), "utf8");
    if (live === committed) return;
    const liveLines = live.split("\n");
    const committedLines = committed.split("\n");
    const line = liveLines.findIndex((text, index) => text !== committedLines[index]);
    const at = line === -1 ? liveLines.length : line;
    assert.fail(
      "test/store/schema.sql no longer matches the schema the migrations create. Regenerate it with\n" +
        `  ${REGENERATE_COMMAND}\n` +
        `and commit the diff with the migration. First difference, line ${at + 1}:\n` +
        `  committed: ${JSON.stringify(committedLines[at] ?? "<end of file>")}\n` +
        `  migrated:  ${JSON.stringify(liveLines[at] ?? "<end of file>")}`,
    );
  });
});

/**
 * Tables as a store in use holds them: 50,000 finished runs (half admitted by queues, a third child
 * runs, a quarter tagged), 20,000 runs queued in other queues, long journals and retry histories,
 * a busy inbox, 20,000 schedules (a quarter paused) and 1,000 queues.
 */
function fillOrchestrationTables(db: Database.Database): void {
  const upTo = (from: number, to: number) => `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})`;
  db.exec(`
    ${upTo(1, 50000)}
    INSERT INTO runs (id, workflow, status, input, created_at, updated_at, finished_at, queue, concurrency_key, admitted_at, parent_id, parent_position, tags)
    SELECT 'old-' || i, 'wf-' || (i % 20), 'completed', '[]', i, i, i,
      CASE WHEN i % 2 = 0 THEN 'q-' || (i % 10) END, CASE WHEN i % 2 = 0 THEN 'k-' || (i % 7) END, CASE WHEN i % 2 = 0 THEN i END,
      CASE WHEN i % 3 = 0 THEN 'old-' || (i / 3) END, CASE WHEN i % 3 = 0 THEN i % 50 END,
      CASE WHEN i % 4 = 0 THEN json_array('t-' || (i % 9), 'all') END FROM n;
    ${upTo(1, 20000)}
    INSERT INTO runs (id, workflow, status, input, created_at, updated_at, queue, concurrency_key, priority, admit_at)
    SELECT 'queued-' || i, 'wf-' || (i % 20), 'queued', '[]', 50000 + i, 50000 + i, 'other-' || (i % 5), 'k-' || (i % 7), i % 3, 50000 + i FROM n;
    ${upTo(10, 100000)}
    INSERT INTO journal (run_id, position, kind, name, status, attempts)
    SELECT 'old-' || (i / 10), i % 10, 'step', 's', CASE WHEN i % 10 = 9 THEN 'failed' ELSE 'completed' END, 1 FROM n;
    ${upTo(10, 100000)}
    INSERT INTO journal_history (run_id, retry, position, kind, name, status, attempts)
    SELECT 'old-' || (i / 10), 1, i % 10, 'step', 's', 'failed', 1 FROM n;
    ${upTo(5, 100000)}
    INSERT INTO inbox (run_id, name, payload, sent_at, consumed_position)
    SELECT 'old-' || (i / 5), CASE WHEN i % 2 = 0 THEN 'endure:child:' || (i % 5) ELSE 'e' END, 'null', i, i % 5 FROM n;
    ${upTo(1, 20000)}
    INSERT INTO schedules (name, workflow, cron, timezone, input, options, catch_up, paused, next_at, created_at, updated_at)
    SELECT 's-' || i, 'wf-' || (i % 20), '* * * * *', 'UTC', '[]', '{}', 'latest', i % 4 = 0, CASE WHEN i % 4 <> 0 THEN i * 1000 END, 0, 0 FROM n;
    ${upTo(0, 999)}
    INSERT INTO queues (name, concurrency, updated_at) SELECT 'q-' || i, 5, 0 FROM n;`);
}

interface RaceResult {
  claimed: string[];
  applied: boolean[];
}

/** A child process running `fixtures/claim-race.ts` against `dbPath`. */
function racer(dbPath: string, workerId: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "test/store/fixtures/claim-race.ts", dbPath, workerId], {
    cwd: repoRoot,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (what: string): Promise<string> => {
    const { value, done } = await lines.next();
    if (done) assert.fail(`${workerId} exited (code ${String(await exited)}) before ${what}:\n${stderr}`);
    return value;
  };
  return {
    async ready() {
      assert.equal(await nextLine("saying ready"), "ready");
    },
    go() {
      child.stdin.end("go\n");
    },
    async result(): Promise<RaceResult> {
      const line = await nextLine("printing its result");
      assert.equal(await exited, 0, stderr);
      return JSON.parse(line) as RaceResult;
    },
    kill() {
      if (child.exitCode === null) child.kill();
    },
  };
}
