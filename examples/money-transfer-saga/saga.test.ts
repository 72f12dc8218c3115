import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Endure, NonRetryableError, RunFailedError, type RunHandle } from "../../src/index.js";
import { openTestEndure } from "../../test/helpers/test-endure.js";
import { freshTestStore } from "../../test/helpers/test-store.js";
import { audit, openBank } from "../money-transfer/bank.js";
import { startWorkerProcess, type WorkerProcess } from "../money-transfer/worker-process.js";
import { sagaTransfer } from "./workflows.js";

const WORKFLOWS = fileURLToPath(new URL("./workflows.ts", import.meta.url));

/** The txId a run drew: its first journal entry, the uuid(). */
async function txIdOf(endure: Endure, id: string): Promise<string> {
  const [first] = (await endure.get(id)).journal;
  assert.equal(first?.kind, "uuid", `run ${id} starts with its uuid()`);
  return first.output as string;
}

async function failureOf(run: RunHandle): Promise<Error> {
  const error = await run.result().then(() => assert.fail(`run ${run.id} completed`), (thrown: unknown) => thrown);
  assert.ok(error instanceof RunFailedError, `run ${run.id}: got ${String(error)}`);
  return error.cause as Error;
}

describe("money-transfer-saga example", () => {
  it("a deposit into a closed account fails for good: the withdrawn money is refunded and the run fails with the deposit's error", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [sagaTransfer] });
    t.after(close);
    await openBank(endure, { alice: 100, bob: 50, carol: 0 }, ["carol"]);

    const refused = await endure.start(sagaTransfer, ["alice", "carol", 30]);
    const error = await failureOf(refused);
    assert.ok(error instanceof NonRetryableError);
    assert.equal(error.message, 'deposit: account "carol" is closed');
    const done = await endure.start(sagaTransfer, ["alice", "bob", 20]);
    const doneTxId = await done.result();

    const books = await audit(endure);
    assert.deepEqual(books.balances, { alice: 80, bob: 70, carol: 0 });
    assert.equal(books.total, 150);
    assert.deepEqual(books.transactions.get(await txIdOf(endure, refused.id)), { from: "alice", refundedTo: "alice", amount: 30 });
    assert.deepEqual(books.transactions.get(doneTxId), { from: "alice", to: "bob", amount: 20 });
    assert.deepEqual((await endure.get(refused.id)).journal.map((entry) => `${entry.kind}:${entry.name}:${entry.status}`), [
      "uuid:uuid:completed", "step:withdraw:completed", "step:deposit:failed", "step:refund:completed",
    ]);
  });

  it("workers SIGKILLed in the middle of sagas, round after round: every refund applied once, every balance exact", { timeout: 120_000 }, async (t) => {
    const store = freshTestStore("endure-saga-");
    const endure = await Endure.open({ store: store.url });
    const workers: WorkerProcess[] = [];
    t.after(async () => {
      await Promise.all(workers.map((worker) => worker.crash()));
      await endure.close();
      await store.cleanup();
    });
    const initial: Record<string, number> = { a: 1000, b: 1000, c: 1000, closed1: 0, closed2: 0 };
    await openBank(endure, initial, ["closed1", "closed2"]);
    const open = ["a", "b", "c"];
    const closed = ["closed1", "closed2"];

    const plan: { id: string; from: string; to: string; amount: number }[] = [];
    const handles: RunHandle<string>[] = [];
    const spawn = async () => workers.push(await startWorkerProcess(store.url, { workflows: WORKFLOWS }));
    await spawn();

    // Each round starts a batch, one in three to a closed account, then kills the worker at a
    // random moment and starts another. More rounds (up to 15) until a kill caught a refund due:
    // money withdrawn by a saga whose deposit cannot succeed, not yet refunded.
    let caughtRefundsDue = 0;
    let round = 0;
    for (; round < 3 || (caughtRefundsDue === 0 && round < 15); round++) {
      for (let i = 0; i < 10; i++) {
        const from = open[(round + i) % open.length]!;
        const to = i % 3 === 0 ? closed[i % 2]! : open[(round + i + 1) % open.length]!;
        const transfer = { id: `saga-${round}-${i}`, from, to, amount: 1 + Math.floor(Math.random() * 20) };
        plan.push(transfer);
        handles.push(await endure.start(sagaTransfer, [from, to, transfer.amount], { id: transfer.id }));
      }
      await delay(Math.floor(Math.random() * 150)); // a random moment: the point of the test
      await workers.pop()!.crash();
      // A journal moves with the ledger (each booking commits with its step's entry), so it shows the books.
      for (const { id } of plan.filter(({ to }) => closed.includes(to))) {
        const steps = (await endure.get(id)).journal.filter((entry) => entry.status === "completed").map((entry) => entry.name);
        if (steps.includes("withdraw") && !steps.includes("refund")) caughtRefundsDue++;
      }
      await spawn();
    }

    const outcomes = await Promise.allSettled(handles.map((handle) => handle.result()));
    const expected = { ...initial };
    for (const [i, { id, from, to, amount }] of plan.entries()) {
      const outcome = outcomes[i]!;
      if (closed.includes(to)) {
        assert.equal(outcome.status, "rejected", `${id} to closed ${to}`);
        const cause = (outcome as PromiseRejectedResult).reason.cause as Error;
        assert.equal(cause.message, `deposit: account "${to}" is closed`, id);
      } else {
        assert.equal(outcome.status, "fulfilled", `${id}: ${String((outcome as PromiseRejectedResult).reason)}`);
        expected[from]! -= amount;
        expected[to]! += amount;
      }
    }

    const books = await audit(endure);
    const context = `${round} rounds, ${caughtRefundsDue} kills with a refund due`;
    assert.deepEqual(books.balances, expected, context);
    assert.equal(books.total, 3000, context);
    assert.deepEqual(books.appliedTwice, [], context);
    assert.deepEqual(books.halfDone, [], context);
    assert.equal(books.rows, 2 * plan.length, context);
    // The ledger holds exactly each run's journaled txId: withdraw, then deposit or refund.
    assert.equal(books.transactions.size, plan.length, context);
    for (const { id, from, to, amount } of plan) {
      const tx = books.transactions.get(await txIdOf(endure, id));
      assert.deepEqual(tx, closed.includes(to) ? { from, refundedTo: from, amount } : { from, to, amount }, `${id} (${context})`);
    }
    t.diagnostic(context);
    assert.ok(caughtRefundsDue > 0, "some kill came while a saga had a refund due (else this test proved little about compensation)");
  });
});
