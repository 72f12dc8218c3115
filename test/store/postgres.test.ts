import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { Endure, step, workflow } from "../../src/index.js";
import { PostgresStore, SESSION_OPTIONS } from "../../src/store/postgres/postgres-store.js";
import { CommitBatch } from "../../src/store/postgres/commit-batch.js";
import { queueStatements } from "../../src/store/postgres/queue-sql.js";
import { scheduleStatements } from "../../src/store/postgres/schedule-sql.js";
import { statements } from "../../src/store/postgres/sql.js";
import type { Store } from "../../src/store/store.js";
import { DATABASE_URL, freshSchema, postgresOnly } from "../helpers/postgres.js";
import { waitUntil } from "../helpers/wait-until.js";
import { claimRequest, newRun, stepEntry } from "./builders.js";
import { storeConformance } from "./conformance.js";

describe("PostgreSQL", postgresOnly, () => {
  storeConformance("PostgresStore", {
    async create({ clock }) {
      const schema = freshSchema();
      const store = await PostgresStore.open(schema.url, { clock });
      const others: Store[] = [];
      return {
        store,
        async connectAgain() {
          const other = await PostgresStore.open(schema.url, { clock });
          others.push(other);
          return other;
        },
        async cleanup() {
          for (const open of [store, ...others]) await open.close();
          await schema.drop();
        },
      };
    },
  });

  describe("PostgresStore", () => {
    let admin: pg.Client;
    before(async () => {
      admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
    });
    after(() => admin.end());

    /** A fresh schema, dropped after the test. */
    const schemaFor = (t: { after(fn: () => Promise<void>): void }) => {
      const schema = freshSchema();
      t.after(() => schema.drop());
      return schema;
    };

    it("migrates a schema once when many processes open it at the same moment (advisory lock)", async (t) => {
      const schema = schemaFor(t);
      const stores = await Promise.all(Array.from({ length: 8 }, () => PostgresStore.open(schema.url)));
      t.after(() => Promise.all(stores.map((store) => store.close())));
      const { rows } = await admin.query(`SELECT version, name FROM "${schema.schema}".schema_migrations ORDER BY version`);
      assert.ok(rows.length >= 1);
      assert.deepEqual(rows.map((row: { version: number }) => row.version), [...new Set(rows.map((row: { version: number }) => row.version))]);
      const { run } = await stores[0]!.createRun(newRun());
      assert.equal((await stores[7]!.getRun(run.id))?.id, run.id, "all of them share the one schema");
    });

    it("keeps its tables in the schema the URL names, apart from other schemas of the same database", async (t) => {
      const first = schemaFor(t);
      const second = schemaFor(t);
      const a = await PostgresStore.open(first.url);
      const b = await PostgresStore.open(second.url);
      t.after(async () => {
        await a.close();
        await b.close();
      });
      const { run } = await a.createRun(newRun());
      assert.equal(await b.getRun(run.id), undefined);
      const { rows } = await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [first.schema]);
      assert.deepEqual(rows.map((row: { table_name: string }) => row.table_name), ["event_log", "inbox", "journal", "journal_history", "queues", "runs", "schedules", "schema_migrations", "subscriptions", "triggers", "webhooks", "workers", "workflows"]);
    });

    it("stores ids, names and payloads full of quotes, semicolons and SQL unchanged", async (t) => {
      const schema = schemaFor(t);
      const store = await PostgresStore.open(schema.url);
      t.after(() => store.close());
      const hostile = `'; DROP TABLE runs; -- "quoted" \\ $1 %s`;
      const { run } = await store.createRun({ id: hostile, workflow: `wf'); DELETE FROM runs; --`, input: JSON.stringify([hostile]) });
      assert.deepEqual(await store.getRun(hostile), run);
      assert.equal(run.workflow, `wf'); DELETE FROM runs; --`);
      assert.deepEqual(await store.sendEvent({ runId: hostile, name: `x' OR '1'='1`, payload: hostile, key: hostile }), { result: "sent" });
      const [claimed] = await store.claimRuns(claimRequest("w'; --", { workflows: [run.workflow] }));
      assert.equal(claimed?.run.id, hostile);
      assert.deepEqual(claimed.inbox.map((event) => [event.name, event.payload]), [[`x' OR '1'='1`, hostile]]);
      assert.equal((await store.listRuns({ limit: 10, workflow: run.workflow })).runs.length, 1, "the runs table is still there");
    });

    it("refuses SQL that ends the transaction itself, and rolls back", async (t) => {
      const schema = schemaFor(t);
      const store = await PostgresStore.open(schema.url);
      t.after(() => store.close());
      const table = `"${schema.schema}".t`;
      await store.transaction((tx) => tx.query(`CREATE TABLE ${table} (k TEXT)`));
      for (const control of ["COMMIT", "  rollback", "END", "BEGIN", "start transaction"]) {
        await assert.rejects(store.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${table} VALUES ('written')`);
          await tx.query(control);
        }), { code: "TRANSACTION_MISUSE", message: /ends the transaction; Endure commits or rolls it back itself/ });
      }
      assert.deepEqual((await store.transaction((tx) => tx.query(`SELECT count(*)::int AS n FROM ${table}`))).value, [{ n: 0 }]);
    });

    it("answers claims and lists from indexes, however many finished runs the table holds", async (t) => {
      const schema = schemaFor(t);
      const store = await PostgresStore.open(schema.url);
      t.after(() => store.close());
      const runs = `"${schema.schema}".runs`;
      await admin.query(`
        INSERT INTO ${runs} (id, workflow, status, input, created_at, updated_at, finished_at)
        SELECT 'done-' || i, 'wf-' || (i % 20), 'completed', '[]', i, i, i FROM generate_series(1, 50000) AS i`);
      for (let i = 0; i < 5; i++) await store.createRun(newRun());
      await admin.query(`ANALYZE ${runs}`);
      const sql = statements(schema.schema);
      const plan = async (text: string, params: unknown[]) =>
        (await admin.query(`EXPLAIN ${text}`, params)).rows.map((row: { "QUERY PLAN": string }) => row["QUERY PLAN"]).join("\n");
      const now = Date.now();
      const plans = {
        claim: await plan(sql.claim, [now, ["wf"], 100, "worker-1", now + 5000, 5, [], null]),
        // ---- version pinning ----
        claimVersioned: await plan(sql.claim, [now, ["wf"], 100, "worker-1", now + 5000, 5, ["v2", "v1"], "v2"]),
        listByStatus: await plan(sql.listRuns, ["completed", null, null, null, 51, null]),
        listByWorkflow: await plan(sql.listRuns, [null, "wf-3", null, null, 51, null]),
        listAll: await plan(sql.listRuns, [null, null, 25_000, "done-25000", 51, null]),
        retention: await plan(sql.oldestFinished, [1000, 500]),
        retentionDelete: await plan(sql.deleteRuns, [["done-1", "done-2"]]),
        finishRun: await plan(sql.finishRun, ["worker-1", now, "done-1", 1, false, "completed", "1", null]),
        stepCommit: await plan(sql.commitStep, ["worker-1", now, "done-1", 1, false, 0, "step", "s", "completed", "1", null, 1, now, now, null, 1]),
        groupCommit: await plan(sql.commit, ["worker-1", now, ...new CommitBatch(Array.from({ length: 40 }, (_, i) => ({
          runId: `done-${i + 1}`, epoch: 1, entries: [stepEntry(0)], consumed: [{ eventSeq: i + 1, position: 0 }], cancelDelivered: false,
        }))).params()]),
        listByTag: await plan(sql.listRuns, [null, null, null, null, 51, ["t-3"]]),
      };
      await fillOrchestrationTables(admin, schema.schema);
      await admin.query(`ANALYZE "${schema.schema}".runs, "${schema.schema}".journal, "${schema.schema}".journal_history, "${schema.schema}".inbox, "${schema.schema}".schedules, "${schema.schema}".queues`);
      for (const [query, [text, params]] of Object.entries(orchestrationStatements(schema.schema))) Object.assign(plans, { [query]: await plan(text, params) });
      for (const [query, text] of Object.entries(plans)) {
        assert.doesNotMatch(text, /Seq Scan on runs/, `${query} scans the whole runs table:\n${text}`);
        assert.match(text, /Index (Only )?Scan/, `${query} uses no index:\n${text}`);
      }
    });

    it("keeps a group commit planned while the tables were empty on the primary key once they have grown", async (t) => {
      const schema = schemaFor(t);
      const store = await PostgresStore.open(schema.url);
      t.after(() => store.close());
      // A connection as the store opens them; the statement is planned on its first run, then kept.
      const session = new pg.Client({ connectionString: DATABASE_URL, options: SESSION_OPTIONS });
      await session.connect();
      t.after(() => session.end());
      const sql = statements(schema.schema);
      const params = (runs: number) => ["worker-1", Date.now(), ...new CommitBatch(Array.from({ length: runs }, (_, i) => ({
        runId: `done-${i + 1}`, epoch: 1, entries: [stepEntry(0)], consumed: [{ eventSeq: i + 1, position: 0 }], cancelDelivered: false,
      }))).params()];
      await session.query({ name: "planned_commit", text: sql.commit, values: params(1) });
      // Grown without ANALYZE, which would make the server plan it again.
      await admin.query(`
        INSERT INTO "${schema.schema}".runs (id, workflow, status, input, created_at, updated_at, owner, epoch)
        SELECT 'done-' || i, 'wf', 'running', '[]', i, i, 'worker-1', 1 FROM generate_series(1, 50000) AS i`);
      const literal = (value: unknown): string => {
        if (value === null) return "NULL";
        if (typeof value === "number") return String(value);
        if (Array.isArray(value)) return literal(`{${value.map((item) => (item === null ? "NULL" : JSON.stringify(String(item)))).join(",")}}`);
        return session.escapeLiteral(String(value));
      };
      const { rows } = await session.query(`EXPLAIN EXECUTE planned_commit(${params(40).map(literal).join(", ")})`);
      const plan = rows.map((row: { "QUERY PLAN": string }) => row["QUERY PLAN"]).join("\n");
      assert.match(plan, /Index Scan using runs_pkey on runs/, plan);
      assert.doesNotMatch(plan, /Seq Scan|Hash Join|Merge Join|runs_status_created|runs_owner/, plan);
    });

    it("keeps the orchestration statements planned while the tables were empty on their indexes once they have grown", async (t) => {
      const schema = schemaFor(t);
      const store = await PostgresStore.open(schema.url);
      t.after(() => store.close());
      const session = new pg.Client({ connectionString: DATABASE_URL, options: SESSION_OPTIONS });
      await session.connect();
      t.after(() => session.end());
      await session.query(`SET search_path = "${schema.schema}"`);
      const literal = (value: unknown): string => {
        if (value === null) return "NULL";
        if (typeof value === "number") return String(value);
        if (Array.isArray(value)) return literal(`{${value.map((item) => JSON.stringify(String(item))).join(",")}}`);
        return session.escapeLiteral(String(value));
      };
      const explain = async (name: string, params: unknown[]) =>
        (await session.query(`EXPLAIN EXECUTE ${name}(${params.map(literal).join(", ")})`)).rows.map((row: { "QUERY PLAN": string }) => row["QUERY PLAN"]).join("\n");
      // Each planned once on the empty tables (a generic plan, kept), as the store's connections do.
      const cases = Object.entries(orchestrationStatements(schema.schema));
      for (const [query, [text, params]] of cases) {
        await session.query(`PREPARE ${query} AS ${text}`);
        await explain(query, params);
      }
      // The child-run trigger plans its UPDATE of the parent on the first child's end, here on an
      // empty table too; auto_explain shows the plan it keeps.
      const endChild = async (parent: string, child: string) => {
        await session.query(`INSERT INTO runs (id, workflow, status, input, created_at, updated_at, waiting_for) VALUES ($1, 'wf', 'waiting', '[]', 0, 0, '{endure:child:0}')`, [parent]);
        await session.query(`INSERT INTO runs (id, workflow, status, input, created_at, updated_at, parent_id, parent_position) VALUES ($1, 'wf', 'running', '[]', 0, 0, $2, 0)`, [child, parent]);
        await session.query(`UPDATE runs SET status = 'completed', updated_at = 7 WHERE id = $1`, [child]);
      };
      await endChild("parent-0", "child-0");
      // Grown without ANALYZE, which would make the server plan them again.
      await fillOrchestrationTables(admin, schema.schema);
      const plans = Object.fromEntries(await Promise.all(cases.map(async ([query, [, params]]) => [query, await explain(query, params)] as const)));
      for (const [query, text] of Object.entries(plans)) {
        assert.doesNotMatch(text, /Seq Scan/, `${query} scans a whole table:\n${text}`);
        assert.match(text, /Index (Only )?Scan/, `${query} uses no index:\n${text}`);
      }
      assert.match(plans.countActive!, /runs_queue_active/, `the active count reads only the runs holding a slot:\n${plans.countActive}`);
      assert.doesNotMatch(plans.countActive!, /runs_queue_admitted/, plans.countActive);
      const notices: string[] = [];
      session.on("notice", (notice) => notices.push(notice.message ?? ""));
      await session.query("LOAD 'auto_explain'");
      await session.query("SET auto_explain.log_min_duration = 0; SET auto_explain.log_level = 'notice'; SET auto_explain.log_nested_statements = on");
      await endChild("parent-1", "child-1");
      const wakeParent = notices.find((notice) => notice.includes("UPDATE runs SET due_at = NEW.updated_at"));
      assert.ok(wakeParent, `auto_explain showed no plan of the trigger's UPDATE:\n${notices.join("\n")}`);
      assert.match(wakeParent, /Index Scan using runs_pkey on runs/, wakeParent);
      assert.doesNotMatch(wakeParent, /runs_status_created|Seq Scan/, wakeParent);
      assert.equal((await session.query(`SELECT due_at FROM runs WHERE id = 'parent-1'`)).rows[0].due_at, "7", "the parent was woken");
    });

    it("plans user transactions with the server's settings, not with those of Endure's own statements", async (t) => {
      const store = await PostgresStore.open(schemaFor(t).url);
      t.after(() => store.close());
      const { value } = await store.transaction((tx) => tx.query("SELECT current_setting('enable_seqscan') AS seq, current_setting('enable_hashjoin') AS hash"));
      assert.deepEqual(value, [{ seq: "on", hash: "on" }]);
    });

    /**
     * A store on a fresh schema whose connections carry a name of their own, with a run worker-1
     * claimed; `lockWait()` resolves once one of its connections waits for a lock.
     */
    const claimedRunOnNamedStore = async (t: { after(fn: () => Promise<void>): void }) => {
      const schema = schemaFor(t);
      const name = `named_${randomUUID().slice(0, 8)}`;
      const url = new URL(schema.url);
      url.searchParams.set("application_name", name);
      const store = await PostgresStore.open(url.toString());
      t.after(() => store.close());
      const { run } = await store.createRun(newRun());
      const [claimed] = await store.claimRuns(claimRequest("worker-1"));
      assert.equal(claimed?.run.id, run.id);
      const lockWait = (what: string) => waitUntil(async () => {
        const { rows } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = $1`, [name]);
        return rows.length > 0;
      }, what);
      return { schema, store, run, claimed, lockWait };
    };

    it("a run suspending while an event for it is being sent, under the run's row lock, still sees the event", async (t) => {
      const { schema, store, run, claimed, lockWait } = await claimedRunOnNamedStore(t);
      // What sendEvent does, held open: the run's row locked, the event added, not yet committed.
      const sender = new pg.Client({ connectionString: DATABASE_URL });
      await sender.connect();
      t.after(() => sender.end());
      await sender.query("BEGIN");
      await sender.query(`SELECT 1 FROM "${schema.schema}".runs WHERE id = $1 FOR UPDATE`, [run.id]);
      await sender.query(`INSERT INTO "${schema.schema}".inbox (run_id, name, payload, sent_at) VALUES ($1, 'go', 'null', 0)`, [run.id]);
      const suspending = store.commit("worker-1", [{
        runId: run.id, epoch: claimed.run.epoch, entries: [], consumed: [], cancelDelivered: false,
        outcome: { status: "waiting", dueAt: null, waitingFor: ["go"] },
      }]);
      await lockWait("the suspending commit to wait for the row lock");
      await sender.query("COMMIT");
      assert.deepEqual(await suspending, [true]);
      const after = await store.getRun(run.id);
      assert.equal(after?.status, "waiting");
      assert.ok(after.dueAt !== null, "the event sent meanwhile makes the run due at once, not wait forever");
    });

    it("opens at most the pool size of connections, however many calls run at once", async (t) => {
      const schema = schemaFor(t);
      const name = `pool_${randomUUID().slice(0, 8)}`;
      const url = new URL(schema.url);
      url.searchParams.set("pool", "3");
      url.searchParams.set("application_name", name);
      const store = await PostgresStore.open(url.toString());
      t.after(() => store.close());
      await Promise.all(Array.from({ length: 60 }, () => store.listRuns({ limit: 5 })));
      const { rows } = await admin.query(`SELECT count(*)::int AS connections FROM pg_stat_activity WHERE application_name = $1`, [name]);
      const connections = (rows[0] as { connections: number }).connections;
      assert.ok(connections >= 1 && connections <= 3, `${connections} connections`);
    });

    it("wakes an idle worker through NOTIFY when another process starts a run, long before its next poll", async (t) => {
      const schema = schemaFor(t);
      const echo = workflow("notify-echo", async (text: string) => await step("echo", async (value: string) => value)(text));
      const workerSide = await Endure.open({ store: schema.url });
      t.after(() => workerSide.close());
      await workerSide.startWorker({ workflows: [echo], pollInterval: "1h" });
      // Another client, so no in-process signal reaches the worker: only the database can.
      const clientSide = await Endure.open({ store: schema.url });
      t.after(() => clientSide.close());
      // The worker's listener connects in the background; a run started before it listens would
      // wait for the next poll, so keep starting until one is picked up.
      const result = await waitUntil(async () => {
        const run = await clientSide.start(echo, ["hello"]);
        return await Promise.race([run.result(), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1000).unref())]);
      }, "a run to be picked up without polling", 20_000, 0);
      assert.equal(result, "hello");
    });

    // ---- event log ----
    it("commits concurrent appends from many connections in seq order: a reader never sees a smaller seq appear later", { timeout: 60_000 }, async (t) => {
      const schema = schemaFor(t);
      const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(schema.url)));
      t.after(() => Promise.all(stores.map((store) => store.close())));
      let appending = true;
      const appenders = stores.flatMap((store, s) => Array.from({ length: 4 }, async (_, a) => {
        for (let i = 0; i < 40; i += 1) await store.appendEvents([{ type: "tick", source: "test", payload: JSON.stringify([s, a, i]) }]);
      }));
      const done = Promise.all(appenders).finally(() => (appending = false));
      // What a trigger's cursor relies on: once seq n is visible, every seq below n that will ever
      // commit is visible too.
      const read = async () => ((await admin.query(`SELECT seq FROM "${schema.schema}".event_log ORDER BY seq`)).rows as { seq: string }[]).map((row) => Number(row.seq));
      let seen = new Set<number>();
      let highest = 0;
      let reads = 0;
      while (appending) {
        const now = await read();
        const late = now.filter((seq) => seq < highest && !seen.has(seq));
        assert.deepEqual(late, [], `seqs below ${highest} became visible after it`);
        seen = new Set(now);
        highest = Math.max(highest, ...now);
        reads += 1;
      }
      await done;
      assert.equal((await read()).length, 4 * 4 * 40);
      assert.ok(reads > 10, `the reader read while appends went on (${reads} reads)`);
    });

    it("NOTIFYs the store's wake channel on append, so other processes' dispatchers learn of new events", async (t) => {
      const schema = schemaFor(t);
      const listening = await PostgresStore.open(schema.url);
      const appending = await PostgresStore.open(schema.url);
      t.after(async () => {
        await listening.close();
        await appending.close();
      });
      let wakes = 0;
      t.after(listening.watchDue(() => (wakes += 1)));
      // The listener tells once it is connected: from then on, only a NOTIFY wakes it.
      await waitUntil(() => wakes > 0, "the wake listener to connect");
      const before = wakes;
      await appending.appendEvents([{ type: "tick", source: "test", payload: "null" }]);
      await waitUntil(() => wakes > before, "a wake after the append");
    });

    it("a run suspending while an event it subscribed to is being appended still sees the event", async (t) => {
      const { schema, store, run, claimed, lockWait } = await claimedRunOnNamedStore(t);
      const subscribe = { runId: run.id, epoch: claimed.run.epoch, entries: [], consumed: [], cancelDelivered: false };
      assert.deepEqual(await store.commit("worker-1", [{ ...subscribe, subscriptions: [{ position: 0, eventType: "tick" }] }]), [true]);
      // An append held open: its trigger locked the run and delivered the event, not yet committed.
      const appender = new pg.Client({ connectionString: DATABASE_URL });
      await appender.connect();
      let suspending: Promise<boolean[]>;
      try {
        await appender.query("BEGIN");
        await appender.query(`INSERT INTO "${schema.schema}".event_log (type, source, payload, received_at) VALUES ('tick', 'test', 'null', 0)`);
        suspending = store.commit("worker-1", [{ ...subscribe, outcome: { status: "waiting", dueAt: null, waitingFor: ["endure:sub:0"] } }]);
        await lockWait("the suspending commit to wait for the run's row lock, which the append's trigger holds");
        await appender.query("COMMIT");
      } finally {
        // Ends an append left open by a failure, which would hold the schema's drop up forever.
        await appender.end();
      }
      assert.deepEqual(await suspending, [true]);
      const after = await store.getRun(run.id);
      assert.equal(after?.status, "waiting");
      assert.ok(after.dueAt !== null, "the event appended meanwhile makes the run due at once, not wait forever");
    });
  });

  describe("opening a PostgreSQL store", () => {
    it("says so clearly when nothing listens at the address", async () => {
      const url = "postgres://postgres:secret@127.0.0.1:1/postgres";
      await assert.rejects(Endure.open({ store: url }), (error: Error & { code?: string }) => {
        assert.equal(error.code, "STORE_UNAVAILABLE");
        assert.match(error.message, /The PostgreSQL store at postgres@127\.0\.0\.1:1\/postgres is unreachable \(.*ECONNREFUSED.*\)\. Check that the server is running/);
        assert.doesNotMatch(error.message, /secret/, "the password is never shown");
        return true;
      });
    });

    it("says so clearly when the credentials are wrong", async () => {
      const url = new URL(DATABASE_URL!);
      url.password = "not-the-password";
      await assert.rejects(Endure.open({ store: url.toString() }), (error: Error & { code?: string }) => {
        assert.equal(error.code, "STORE_ACCESS_DENIED");
        assert.match(error.message, /refused the credentials \(password authentication failed for user "postgres"\)\. Check the user and password/);
        assert.doesNotMatch(error.message, /not-the-password/);
        return true;
      });
    });

    it("says so clearly when the database does not exist", async () => {
      const url = new URL(DATABASE_URL!);
      url.pathname = "/no_such_database";
      await assert.rejects(Endure.open({ store: url.toString() }), {
        code: "STORE_ACCESS_DENIED",
        message: /database "no_such_database" does not exist at postgres@127\.0\.0\.1:\d+\/no_such_database\. Create it/,
      });
    });

    it("refuses URLs that are not PostgreSQL's, or name a bad schema, before connecting", async () => {
      await assert.rejects(Endure.open({ store: "mysql://root@localhost/db" }), { code: "INVALID_ARGUMENT", message: /"mysql:\/\/root@localhost\/db" is not a store URL/ });
      await assert.rejects(Endure.open({ store: "postgres://u:pw@/db" }), { code: "INVALID_ARGUMENT", message: /"postgres:\/\/u:\*\*\*@\/db" is not a valid PostgreSQL URL/ });
      await assert.rejects(Endure.open({ store: "postgres:///db" }), { code: "INVALID_ARGUMENT", message: /names no host/ });
      await assert.rejects(Endure.open({ store: `${DATABASE_URL}?schema=Bad-Name;` }), { code: "INVALID_ARGUMENT", message: /The schema "Bad-Name;" in the PostgreSQL URL is not a plain name/ });
      await assert.rejects(Endure.open({ store: `${DATABASE_URL}?pool=0` }), { code: "INVALID_ARGUMENT", message: /pool size "0"/ });
    });
  });
});

/**
 * Tables as a store in use holds them: 50,000 finished runs (half admitted by queues, a third child
 * runs, a quarter tagged), 20,000 runs queued in other queues, long journals and retry histories,
 * a busy inbox, 20,000 schedules (a quarter paused) and 1,000 queues.
 */
async function fillOrchestrationTables(admin: pg.Client, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await admin.query(`
    INSERT INTO ${s}.runs (id, workflow, status, input, created_at, updated_at, finished_at, queue, concurrency_key, admitted_at, parent_id, parent_position, tags)
    SELECT 'old-' || i, 'wf-' || (i % 20), 'completed', '[]', i, i, i,
      CASE WHEN i % 2 = 0 THEN 'q-' || (i % 10) END, CASE WHEN i % 2 = 0 THEN 'k-' || (i % 7) END, CASE WHEN i % 2 = 0 THEN i END,
      CASE WHEN i % 3 = 0 THEN 'old-' || (i / 3) END, CASE WHEN i % 3 = 0 THEN i % 50 END,
      CASE WHEN i % 4 = 0 THEN ARRAY['t-' || (i % 9), 'all'] END
    FROM generate_series(1, 50000) AS i`);
  await admin.query(`
    INSERT INTO ${s}.runs (id, workflow, status, input, created_at, updated_at, queue, concurrency_key, priority, admit_at)
    SELECT 'queued-' || i, 'wf-' || (i % 20), 'queued', '[]', 50000 + i, 50000 + i, 'other-' || (i % 5), 'k-' || (i % 7), i % 3, 50000 + i
    FROM generate_series(1, 20000) AS i`);
  await admin.query(`
    INSERT INTO ${s}.journal (run_id, position, kind, name, status, attempts)
    SELECT 'old-' || (i / 10), i % 10, 'step', 's', CASE WHEN i % 10 = 9 THEN 'failed' ELSE 'completed' END, 1 FROM generate_series(10, 100000) AS i`);
  await admin.query(`
    INSERT INTO ${s}.journal_history (run_id, retry, position, kind, name, status, attempts)
    SELECT 'old-' || (i / 10), 1, i % 10, 'step', 's', 'failed', 1 FROM generate_series(10, 100000) AS i`);
  await admin.query(`
    INSERT INTO ${s}.inbox (run_id, name, payload, sent_at, consumed_position)
    SELECT 'old-' || (i / 5), CASE WHEN i % 2 = 0 THEN 'endure:child:' || (i % 5) ELSE 'e' END, 'null', i, i % 5 FROM generate_series(5, 100000) AS i`);
  await admin.query(`
    INSERT INTO ${s}.schedules (name, workflow, cron, timezone, input, options, catch_up, paused, next_at, created_at, updated_at)
    SELECT 's-' || i, 'wf-' || (i % 20), '* * * * *', 'UTC', '[]', '{}', 'latest', i % 4 = 0, CASE WHEN i % 4 <> 0 THEN i * 1000 END, 0, 0
    FROM generate_series(1, 20000) AS i`);
  await admin.query(`INSERT INTO ${s}.queues (name, concurrency, updated_at) SELECT 'q-' || i, 5, 0 FROM generate_series(0, 999) AS i`);
}

/** The statements of queues, schedules and retry/fork, each with parameters for the tables above. */
function orchestrationStatements(schema: string): Record<string, [string, unknown[]]> {
  const sql = statements(schema);
  const queues = queueStatements(schema);
  const schedules = scheduleStatements(schema);
  const now = 10_000_000;
  return {
    lockQueue: [queues.lockQueue, ["q-1"]],
    countActive: [queues.countActive, ["q-2"]],
    activeByKey: [queues.activeByKey, ["q-2", ["k-1", "k-2"]]],
    countAdmittedSince: [queues.countAdmittedSince, ["q-2", 40_000]],
    countQueued: [queues.countQueued, ["q-2"]],
    queuedHead: [queues.queuedHead, ["q-2", now, 100]],
    admit: [queues.admit, [["queued-1", "queued-2"], now]],
    scheduleGet: [schedules.get, ["s-1"]],
    schedulePause: [schedules.pause, ["s-1", now]],
    scheduleResume: [schedules.resume, ["s-1", now, now]],
    scheduleDelete: [schedules.delete, ["s-1"]],
    lockDueSchedules: [schedules.lockDue, [now, ["wf-1"], 50]],
    advanceSchedule: [schedules.advance, ["s-1", now, now, now]],
    earliestSchedule: [schedules.earliest, [["wf-1"]]],
    rewindPoint: [sql.rewindPoint, ["old-6"]],
    moveToHistory: [sql.moveToHistory, ["old-6", 9, 2]],
    reopenEvents: [sql.reopenEvents, ["old-6", 9]],
    childrenFrom: [sql.childrenFrom, ["old-6", 9]],
    consumeNotices: [sql.consumeNotices, ["old-6", "endure:child:9", 9]],
    reopenNewestNotice: [sql.reopenNewestNotice, ["old-6", "endure:child:9"]],
    retry: [sql.retry, ["old-6", now, "v2"]],
    journalLength: [sql.journalLength, ["old-6"]],
    copyJournal: [sql.copyJournal, ["old-6", "fork-1", 5]],
    getHistory: [sql.getHistory, ["old-6"]],
    deleteHistories: [sql.deleteHistories, [["old-6"]]],
  };
}
