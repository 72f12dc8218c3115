import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FORGET_WORKERS_MS, type WorkerHeartbeat } from "../../../src/store/worker-registry.js";
import { commitFor, completed, newRun } from "../builders.js";
import { T0, type SuiteContext } from "./context.js";

function heartbeat(overrides: Partial<WorkerHeartbeat> = {}): WorkerHeartbeat {
  return {
    id: "worker-1", name: "host-a:101", host: "host-a", pid: 101, workflows: ["wf"], queues: [],
    concurrency: 10, activeRuns: 0, heartbeatMs: 5000, version: null, compatibleWith: [], ...overrides,
  };
}

export function workerRegistryTests(t: SuiteContext): void {
  describe("worker registry", () => {
    it("records a worker at its first heartbeat and refreshes it at the next, keeping its start", async () => {
      await t.store.heartbeatWorker(heartbeat());
      t.clock.advance(5000);
      await t.store.heartbeatWorker(heartbeat({ activeRuns: 3, workflows: ["wf", "other"], queues: ["q"] }));
      assert.deepEqual(await t.store.listWorkers(), [{
        ...heartbeat({ activeRuns: 3, workflows: ["wf", "other"], queues: ["q"] }), startedAt: T0, heartbeatAt: T0 + 5000,
      }]);
    });

    // ---- version pinning ----
    it("records the version a worker serves and the older versions it is compatible with", async () => {
      await t.store.heartbeatWorker(heartbeat({ id: "new", version: "2026-11-26.1", compatibleWith: ["2026-11-20.3", `o'ld"`] }));
      await t.store.heartbeatWorker(heartbeat({ id: "unversioned" }));
      const workers = await t.store.listWorkers();
      assert.deepEqual(workers.map(({ id, version, compatibleWith }) => ({ id, version, compatibleWith })).sort((a, b) => a.id.localeCompare(b.id)), [
        { id: "new", version: "2026-11-26.1", compatibleWith: ["2026-11-20.3", `o'ld"`] },
        { id: "unversioned", version: null, compatibleWith: [] },
      ]);
    });

    it("lists the most recent heartbeat first, forgets a removed worker, and one silent for an hour", async () => {
      await t.store.heartbeatWorker(heartbeat({ id: "silent" }));
      t.clock.advance(1000);
      await t.store.heartbeatWorker(heartbeat({ id: "stopping" }));
      t.clock.advance(1000);
      await t.store.heartbeatWorker(heartbeat({ id: "alive" }));
      assert.deepEqual((await t.store.listWorkers()).map((worker) => worker.id), ["alive", "stopping", "silent"]);
      await t.store.removeWorker("stopping");
      t.clock.advance(FORGET_WORKERS_MS - 1000);
      await t.store.heartbeatWorker(heartbeat({ id: "alive" }));
      assert.deepEqual((await t.store.listWorkers()).map((worker) => worker.id), ["alive"]);
    });

    it("keeps names with quotes and SQL as they are", async () => {
      const name = `o'brien"; DROP TABLE workers; --`;
      await t.store.heartbeatWorker(heartbeat({ name, workflows: [name] }));
      const [worker] = await t.store.listWorkers();
      assert.equal(worker?.name, name);
      assert.deepEqual(worker?.workflows, [name]);
    });

    it("counts runs by status, every status present", async () => {
      await t.store.createRun(newRun({ workflow: "not-claimed" }));
      await t.store.createRun(newRun({ queue: "q" }));
      const claimed = await t.startRun("worker-1");
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: completed() })]);
      assert.deepEqual(await t.store.countRunsByStatus(), {
        queued: 1, pending: 1, running: 0, waiting: 0, completed: 1, failed: 0, cancelled: 0, blocked: 0,
      });
    });

    it("reports a queue's usage for a run's key and the rate window", async () => {
      await t.store.registerQueues([{ name: "q", concurrency: 5, keyConcurrency: 1, rateLimit: { limit: 10, periodMs: 60_000 } }]);
      await t.store.createRun(newRun({ queue: "q", concurrencyKey: "k" }));
      await t.store.createRun(newRun({ queue: "q", concurrencyKey: "k" }));
      await t.store.admitQueued(["q"]);
      assert.deepEqual(await t.store.queueUsage("q", "k"), {
        name: "q", concurrency: 5, keyConcurrency: 1, rateLimit: { limit: 10, periodMs: 60_000 },
        queued: 1, active: 1, keyActive: 1, admittedInWindow: 1,
      });
      assert.equal((await t.store.queueUsage("q", "other"))?.keyActive, 0);
      assert.equal((await t.store.queueUsage("q", null))?.keyActive, null);
      assert.equal(await t.store.queueUsage("missing", null), undefined);
    });
  });
}
