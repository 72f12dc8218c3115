import assert from "node:assert/strict";
import { test } from "node:test";
import { sqlOn, uniqueTableName } from "../store/user-table.js";
import { killInRounds } from "./fixtures/kill-rounds.js";
import type { Child } from "./fixtures/processes.js";
import { openScene } from "./fixtures/scene.js";
import { completedTransfers, randomTransfer, type Transfer } from "./fixtures/transfers.js";
import { ACCOUNTS, bankTables, OPENING_BALANCE, openBank, transferExactlyOnce } from "./fixtures/transfer-exactly-once.js";

const ROUNDS = 10;
const TRANSFERS_PER_ROUND = 10;
const LEASE = "1s";
const MIN_TAKE_OVERS = 3;

test("transfer exactly once: transaction() steps killed inside and around their transactions each apply once", async (t) => {
  const scene = await openScene("transfer");
  const { endure, processes } = scene;
  const bank = uniqueTableName("bank");
  try {
    await openBank(endure, bank);
    let generation = 0;
    const spawn = (slot: number) => processes.spawnWorker({ tag: `transfer${slot}-${generation++}`, workflows: ["transfer-exactly-once"], lease: LEASE });
    const workers: Child[] = await Promise.all([spawn(0), spawn(1)]);

    // A booking whose attempt started more than once had an attempt cut short: killed (or fenced
    // out) before its transaction committed, so rolled back.
    const cutShort = () => (scene.effects.prepare(`SELECT COALESCE(SUM(n - 1), 0) AS cut FROM (SELECT COUNT(*) AS n FROM markers GROUP BY name)`).get() as { cut: number }).cut;

    const transfers = new Map<string, Transfer>();
    const kills = await killInRounds({
      rounds: ROUNDS, minTakeOvers: MIN_TAKE_OVERS, workers, spawn,
      // Take-overs count once a kill has cut some transaction short: until then, more rounds.
      takeOvers: () => (cutShort() > 0 ? processes.takeOvers() : 0),
      startBatch: async (round) => {
        for (let i = 0; i < TRANSFERS_PER_ROUND; i++) {
          const transfer = randomTransfer(ACCOUNTS);
          const { id } = await endure.start(transferExactlyOnce, [bank, transfer.from, transfer.to, transfer.amount], { id: `transfer-${round}-${i}` });
          transfers.set(id, transfer);
        }
      },
    });

    await scene.waitForAllFinished(transfers.keys());

    const transferIds = await completedTransfers(endure, transfers.keys());

    // The books, read through the store like any user of it would.
    const { balances, ledger } = await endure.transaction(async (tx) => {
      const sql = sqlOn(tx, bankTables(bank));
      return {
        balances: await sql<{ id: string; balance: number | string }>`SELECT id, balance FROM {accounts}`,
        ledger: await sql<{ transfer_id: string; kind: string; account: string; amount: number | string }>`SELECT transfer_id, kind, account, amount FROM {ledger}`,
      };
    });

    // Money conserved, and every account moved by exactly its transfers.
    const actual = Object.fromEntries(balances.map((row) => [row.id, Number(row.balance)]));
    const expected = Object.fromEntries(ACCOUNTS.map((account) => [account, OPENING_BALANCE]));
    for (const { from, to, amount } of transfers.values()) {
      expected[from]! -= amount;
      expected[to]! += amount;
    }
    assert.deepEqual(actual, expected, "balances");
    assert.equal(Object.values(actual).reduce((sum, balance) => sum + balance, 0), OPENING_BALANCE * ACCOUNTS.length, "total balance");

    // Each transfer's withdraw and deposit booked exactly once, under the id its run journaled.
    assert.equal(ledger.length, 2 * transfers.size, "ledger rows");
    const booked = new Set<string>();
    for (const row of ledger) {
      const id = transferIds.get(row.transfer_id);
      assert.ok(id, `ledger row of transfer id ${row.transfer_id} belongs to no run`);
      const key = `${row.transfer_id} ${row.kind}`;
      assert.ok(!booked.has(key), `${row.kind} of ${id} booked twice`);
      booked.add(key);
      const transfer = transfers.get(id)!;
      assert.equal(row.account, row.kind === "withdraw" ? transfer.from : transfer.to, `${row.kind} of ${id}`);
      assert.equal(Number(row.amount), transfer.amount, `${row.kind} of ${id}`);
    }

    const takeOvers = processes.takeOvers();
    const rolledBack = cutShort();
    t.diagnostic(`${transfers.size} transfers, ${kills} kills, ${takeOvers} take-overs, ${rolledBack} transaction attempts cut short and rolled back`);
    assert.ok(takeOvers > 0, "some kill hit a worker holding transfers (else this test proved nothing)");
    assert.ok(rolledBack > 0, "some kill landed inside an open transaction (else this test proved nothing about rollback)");
  } finally {
    await scene.dispose();
  }
});
