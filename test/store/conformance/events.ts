import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commitFor, completed, eventEntry, LEASE_MS, newEvent, newRun, waiting } from "../builders.js";
import type { SuiteContext } from "./context.js";

const CANCELLED = JSON.stringify({ name: "CancelledError", message: "cancelled by the test" });

export function eventTests(t: SuiteContext): void {
  describe("sendEvent and suspension", () => {
    it("wakes a run waiting for that event name: due now", async () => {
      const claimed = await t.startRun();
      const id = claimed.run.id;
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: waiting(null, ["x"]) })]);
      t.clock.advance(1_000);
      assert.deepEqual(await t.store.sendEvent(newEvent(id, "x")), { result: "sent" });
      const run = await t.run(id);
      assert.equal(run.status, "waiting");
      assert.equal(run.dueAt, t.clock.now());
      const [woken] = await t.claim("worker-2");
      assert.equal(woken?.run.id, id);
      assert.deepEqual(woken.inbox.map(({ name, payload, sentAt }) => ({ name, payload, sentAt })), [
        { name: "x", payload: newEvent(id, "x").payload, sentAt: t.clock.now() },
      ]);
    });

    it("wakes a run before its timer when the event comes first", async () => {
      const claimed = await t.startRun();
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: waiting(t.clock.now() + 60_000, ["x", "y"]) })]);
      t.clock.advance(1_000);
      await t.store.sendEvent(newEvent(claimed.run.id, "y"));
      assert.equal((await t.run(claimed.run.id)).dueAt, t.clock.now());
    });

    it("does not wake a run for an event of another name, but keeps the event for it", async () => {
      const claimed = await t.startRun();
      const id = claimed.run.id;
      const timer = t.clock.now() + 60_000;
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: waiting(timer, ["x"]) })]);
      const before = await t.run(id);
      t.clock.advance(1_000);
      assert.deepEqual(await t.store.sendEvent(newEvent(id, "other")), { result: "sent" });
      const after = await t.run(id);
      assert.equal(after.status, "waiting");
      assert.equal(after.dueAt, before.dueAt);
      assert.deepEqual(await t.claim("worker-1"), []);
      t.clock.advance(59_000);
      const [woken] = await t.claim("worker-1");
      assert.deepEqual(woken?.inbox.map((event) => event.name), ["other"]);
    });

    it("makes a suspending run due at once when an event it waits for is already in its inbox", async () => {
      const claimed = await t.startRun();
      const id = claimed.run.id;
      t.clock.advance(10);
      assert.deepEqual(await t.store.sendEvent(newEvent(id, "x")), { result: "sent" });
      const running = await t.run(id);
      assert.equal(running.status, "running", "an event does not disturb a running run");
      assert.equal(running.dueAt, claimed.run.dueAt, "nor its lease");
      t.clock.advance(10);
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: waiting(t.clock.now() + 60_000, ["x"]) })]);
      const suspended = await t.run(id);
      assert.equal(suspended.status, "waiting");
      assert.equal(suspended.dueAt, t.clock.now());
      assert.deepEqual((await t.claim("worker-1")).map((c) => c.run.id), [id]);
    });

    it("does not count an inbox event of another name, or one consumed by the same commit, as already there", async () => {
      const claimed = await t.startRun();
      const id = claimed.run.id;
      await t.store.sendEvent(newEvent(id, "x"));
      await t.store.sendEvent(newEvent(id, "y"));
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: waiting(t.clock.now()) })]);
      const [resumed] = await t.claim("worker-1");
      const x = resumed!.inbox.find((event) => event.name === "x")!;
      const timer = t.clock.now() + 60_000;
      await t.store.commit("worker-1", [commitFor(resumed!, {
        entries: [eventEntry(0, "x", x.payload)],
        consumed: [{ eventSeq: x.seq, position: 0 }],
        outcome: waiting(timer, ["x", "z"]),
      })]);
      assert.equal((await t.run(id)).dueAt, timer);
    });

    it("reports an event whose key was already sent to the run as a duplicate, and keeps one", async () => {
      const { run } = await t.store.createRun(newRun());
      const other = await t.store.createRun(newRun());
      assert.deepEqual(await t.store.sendEvent(newEvent(run.id, "x", { key: "k1", payload: "1" })), { result: "sent" });
      assert.deepEqual(await t.store.sendEvent(newEvent(run.id, "x", { key: "k1", payload: "2" })), { result: "duplicate" });
      assert.deepEqual(await t.store.sendEvent(newEvent(run.id, "y", { key: "k1", payload: "3" })), { result: "duplicate" });
      assert.deepEqual(await t.store.sendEvent(newEvent(run.id, "x", { key: "k2", payload: "4" })), { result: "sent" });
      assert.deepEqual(await t.store.sendEvent(newEvent(run.id, "x", { payload: "5" })), { result: "sent" });
      assert.deepEqual(await t.store.sendEvent(newEvent(run.id, "x", { payload: "6" })), { result: "sent" }, "events without a key are never duplicates");
      assert.deepEqual(await t.store.sendEvent(newEvent(other.run.id, "x", { key: "k1", payload: "7" })), { result: "sent" }, "keys are per run");
      const claimed = await t.claim("worker-1");
      const inbox = claimed.find((c) => c.run.id === run.id)?.inbox.map((event) => event.payload);
      assert.deepEqual(inbox, ["1", "4", "5", "6"]);
    });

    it("keeps an event's key after the event is consumed", async () => {
      const claimed = await t.startRun();
      await t.store.sendEvent(newEvent(claimed.run.id, "x", { key: "k" }));
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: waiting(t.clock.now()) })]);
      const [resumed] = await t.claim("worker-1");
      await t.store.commit("worker-1", [commitFor(resumed!, {
        consumed: [{ eventSeq: resumed!.inbox[0]!.seq, position: 0 }],
        outcome: waiting(null, ["x"]),
      })]);
      assert.deepEqual(await t.store.sendEvent(newEvent(claimed.run.id, "x", { key: "k" })), { result: "duplicate" });
      assert.equal((await t.run(claimed.run.id)).dueAt, null, "a duplicate wakes nothing");
    });

    it("reports a missing run, and a finished run with its status", async () => {
      assert.deepEqual(await t.store.sendEvent(newEvent("no-such-run", "x")), { result: "missing" });
      const claimed = await t.startRun();
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: completed() })]);
      assert.deepEqual(await t.store.sendEvent(newEvent(claimed.run.id, "x")), { result: "finished", status: "completed" });
      const cancelled = await t.store.createRun(newRun());
      await t.store.requestCancel(cancelled.run.id, CANCELLED);
      assert.deepEqual(await t.store.sendEvent(newEvent(cancelled.run.id, "x", { key: "k" })), { result: "finished", status: "cancelled" });
    });

    it("buffers events sent before a run starts, for its first claim", async () => {
      const { run } = await t.store.createRun(newRun({ dueAt: t.clock.now() + 1_000 }));
      assert.deepEqual(await t.store.sendEvent(newEvent(run.id, "early")), { result: "sent" });
      assert.equal((await t.run(run.id)).dueAt, t.clock.now() + 1_000, "an event does not move a pending run's start");
      t.clock.advance(1_000);
      const [claimed] = await t.claim("worker-1");
      assert.deepEqual(claimed?.inbox.map((event) => event.name), ["early"]);
    });
  });

  describe("requestCancel", () => {
    it("cancels a pending run that never started at once, with the given error", async () => {
      const { run } = await t.store.createRun(newRun({ dueAt: t.clock.now() + 60_000 }));
      t.clock.advance(5);
      const cancelled = await t.store.requestCancel(run.id, CANCELLED);
      const expected = {
        ...run, status: "cancelled" as const, error: CANCELLED, finishedAt: t.clock.now(), updatedAt: t.clock.now(),
        dueAt: null, cancelRequested: true,
      };
      assert.deepEqual(cancelled, expected);
      assert.deepEqual(await t.store.getRun(run.id), expected);
      t.clock.advance(60_000);
      assert.deepEqual(await t.claim("worker-1"), []);
    });

    it("wakes a waiting run so a worker delivers the cancellation", async () => {
      const claimed = await t.startRun();
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: waiting(t.clock.now() + 60_000, ["x"]) })]);
      t.clock.advance(5);
      const requested = await t.store.requestCancel(claimed.run.id, CANCELLED);
      assert.equal(requested?.status, "waiting");
      assert.equal(requested.dueAt, t.clock.now());
      assert.equal(requested.cancelRequested, true);
      assert.equal(requested.error, null);
      assert.deepEqual(await t.run(claimed.run.id), requested);
      const [woken] = await t.claim("worker-2");
      assert.equal(woken?.run.cancelRequested, true);
      assert.equal(woken.run.cancelDelivered, false);
    });

    it("only flags a running run; its worker learns of it when renewing the lease", async () => {
      const claimed = await t.startRun();
      t.clock.advance(5);
      const requested = await t.store.requestCancel(claimed.run.id, CANCELLED);
      assert.ok(requested);
      assert.equal(requested.status, "running");
      assert.equal(requested.cancelRequested, true);
      assert.equal(requested.owner, "worker-1");
      assert.equal(requested.epoch, claimed.run.epoch);
      assert.equal(requested.dueAt, claimed.run.dueAt);
      assert.deepEqual(await t.store.renewLeases("worker-1", [claimed.run.id], LEASE_MS), [{ id: claimed.run.id, cancelRequested: true }]);
      const again = await t.store.requestCancel(claimed.run.id, CANCELLED);
      assert.equal(again?.status, "running", "asking twice changes nothing more");
    });

    it("only flags a pending run that already started (released by its worker)", async () => {
      const claimed = await t.startRun();
      await t.store.releaseRuns("worker-1", [claimed.run.id]);
      const requested = await t.store.requestCancel(claimed.run.id, CANCELLED);
      assert.equal(requested?.status, "pending");
      assert.equal(requested.cancelRequested, true);
      const [again] = await t.claim("worker-2");
      assert.equal(again?.run.cancelRequested, true, "the next worker delivers it");
    });

    it("leaves a finished run as it is", async () => {
      const claimed = await t.startRun();
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: completed() })]);
      const before = await t.run(claimed.run.id);
      t.clock.advance(5);
      assert.equal(await t.store.requestCancel(claimed.run.id, CANCELLED), undefined);
      assert.deepEqual(await t.run(claimed.run.id), before);
    });

    it("returns undefined for a missing run", async () => {
      assert.equal(await t.store.requestCancel("no-such-run", CANCELLED), undefined);
      assert.equal(await t.store.getRun("no-such-run"), undefined);
    });

    it("makes a run due at once when it suspends with the cancellation requested but not delivered", async () => {
      const claimed = await t.startRun();
      await t.store.requestCancel(claimed.run.id, CANCELLED);
      t.clock.advance(5);
      await t.store.commit("worker-1", [commitFor(claimed, { outcome: waiting(t.clock.now() + 60_000, ["x"]) })]);
      assert.equal((await t.run(claimed.run.id)).dueAt, t.clock.now());
    });

    it("lets a run suspend on its timer once the cancellation was delivered", async () => {
      const claimed = await t.startRun();
      await t.store.requestCancel(claimed.run.id, CANCELLED);
      const timer = t.clock.now() + 60_000;
      await t.store.commit("worker-1", [commitFor(claimed, { cancelDelivered: true, outcome: waiting(timer) })]);
      assert.equal((await t.run(claimed.run.id)).dueAt, timer);
    });
  });
}
