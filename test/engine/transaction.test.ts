import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  InvalidArgumentError,
  NonRetryableError,
  NotInWorkflowError,
  RunFailedError,
  SerializationError,
  TimeoutError,
  TransactionMisuseError,
  step,
  stepContext,
  transaction,
  uuid,
  waitForEvent,
  workflow,
  type Endure,
} from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";
import { sqlOn, uniqueTableName } from "../store/user-table.js";

/** A fresh table `(k TEXT PRIMARY KEY, n INTEGER)` in the store's database. */
async function newTable(endure: Endure): Promise<string> {
  const table = uniqueTableName();
  await endure.transaction((tx) => sqlOn(tx, { t: table })`CREATE TABLE IF NOT EXISTS {t} (k TEXT PRIMARY KEY, n INTEGER NOT NULL)`);
  return table;
}

async function rowsOf(endure: Endure, table: string): Promise<{ k: string; n: number }[]> {
  const rows = await endure.transaction((tx) => sqlOn(tx, { t: table })`SELECT k, n FROM {t} ORDER BY k`);
  return rows.map((row) => ({ k: String(row.k), n: Number(row.n) }));
}

describe("transaction()", () => {
  test("commits the step's writes with its journal entry; the workflow gets the result", async (t) => {
    const book = transaction("book", async (tx, table: string, k: string, n: number) => {
      const sql = sqlOn(tx, { t: table });
      await sql`INSERT INTO {t} (k, n) VALUES (${k}, ${n})`;
      const [row] = await sql`SELECT COUNT(*) AS count FROM {t}`;
      return { booked: k, rows: Number(row!.count) };
    });
    const wf = workflow("tx-journaled", async (table: string) => await book(table, "a", 7));
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const table = await newTable(endure);

    const run = await endure.start(wf, [table]);
    assert.deepEqual(await run.result(), { booked: "a", rows: 1 });
    const [entry, ...rest] = (await endure.get(run.id)).journal;
    assert.deepEqual(rest, []);
    assert.equal(entry!.kind, "step");
    assert.equal(entry!.name, "book");
    assert.equal(entry!.status, "completed");
    assert.equal(entry!.attempts, 1);
    assert.deepEqual(entry!.output, { booked: "a", rows: 1 });
    assert.deepEqual(await rowsOf(endure, table), [{ k: "a", n: 7 }]);
  });

  test("a replay returns the recorded result without running the function again", async (t) => {
    let runs = 0;
    const insertOnce = transaction("insert-once", async (tx, table: string) => {
      runs++;
      await sqlOn(tx, { t: table })`INSERT INTO {t} (k, n) VALUES (${"only"}, ${runs})`;
      return `inserted by execution ${runs}`;
    });
    const wf = workflow("tx-replayed", async (table: string) => {
      const inserted = await insertOnce(table);
      await waitForEvent("go"); // suspends: the rest runs after a replay from the journal
      return inserted;
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const table = await newTable(endure);

    const run = await endure.start(wf, [table]);
    await waitUntil(async () => (await run.status()) === "waiting", "the run to suspend on its event");
    await endure.send(run.id, "go");
    assert.equal(await run.result(), "inserted by execution 1");
    assert.equal(runs, 1);
    assert.deepEqual(await rowsOf(endure, table), [{ k: "only", n: 1 }]);
  });

  test("a throwing attempt is rolled back and retried; only the last attempt's writes remain", async (t) => {
    const flaky = transaction("flaky", async (tx, table: string) => {
      const { attempt } = stepContext();
      await sqlOn(tx, { t: table })`INSERT INTO {t} (k, n) VALUES (${`attempt-${attempt}`}, ${attempt})`;
      if (attempt < 3) throw new Error(`attempt ${attempt} failed after its insert`);
      return attempt;
    }, { retry: { maxAttempts: 3, initialDelay: 5 } });
    const wf = workflow("tx-retried", async (table: string) => await flaky(table));
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const table = await newTable(endure);

    const run = await endure.start(wf, [table]);
    assert.equal(await run.result(), 3);
    assert.deepEqual(await rowsOf(endure, table), [{ k: "attempt-3", n: 3 }]);
    const [entry] = (await endure.get(run.id)).journal;
    assert.equal(entry!.status, "completed");
    assert.equal(entry!.attempts, 3);
  });

  test("NonRetryableError fails the step at once with its writes rolled back; the workflow can catch it", async (t) => {
    let calls = 0;
    const refuse = transaction("refuse", async (tx, table: string) => {
      calls++;
      await sqlOn(tx, { t: table })`INSERT INTO {t} (k, n) VALUES (${"refused"}, ${1})`;
      throw new NonRetryableError("insufficient funds");
    });
    const wf = workflow("tx-non-retryable", async (table: string) => {
      try {
        await refuse(table);
        return "booked";
      } catch (error) {
        return `caught ${(error as Error).name}: ${(error as Error).message}`;
      }
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const table = await newTable(endure);

    const run = await endure.start(wf, [table]);
    assert.equal(await run.result(), "caught NonRetryableError: insufficient funds");
    assert.equal(calls, 1);
    assert.deepEqual(await rowsOf(endure, table), []);
    const [entry] = (await endure.get(run.id)).journal;
    assert.equal(entry!.status, "failed");
    assert.equal(entry!.attempts, 1);
    assert.ok(entry!.error instanceof NonRetryableError);
  });

  test("a result that cannot be journaled fails the step and rolls its writes back", async (t) => {
    const unjournaled = transaction("unjournaled", async (tx, table: string) => {
      await sqlOn(tx, { t: table })`INSERT INTO {t} (k, n) VALUES (${"x"}, ${1})`;
      return { callback: () => "functions cannot be journaled" };
    });
    const wf = workflow("tx-unserializable", async (table: string) => await unjournaled(table));
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const table = await newTable(endure);

    const failure = await (await endure.start(wf, [table])).result().catch((error: unknown) => error);
    assert.ok(failure instanceof RunFailedError);
    assert.ok(failure.cause instanceof SerializationError, String(failure.cause));
    assert.match((failure.cause as Error).message, /transaction step "unjournaled"/);
    assert.deepEqual(await rowsOf(endure, table), []);
  });

  test("a timed-out attempt is rolled back at once; statements its function makes afterwards are refused", async (t) => {
    let finishSlowly!: () => void;
    const mayFinish = new Promise<void>((resolve) => (finishSlowly = resolve));
    let late: unknown;
    const slow = transaction("slow", async (tx, table: string) => {
      const sql = sqlOn(tx, { t: table });
      await sql`INSERT INTO {t} (k, n) VALUES (${"before the timeout"}, ${1})`;
      await mayFinish; // ignores its signal
      late = await sql`INSERT INTO {t} (k, n) VALUES (${"after the timeout"}, ${2})`.catch((error: unknown) => error);
    }, { timeout: 20, retry: { maxAttempts: 1 } });
    const wf = workflow("tx-timeout", async (table: string) => {
      try {
        await slow(table);
        return "finished";
      } catch (error) {
        return error instanceof TimeoutError ? "timed out" : `other: ${String(error)}`;
      }
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const table = await newTable(endure);

    const run = await endure.start(wf, [table]);
    assert.equal(await run.result(), "timed out");
    assert.deepEqual(await rowsOf(endure, table), []);
    finishSlowly();
    await waitUntil(() => late !== undefined, "the slow function's late statement");
    assert.ok(late instanceof TransactionMisuseError, String(late));
    assert.deepEqual(await rowsOf(endure, table), []);
  });

  test("parallel transaction steps of one run take turns, among parallel steps and a uuid; a replay agrees", async (t) => {
    let executions = 0;
    // Read, yield, then write: two attempts interleaved on the same row would lose an increment.
    const increment = transaction("increment", async (tx, table: string, lane: number) => {
      executions++;
      const sql = sqlOn(tx, { t: table });
      const [row] = await sql`SELECT n FROM {t} WHERE k = ${"counter"}`;
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = Number(row!.n) + 1;
      await sql`UPDATE {t} SET n = ${next} WHERE k = ${"counter"}`;
      await sql`INSERT INTO {t} (k, n) VALUES (${`lane-${lane}`}, ${next})`;
      return next;
    });
    const tenfold = step("tenfold", async (n: number) => n * 10);
    const lanes = [0, 1, 2, 3, 4];
    const wf = workflow("tx-parallel", async (table: string) => {
      const id = uuid();
      const results = await Promise.all(lanes.map(async (lane) => [await increment(table, lane), await tenfold(lane)]));
      await waitForEvent("go"); // suspends: the rest runs after a replay from the journal
      return { id, results };
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const table = await newTable(endure);
    await endure.transaction((tx) => sqlOn(tx, { t: table })`INSERT INTO {t} (k, n) VALUES (${"counter"}, ${0})`);

    const run = await endure.start(wf, [table]);
    await waitUntil(async () => (await run.status()) === "waiting", "the run to suspend on its event");
    await endure.send(run.id, "go");
    const { id, results } = await run.result();
    assert.equal(executions, lanes.length, "the replay ran no transaction again");
    assert.deepEqual(results.map(([, ten]) => ten), lanes.map((lane) => lane * 10));
    assert.deepEqual(results.map(([counted]) => counted).sort(), [1, 2, 3, 4, 5], "every increment saw the one before");
    const rows = await rowsOf(endure, table);
    assert.deepEqual(rows, [
      { k: "counter", n: 5 },
      ...lanes.map((lane) => ({ k: `lane-${lane}`, n: results[lane]![0]! })),
    ]);
    const journal = (await endure.get(run.id)).journal;
    assert.equal(journal[0]!.output, id);
    assert.deepEqual(journal.filter((entry) => entry.name === "increment").map((entry) => entry.status), lanes.map(() => "completed"));
  });

  test("is refused outside a workflow and inside a step, saying what to do instead", async (t) => {
    const lonely = transaction("lonely", async () => 1);
    await assert.rejects(lonely(), (error: Error) => {
      assert.ok(error instanceof NotInWorkflowError);
      assert.match(error.message, /^transaction\("lonely"\) was called outside a workflow/);
      assert.match(error.message, /endure\.transaction\(/);
      return true;
    });

    const outer = step("outer", async () => await lonely());
    const wf = workflow("tx-in-step", async () => await outer());
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const failure = await (await endure.start(wf, [])).result().catch((error: unknown) => error);
    assert.ok(failure instanceof RunFailedError);
    assert.ok(failure.cause instanceof NotInWorkflowError);
    assert.match((failure.cause as Error).message, /^transaction\("lonely"\) was called inside step "outer"/);
    const [entry] = (await endure.get(failure.runId)).journal;
    assert.equal(entry!.attempts, 1, "misuse is not retried");
  });

  test("checks its name, function and options when defined", () => {
    assert.throws(() => transaction("", async () => 1), InvalidArgumentError);
    assert.throws(() => transaction(" padded", async () => 1), /transaction\(\) needs a name of 1 to 200 characters/);
    assert.throws(() => transaction("no-fn", undefined as never), /transaction\("no-fn"\) needs a function as its second argument; got undefined/);
    assert.throws(() => transaction("x", async () => 1, { retry: { maxAttempts: 0 } }), /transaction\("x"\): retry\.maxAttempts must be a whole number/);
    assert.throws(() => transaction("x", async () => 1, { timeout: "soon" }), /timeout must be a non-negative number of milliseconds/);
    assert.equal(transaction("named", async () => 1).name, "named");
  });
});
