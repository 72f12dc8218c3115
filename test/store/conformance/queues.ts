import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { QueueLimits } from "../../../src/store/queue-store.js";
import type { ClaimedRun, NewRun } from "../../../src/store/store.js";
import { commitFor, completed, LEASE_MS, newRun, waiting } from "../builders.js";
import type { SuiteContext } from "./context.js";

const Q = "q";

function limits(overrides: Partial<QueueLimits> = {}): QueueLimits {
  return { name: Q, concurrency: null, keyConcurrency: null, rateLimit: null, ...overrides };
}

export function queueTests(t: SuiteContext): void {
  /** Creates queued runs in queue Q, in order, and returns their ids. */
  async function enqueue(...runs: Partial<NewRun>[]): Promise<string[]> {
    const ids: string[] = [];
    for (const run of runs) ids.push((await t.store.createRun(newRun({ queue: Q, ...run }))).run.id);
    return ids;
  }

  async function admittedIds(): Promise<string[]> {
    const runs = (await t.store.listRuns({ limit: 1000 })).runs;
    return runs.filter((run) => run.admittedAt !== null).map((run) => run.id).sort();
  }

  /** Claims every due run and completes the ones given (or all). */
  async function finish(ids?: string[]): Promise<ClaimedRun[]> {
    const claimed = await t.claim("worker-1", { limit: 100 });
    const done = claimed.filter((c) => ids === undefined || ids.includes(c.run.id));
    assert.deepEqual(await t.store.commit("worker-1", done.map((c) => commitFor(c, { outcome: completed() }))), done.map(() => true));
    return done;
  }

  describe("queues", () => {
    it("registers queues; a later registration of a name replaces its limits", async () => {
      await t.store.registerQueues([limits({ concurrency: 2 }), limits({ name: "other", rateLimit: { limit: 5, periodMs: 60_000 } })]);
      await t.store.registerQueues([limits({ keyConcurrency: 1 })]);
      assert.deepEqual(await t.store.knownQueues(), ["other", Q]);
      assert.deepEqual(await t.store.queueStates(), [
        { ...limits({ name: "other", rateLimit: { limit: 5, periodMs: 60_000 } }), queued: 0, active: 0 },
        { ...limits({ keyConcurrency: 1 }), queued: 0, active: 0 },
      ]);
    });

    it("keeps a queued run out of claims until it is admitted, then it is pending and due now", async () => {
      await t.store.registerQueues([limits()]);
      const [id] = await enqueue({});
      const queued = await t.run(id!);
      assert.deepEqual([queued.status, queued.dueAt, queued.admitAt, queued.admittedAt], ["queued", null, t.clock.now(), null]);
      assert.deepEqual(await t.claim("worker-1"), []);
      t.clock.advance(5);
      assert.equal(await t.store.admitQueued([Q]), 1);
      const admitted = await t.run(id!);
      assert.deepEqual([admitted.status, admitted.dueAt, admitted.admittedAt], ["pending", t.clock.now(), t.clock.now()]);
      assert.deepEqual((await t.claim("worker-1")).map((c) => c.run.id), [id]);
    });

    it("admits at most concurrency runs until runs finish, and counts them in queueStates", async () => {
      await t.store.registerQueues([limits({ concurrency: 2 })]);
      const ids = await enqueue({}, {}, {}, {}, {});
      assert.equal(await t.store.admitQueued([Q]), 2);
      assert.equal(await t.store.admitQueued([Q]), 0, "the queue is full");
      assert.deepEqual(await admittedIds(), ids.slice(0, 2));
      assert.deepEqual(await t.store.queueStates(), [{ ...limits({ concurrency: 2 }), queued: 3, active: 2 }]);
      await finish([ids[0]!]);
      assert.equal(await t.store.admitQueued([Q]), 1, "a finished run frees its slot");
      assert.deepEqual(await admittedIds(), ids.slice(0, 3));
      assert.deepEqual(await t.store.queueStates(), [{ ...limits({ concurrency: 2 }), queued: 2, active: 2 }]);
    });

    it("holds a run's slot while it waits and while its lease lapses and another worker takes it over", async () => {
      await t.store.registerQueues([limits({ concurrency: 1 })]);
      const [first, second] = await enqueue({}, {});
      assert.equal(await t.store.admitQueued([Q]), 1);
      const [claimed] = await t.claim("worker-1");
      assert.equal(claimed?.run.id, first);
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(claimed!, { outcome: waiting(t.clock.now() + 10) })]), [true]);
      assert.equal(await t.store.admitQueued([Q]), 0, "a waiting run holds its slot");
      t.clock.advance(10);
      await t.claim("worker-1");
      t.clock.advance(LEASE_MS); // worker-1 died holding it
      assert.equal(await t.store.admitQueued([Q]), 0, "a run whose lease lapsed holds its slot");
      const [takenOver] = await t.claim("worker-2");
      assert.equal(takenOver?.run.id, first);
      assert.equal(await t.store.admitQueued([Q]), 0);
      assert.deepEqual(await t.store.commit("worker-2", [commitFor(takenOver!, { outcome: completed() })]), [true]);
      assert.equal(await t.store.admitQueued([Q]), 1);
      assert.deepEqual(await admittedIds(), [first, second].sort());
    });

    it("admits at most keyConcurrency runs per key; a run held back by its key does not hold back others", async () => {
      await t.store.registerQueues([limits({ keyConcurrency: 1 })]);
      const [a1, a2, b1, none1, a3, none2] = await enqueue(
        { concurrencyKey: "a" }, { concurrencyKey: "a" }, { concurrencyKey: "b" }, {}, { concurrencyKey: "a" }, {},
      );
      assert.equal(await t.store.admitQueued([Q]), 4);
      assert.deepEqual(await admittedIds(), [a1, b1, none1, none2].sort(), "runs without a key are not limited by keys");
      assert.equal(await t.store.admitQueued([Q]), 0);
      await finish([a1!]);
      assert.equal(await t.store.admitQueued([Q]), 1);
      assert.deepEqual(await admittedIds(), [a1, a2, b1, none1, none2].sort(), "the next run of key a, in order");
      assert.equal((await t.run(a3!)).status, "queued");
    });

    it("combines the concurrency and per-key limits", async () => {
      await t.store.registerQueues([limits({ concurrency: 2, keyConcurrency: 2 })]);
      const [a1, a2] = await enqueue({ concurrencyKey: "a" }, { concurrencyKey: "a" }, { concurrencyKey: "a" }, { concurrencyKey: "b" });
      assert.equal(await t.store.admitQueued([Q]), 2);
      assert.deepEqual(await admittedIds(), [a1, a2].sort());
    });

    it("admits at most rateLimit.limit runs in any window of the period", async () => {
      await t.store.registerQueues([limits({ rateLimit: { limit: 2, periodMs: 1000 } })]);
      const ids = await enqueue({}, {}, {}, {}, {});
      assert.equal(await t.store.admitQueued([Q]), 2);
      await finish(); // finishing does not give the rate back
      t.clock.advance(400);
      assert.equal(await t.store.admitQueued([Q]), 0);
      t.clock.advance(599);
      assert.equal(await t.store.admitQueued([Q]), 0, "one ms before the window has passed");
      t.clock.advance(1);
      assert.equal(await t.store.admitQueued([Q]), 2);
      assert.deepEqual(await admittedIds(), ids.slice(0, 4));
      t.clock.advance(500);
      assert.equal(await t.store.admitQueued([Q]), 0, "the window slides: two admitted 500 ms ago");
      t.clock.advance(500);
      assert.equal(await t.store.admitQueued([Q]), 1);
    });

    it("admits in order of priority, then of admitAt, then of id", async () => {
      await t.store.registerQueues([limits({ concurrency: 1 })]);
      const [low, normal, high1, high2, early] = await enqueue(
        { priority: -1 }, {}, { priority: 5 }, { priority: 5 }, { dueAt: t.clock.now() - 100 },
      );
      const order: string[] = [];
      for (let i = 0; i < 5; i++) {
        assert.equal(await t.store.admitQueued([Q]), 1);
        const [claimed] = await finish();
        order.push(claimed!.run.id);
      }
      assert.deepEqual(order, [high1, high2, early, normal, low]);
    });

    it("admits a delayed run no earlier than its admitAt", async () => {
      await t.store.registerQueues([limits()]);
      const [later] = await enqueue({ dueAt: t.clock.now() + 1000 });
      assert.equal(await t.store.admitQueued([Q]), 0);
      t.clock.advance(999);
      assert.equal(await t.store.admitQueued([Q]), 0);
      t.clock.advance(1);
      assert.equal(await t.store.admitQueued([Q]), 1);
      assert.equal((await t.run(later!)).status, "pending");
    });

    it("admits only the queues it is given; an unknown queue admits nothing", async () => {
      await t.store.registerQueues([limits(), limits({ name: "other" })]);
      const [mine] = await enqueue({});
      const [theirs] = await enqueue({ queue: "other" });
      const [unknown] = await enqueue({ queue: "nowhere" });
      assert.equal(await t.store.admitQueued(["nowhere"]), 0);
      assert.equal(await t.store.admitQueued([Q]), 1);
      assert.deepEqual(await admittedIds(), [mine]);
      assert.equal((await t.run(theirs!)).status, "queued");
      assert.equal((await t.run(unknown!)).status, "queued");
    });

    it("cancels a queued run at once; it never takes a slot", async () => {
      await t.store.registerQueues([limits({ concurrency: 1 })]);
      const [first, second] = await enqueue({}, {});
      const cancelled = await t.store.requestCancel(first!, JSON.stringify({ message: "cancelled" }));
      assert.deepEqual([cancelled?.status, cancelled?.finishedAt, cancelled?.dueAt], ["cancelled", t.clock.now(), null]);
      assert.equal(await t.store.admitQueued([Q]), 1);
      assert.deepEqual(await admittedIds(), [second]);
      assert.deepEqual(await t.store.queueStates(), [{ ...limits({ concurrency: 1 }), queued: 0, active: 1 }]);
    });

    it("admissions through two handles on the same storage, at the same time, never exceed the limits together", async (test) => {
      if (!t.fixture.connectAgain) return test.skip("the storage cannot be shared");
      const other = await t.fixture.connectAgain();
      await t.store.registerQueues([limits({ concurrency: 3, keyConcurrency: 1 })]);
      await enqueue(...Array.from({ length: 40 }, (_, i) => ({ concurrencyKey: `k${i % 5}` })));
      for (let round = 0; round < 5; round++) {
        const admitted = await Promise.all([t.store, other, t.store, other].map((store) => store.admitQueued([Q])));
        assert.equal(admitted.reduce((sum, n) => sum + n, 0), round === 0 ? 3 : 0, `admitted in round ${round}: ${admitted.join(", ")}`);
      }
      const active = (await t.store.listRuns({ limit: 1000 })).runs.filter((run) => run.admittedAt !== null);
      assert.equal(active.length, 3);
      assert.equal(new Set(active.map((run) => run.concurrencyKey)).size, 3, "one run per key");
    });
  });
}
