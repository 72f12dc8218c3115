import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClaimedRun, JournalEntry, RunCommit } from "../../../src/store/store.js";
import { commitFor, completed, ended, eventEntry, newEvent, newRun, sleepEntry, stepEntry, waiting, WORKFLOW } from "../builders.js";
import type { SuiteContext } from "./context.js";

const STEP_FAILED = JSON.stringify({ message: "the step's bug" });

/** A step at `position` that failed for good, its failure handed over as outcome `seq`. */
function failedStep(position: number, seq: number): JournalEntry {
  return stepEntry(position, { status: "failed", output: null, error: STEP_FAILED, attempts: 3, seq });
}

/** A child run's call at `position` that received the child's end (outcome `seq`). */
function childEntry(position: number, status: "completed" | "failed", seq: number): JournalEntry {
  return stepEntry(position, {
    kind: "child", name: "child-wf", status, seq,
    output: status === "completed" ? JSON.stringify("child output") : null,
    error: status === "failed" ? STEP_FAILED : null,
  });
}

/** Entries as (position, name, status, seq), the parts a rewind decides on. */
const shape = (entries: readonly JournalEntry[]) => entries.map(({ position, name, status, seq }) => ({ position, name, status, seq }));

export function retryTests(t: SuiteContext): void {
  /** Runs `claimed` to its end in one commit. */
  const finish = async (claimed: ClaimedRun, parts: Partial<Omit<RunCommit, "runId">>) => {
    assert.deepEqual(await t.store.commit("worker-1", [commitFor(claimed, parts)]), [true]);
  };

  describe("retryRun (operator retry)", () => {
    it("rewinds a failed run to its first failed step: entries from there on go to the history, the run is pending and due now", async () => {
      const claimed = await t.startRun();
      const id = claimed.run.id;
      // The workflow caught the failure at 2 and went on to 3 before failing by itself.
      const entries = [stepEntry(0, { seq: 1 }), stepEntry(1, { seq: 2 }), failedStep(2, 3), stepEntry(3, { seq: 4 })];
      await finish(claimed, { entries, outcome: ended("failed") });
      t.clock.advance(5_000);

      const retried = await t.store.retryRun(id);
      assert.equal(retried.result, "retried");
      const run = await t.run(id);
      assert.deepEqual(retried.run, run);
      assert.equal(run.status, "pending");
      assert.equal(run.dueAt, t.clock.now());
      assert.equal(run.retries, 1);
      assert.equal(run.error, null);
      assert.equal(run.finishedAt, null);
      assert.equal(run.owner, null);
      assert.equal(run.lapses, 0);
      assert.deepEqual(shape(await t.store.getJournal(id)), shape(entries.slice(0, 2)));
      assert.deepEqual(await t.store.getJournalHistory(id), entries.slice(2).map((entry) => ({ retry: 1, ...entry })));

      const [again] = await t.claim("worker-2");
      assert.equal(again?.run.id, id);
      assert.deepEqual(shape(again.journal), shape(entries.slice(0, 2)));
    });

    it("keeps entries before the failed one even when their outcomes were handed over after the failure (Promise.all)", async () => {
      const claimed = await t.startRun();
      const id = claimed.run.id;
      // Promise.allSettled over 0, 1, 2: 2 finished first, then 1 failed, then 0 finished.
      const entries = [stepEntry(0, { seq: 3 }), failedStep(1, 2), stepEntry(2, { seq: 1 })];
      await finish(claimed, { entries, outcome: ended("failed") });
      await t.store.retryRun(id);
      // Every outcome handed over before the call at 1 was made belongs to a position before 1, so
      // what is kept replays as it first ran; 0's outcome simply comes before the new ones.
      assert.deepEqual(shape(await t.store.getJournal(id)), shape([entries[0]!]));
      assert.deepEqual(shape(await t.store.getJournalHistory(id)), shape(entries.slice(1)));
    });

    it("numbers each retry's history: a second retry keeps the first one's entries", async () => {
      const first = await t.startRun();
      const id = first.run.id;
      await finish(first, { entries: [stepEntry(0), failedStep(1, 1)], outcome: ended("failed") });
      await t.store.retryRun(id);
      const [second] = await t.claim("worker-1");
      const retriedOnce = failedStep(1, 1);
      retriedOnce.attempts = 5;
      await finish(second!, { entries: [retriedOnce], outcome: ended("failed") });
      assert.equal((await t.store.retryRun(id)).result, "retried");
      assert.equal((await t.run(id)).retries, 2);
      assert.deepEqual((await t.store.getJournalHistory(id)).map(({ retry, position, attempts }) => ({ retry, position, attempts })), [
        { retry: 1, position: 1, attempts: 3 },
        { retry: 2, position: 1, attempts: 5 },
      ]);
      assert.deepEqual(shape(await t.store.getJournal(id)), shape([stepEntry(0)]));
    });

    it("makes events consumed at rewound positions takeable again, and leaves those consumed before untouched", async () => {
      const claimed = await t.startRun();
      const id = claimed.run.id;
      await t.store.sendEvent(newEvent(id, "early"));
      await t.store.sendEvent(newEvent(id, "late"));
      await finish(claimed, { outcome: waiting(t.clock.now()) });
      const [resumed] = await t.claim("worker-1");
      const [early, late] = resumed!.inbox;
      await finish(resumed!, {
        entries: [eventEntry(0, "early", early!.payload, { seq: 1 }), failedStep(1, 2), eventEntry(2, "late", late!.payload, { seq: 3 })],
        consumed: [{ eventSeq: early!.seq, position: 0 }, { eventSeq: late!.seq, position: 2 }],
        outcome: ended("failed"),
      });
      await t.store.retryRun(id);
      const [again] = await t.claim("worker-1");
      assert.deepEqual(again?.inbox.map((event) => event.name), ["late"]);
    });

    it("keeps a blocked run's journal whole: the new code replays it", async () => {
      const claimed = await t.startRun();
      const id = claimed.run.id;
      const entries = [stepEntry(0), failedStep(1, 1), sleepEntry(2, t.clock.now() + 60_000)];
      await finish(claimed, { entries, outcome: ended("blocked") });
      const retried = await t.store.retryRun(id);
      assert.equal(retried.result === "retried" && retried.run.status, "pending");
      assert.equal((await t.run(id)).retries, 1);
      assert.deepEqual(await t.store.getJournal(id), entries);
      assert.deepEqual(await t.store.getJournalHistory(id), []);
    });

    it("keeps the journal whole when no step failed (the workflow threw by itself, or crash-looped)", async () => {
      const claimed = await t.startRun();
      const entries = [stepEntry(0), stepEntry(1)];
      await finish(claimed, { entries, outcome: ended("failed") });
      await t.store.retryRun(claimed.run.id);
      assert.deepEqual(await t.store.getJournal(claimed.run.id), entries);
      assert.deepEqual(await t.store.getJournalHistory(claimed.run.id), []);

      const loop = { workflows: ["loop-wf"], maxLapses: 1 };
      const looping = await t.startRun("worker-1", { workflow: "loop-wf" });
      await t.store.commit("worker-1", [commitFor(looping, { entries: [stepEntry(0)] })]);
      t.clock.advance(60_000);
      assert.deepEqual(await t.claim("worker-2", loop), []);
      assert.equal((await t.run(looping.run.id)).status, "failed");
      assert.equal((await t.store.retryRun(looping.run.id)).result, "retried");
      assert.equal((await t.run(looping.run.id)).lapses, 0, "the lapses that failed it are forgotten");
      const [again] = await t.claim("worker-2", loop);
      assert.equal(again?.run.id, looping.run.id);
      assert.deepEqual(shape(again.journal), shape([stepEntry(0)]));
    });

    it("refuses a missing run, and runs that are not failed or blocked, writing nothing", async () => {
      assert.deepEqual(await t.store.retryRun("no-such-run"), { result: "missing" });
      assert.equal(await t.store.getRun("no-such-run"), undefined);

      const done = await t.startRun();
      await finish(done, { entries: [stepEntry(0)], outcome: completed() });
      const running = await t.startRun();
      const cancelled = (await t.store.createRun(newRun())).run;
      await t.store.requestCancel(cancelled.id, JSON.stringify({ message: "cancelled" }));
      const pending = (await t.store.createRun(newRun({ workflow: "not-claimed-here" }))).run;
      for (const [id, status] of [[done.run.id, "completed"], [running.run.id, "running"], [cancelled.id, "cancelled"], [pending.id, "pending"]] as const) {
        const before = await t.run(id);
        assert.deepEqual(await t.store.retryRun(id), { result: "not-retryable", status });
        assert.deepEqual(await t.run(id), before);
      }
      assert.deepEqual(shape(await t.store.getJournal(done.run.id)), shape([stepEntry(0)]));
    });

    it("retries a failed child run at a rewound position with its parent; its old end notice stays consumed", async () => {
      const parent = await t.startRun();
      const parentId = parent.run.id;
      await finish(parent, { entries: [stepEntry(0, { seq: 1 })], outcome: waiting(null, ["endure:child:1"]) });
      const child = await t.startRun("worker-2", { workflow: "child-wf", parentId, parentPosition: 1 });
      await t.store.commit("worker-2", [commitFor(child, { entries: [stepEntry(0), failedStep(1, 1)], outcome: ended("failed") })]);
      assert.equal((await t.run(parentId)).dueAt, t.clock.now(), "the child's end woke its parent");
      const [woken] = await t.claim("worker-1");
      const notice = woken!.inbox.find((event) => event.name === "endure:child:1")!;
      await finish(woken!, { entries: [childEntry(1, "failed", 2)], consumed: [{ eventSeq: notice.seq, position: 1 }], outcome: ended("failed") });

      assert.equal((await t.store.retryRun(parentId)).result, "retried");
      const retriedChild = await t.run(child.run.id);
      assert.equal(retriedChild.status, "pending");
      assert.equal(retriedChild.retries, 1);
      assert.deepEqual(shape(await t.store.getJournal(child.run.id)), shape([stepEntry(0)]));
      assert.deepEqual(shape(await t.store.getJournalHistory(parentId)), shape([childEntry(1, "failed", 2)]));

      // The parent replays 0, calls the child again and waits for its next end, not the old one.
      const [claimedParent] = await t.claim("worker-1");
      assert.equal(claimedParent?.run.id, parentId);
      assert.deepEqual(claimedParent.inbox, []);
      await finish(claimedParent, { outcome: waiting(null, ["endure:child:1"]) });
      const [claimedChild] = await t.claim("worker-2", { workflows: ["child-wf"] });
      await t.store.commit("worker-2", [commitFor(claimedChild!, { entries: [stepEntry(1)], outcome: completed(JSON.stringify("fixed")) })]);
      const [resumed] = await t.claim("worker-1");
      assert.deepEqual(resumed?.inbox.map((event) => [event.name, JSON.parse(event.payload).status]), [["endure:child:1", "completed"]]);
    });

    it("leaves the newest end notice of a completed child at a rewound position takeable again, and no older one", async () => {
      const parent = await t.startRun();
      const parentId = parent.run.id;
      await finish(parent, { outcome: waiting(null, ["endure:child:1"]) });
      const child = await t.startRun("worker-2", { workflow: "child-wf", parentId, parentPosition: 1 });
      await t.store.commit("worker-2", [commitFor(child, { outcome: completed(JSON.stringify("child output")) })]);
      const [woken] = await t.claim("worker-1");
      const notice = woken!.inbox[0]!;
      // Promise.allSettled over the step at 0 and the child at 1: the child ended first.
      await finish(woken!, {
        entries: [failedStep(0, 2), childEntry(1, "completed", 1)],
        consumed: [{ eventSeq: notice.seq, position: 1 }],
        outcome: ended("failed"),
      });
      await t.store.retryRun(parentId);
      assert.equal((await t.run(child.run.id)).status, "completed", "a completed child is not run again");
      const [again] = await t.claim("worker-1");
      assert.deepEqual(again?.inbox.map((event) => event.seq), [notice.seq]);
    });
  });

  describe("retryRun of runs with options", () => {
    it("counts a retried run's timeout from its new start, and puts a run of a queue back into the queue", async () => {
      await t.store.registerQueues([{ name: "q", concurrency: 1, keyConcurrency: null, rateLimit: null }]);
      await t.store.createRun(newRun({ id: "queued-run", queue: "q", timeoutMs: 60_000 }));
      assert.equal(await t.store.admitQueued(["q"]), 1);
      const [claimed] = await t.claim("worker-1");
      await finish(claimed!, { entries: [failedStep(0, 1)], outcome: ended("failed") });
      t.clock.advance(1_000);

      await t.store.retryRun("queued-run");
      const run = await t.run("queued-run");
      assert.deepEqual([run.status, run.dueAt, run.admittedAt, run.startedAt, run.admitAt], ["queued", null, null, null, t.clock.now()]);
      assert.deepEqual(await t.claim("worker-1"), [], "not claimable before it is admitted again");
      assert.equal(await t.store.admitQueued(["q"]), 1);
      const [again] = await t.claim("worker-1");
      assert.equal(again?.run.startedAt, t.clock.now(), "started again now: its timeout counts from here");
    });
  });

  describe("forkRun", () => {
    it("creates a pending run of the same workflow and input with the journal before the position, linked to its source", async () => {
      const claimed = await t.startRun("worker-1", { tags: ["customer:7"] });
      const source = claimed.run;
      const entries = [stepEntry(0), stepEntry(1), stepEntry(2), stepEntry(3)];
      await finish(claimed, { entries, outcome: completed() });
      t.clock.advance(1_000);

      const forked = await t.store.forkRun(source.id, "fork-1", 2);
      assert.equal(forked.result, "forked");
      const fork = await t.run("fork-1");
      assert.deepEqual(forked.run, fork);
      assert.equal(fork.workflow, WORKFLOW);
      assert.equal(fork.input, source.input);
      assert.deepEqual(fork.tags, ["customer:7"]);
      assert.equal(fork.forkedFrom, source.id);
      assert.equal(fork.status, "pending");
      assert.equal(fork.dueAt, t.clock.now());
      assert.equal(fork.retries, 0);
      assert.deepEqual(await t.store.getJournal("fork-1"), entries.slice(0, 2));
      assert.deepEqual(await t.store.getJournal(source.id), entries, "the source is left as it is");
      assert.equal((await t.run(source.id)).status, "completed");
      const [taken] = await t.claim("worker-2");
      assert.equal(taken?.run.id, "fork-1");
      assert.deepEqual(taken.journal, entries.slice(0, 2));
    });

    it("copies nothing from position 0, and everything from the journal's length", async () => {
      const claimed = await t.startRun();
      await finish(claimed, { entries: [stepEntry(0), stepEntry(1)], outcome: completed() });
      assert.equal((await t.store.forkRun(claimed.run.id, "from-start", 0)).result, "forked");
      assert.deepEqual(await t.store.getJournal("from-start"), []);
      assert.equal((await t.store.forkRun(claimed.run.id, "whole", 2)).result, "forked");
      assert.deepEqual(shape(await t.store.getJournal("whole")), shape([stepEntry(0), stepEntry(1)]));
    });

    it("copies outcomes only: a wait of the source (a child's end, a sleep) is made again by the fork", async () => {
      const claimed = await t.startRun();
      const childWait = stepEntry(1, { kind: "child", name: "child-wf", status: "waiting", output: null, seq: null });
      await t.store.commit("worker-1", [commitFor(claimed, { entries: [stepEntry(0), childWait, sleepEntry(2, t.clock.now() + 60_000)] })]);
      assert.equal((await t.store.forkRun(claimed.run.id, "fork-of-waiting", 3)).result, "forked");
      assert.deepEqual(shape(await t.store.getJournal("fork-of-waiting")), shape([stepEntry(0)]));
    });

    it("refuses a missing source, a taken id and a position past the journal, writing nothing", async () => {
      const claimed = await t.startRun();
      await finish(claimed, { entries: [stepEntry(0), stepEntry(1)], outcome: completed() });
      assert.deepEqual(await t.store.forkRun("no-such-run", "fork-a", 0), { result: "missing" });
      assert.equal(await t.store.getRun("fork-a"), undefined);
      assert.deepEqual(await t.store.forkRun(claimed.run.id, "fork-b", 3), { result: "position-out-of-range", journalLength: 2 });
      assert.equal(await t.store.getRun("fork-b"), undefined);
      const other = (await t.store.createRun(newRun({ workflow: "other" }))).run;
      assert.deepEqual(await t.store.forkRun(claimed.run.id, other.id, 1), { result: "id-taken" });
      assert.deepEqual(await t.store.getJournal(other.id), [], "the existing run's journal is not touched");
      assert.deepEqual(await t.store.forkRun(claimed.run.id, claimed.run.id, 1), { result: "id-taken" });
    });
  });

  describe("retention of retried runs", () => {
    it("deletes a retried run's journal history with it", async () => {
      const claimed = await t.startRun();
      const id = claimed.run.id;
      await finish(claimed, { entries: [failedStep(0, 1)], outcome: ended("failed") });
      await t.store.retryRun(id);
      const [again] = await t.claim("worker-1");
      await finish(again!, { entries: [stepEntry(0)], outcome: completed() });
      assert.equal((await t.store.getJournalHistory(id)).length, 1);
      t.clock.advance(1_000);
      assert.equal(await t.store.deleteFinishedRuns(t.clock.now(), 10), 1);
      assert.deepEqual(await t.store.getJournalHistory(id), []);
      // A new run under the old id starts with no history.
      await t.startRun("worker-1", { id });
      assert.deepEqual(await t.store.getJournalHistory(id), []);
    });
  });
}
