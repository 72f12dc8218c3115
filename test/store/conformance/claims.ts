import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commitFor, crashLoopError, LEASE_MS, newEvent, newRun, sleepEntry, stepEntry, waiting } from "../builders.js";
import type { SuiteContext } from "./context.js";

export function claimTests(t: SuiteContext): void {
  describe("claimRuns", () => {
    it("claims only runs that are due", async () => {
      const now = await t.store.createRun(newRun());
      const later = await t.store.createRun(newRun({ dueAt: t.clock.now() + 10_000 }));
      assert.deepEqual((await t.claim("worker-1")).map((c) => c.run.id), [now.run.id]);
      t.clock.advance(9_999);
      assert.deepEqual(await t.claim("worker-1"), []);
      t.clock.advance(1);
      assert.deepEqual((await t.claim("worker-1")).map((c) => c.run.id), [later.run.id]);
    });

    it("claims only runs of the workflows it is given", async () => {
      const a = await t.store.createRun(newRun({ workflow: "a" }));
      const b = await t.store.createRun(newRun({ workflow: "b" }));
      await t.store.createRun(newRun({ workflow: "c" }));
      assert.deepEqual(await t.claim("worker-1", { workflows: [] }), []);
      assert.deepEqual(await t.claim("worker-1", { workflows: ["nothing"] }), []);
      const claimed = await t.claim("worker-1", { workflows: ["b", "a"] });
      assert.deepEqual(claimed.map((c) => c.run.id).sort(), [a.run.id, b.run.id].sort());
      assert.equal((await t.run(a.run.id)).status, "running");
      assert.equal((await t.run(b.run.id)).status, "running");
      assert.deepEqual((await t.store.listRuns({ limit: 10, status: "pending" })).runs.map((r) => r.workflow), ["c"]);
    });

    it("claims at most limit runs, the earliest due first", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        // Created in one order, due in the reverse order.
        ids.unshift((await t.store.createRun(newRun({ dueAt: t.clock.now() - i }))).run.id);
      }
      const batches: string[][] = [];
      for (let i = 0; i < 4; i += 1) batches.push((await t.claim("worker-1", { limit: 2 })).map((c) => c.run.id));
      assert.deepEqual(batches.map((batch) => batch.length), [2, 2, 1, 0]);
      assert.deepEqual(batches.flat(), ids, "every run once, the earliest due first");
    });

    it("makes the worker the owner at the next epoch, leased until now + leaseMs, and hands it the run", async () => {
      const { run } = await t.store.createRun(newRun());
      t.clock.advance(250);
      const [claimed, ...more] = await t.claim("worker-1", { leaseMs: 12_345 });
      assert.equal(more.length, 0);
      assert.deepEqual(claimed, {
        run: {
          ...run, status: "running", owner: "worker-1", epoch: 1, dueAt: t.clock.now() + 12_345,
          startedAt: t.clock.now(), updatedAt: t.clock.now(),
        },
        journal: [],
        inbox: [],
      });
      assert.deepEqual(await t.store.getRun(run.id), claimed!.run);
    });

    it("hands a resumed run its journal and its unconsumed events, oldest first", async () => {
      const first = await t.startRun();
      const id = first.run.id;
      const entries = [stepEntry(0), sleepEntry(1, t.clock.now() + 100)];
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(first, { entries, outcome: waiting(null, ["x"]) })]), [true]);
      t.clock.advance(10);
      assert.deepEqual(await t.store.sendEvent(newEvent(id, "y", { payload: "\"why\"" })), { result: "sent" });
      t.clock.advance(10);
      assert.deepEqual(await t.store.sendEvent(newEvent(id, "x", { payload: "\"ex\"" })), { result: "sent" });

      const [second] = await t.claim("worker-2");
      assert.ok(second);
      assert.equal(second.run.id, id);
      assert.equal(second.run.epoch, 2);
      assert.equal(second.run.startedAt, first.run.startedAt, "startedAt is the first start");
      assert.deepEqual(second.journal, entries);
      assert.deepEqual(second.inbox.map(({ name, payload, sentAt }) => ({ name, payload, sentAt })), [
        { name: "y", payload: "\"why\"", sentAt: t.clock.now() - 10 },
        { name: "x", payload: "\"ex\"", sentAt: t.clock.now() },
      ]);
      const [y, x] = second.inbox;
      assert.ok(y!.seq < x!.seq, "seq grows with every event sent");
    });

    it("gives another worker nothing while the lease holds", async () => {
      const claimed = await t.startRun("worker-1");
      t.clock.advance(LEASE_MS - 1);
      assert.deepEqual(await t.claim("worker-2"), []);
      assert.deepEqual(await t.run(claimed.run.id), claimed.run);
    });

    it("lets another worker take a run over once its lease lapsed, counting the lapse", async () => {
      const first = await t.startRun("worker-1");
      await t.store.commit("worker-1", [commitFor(first, { entries: [stepEntry(0)] })]);
      t.clock.advance(LEASE_MS);
      const [taken] = await t.claim("worker-2", { leaseMs: 5_000 });
      assert.ok(taken);
      assert.equal(taken.run.id, first.run.id);
      assert.equal(taken.run.owner, "worker-2");
      assert.equal(taken.run.epoch, first.run.epoch + 1);
      assert.equal(taken.run.lapses, 1);
      assert.equal(taken.run.dueAt, t.clock.now() + 5_000);
      assert.equal(taken.run.startedAt, first.run.startedAt);
      assert.deepEqual(taken.journal, [stepEntry(0)]);
      assert.deepEqual(await t.run(first.run.id), taken.run);
    });

    it("does not count a wake-up from a wait or a release as a lapse", async () => {
      const first = await t.startRun("worker-1");
      await t.store.commit("worker-1", [commitFor(first, { outcome: waiting(t.clock.now() + 1_000) })]);
      t.clock.advance(1_000);
      const [woken] = await t.claim("worker-2");
      assert.equal(woken?.run.lapses, 0);
      assert.equal(woken.run.epoch, 2);
      await t.store.releaseRuns("worker-2", [first.run.id]);
      const [again] = await t.claim("worker-3");
      assert.equal(again?.run.lapses, 0);
      assert.equal(again.run.epoch, 3);
    });

    it("fails a run with the crash-loop error instead of claiming it once its lease lapsed maxLapses times", async () => {
      const calls: [string, number][] = [];
      const request = {
        maxLapses: 3,
        crashLoopError: (runId: string, lapses: number) => {
          calls.push([runId, lapses]);
          return crashLoopError(runId, lapses);
        },
      };
      const { run } = await t.store.createRun(newRun());
      for (const [worker, lapses] of [["worker-1", 0], ["worker-2", 1], ["worker-3", 2]] as const) {
        const [claimed] = await t.claim(worker, request);
        assert.equal(claimed?.run.lapses, lapses, `${worker} claims it after ${lapses} lapses`);
        t.clock.advance(LEASE_MS);
      }
      const bystander = await t.store.createRun(newRun());
      const claimed = await t.claim("worker-4", request);
      assert.deepEqual(claimed.map((c) => c.run.id), [bystander.run.id], "other due runs are still claimed");
      assert.deepEqual(calls, [[run.id, 3]]);
      const failed = await t.run(run.id);
      assert.equal(failed.status, "failed");
      assert.equal(failed.error, crashLoopError(run.id, 3));
      assert.equal(failed.output, null);
      assert.equal(failed.finishedAt, t.clock.now());
      assert.equal(failed.owner, null);
      assert.equal(failed.dueAt, null);
      assert.equal(failed.epoch, 3, "a failed run is not claimed, so its epoch stays");
      assert.deepEqual(await t.claim("worker-4", request), []);
    });
    it("records on a run failed for crash-looping the lapse that failed it", async () => {
      const { run } = await t.store.createRun(newRun());
      for (const worker of ["worker-1", "worker-2", "worker-3"]) {
        assert.equal((await t.claim(worker, { maxLapses: 3 })).length, 1);
        t.clock.advance(LEASE_MS);
      }
      assert.deepEqual(await t.claim("worker-4", { maxLapses: 3 }), []);
      const failed = await t.run(run.id);
      assert.equal(failed.error, crashLoopError(run.id, 3));
      // RunRecord.lapses: "consecutive times the run's lease lapsed while a worker held it" — three.
      assert.equal(failed.lapses, 3, "lapses should count the lapse the crash-loop error reports");
    });
  });

  describe("renewLeases", () => {
    it("extends only the listed runs the worker holds, to now + leaseMs", async () => {
      const a = await t.startRun("worker-1");
      const b = await t.startRun("worker-1");
      const other = await t.startRun("worker-2");
      t.clock.advance(1_000);
      const held = await t.store.renewLeases("worker-1", [a.run.id, other.run.id, "no-such-run"], 60_000);
      assert.deepEqual(held, [{ id: a.run.id, cancelRequested: false }]);
      assert.equal((await t.run(a.run.id)).dueAt, t.clock.now() + 60_000);
      assert.equal((await t.run(b.run.id)).dueAt, b.run.dueAt, "a run not listed keeps its lease");
      assert.deepEqual(await t.run(other.run.id), other.run, "another worker's run is untouched");
      assert.deepEqual(await t.store.renewLeases("worker-1", [], 60_000), []);
    });

    it("keeps a renewed run from being taken over when the old lease would have lapsed", async () => {
      const a = await t.startRun("worker-1");
      t.clock.advance(LEASE_MS - 1);
      await t.store.renewLeases("worker-1", [a.run.id], LEASE_MS);
      t.clock.advance(LEASE_MS - 1);
      assert.deepEqual(await t.claim("worker-2"), []);
      t.clock.advance(1);
      assert.deepEqual((await t.claim("worker-2")).map((c) => c.run.id), [a.run.id]);
    });

    it("renews a lapsed lease that no other worker has taken yet", async () => {
      const a = await t.startRun("worker-1");
      t.clock.advance(LEASE_MS + 5);
      assert.deepEqual(await t.store.renewLeases("worker-1", [a.run.id], LEASE_MS), [{ id: a.run.id, cancelRequested: false }]);
      assert.deepEqual(await t.claim("worker-2"), []);
    });

    it("reports which held runs were asked to cancel", async () => {
      const a = await t.startRun("worker-1");
      const b = await t.startRun("worker-1");
      await t.store.requestCancel(b.run.id, "\"cancelled\"");
      const held = await t.store.renewLeases("worker-1", [a.run.id, b.run.id], LEASE_MS);
      assert.deepEqual([...held].sort((x, y) => x.id.localeCompare(y.id)), [
        { id: a.run.id, cancelRequested: false },
        { id: b.run.id, cancelRequested: true },
      ].sort((x, y) => x.id.localeCompare(y.id)));
    });

    it("does not return runs taken over by another worker, nor extend their lease", async () => {
      const a = await t.startRun("worker-1");
      t.clock.advance(LEASE_MS);
      const [taken] = await t.claim("worker-2");
      assert.equal(taken?.run.id, a.run.id);
      t.clock.advance(10);
      assert.deepEqual(await t.store.renewLeases("worker-1", [a.run.id], 60_000), []);
      assert.deepEqual(await t.run(a.run.id), taken.run);
    });

    it("does not return runs the worker suspended, finished or released", async () => {
      const suspended = await t.startRun("worker-1");
      const finished = await t.startRun("worker-1");
      const released = await t.startRun("worker-1");
      await t.store.commit("worker-1", [
        commitFor(suspended, { outcome: waiting(t.clock.now() + 60_000) }),
        commitFor(finished, { outcome: { status: "completed", output: "1" } }),
      ]);
      await t.store.releaseRuns("worker-1", [released.run.id]);
      const ids = [suspended.run.id, finished.run.id, released.run.id];
      const before = await Promise.all(ids.map((id) => t.run(id)));
      t.clock.advance(10);
      assert.deepEqual(await t.store.renewLeases("worker-1", ids, LEASE_MS), []);
      assert.deepEqual(await Promise.all(ids.map((id) => t.run(id))), before);
    });
  });

  describe("releaseRuns", () => {
    it("gives the worker's runs back: pending, due now, no owner", async () => {
      const a = await t.startRun("worker-1");
      const kept = await t.startRun("worker-1");
      await t.store.commit("worker-1", [commitFor(a, { entries: [stepEntry(0)] })]);
      t.clock.advance(500);
      await t.store.releaseRuns("worker-1", [a.run.id]);
      const released = await t.run(a.run.id);
      assert.equal(released.status, "pending");
      assert.equal(released.dueAt, t.clock.now());
      assert.equal(released.owner, null);
      assert.equal(released.startedAt, a.run.startedAt, "a released run keeps its first start");
      assert.deepEqual(await t.store.getJournal(a.run.id), [stepEntry(0)], "and its journal");
      assert.deepEqual(await t.run(kept.run.id), kept.run, "runs not listed are untouched");

      const [again] = await t.claim("worker-2");
      assert.equal(again?.run.id, a.run.id);
      assert.equal(again.run.epoch, a.run.epoch + 1);
      assert.deepEqual(again.journal, [stepEntry(0)]);
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(a, { entries: [stepEntry(1)] })]), [false],
        "the releasing worker can no longer commit");
    });

    it("leaves runs alone that the worker does not hold", async () => {
      const other = await t.startRun("worker-2");
      const suspended = await t.startRun("worker-1");
      await t.store.commit("worker-1", [commitFor(suspended, { outcome: waiting(t.clock.now() + 60_000) })]);
      const before = await t.run(suspended.run.id);
      t.clock.advance(10);
      await t.store.releaseRuns("worker-1", [other.run.id, suspended.run.id, "no-such-run"]);
      await t.store.releaseRuns("worker-1", []);
      assert.deepEqual(await t.run(other.run.id), other.run);
      assert.deepEqual(await t.run(suspended.run.id), before);
    });
  });
}
