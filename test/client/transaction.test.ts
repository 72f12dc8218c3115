import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ClosedError, InvalidArgumentError } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { sqlOn, uniqueTableName } from "../store/user-table.js";

describe("endure.transaction()", () => {
  test("runs the function in a transaction of the store's database and returns what it returns", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    const table = uniqueTableName("accounts");
    const created = await endure.transaction(async (tx) => {
      const sql = sqlOn(tx, { accounts: table });
      await sql`CREATE TABLE IF NOT EXISTS {accounts} (id TEXT PRIMARY KEY, balance INTEGER NOT NULL)`;
      await sql`INSERT INTO {accounts} (id, balance) VALUES (${"alice"}, ${100}), (${"bob"}, ${50})`;
      return "opened";
    });
    assert.equal(created, "opened");
    const rows = await endure.transaction((tx) => sqlOn(tx, { accounts: table })<{ id: string; balance: number }>`SELECT id, balance FROM {accounts} ORDER BY id`);
    assert.deepEqual(rows.map((row) => [row.id, Number(row.balance)]), [["alice", 100], ["bob", 50]]);
  });

  test("rolls back and rethrows when the function throws", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    const table = uniqueTableName();
    await endure.transaction((tx) => sqlOn(tx, { t: table })`CREATE TABLE IF NOT EXISTS {t} (k TEXT)`);
    const failure = new Error("changed my mind");
    await assert.rejects(endure.transaction(async (tx) => {
      await sqlOn(tx, { t: table })`INSERT INTO {t} (k) VALUES (${"gone"})`;
      throw failure;
    }), (error) => error === failure);
    assert.deepEqual(await endure.transaction((tx) => sqlOn(tx, { t: table })`SELECT k FROM {t}`), []);
  });

  test("refuses what is not a function, and a closed client", async () => {
    const { endure, close } = await openTestEndure();
    await assert.rejects(endure.transaction("SELECT 1" as never), (error: Error) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.match(error.message, /^transaction\(\) needs a function that takes the transaction/);
      return true;
    });
    await close();
    await assert.rejects(endure.transaction(async () => 1), ClosedError);
  });
});
