import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CreatedRun, RunRecord } from "../../../src/store/store.js";
import { commitFor, newRun, stepEntry } from "../builders.js";
import type { SuiteContext } from "./context.js";

export function runTests(t: SuiteContext): void {
  describe("createRun", () => {
    it("creates a pending run, due now, that no worker has touched", async () => {
      const input = newRun({ workflow: "orders" });
      const { run, created } = await t.store.createRun(input);
      assert.equal(created, true);
      const expected: RunRecord = {
        id: input.id, workflow: "orders", status: "pending", input: input.input, output: null, error: null,
        createdAt: t.clock.now(), updatedAt: t.clock.now(), startedAt: null, finishedAt: null, dueAt: t.clock.now(),
        owner: null, epoch: 0, lapses: 0, cancelRequested: false, cancelDelivered: false, waitingFor: [],
        parentId: null, parentPosition: null, tags: [], timeoutMs: null, queue: null, concurrencyKey: null, priority: 0,
        admitAt: null, admittedAt: null, continuedFrom: null, continuedTo: null, forkedFrom: null, retries: 0,
        traceContext: null, version: null,
      };
      assert.deepEqual(run, expected);
      assert.deepEqual(await t.store.getRun(input.id), expected);
    });

    it("keeps the trace context a run was created with: alone, in a batch, claimed, and in the run it continues as", async () => {
      const traceContext = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      const { run } = await t.store.createRun(newRun({ traceContext }));
      assert.equal(run.traceContext, traceContext);
      assert.equal((await t.store.getRun(run.id))!.traceContext, traceContext);
      const [traced, untraced] = await t.store.createRuns([newRun({ traceContext: traceContext.replace("-01", "-00") }), newRun()]);
      assert.deepEqual([traced!.run.traceContext, untraced!.run.traceContext], [traceContext.replace("-01", "-00"), null]);
      const claimed = (await t.claim("worker-1")).find((each) => each.run.id === run.id);
      assert.equal(claimed!.run.traceContext, traceContext);
      const next = newRun({ continuedFrom: run.id, traceContext: "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01" });
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(claimed!, { outcome: { status: "completed", output: "null", continuedTo: next } })]), [true]);
      assert.equal((await t.store.getRun(next.id))!.traceContext, next.traceContext);
    });

    it("schedules the run at dueAt and claims it only from then on", async () => {
      const dueAt = t.clock.now() + 5_000;
      const { run } = await t.store.createRun(newRun({ dueAt }));
      assert.equal(run.dueAt, dueAt);
      assert.equal(run.createdAt, t.clock.now());
      t.clock.advance(4_999);
      assert.deepEqual(await t.claim("worker-1"), []);
      t.clock.advance(1);
      assert.deepEqual((await t.claim("worker-1")).map((c) => c.run.id), [run.id]);
    });

    it("returns the existing run untouched when the id exists", async () => {
      const first = await t.store.createRun(newRun({ id: "same-id" }));
      t.clock.advance(1_000);
      const again = await t.store.createRun({ id: "same-id", workflow: "other", input: "[\"other\"]", dueAt: t.clock.now() + 60_000 });
      assert.equal(again.created, false);
      assert.deepEqual(again.run, first.run);
      assert.deepEqual(await t.store.getRun("same-id"), first.run);
    });

    it("returns a run that has moved on as it is now, and does not reset it", async () => {
      const claimed = await t.startRun("worker-1", { id: "busy" });
      t.clock.advance(1_000);
      const again = await t.store.createRun(newRun({ id: "busy" }));
      assert.equal(again.created, false);
      assert.deepEqual(again.run, claimed.run);
      assert.equal(again.run.status, "running");
    });
  });

  describe("createRuns", () => {
    it("creates a batch in order, and a later run of the batch with an earlier one's id gets that run", async () => {
      const existing = await t.store.createRun(newRun({ id: "taken" }));
      t.clock.advance(1_000);
      const a = newRun();
      const b = newRun();
      const results = await t.store.createRuns([a, newRun({ id: "taken" }), b, { ...newRun(), id: a.id, workflow: "other" }]);
      assert.deepEqual(results.map((r) => [r.run.id, r.created]), [[a.id, true], ["taken", false], [b.id, true], [a.id, false]]);
      assert.deepEqual(results[1]!.run, existing.run);
      assert.deepEqual(results[3]!.run, results[0]!.run);
      assert.equal(results[3]!.run.workflow, a.workflow);
      assert.deepEqual(await t.store.getRun(b.id), results[2]!.run);
      assert.equal(results[2]!.run.createdAt, t.clock.now());
    });

    it("creates a run claimed by its owner: running, epoch 1, leased, and not claimable by others", async () => {
      const input = newRun();
      const [{ run, created }] = await t.store.createRuns([{ ...input, owner: { workerId: "worker-1", leaseMs: 5_000 } }]) as [CreatedRun];
      assert.equal(created, true);
      assert.deepEqual(
        { status: run.status, owner: run.owner, epoch: run.epoch, dueAt: run.dueAt, startedAt: run.startedAt },
        { status: "running", owner: "worker-1", epoch: 1, dueAt: t.clock.now() + 5_000, startedAt: t.clock.now() },
      );
      assert.deepEqual(await t.claim("worker-2"), []);
      // Its owner commits at epoch 1 as after a claim.
      assert.deepEqual(await t.store.commit("worker-1", [commitFor(run, { entries: [stepEntry(0)] })]), [true]);
      // Its lease lapses like a claimed run's: another worker takes it over.
      t.clock.advance(5_000);
      assert.deepEqual((await t.claim("worker-2")).map((c) => [c.run.id, c.run.epoch, c.journal.length]), [[run.id, 2, 1]]);
    });

    it("ignores the owner of a run whose id exists", async () => {
      const first = await t.store.createRun(newRun({ id: "exists" }));
      const [again] = await t.store.createRuns([newRun({ id: "exists", owner: { workerId: "worker-1", leaseMs: 5_000 } })]);
      assert.equal(again!.created, false);
      assert.deepEqual(again!.run, first.run);
    });
  });

  describe("getRun and getJournal", () => {
    it("getRun is undefined and getJournal empty for an id no run has", async () => {
      assert.equal(await t.store.getRun("no-such-run"), undefined);
      assert.deepEqual(await t.store.getJournal("no-such-run"), []);
    });

    it("getJournal is empty for a run that has not started", async () => {
      const { run } = await t.store.createRun(newRun());
      assert.deepEqual(await t.store.getJournal(run.id), []);
    });

    it("getJournal returns one run's entries in position order", async () => {
      const a = await t.startRun();
      const b = await t.startRun();
      // Written out of order, and interleaved with another run's entries.
      assert.deepEqual(await t.store.commit("worker-1", [
        commitFor(a, { entries: [stepEntry(2), stepEntry(0)] }),
        commitFor(b, { entries: [stepEntry(0, { name: "other" })] }),
        commitFor(a, { entries: [stepEntry(1)] }),
      ]), [true, true, true]);
      assert.deepEqual(await t.store.getJournal(a.run.id), [stepEntry(0), stepEntry(1), stepEntry(2)]);
      assert.deepEqual(await t.store.getJournal(b.run.id), [stepEntry(0, { name: "other" })]);
    });
  });

  describe("listRuns", () => {
    /** Creates `count` runs, moving the clock by 1 ms every `perMillisecond` runs (so some share a creation time). */
    async function createRuns(count: number, perMillisecond = 1, workflow?: string): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < count; i += 1) {
        if (i > 0 && i % perMillisecond === 0) t.clock.advance(1);
        const { run } = await t.store.createRun(newRun(workflow ? { workflow } : {}));
        ids.push(run.id);
      }
      return ids;
    }

    /** Every page of a query, following nextCursor; fails on a page that is empty or too big. */
    async function allPages(query: { status?: RunRecord["status"]; workflow?: string; limit: number }): Promise<RunRecord[][]> {
      const pages: RunRecord[][] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await t.store.listRuns({ ...query, ...(cursor === undefined ? {} : { cursor }) });
        assert.ok(page.runs.length <= query.limit, `a page holds at most limit (${query.limit}) runs, got ${page.runs.length}`);
        assert.ok(page.runs.length > 0 || pages.length === 0, "only a first page may be empty");
        pages.push(page.runs);
        if (page.nextCursor === null) return pages;
        assert.ok(pages.length < 100, "paging does not end");
        cursor = page.nextCursor;
      }
    }

    it("lists the newest runs first", async () => {
      const ids = await createRuns(3);
      const page = await t.store.listRuns({ limit: 10 });
      assert.deepEqual(page.runs.map((run) => run.id), [...ids].reverse());
      assert.equal(page.nextCursor, null);
      assert.deepEqual(page.runs[0], await t.store.getRun(ids[2]!));
    });

    it("lists nothing, with no cursor, when there are no runs", async () => {
      assert.deepEqual(await t.store.listRuns({ limit: 10 }), { runs: [], nextCursor: null });
    });

    it("filters by status, by workflow, and by both", async () => {
      const [a1, a2, a3] = await createRuns(3, 1, "a");
      const [b1] = await createRuns(1, 1, "b");
      assert.deepEqual((await t.claim("worker-1", { workflows: ["a"], limit: 1 })).map((c) => c.run.id), [a1],
        "claims take the earliest due run first");
      await t.store.requestCancel(a3!, "\"cancelled\"");

      const ids = async (query: { status?: RunRecord["status"]; workflow?: string }) =>
        (await t.store.listRuns({ limit: 10, ...query })).runs.map((run) => run.id);
      assert.deepEqual(await ids({ status: "pending" }), [b1, a2]);
      assert.deepEqual(await ids({ status: "running" }), [a1]);
      assert.deepEqual(await ids({ status: "cancelled" }), [a3]);
      assert.deepEqual(await ids({ status: "completed" }), []);
      assert.deepEqual(await ids({ workflow: "a" }), [a3, a2, a1]);
      assert.deepEqual(await ids({ workflow: "b" }), [b1]);
      assert.deepEqual(await ids({ workflow: "a", status: "pending" }), [a2]);
      assert.deepEqual(await ids({ workflow: "missing" }), []);
    });

    it("pages through many runs, some created in the same millisecond, with no duplicates and no gaps", async () => {
      const ids = await createRuns(47, 3);
      const everything = (await t.store.listRuns({ limit: 1_000 })).runs;
      assert.equal(everything.length, 47);
      for (const limit of [1, 5, 7, 47, 50]) {
        const pages = await allPages({ limit });
        assert.equal(pages.length, Math.max(1, Math.ceil(47 / limit)), `pages of ${limit}`);
        const listed = pages.flat().map((run) => run.id);
        assert.deepEqual(listed, everything.map((run) => run.id), `pages of ${limit} list every run once, in order`);
      }
      assert.deepEqual(new Set(everything.map((run) => run.id)), new Set(ids));
      for (let i = 1; i < everything.length; i += 1) {
        assert.ok(everything[i - 1]!.createdAt >= everything[i]!.createdAt, "newest first");
      }
    });

    it("ends on the last full page when the runs fill the pages exactly", async () => {
      await createRuns(10, 2);
      const first = await t.store.listRuns({ limit: 5 });
      assert.equal(first.runs.length, 5);
      assert.ok(first.nextCursor !== null);
      const second = await t.store.listRuns({ limit: 5, cursor: first.nextCursor });
      assert.equal(second.runs.length, 5);
      assert.equal(second.nextCursor, null);
    });

    it("pages a filtered list with the same filter", async () => {
      for (let i = 0; i < 12; i += 1) {
        await t.store.createRun(newRun({ workflow: i % 3 === 0 ? "b" : "a" }));
        t.clock.advance(1);
      }
      const all = (await t.store.listRuns({ limit: 100, workflow: "a" })).runs.map((run) => run.id);
      assert.equal(all.length, 8);
      const paged = (await allPages({ limit: 3, workflow: "a" })).flat();
      assert.deepEqual(paged.map((run) => run.id), all);
      assert.ok(paged.every((run) => run.workflow === "a"));
    });

    it("keeps paging where it was when newer runs are created between pages", async () => {
      const ids = await createRuns(6);
      const first = await t.store.listRuns({ limit: 3 });
      t.clock.advance(1);
      await createRuns(2);
      const second = await t.store.listRuns({ limit: 3, cursor: first.nextCursor! });
      assert.deepEqual([...first.runs, ...second.runs].map((run) => run.id), [...ids].reverse());
      assert.equal(second.nextCursor, null);
    });

    it("rejects a cursor it did not hand out with INVALID_ARGUMENT", async () => {
      await createRuns(3);
      const base64Json = Buffer.from(JSON.stringify({ not: "a cursor" })).toString("base64url");
      for (const cursor of ["not-a-cursor", "%%%", base64Json]) {
        await assert.rejects(t.store.listRuns({ limit: 2, cursor }), (error: Error & { code?: string }) => {
          assert.equal(error.code, "INVALID_ARGUMENT", `cursor ${JSON.stringify(cursor)}: ${error.message}`);
          assert.match(error.message, /cursor/i);
          assert.ok(error.message.includes(cursor), `the message names the bad cursor: ${error.message}`);
          return true;
        });
      }
    });
  });
}
