import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Store } from "../../../src/store/store.js";
import { claimRequest, commitFor, completed, LEASE_MS, newEvent, newRun, stepEntry } from "../builders.js";
import type { SuiteContext } from "./context.js";

export function workerTests(t: SuiteContext): void {
  describe("registerWorkflows and knownWorkflows", () => {
    it("knows no workflows in a new store", async () => {
      assert.deepEqual(await t.store.knownWorkflows(), []);
    });

    it("remembers every name once, sorted, however often it is registered", async () => {
      await t.store.registerWorkflows(["transfer", "refund"]);
      await t.store.registerWorkflows(["refund", "audit", "transfer"]);
      await t.store.registerWorkflows([]);
      assert.deepEqual(await t.store.knownWorkflows(), ["audit", "refund", "transfer"]);
    });

    it("accepts a name twice in one call", async () => {
      await t.store.registerWorkflows(["b", "a", "b"]);
      assert.deepEqual(await t.store.knownWorkflows(), ["a", "b"]);
    });
  });

  describe("close", () => {
    it("makes every method reject with a CLOSED error afterwards", async () => {
      const claimed = await t.startRun();
      await t.store.close();
      const store = t.store;
      const calls: [string, () => Promise<unknown>][] = [
        ["createRun", () => store.createRun(newRun())],
        ["getRun", () => store.getRun(claimed.run.id)],
        ["getJournal", () => store.getJournal(claimed.run.id)],
        ["listRuns", () => store.listRuns({ limit: 10 })],
        ["sendEvent", () => store.sendEvent(newEvent(claimed.run.id, "x"))],
        ["requestCancel", () => store.requestCancel(claimed.run.id, "\"cancelled\"")],
        ["registerWorkflows", () => store.registerWorkflows(["wf"])],
        ["knownWorkflows", () => store.knownWorkflows()],
        ["claimRuns", () => store.claimRuns(claimRequest("worker-1"))],
        ["renewLeases", () => store.renewLeases("worker-1", [claimed.run.id], 1_000)],
        ["commit", () => store.commit("worker-1", [commitFor(claimed, { entries: [stepEntry(0)] })])],
        ["releaseRuns", () => store.releaseRuns("worker-1", [claimed.run.id])],
        ["deleteFinishedRuns", () => store.deleteFinishedRuns(Date.now(), 10)],
        ["transaction", () => store.transaction(async () => 1)],
      ];
      for (const [method, call] of calls) {
        let promise: Promise<unknown>;
        try {
          promise = call();
        } catch (error) {
          assert.fail(`${method}() threw synchronously after close() instead of rejecting: ${String(error)}`);
        }
        await assert.rejects(promise, (error: Error & { code?: string }) => {
          assert.equal(error.code, "CLOSED", `${method}(): ${error.message}`);
          assert.match(error.message, /close\(\)/, `${method}() says why`);
          return true;
        }, `${method}() after close()`);
      }
    });

    it("can be called twice", async () => {
      await t.store.close();
      await t.store.close();
    });
  });

  describe("two handles on the same storage (as two processes)", () => {
    /** A second handle, or undefined (the test is then skipped) when the storage cannot be shared. */
    async function second(): Promise<Store | undefined> {
      return t.fixture.connectAgain ? await t.fixture.connectAgain() : undefined;
    }

    it("each sees what the other wrote", async (context) => {
      const other = await second();
      if (!other) return context.skip("this storage cannot be opened twice");
      const { run } = await t.store.createRun(newRun());
      assert.deepEqual(await other.getRun(run.id), run);
      assert.deepEqual(await other.sendEvent(newEvent(run.id, "x")), { result: "sent" });
      await other.registerWorkflows(["wf"]);
      assert.deepEqual(await t.store.knownWorkflows(), ["wf"]);
      const [claimed] = await t.claim("worker-1");
      assert.deepEqual(claimed?.inbox.map((event) => event.name), ["x"]);
      await t.store.commit("worker-1", [commitFor(claimed, { entries: [stepEntry(0)] })]);
      assert.deepEqual(await other.getJournal(run.id), [stepEntry(0)]);
    });

    it("never lets both claim the same run", async (context) => {
      const other = await second();
      if (!other) return context.skip("this storage cannot be opened twice");
      const ids = new Set<string>();
      for (let i = 0; i < 20; i += 1) ids.add((await t.store.createRun(newRun())).run.id);
      const [mine, theirs] = await Promise.all([
        t.store.claimRuns(claimRequest("worker-1", { limit: 15 })),
        other.claimRuns(claimRequest("worker-2", { limit: 15 })),
      ]);
      const claimed = [...mine, ...theirs].map((c) => c.run.id);
      assert.equal(claimed.length, 20, "every run is claimed");
      assert.deepEqual(new Set(claimed), ids, "each exactly once");
      assert.deepEqual(await other.claimRuns(claimRequest("worker-2")), []);
    });

    it("fences a commit through one handle once the run was taken over through the other", async (context) => {
      const other = await second();
      if (!other) return context.skip("this storage cannot be opened twice");
      const stale = await t.startRun("worker-1");
      t.clock.advance(LEASE_MS);
      const [taken] = await other.claimRuns(claimRequest("worker-2"));
      assert.equal(taken?.run.id, stale.run.id);
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(stale, { entries: [stepEntry(0)], outcome: completed() })]), [false]);
      assert.deepEqual(await other.commit("worker-2", [commitFor(taken, { entries: [stepEntry(0, { name: "winner" })] })]), [true]);
      assert.deepEqual(await t.store.getJournal(stale.run.id), [stepEntry(0, { name: "winner" })]);
      assert.equal((await t.run(stale.run.id)).status, "running");
    });
  });
}
