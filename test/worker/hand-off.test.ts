import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Endure, step, workflow } from "../../src/index.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/store.js";
import { freshTestStore } from "../helpers/test-store.js";
import { waitUntil } from "../helpers/wait-until.js";

/** A store that counts the runs claims hand out; everything else goes straight through. */
async function countingClaims(url: string): Promise<{ store: Store; claimed: () => number }> {
  const inner = await openStore(url);
  let claimed = 0;
  const store = new Proxy(inner, {
    get(target, property) {
      if (property === "claimRuns") {
        return async (...args: Parameters<Store["claimRuns"]>) => {
          const runs = await target.claimRuns(...args);
          claimed += runs.length;
          return runs;
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store, claimed: () => claimed };
}

async function setUp(t: { after(fn: () => Promise<void>): void }, concurrency: number, workflows: Parameters<Endure["startWorker"]>[0]["workflows"]) {
  const fresh = freshTestStore();
  const { store, claimed } = await countingClaims(fresh.url);
  const endure = await Endure.open({ store });
  // No polling to speak of: a run either is handed over at its start or waits for a claim.
  const worker = await endure.startWorker({ workflows, concurrency, pollInterval: "1 hour" });
  t.after(async () => {
    await endure.close();
    await store.close();
    await fresh.cleanup();
  });
  return { endure, worker, claimed };
}

const double = step("double", (n: number) => n * 2);
const doubling = workflow("hand-off-doubling", async (n: number) => await double(n));

describe("runs started where a worker serves them", () => {
  test("run there at once, created claimed by that worker: no claim hands them out", async (t) => {
    const { endure, claimed } = await setUp(t, 10, [doubling]);
    const together = await Promise.all([1, 2, 3, 4, 5].map((n) => endure.start(doubling, [n])));
    assert.deepEqual(await Promise.all(together.map((run) => run.result())), [2, 4, 6, 8, 10]);
    for (const n of [6, 7, 8]) assert.equal(await (await endure.start(doubling, [n])).result(), n * 2);
    assert.equal(claimed(), 0);
    const run = await endure.get(together[0]!.id);
    assert.equal(run.status, "completed");
    assert.deepEqual(run.journal.map((entry) => [entry.name, entry.status]), [["double", "completed"]]);
  });

  test("wait for a claim when the worker has no free slot, and are claimed once one frees up", async (t) => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held = step("held", async () => await gate);
    const holding = workflow("hand-off-holding", async () => {
      await held();
      return "done";
    });
    const { endure, worker, claimed } = await setUp(t, 1, [holding]);
    const first = await endure.start(holding, []);
    await waitUntil(async () => worker.activeRuns === 1, "the first run to take the only slot", 5000);
    const second = await endure.start(holding, []);
    assert.equal(await second.status(), "pending");
    open();
    assert.deepEqual(await Promise.all([first.result(), second.result()]), ["done", "done"]);
    assert.equal(claimed(), 1, "the second run, claimed once the first one left");
  });

  test("a start whose id is taken gives its slot back", async (t) => {
    const { endure, worker, claimed } = await setUp(t, 1, [doubling]);
    assert.equal(await (await endure.start(doubling, [4], { id: "taken" })).result(), 8);
    const again = await endure.start(doubling, [5], { id: "taken" });
    assert.equal(await again.result(), 8, "the existing run, untouched");
    assert.equal(worker.activeRuns, 0);
    assert.equal(await (await endure.start(doubling, [6])).result(), 12, "the slot is free for the next start");
    assert.equal(claimed(), 0);
  });
});
