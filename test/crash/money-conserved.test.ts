import assert from "node:assert/strict";
import { test } from "node:test";
import { ACCOUNTS, moneyTransfer, OPENING_BALANCE, openBank } from "./fixtures/money-conserved.js";
import { killInRounds } from "./fixtures/kill-rounds.js";
import type { Child } from "./fixtures/processes.js";
import { openScene } from "./fixtures/scene.js";
import { completedTransfers, randomTransfer, type Transfer } from "./fixtures/transfers.js";

const ROUNDS = 10;
const TRANSFERS_PER_ROUND = 10;
const LEASE = "1s";
const MIN_TAKE_OVERS = 3;

test("money conserved: transfers survive SIGKILLed workers, each booked exactly once", async (t) => {
  const scene = await openScene("money");
  const { endure, processes } = scene;
  const bank = openBank(scene.dir);
  try {
    let generation = 0;
    const spawn = (slot: number) => processes.spawnWorker({ tag: `bank${slot}-${generation++}`, workflows: ["money-conserved"], lease: LEASE });
    const workers: Child[] = await Promise.all([spawn(0), spawn(1)]);

    const transfers = new Map<string, Transfer>();
    const kills = await killInRounds({
      rounds: ROUNDS, minTakeOvers: MIN_TAKE_OVERS, takeOvers: () => processes.takeOvers(), workers, spawn,
      startBatch: async (round) => {
        for (let i = 0; i < TRANSFERS_PER_ROUND; i++) {
          const transfer = randomTransfer(ACCOUNTS);
          const { id } = await endure.start(moneyTransfer, [transfer.from, transfer.to, transfer.amount], { id: `tx-${round}-${i}` });
          transfers.set(id, transfer);
        }
      },
    });

    await scene.waitForAllFinished(transfers.keys());

    const txIds = await completedTransfers(endure, transfers.keys());

    // Money conserved, and every account moved by exactly its transfers.
    const balances = new Map((bank.prepare(`SELECT id, balance FROM accounts`).all() as { id: string; balance: number }[]).map((row) => [row.id, row.balance]));
    const total = [...balances.values()].reduce((sum, balance) => sum + balance, 0);
    assert.equal(total, OPENING_BALANCE * ACCOUNTS.length, "total balance");
    const expected = new Map<string, number>(ACCOUNTS.map((account) => [account, OPENING_BALANCE]));
    for (const { from, to, amount } of transfers.values()) {
      expected.set(from, expected.get(from)! - amount);
      expected.set(to, expected.get(to)! + amount);
    }
    assert.deepEqual(Object.fromEntries(balances), Object.fromEntries(expected), "balances");

    // Each (txId, kind) booked exactly once, for the journaled txId only (a txId that changed on
    // replay would show up as a ledger row of no run).
    const ledger = bank.prepare(`SELECT tx_id, kind, account, amount FROM ledger`).all() as { tx_id: string; kind: string; account: string; amount: number }[];
    assert.equal(ledger.length, 2 * transfers.size, "ledger rows");
    for (const row of ledger) {
      const id = txIds.get(row.tx_id);
      assert.ok(id, `ledger row of txId ${row.tx_id} belongs to no run`);
      const transfer = transfers.get(id)!;
      assert.equal(row.account, row.kind === "withdraw" ? transfer.from : transfer.to, `${row.kind} of ${id}`);
      assert.equal(row.amount, transfer.amount, `${row.kind} of ${id}`);
    }
    const repeatedCalls = (bank.prepare(`SELECT COUNT(*) AS n FROM calls WHERE booked = 0`).get() as { n: number }).n;
    const takeOvers = processes.takeOvers();
    t.diagnostic(`${transfers.size} transfers, ${kills} kills, ${takeOvers} take-overs, ${repeatedCalls} repeated bank calls acknowledged without booking`);
    assert.ok(takeOvers > 0, "some kill hit a worker holding transfers (else this test proved nothing)");
  } finally {
    bank.close();
    await scene.dispose();
  }
});
