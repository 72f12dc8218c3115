import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commitFor, completed, ended, LEASE_MS, newRun, stepEntry } from "../builders.js";
import type { SuiteContext } from "./context.js";

const V1 = { version: "v1" };
const V2 = { version: "v2" };

export function versionPinningTests(t: SuiteContext): void {
  /** The ids `workerId` claims with these version settings, sorted. */
  const claimIds = async (workerId: string, versions: { version?: string; compatibleWith?: string[] } = {}) =>
    (await t.claim(workerId, versions)).map((claimed) => claimed.run.id).sort();

  describe("version pinning", () => {
    it("pins a run to the version of the worker that first claims it, and keeps it through a take-over", async () => {
      const { run } = await t.store.createRun(newRun());
      assert.equal(run.version, null, "a new run is not pinned");
      const [claimed] = await t.claim("worker-1", V1);
      assert.equal(claimed?.run.version, "v1");
      assert.equal((await t.run(run.id)).version, "v1");
      // worker-1 dies; a worker serving v1 among others takes the run over, and it stays on v1.
      t.clock.advance(LEASE_MS);
      const [taken] = await t.claim("worker-2", { version: "v1.1", compatibleWith: ["v1"] });
      assert.equal(taken?.run.id, run.id);
      assert.equal(taken.run.version, "v1");
    });

    it("lets an unversioned worker claim only runs not pinned, and leaves them unpinned", async () => {
      const unpinned = await t.store.createRun(newRun());
      await t.store.createRun(newRun({ version: "v1" }));
      assert.deepEqual(await claimIds("worker-1"), [unpinned.run.id]);
      assert.equal((await t.run(unpinned.run.id)).version, null);
      assert.deepEqual(await claimIds("worker-2"), [], "the run pinned to v1 waits for a worker of v1");
    });

    it("lets a versioned worker claim runs not pinned, pinned to its version, or pinned to one it is compatible with", async () => {
      const unpinned = await t.store.createRun(newRun());
      const own = await t.store.createRun(newRun({ version: "v2" }));
      const older = await t.store.createRun(newRun({ version: "v1" }));
      const oldest = await t.store.createRun(newRun({ version: "v0" }));
      const newer = await t.store.createRun(newRun({ version: "v3" }));
      assert.deepEqual(await claimIds("worker-1", { version: "v2", compatibleWith: ["v1"] }), [unpinned.run.id, own.run.id, older.run.id].sort());
      assert.equal((await t.run(unpinned.run.id)).version, "v2");
      assert.equal((await t.run(older.run.id)).version, "v1", "a run of a compatible version stays pinned to it");
      assert.deepEqual(await claimIds("worker-2", V2), []);
      assert.deepEqual(await claimIds("worker-3", { version: "v3", compatibleWith: ["v0"] }), [oldest.run.id, newer.run.id].sort());
    });

    it("does not let a worker of another version take over a run whose lease lapsed", async () => {
      const { run } = await t.store.createRun(newRun());
      await t.claim("worker-v1", V1);
      t.clock.advance(LEASE_MS);
      assert.deepEqual(await claimIds("worker-v2", V2), [], "the run waits for a worker of v1");
      assert.deepEqual(await claimIds("worker-unversioned"), []);
      const [taken] = await t.claim("worker-v1b", V1);
      assert.deepEqual([taken?.run.id, taken?.run.lapses], [run.id, 1]);
    });

    it("creates a run claimed by a versioned worker pinned to its version, unless the run is pinned already", async () => {
      const [adopted, child] = await t.store.createRuns([
        newRun({ owner: { workerId: "worker-1", leaseMs: LEASE_MS, version: "v2" } }),
        newRun({ version: "v1", owner: { workerId: "worker-1", leaseMs: LEASE_MS, version: "v2" } }),
      ]);
      assert.deepEqual([adopted!.run.status, adopted!.run.version], ["running", "v2"]);
      assert.equal(child!.run.version, "v1");
    });

    it("creates the run a run continues as pinned to the version the commit gives it", async () => {
      await t.store.createRun(newRun());
      const [claimed] = await t.claim("worker-1", V1);
      const next = newRun({ continuedFrom: claimed!.run.id, version: claimed!.run.version! });
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(claimed!, { outcome: { status: "completed", output: "null", continuedTo: next } })]), [true]);
      assert.equal((await t.run(next.id)).version, "v1");
    });

    it("re-pins a failed or blocked run to another version on retry, with the failed children retried along", async () => {
      await t.store.createRun(newRun());
      const [claimed] = await t.claim("worker-1", V1);
      const id = claimed!.run.id;
      const { run: child } = await t.store.createRun(newRun({ parentId: id, parentPosition: 0, version: "v1" }));
      const [claimedChild] = await t.claim("worker-1", V1);
      assert.equal(claimedChild?.run.id, child.id);
      await t.store.commit("worker-1", [commitFor(claimedChild, { outcome: ended("failed") })]);
      const childEntry = stepEntry(0, { kind: "child", name: "wf", status: "failed", output: null, error: JSON.stringify({ message: "child failed" }) });
      await t.store.commit("worker-1", [commitFor(claimed!, { entries: [childEntry], outcome: ended("failed") })]);

      assert.equal((await t.store.retryRun(id, "v2")).result, "retried");
      assert.deepEqual([(await t.run(id)).version, (await t.run(child.id)).version], ["v2", "v2"]);
      assert.deepEqual(await claimIds("worker-v1", V1), [], "no longer for workers of v1");
      assert.deepEqual(await claimIds("worker-v2", V2), [id, child.id].sort());
    });

    it("keeps a run's version on a retry without one", async () => {
      await t.store.createRun(newRun());
      const [claimed] = await t.claim("worker-1", V1);
      await t.store.commit("worker-1", [commitFor(claimed!, { outcome: ended("blocked") })]);
      assert.equal((await t.store.retryRun(claimed!.run.id)).result, "retried");
      assert.equal((await t.run(claimed!.run.id)).version, "v1");
    });

    it("forks a run pinned to the version of its source", async () => {
      await t.store.createRun(newRun());
      const [claimed] = await t.claim("worker-1", V1);
      await t.store.commit("worker-1", [commitFor(claimed!, { entries: [stepEntry(0)], outcome: completed() })]);
      const forked = await t.store.forkRun(claimed!.run.id, "fork-1", 1);
      assert.equal(forked.result === "forked" && forked.run.version, "v1");
    });
  });
}
