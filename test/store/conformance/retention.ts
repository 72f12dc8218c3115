import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commitFor, completed, ended, newEvent, newRun, stepEntry, waiting } from "../builders.js";
import type { SuiteContext } from "./context.js";

const DAY = 24 * 60 * 60 * 1000;

export function retentionTests(t: SuiteContext): void {
  describe("deleteFinishedRuns (retention)", () => {
    /** A run that a worker finished now, with a journal entry and a consumed event. */
    const finishedRun = async (status: "completed" | "failed") => {
      const claimed = await t.startRun();
      await t.store.sendEvent(newEvent(claimed.run.id, "e"));
      await t.store.commit("worker-1", [commitFor(claimed, { entries: [stepEntry(0)], outcome: status === "completed" ? completed() : ended("failed") })]);
      return claimed.run.id;
    };

    it("deletes finished runs older than the cut-off with their journal and events, and nothing else", async () => {
      const old = [await finishedRun("completed"), await finishedRun("failed")];
      const waitingRun = await t.startRun();
      await t.store.commit("worker-1", [commitFor(waitingRun, { entries: [stepEntry(0)], outcome: waiting(null, ["never"]) })]);
      t.clock.advance(31 * DAY);
      const recent = await finishedRun("completed");
      const pending = (await t.store.createRun(newRun({ workflow: "not-claimed-here" }))).run.id;

      assert.equal(await t.store.deleteFinishedRuns(t.clock.now() - 30 * DAY, 100), 2);
      for (const id of old) {
        assert.equal(await t.store.getRun(id), undefined, `${id} is gone`);
        assert.deepEqual(await t.store.getJournal(id), []);
        assert.deepEqual(await t.store.sendEvent(newEvent(id, "late")), { result: "missing" });
      }
      assert.equal((await t.run(recent)).status, "completed", "a run finished after the cut-off stays");
      assert.equal((await t.run(waitingRun.run.id)).status, "waiting", "an unfinished run stays, however old");
      assert.equal((await t.store.getJournal(waitingRun.run.id)).length, 1);
      assert.equal((await t.run(pending)).status, "pending");
      assert.equal(await t.store.deleteFinishedRuns(t.clock.now() - 30 * DAY, 100), 0, "nothing left to delete");
      // A new run under an old id starts clean: no journal, no events left behind.
      const reborn = await t.startRun("worker-1", { id: old[0]! });
      assert.deepEqual(reborn.journal, []);
      assert.deepEqual(reborn.inbox, []);
    });

    it("deletes at most limit runs per call, the oldest first", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        ids.push(await finishedRun("completed"));
        t.clock.advance(1000);
      }
      assert.equal(await t.store.deleteFinishedRuns(t.clock.now(), 2), 2);
      const left = [];
      for (const id of ids) if (await t.store.getRun(id)) left.push(id);
      assert.deepEqual(left, ids.slice(2));
      assert.equal(await t.store.deleteFinishedRuns(t.clock.now(), 10), 3);
    });
  });
}
