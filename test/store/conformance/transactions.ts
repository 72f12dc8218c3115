import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Transaction } from "../../../src/index.js";
import type { ClaimedRun, RunCommit } from "../../../src/store/store.js";
import { commitFor, completed, eventEntry, LEASE_MS, newEvent, newRun, stepEntry } from "../builders.js";
import { sqlOn, uniqueTableName } from "../user-table.js";
import type { SuiteContext } from "./context.js";

interface Row {
  k: string;
  n: number;
}

export function transactionTests(t: SuiteContext): void {
  describe("transaction", () => {
    /** A fresh user table `(k TEXT PRIMARY KEY, n INTEGER, big BIGINT)`; its name is unique (see user-table.ts). */
    async function newTable(): Promise<string> {
      const table = uniqueTableName();
      await t.store.transaction((tx) => sqlOn(tx, { t: table })`CREATE TABLE IF NOT EXISTS {t} (k TEXT PRIMARY KEY, n INTEGER NOT NULL, big BIGINT)`);
      return table;
    }

    /** The table's rows, read in a transaction of their own. */
    async function rowsOf(table: string): Promise<Row[]> {
      const { value } = await t.store.transaction((tx) => sqlOn(tx, { t: table })`SELECT k, n FROM {t} ORDER BY k`);
      return value.map((row) => ({ k: String(row.k), n: Number(row.n) }));
    }

    const insert = (tx: Transaction, table: string, k: string, n: number) => sqlOn(tx, { t: table })`INSERT INTO {t} (k, n) VALUES (${k}, ${n})`;

    /** A journal callback for `claimed` as `workerId` that records its calls. */
    function journalFor(claimed: ClaimedRun, parts: Partial<RunCommit>, workerId = "worker-1") {
      const calls: unknown[] = [];
      return {
        calls,
        journal: (value: unknown) => {
          calls.push(value);
          return { workerId, commit: commitFor(claimed, parts) };
        },
      };
    }

    it("runs work without a journal in one transaction: commits its writes, returns its value, applied", async () => {
      const table = await newTable();
      const result = await t.store.transaction(async (tx) => {
        assert.ok(tx.dialect === "sqlite" || tx.dialect === "postgres", `dialect ${tx.dialect}`);
        await insert(tx, table, "a", 1);
        await insert(tx, table, "b", 2);
        return { done: true };
      });
      assert.deepEqual(result, { value: { done: true }, applied: true });
      assert.deepEqual(await rowsOf(table), [{ k: "a", n: 1 }, { k: "b", n: 2 }]);
    });

    it("returns the rows of statements that return rows, and none for the others; query() takes native placeholders", async () => {
      const table = await newTable();
      const { value } = await t.store.transaction(async (tx) => {
        const sql = sqlOn(tx, { t: table });
        const inserted = await sql`INSERT INTO {t} (k, n, big) VALUES (${"a"}, ${1}, ${2 ** 40})`;
        const updated = await sql`UPDATE {t} SET n = n + 1 WHERE k = ${"nobody"}`;
        const returned = await sql`UPDATE {t} SET n = n + ${10} WHERE k = ${"a"} RETURNING n`;
        const selected = await sql`SELECT k, n, big FROM {t}`;
        const placeholder = tx.dialect === "sqlite" ? "?" : "$1";
        const queried = await tx.query(`SELECT n FROM ${table} WHERE k = ${placeholder}`, ["a"]);
        const noParams = await tx.query(`SELECT COUNT(*) AS count FROM ${table}`);
        return { inserted, updated, returned, selected, queried, noParams };
      });
      assert.deepEqual(value.inserted, []);
      assert.deepEqual(value.updated, []);
      assert.deepEqual(value.returned.map((row) => Number(row.n)), [11]);
      // PostgreSQL returns BIGINT as a string: portable code converts.
      assert.deepEqual(value.selected.map((row) => [row.k, Number(row.n), Number(row.big)]), [["a", 11, 2 ** 40]]);
      assert.deepEqual(value.queried.map((row) => Number(row.n)), [11]);
      assert.deepEqual(value.noParams.map((row) => Number(row.count)), [1]);
    });

    it("binds values as parameters: quotes, semicolons and SQL in them round-trip unchanged", async () => {
      const table = await newTable();
      const values = [
        "O'Brien", "'", "''", "\"double\"", `'); DROP TABLE ${table}; --`, "a; b; c", "back\\slash", "?", "$1", "${x}",
        "100% _like_", "naïve ☃ 🎉", "", "line\nbreak\ttab", "/* comment */ --",
      ];
      await t.store.transaction(async (tx) => {
        for (const [n, k] of values.entries()) await insert(tx, table, k, n);
      });
      const rows = await rowsOf(table);
      assert.deepEqual(new Set(rows.map((row) => row.k)), new Set(values));
      const { value: found } = await t.store.transaction(async (tx) => {
        const matches: number[] = [];
        for (const k of values) {
          const hits = await sqlOn(tx, { t: table })`SELECT n FROM {t} WHERE k = ${k}`;
          matches.push(...hits.map((row) => Number(row.n)));
        }
        return matches;
      });
      assert.deepEqual(found, values.map((_, n) => n), "each value finds exactly its own row");
    });

    it("rolls back the work's writes and rethrows when work throws; journal is not called", async () => {
      const table = await newTable();
      const claimed = await t.startRun();
      const { calls, journal } = journalFor(claimed, { entries: [stepEntry(0)] });
      const failure = new Error("the user's function failed");
      await assert.rejects(t.store.transaction(async (tx) => {
        await insert(tx, table, "a", 1);
        throw failure;
      }, journal), (error) => error === failure);
      assert.deepEqual(calls, []);
      assert.deepEqual(await rowsOf(table), []);
      assert.deepEqual(await t.store.getJournal(claimed.run.id), []);
      assert.deepEqual(await t.run(claimed.run.id), claimed.run, "the run is untouched");
    });

    it("commits the work's writes and the journal's, fenced, in one transaction: applied", async () => {
      const table = await newTable();
      const { run } = await t.store.createRun(newRun());
      await t.store.sendEvent(newEvent(run.id, "go", { payload: "\"went\"" }));
      const [claimed] = await t.claim("worker-1");
      assert.ok(claimed);
      const order: string[] = [];
      const entries = [stepEntry(0, { output: JSON.stringify(42) }), eventEntry(1, "go", "\"went\"")];
      const { calls, journal } = journalFor(claimed, { entries, consumed: [{ eventSeq: claimed.inbox[0]!.seq, position: 1 }] });
      const result = await t.store.transaction(async (tx) => {
        await insert(tx, table, "a", 1);
        order.push("work resolved");
        return 42;
      }, (value) => {
        order.push("journal");
        return journal(value);
      });
      assert.deepEqual(result, { value: 42, applied: true });
      assert.deepEqual(calls, [42], "journal gets the value work resolved to, once");
      assert.deepEqual(order, ["work resolved", "journal"]);
      assert.deepEqual(await rowsOf(table), [{ k: "a", n: 1 }]);
      assert.deepEqual(await t.store.getJournal(run.id), entries);
      const after = await t.run(run.id);
      assert.equal(after.status, "running");
      assert.equal(after.owner, "worker-1");
      await t.store.releaseRuns("worker-1", [run.id]);
      const [again] = await t.claim("worker-2");
      assert.deepEqual(again?.inbox, [], "the event was consumed with the commit");
    });

    it("applies a journal's outcome like commit(): the run finishes", async () => {
      const claimed = await t.startRun();
      const { journal } = journalFor(claimed, { entries: [stepEntry(0)], outcome: completed("\"over\"") });
      assert.deepEqual(await t.store.transaction(async () => "v", journal), { value: "v", applied: true });
      const run = await t.run(claimed.run.id);
      assert.equal(run.status, "completed");
      assert.equal(run.output, "\"over\"");
    });

    it("rolls everything back and rethrows when journal throws", async () => {
      const table = await newTable();
      const claimed = await t.startRun();
      const failure = new Error("the journal could not be built");
      await assert.rejects(t.store.transaction(async (tx) => {
        await insert(tx, table, "a", 1);
        return 1;
      }, () => {
        throw failure;
      }), (error) => error === failure);
      assert.deepEqual(await rowsOf(table), []);
      assert.deepEqual(await t.store.getJournal(claimed.run.id), []);
    });

    for (const [situation, loseIt] of [
      ["another worker took the run over", async (claimed: ClaimedRun) => {
        t.clock.advance(LEASE_MS);
        assert.equal((await t.claim("worker-2")).length, 1);
        return claimed;
      }],
      ["the run finished", async (claimed: ClaimedRun) => {
        assert.deepEqual(await t.store.commit("worker-1", [commitFor(claimed, { outcome: completed() })]), [true]);
        return claimed;
      }],
    ] as const) {
      it(`rolls the user's writes back with the journal when the fence fails (${situation}): applied false`, async () => {
        const table = await newTable();
        const claimed = await loseIt(await t.startRun("worker-1"));
        const before = await t.run(claimed.run.id);
        const journalBefore = await t.store.getJournal(claimed.run.id);
        const { calls, journal } = journalFor(claimed, { entries: [stepEntry(0)], outcome: completed() });
        const result = await t.store.transaction(async (tx) => {
          await insert(tx, table, "a", 1);
          return "value";
        }, journal);
        assert.deepEqual(result, { value: "value", applied: false });
        assert.deepEqual(calls, ["value"]);
        assert.deepEqual(await rowsOf(table), [], "the user's writes went with the journal's");
        assert.deepEqual(await t.store.getJournal(claimed.run.id), journalBefore);
        assert.deepEqual(await t.run(claimed.run.id), before);
      });
    }

    it("refuses statements on a transaction that has ended", async () => {
      const table = await newTable();
      let committed: Transaction | undefined;
      await t.store.transaction(async (tx) => {
        committed = tx;
      });
      let rolledBack: Transaction | undefined;
      await assert.rejects(t.store.transaction(async (tx) => {
        rolledBack = tx;
        throw new Error("roll back");
      }));
      for (const tx of [committed!, rolledBack!]) {
        await assert.rejects(insert(tx, table, "late", 1), (error: Error & { code?: string }) => {
          assert.equal(error.code, "TRANSACTION_MISUSE", error.message);
          assert.match(error.message, /ended/);
          return true;
        });
      }
      assert.deepEqual(await rowsOf(table), []);
    });

    it("keeps concurrent transactions and other calls apart: each transaction commits or rolls back alone", async () => {
      const table = await newTable();
      const runs = [await t.startRun(), await t.startRun(), await t.startRun(), await t.startRun()];
      const bystander = await t.startRun();
      const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
      // Six transactions at once, the odd ones failing half-way; four of them journal for a run.
      const transactions = Array.from({ length: 6 }, (_, i) => t.store.transaction(async (tx) => {
        await insert(tx, table, `tx-${i}`, i);
        await nextTurn();
        if (i % 2 === 1) throw new Error(`transaction ${i} fails`);
        await insert(tx, table, `tx-${i}-b`, i);
        return i;
      }, runs[i] && journalFor(runs[i], { entries: [stepEntry(0, { output: JSON.stringify(i) })] }).journal));
      // Other calls made while the transactions are open, none of which may join one of them.
      const created = t.store.createRun(newRun());
      const committed = t.store.commit("worker-1", [commitFor(bystander, { entries: [stepEntry(0)] })]);
      const outcomes = await Promise.allSettled(transactions);

      assert.deepEqual(outcomes.map((outcome) => outcome.status), ["fulfilled", "rejected", "fulfilled", "rejected", "fulfilled", "rejected"]);
      assert.deepEqual(outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : [])), [
        { value: 0, applied: true }, { value: 2, applied: true }, { value: 4, applied: true },
      ]);
      assert.deepEqual((await rowsOf(table)).map((row) => row.k), ["tx-0", "tx-0-b", "tx-2", "tx-2-b", "tx-4", "tx-4-b"]);
      for (const [i, run] of runs.entries()) {
        const expected = i % 2 === 0 ? [stepEntry(0, { output: JSON.stringify(i) })] : [];
        assert.deepEqual(await t.store.getJournal(run.run.id), expected, `journal of the run of transaction ${i}`);
      }
      assert.deepEqual(await committed, [true]);
      assert.deepEqual(await t.store.getJournal(bystander.run.id), [stepEntry(0)]);
      const { run } = await created;
      assert.deepEqual(await t.store.getRun(run.id), run, "a run created meanwhile is kept");
    });
  });
}
