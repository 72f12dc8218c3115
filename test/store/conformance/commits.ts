import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JournalEntry, RunRecord } from "../../../src/store/store.js";
import {
  commitFor, completed, ended, eventEntry, LEASE_MS, newEvent, retryingStepEntry, sleepEntry, stepEntry, waiting,
} from "../builders.js";
import type { SuiteContext } from "./context.js";

export function commitTests(t: SuiteContext): void {
  describe("commit", () => {
    it("writes journal entries and upserts them by position", async () => {
      const claimed = await t.startRun();
      const id = claimed.run.id;
      const wakeAt = t.clock.now() + 1_000;
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(claimed, { entries: [stepEntry(0), sleepEntry(1, wakeAt)] })]), [true]);
      assert.deepEqual(await t.store.getJournal(id), [stepEntry(0), sleepEntry(1, wakeAt)]);

      const fired = sleepEntry(1, wakeAt, { status: "completed", finishedAt: wakeAt, seq: 1 });
      const retrying = retryingStepEntry(2, wakeAt + 500);
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(claimed, { entries: [fired, retrying] })]), [true]);
      assert.deepEqual(await t.store.getJournal(id), [stepEntry(0), fired, retrying]);

      const done = stepEntry(2, { attempts: 3, startedAt: retrying.startedAt, seq: 2 });
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(claimed, { entries: [done] })]), [true]);
      assert.deepEqual(await t.store.getJournal(id), [stepEntry(0), fired, done]);
    });

    it("applies a run's entries in order, so the last write to a position wins", async () => {
      const claimed = await t.startRun();
      const first = retryingStepEntry(0, t.clock.now() + 10);
      const last = stepEntry(0, { attempts: 2 });
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(claimed, { entries: [first, last] })]), [true]);
      assert.deepEqual(await t.store.getJournal(claimed.run.id), [last]);
      assert.deepEqual(await t.store.commit("worker-1", [
        commitFor(claimed, { entries: [stepEntry(1, { attempts: 1 })] }),
        commitFor(claimed, { entries: [stepEntry(1, { attempts: 5 })] }),
      ]), [true, true]);
      assert.deepEqual(await t.store.getJournal(claimed.run.id), [last, stepEntry(1, { attempts: 5 })]);
    });

    it("keeps values byte for byte, including empty strings, unicode and large payloads", async () => {
      const claimed = await t.startRun();
      const big = JSON.stringify("x".repeat(256 * 1024));
      const entries = [
        stepEntry(0, { output: "" }),
        stepEntry(1, { output: JSON.stringify("żółw 🐢 \u0000 \"quoted\"") }),
        stepEntry(2, { output: big }),
        stepEntry(3, { status: "failed", output: null, error: JSON.stringify({ name: "Error", message: "boom" }) }),
      ];
      await t.store.commit("worker-1", [commitFor(claimed, { entries })]);
      assert.deepEqual(await t.store.getJournal(claimed.run.id), entries);
    });

    it("marks the events it consumed, so later claims do not hand them out again", async () => {
      const claimed = await t.startRun();
      const id = claimed.run.id;
      await t.store.sendEvent(newEvent(id, "a", { payload: "1" }));
      await t.store.sendEvent(newEvent(id, "b", { payload: "2" }));
      await t.store.sendEvent(newEvent(id, "a", { payload: "3" }));
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: waiting(t.clock.now()) })]);
      const [resumed] = await t.claim("worker-1");
      assert.ok(resumed);
      assert.deepEqual(resumed.inbox.map((event) => event.payload), ["1", "2", "3"]);
      const [a1, , a3] = resumed.inbox;

      assert.deepEqual(await t.store.commit("worker-1", [commitFor(resumed, {
        entries: [eventEntry(0, "a", "1"), eventEntry(1, "a", "3")],
        consumed: [{ eventSeq: a1!.seq, position: 0 }, { eventSeq: a3!.seq, position: 1 }],
        outcome: waiting(t.clock.now()),
      })]), [true]);
      const [again] = await t.claim("worker-1");
      assert.deepEqual(again?.inbox.map((event) => event.payload), ["2"]);
      assert.deepEqual(again.journal, [eventEntry(0, "a", "1"), eventEntry(1, "a", "3")]);
    });

    it("does not consume another run's event through a seq it does not own", async () => {
      const a = await t.startRun();
      const b = await t.startRun();
      await t.store.sendEvent(newEvent(b.run.id, "x"));
      await t.store.commit("worker-1", [commitFor(b, { outcome: waiting(t.clock.now()) })]);
      const [resumedB] = await t.claim("worker-1");
      const seq = resumedB!.inbox[0]!.seq;
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(a, { consumed: [{ eventSeq: seq, position: 0 }] })]), [true]);
      await t.store.commit("worker-1", [commitFor(resumedB!, { outcome: waiting(t.clock.now()) })]);
      const [again] = await t.claim("worker-1");
      assert.deepEqual(again?.inbox.map((event) => event.seq), [seq]);
    });

    for (const outcome of [completed("\"result\""), ended("failed"), ended("cancelled"), ended("blocked")]) {
      it(`finishes a run as ${outcome.status}: output or error set, owner and due time cleared`, async () => {
        const claimed = await t.startRun();
        t.clock.advance(700);
        assert.deepEqual(await t.store.commit("worker-1", [commitFor(claimed, { entries: [stepEntry(0)], outcome })]), [true]);
        const expected: RunRecord = {
          ...claimed.run,
          status: outcome.status,
          output: outcome.status === "completed" ? outcome.output : null,
          error: outcome.status === "completed" ? null : (outcome as { error: string }).error,
          finishedAt: t.clock.now(), updatedAt: t.clock.now(), owner: null, dueAt: null,
        };
        assert.deepEqual(await t.run(claimed.run.id), expected);
        assert.deepEqual(await t.store.getJournal(claimed.run.id), [stepEntry(0)]);
        assert.deepEqual(await t.store.commit("worker-1", [commitFor(claimed, { entries: [stepEntry(1)] })]), [false],
          "a finished run takes no more writes");
        assert.deepEqual(await t.store.getJournal(claimed.run.id), [stepEntry(0)]);
        t.clock.advance(LEASE_MS * 10);
        assert.deepEqual(await t.claim("worker-2"), [], "a finished run is never claimed");
      });
    }

    it("suspends a run: waiting, due at its timer, with the event names it waits for, and no owner", async () => {
      const claimed = await t.startRun();
      t.clock.advance(100);
      const wakeAt = t.clock.now() + 5_000;
      await t.store.commit("worker-1", [commitFor(claimed, { entries: [sleepEntry(0, wakeAt)], outcome: waiting(wakeAt, ["approve", "reject"]) })]);
      assert.deepEqual(await t.run(claimed.run.id), {
        ...claimed.run, status: "waiting", dueAt: wakeAt, waitingFor: ["approve", "reject"], owner: null, updatedAt: t.clock.now(),
      });
      t.clock.advance(4_999);
      assert.deepEqual(await t.claim("worker-2"), []);
      t.clock.advance(1);
      const [woken] = await t.claim("worker-2");
      assert.equal(woken?.run.id, claimed.run.id);
      assert.deepEqual(woken.run.waitingFor, [], "a claimed run waits for nothing");
    });

    it("suspends a run with no timer: only an event wakes it", async () => {
      const claimed = await t.startRun();
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: waiting(null, ["x"]) })]);
      const run = await t.run(claimed.run.id);
      assert.equal(run.status, "waiting");
      assert.equal(run.dueAt, null);
      t.clock.advance(365 * 24 * 3600 * 1000);
      assert.deepEqual(await t.claim("worker-1"), []);
    });

    describe("fencing", () => {
      it("refuses a commit at a stale epoch and writes none of it, while the rest of the batch is applied", async () => {
        const stale = await t.startRun("worker-1");
        const id = stale.run.id;
        await t.store.commit("worker-1", [commitFor(stale, { entries: [stepEntry(0)] })]);
        await t.store.sendEvent(newEvent(id, "x"));
        t.clock.advance(LEASE_MS);
        const [current] = await t.claim("worker-2");
        assert.equal(current?.run.id, id);
        const seq = current.inbox[0]!.seq;
        const before = await t.run(id);
        const held = await t.startRun("worker-1");

        t.clock.advance(10);
        const applied = await t.store.commit("worker-1", [
          commitFor(stale, {
            entries: [stepEntry(0, { output: "\"overwritten\"" }), eventEntry(1, "x", "{}")],
            consumed: [{ eventSeq: seq, position: 1 }],
            cancelDelivered: true,
            outcome: completed(),
          }),
          commitFor(held, { entries: [stepEntry(0)] }),
        ]);
        assert.deepEqual(applied, [false, true]);
        assert.deepEqual(await t.store.getJournal(id), [stepEntry(0)], "the stale commit wrote no entry");
        assert.deepEqual(await t.run(id), before, "nor touched the run");
        assert.deepEqual(await t.store.getJournal(held.run.id), [stepEntry(0)], "the other commit was applied");

        // The event the stale commit meant to consume is still there for the current owner.
        await t.store.commit("worker-2", [commitFor(current, { outcome: waiting(t.clock.now()) })]);
        const [resumed] = await t.claim("worker-2");
        assert.deepEqual(resumed?.inbox.map((e) => e.seq), [seq]);
      });

      it("refuses a commit by a worker that does not own the run, even at the right epoch", async () => {
        const claimed = await t.startRun("worker-1");
        assert.deepEqual(await t.store.commit("worker-2", [commitFor(claimed, { entries: [stepEntry(0)], outcome: completed() })]), [false]);
        assert.deepEqual(await t.store.getJournal(claimed.run.id), []);
        assert.deepEqual(await t.run(claimed.run.id), claimed.run);
      });

      it("refuses the same worker's commit from an earlier claim of the run", async () => {
        const first = await t.startRun("worker-1");
        await t.store.commit("worker-1", [commitFor(first, { outcome: waiting(t.clock.now()) })]);
        const [second] = await t.claim("worker-1");
        assert.equal(second?.run.epoch, first.run.epoch + 1);
        assert.deepEqual(await t.store.commit("worker-1", [
          commitFor(first, { entries: [stepEntry(0, { name: "stale" })] }),
          commitFor(second, { entries: [stepEntry(0)] }),
        ]), [false, true]);
        assert.deepEqual(await t.store.getJournal(first.run.id), [stepEntry(0)]);
      });

      it("refuses commits to runs that do not exist or are not running", async () => {
        const suspended = await t.startRun("worker-1");
        await t.store.commit("worker-1", [commitFor(suspended, { outcome: waiting(null, ["x"]) })]);
        const before = await t.run(suspended.run.id);
        assert.deepEqual(await t.store.commit("worker-1", [
          { runId: "no-such-run", epoch: 1, entries: [stepEntry(0)], consumed: [], cancelDelivered: false },
          commitFor(suspended, { entries: [stepEntry(0)] }),
        ]), [false, false]);
        assert.deepEqual(await t.store.getJournal("no-such-run"), []);
        assert.deepEqual(await t.store.getJournal(suspended.run.id), []);
        assert.deepEqual(await t.run(suspended.run.id), before);
      });

      it("returns an empty answer for an empty batch", async () => {
        assert.deepEqual(await t.store.commit("worker-1", []), []);
      });
    });

    it("is all or nothing: when one part of a batch cannot be written, no part is", async () => {
      const good = await t.startRun();
      const bad = await t.startRun();
      const malformed = { ...stepEntry(0), name: null } as unknown as JournalEntry;
      await assert.rejects(t.store.commit("worker-1", [
        commitFor(good, { entries: [stepEntry(0)], outcome: completed() }),
        commitFor(bad, { entries: [malformed] }),
      ]));
      assert.deepEqual(await t.store.getJournal(good.run.id), []);
      assert.deepEqual(await t.run(good.run.id), good.run);
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(good, { entries: [stepEntry(0)] })]), [true], "the store is still usable");
    });

    it("resets the lapse count when the new owner commits", async () => {
      await t.startRun("worker-1");
      t.clock.advance(LEASE_MS);
      const [taken] = await t.claim("worker-2");
      assert.equal(taken?.run.lapses, 1);
      await t.store.commit("worker-2", [commitFor(taken, { entries: [stepEntry(0)] })]);
      assert.equal((await t.run(taken.run.id)).lapses, 0);
    });

    it("records that the cancellation was delivered, and keeps that record", async () => {
      const claimed = await t.startRun();
      await t.store.requestCancel(claimed.run.id, "\"cancelled\"");
      assert.equal((await t.run(claimed.run.id)).cancelDelivered, false);
      await t.store.commit("worker-1", [commitFor(claimed, { cancelDelivered: true, entries: [stepEntry(0, { status: "failed", output: null, error: "\"cancelled\"" })] })]);
      const delivered = await t.run(claimed.run.id);
      assert.equal(delivered.cancelRequested, true);
      assert.equal(delivered.cancelDelivered, true);
      await t.store.commit("worker-1", [commitFor(claimed, { cancelDelivered: false, entries: [stepEntry(1)] })]);
      assert.equal((await t.run(claimed.run.id)).cancelDelivered, true);
    });

    it("sets updatedAt to the commit time", async () => {
      const claimed = await t.startRun();
      t.clock.advance(1_234);
      await t.store.commit("worker-1", [commitFor(claimed, { entries: [stepEntry(0)] })]);
      assert.equal((await t.run(claimed.run.id)).updatedAt, t.clock.now());
    });
  });
}
