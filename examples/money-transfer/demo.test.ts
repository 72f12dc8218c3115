import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Endure, type RunHandle } from "../../src/index.js";
import { tempDir } from "../../test/helpers/temp-store.js";
import { freshTestStore, TEST_STORE } from "../../test/helpers/test-store.js";
import { waitUntil } from "../../test/helpers/wait-until.js";
import { audit, openBank } from "./bank.js";
import { startWorkerProcess, type WorkerProcess } from "./worker-process.js";
import { transfer } from "./workflows.js";

describe("money-transfer example", () => {
  it("npm start: the demo survives its SIGKILL and reports every transfer completed and money conserved", { timeout: 90_000 }, async (t) => {
    // The demo's own SQLite file by default; on the PostgreSQL pass, a fresh schema.
    const dir = tempDir("endure-demo-");
    const store = TEST_STORE === "postgres" ? freshTestStore("endure-demo-") : undefined;
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./demo.ts", import.meta.url))], {
      env: { ...process.env, ENDURE_DEMO_DIR: dir.dir, ...(store && { ENDURE_STORE: store.url }) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    t.after(async () => {
      child.kill("SIGKILL");
      dir.cleanup();
      await store?.cleanup();
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, "exit")) as [number | null];

    assert.equal(code, 0, output);
    assert.match(output, /Killed worker 1 with SIGKILL/, output);
    assert.match(output, /✓ 50\/50 transfers completed/, output);
    assert.match(output, /✓ money conserved: \$5,750 before, \$5,750 after/, output);
    assert.match(output, /✓ each withdraw and deposit applied exactly once: 100 ledger rows for 50 transfers/, output);
    assert.doesNotMatch(output, /✗/, output);
  });

  it("a worker killed at a random moment: every run completes, money is conserved, each (txId, kind) is applied once", { timeout: 60_000 }, async (t) => {
    const store = freshTestStore("endure-transfer-");
    const workers: WorkerProcess[] = [];
    const endure = await Endure.open({ store: store.url });
    t.after(async () => {
      await Promise.all(workers.map((worker) => worker.crash()));
      await endure.close();
      await store.cleanup();
    });

    const initial: Record<string, number> = { a: 1000, b: 1000, c: 1000, d: 1000 };
    await openBank(endure, initial);
    const names = Object.keys(initial);
    // At most 30 x 30 leaves any account, so no transfer can bounce in any order.
    const plan = Array.from({ length: 30 }, (_, i) => {
      const from = names[i % names.length]!;
      const to = names[(i + 1 + Math.floor(Math.random() * (names.length - 1))) % names.length]!;
      return { id: `t-${i}`, from, to, amount: 1 + Math.floor(Math.random() * 30) };
    });
    const expected = { ...initial };
    for (const { from, to, amount } of plan) {
      expected[from]! -= amount;
      expected[to]! += amount;
    }

    workers.push(await startWorkerProcess(store.url));
    const handles: RunHandle<string>[] = [];
    for (const { id, from, to, amount } of plan) handles.push(await endure.start(transfer, [from, to, amount], { id }));

    // A random moment: once some number of transfers completed, from none to half of them. (Plain
    // reads: the books' transaction would queue for the write lock behind the busy worker.)
    const completed = async () => (await endure.list({ status: "completed", limit: 1000 })).runs.length;
    const crashAfter = Math.floor(Math.random() * (plan.length / 2));
    await waitUntil(async () => (await completed()) >= crashAfter, `${crashAfter} transfers to complete`, 20_000, 2);
    await workers[0]!.crash();
    const completedAtCrash = await completed();
    assert.ok(completedAtCrash < plan.length, `the crash came after every transfer had completed (after ${crashAfter} of them)`);

    workers.push(await startWorkerProcess(store.url));
    const txIds = await Promise.all(handles.map((handle) => handle.result()));

    for (const { id } of plan) assert.equal((await endure.get(id)).status, "completed", `run ${id}`);
    const books = await audit(endure);
    const context = `crash with ${completedAtCrash} transfers completed`;
    assert.equal(books.total, 4000, context);
    assert.deepEqual(books.balances, expected, context);
    assert.deepEqual(books.appliedTwice, [], context);
    assert.deepEqual(books.halfDone, [], context);
    assert.equal(books.rows, 2 * plan.length, context);
    // The ledger holds exactly the runs' txIds, each with its own withdraw and deposit.
    assert.equal(books.transactions.size, plan.length, context);
    plan.forEach(({ from, to, amount }, i) => {
      assert.deepEqual(books.transactions.get(txIds[i]!), { from, to, amount }, `${plan[i]!.id} (${context})`);
    });
  });
});
