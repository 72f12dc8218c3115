import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  InvalidArgumentError,
  NonDeterminismError,
  NonRetryableError,
  RunFailedError,
  RunNotFoundError,
  RunNotRetryableError,
  step,
  waitForEvent,
  workflow,
} from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

/** How often each step's function ran, by name. */
const executions = new Map<string, number>();
const count = (name: string) => executions.set(name, (executions.get(name) ?? 0) + 1);
const ran = (...names: string[]) => names.map((name) => executions.get(name) ?? 0);

/** The "bug": the third step fails for good until a test deploys the fix. */
let fixed = false;
const buggy = (name: string) => step(name, async (value: number) => {
  count(name);
  if (!fixed) throw new NonRetryableError(`${name} has a bug`);
  return value * 10;
});
const plain = (name: string) => step(name, async (value: number) => {
  count(name);
  return value + 1;
});

const [a, b, c, d] = [plain("a"), plain("b"), buggy("c"), plain("d")];
const pipeline = workflow("pipeline", async (start: number) => await d(await c(await b(await a(start)))));

describe("retry and fork", () => {
  test("retry after a fix runs the failed step and what follows, not the steps before it; get() shows both attempts", async (t) => {
    executions.clear();
    fixed = false;
    const { endure, close } = await openTestEndure({ workflows: [pipeline] });
    t.after(close);

    const run = await endure.start(pipeline, [1]);
    await assert.rejects(run.result(), RunFailedError);
    assert.deepEqual(ran("a", "b", "c", "d"), [1, 1, 1, 0]);

    fixed = true;
    assert.equal(await endure.retry(run.id), "pending");
    assert.equal(await endure.handle(run.id).result(), (1 + 1 + 1) * 10 + 1);
    assert.deepEqual(ran("a", "b", "c", "d"), [1, 1, 2, 1], "a and b were replayed, not run again");

    const info = await endure.get(run.id);
    assert.equal(info.status, "completed");
    assert.equal(info.retries, 1);
    assert.deepEqual(info.journal.map((entry) => [entry.name, entry.status]), [["a", "completed"], ["b", "completed"], ["c", "completed"], ["d", "completed"]]);
    assert.equal(info.history.length, 1);
    const [replaced] = info.history;
    assert.equal(replaced!.retry, 1);
    assert.deepEqual(replaced!.entries.map((entry) => [entry.position, entry.name, entry.status]), [[2, "c", "failed"]]);
    assert.match(replaced!.entries[0]!.error!.message, /c has a bug/);
  });

  test("a step whose outcome came after the failure (Promise.allSettled) is kept, not run again", async (t) => {
    executions.clear();
    fixed = false;
    let releaseSlow!: () => void;
    const slowMayEnd = new Promise<void>((resolve) => (releaseSlow = resolve));
    const slow = step("slow", async () => {
      count("slow");
      await slowMayEnd;
      return "slow done";
    });
    const failing = step("failing", async () => {
      count("failing");
      if (!fixed) throw new NonRetryableError("failing has a bug");
      return "fixed";
    });
    const both = workflow("both", async () => {
      const calls = [slow(), failing()] as const;
      // slow ends only once the workflow has been handed the failure: its outcome comes after it.
      calls[1].catch(() => releaseSlow());
      const [first, second] = await Promise.allSettled(calls);
      if (second.status === "rejected") throw second.reason;
      return [first.status === "fulfilled" && first.value, second.value];
    });
    const { endure, close } = await openTestEndure({ workflows: [both] });
    t.after(close);

    const run = await endure.start(both, []);
    await assert.rejects(run.result(), RunFailedError);
    const failedJournal = (await endure.get(run.id)).journal;
    // The workflow saw the failure first, then slow's result.
    assert.deepEqual(failedJournal.map((entry) => [entry.name, entry.status]), [["slow", "completed"], ["failing", "failed"]]);

    fixed = true;
    await endure.retry(run.id);
    assert.deepEqual(await endure.handle(run.id).result(), ["slow done", "fixed"]);
    assert.deepEqual(ran("slow", "failing"), [1, 2]);
  });

  test("retry of a blocked run replays its whole journal with the fixed code", async (t) => {
    executions.clear();
    let version: "original" | "changed" = "original";
    const first = step("first", async () => count("first"));
    const renamed = step("renamed", async () => count("renamed"));
    const last = step("last", async () => count("last"));
    const changing = workflow("changing", async () => {
      await (version === "original" ? first() : renamed());
      await waitForEvent("go");
      await last();
      return "done";
    });
    const { endure, close } = await openTestEndure({ workflows: [changing] });
    t.after(close);

    const run = await endure.start(changing, []);
    await waitUntil(async () => (await run.status()) === "waiting", "the run to wait for its event");
    version = "changed";
    await endure.send(run.id, "go");
    await assert.rejects(run.result(), NonDeterminismError);
    assert.equal(await run.status(), "blocked");

    version = "original";
    await endure.retry(run.id);
    assert.equal(await endure.handle(run.id).result(), "done");
    assert.deepEqual(ran("first", "renamed", "last"), [1, 0, 1]);
    const info = await endure.get(run.id);
    assert.deepEqual(info.history, [], "a blocked run's journal was kept whole");
    assert.equal(info.retries, 1);
  });

  test("retryAll retries the failed runs that match the filter, and skips the others", async (t) => {
    executions.clear();
    fixed = false;
    const other = workflow("other", async () => {
      throw new Error("other fails by itself");
    });
    const { endure, close } = await openTestEndure({ workflows: [pipeline, other] });
    t.after(close);

    const tagged = await endure.start(pipeline, [1], { tags: ["batch:1"] });
    const untagged = await endure.start(pipeline, [2]);
    const otherRun = await endure.start(other, []);
    for (const run of [tagged, untagged, otherRun]) await assert.rejects(run.result(), RunFailedError);

    fixed = true;
    assert.deepEqual(await endure.retryAll({ workflow: "pipeline", tags: ["batch:1"] }), [tagged.id]);
    assert.equal(await endure.handle(tagged.id).result(), 31);
    assert.equal(await untagged.status(), "failed");
    assert.deepEqual(await endure.retryAll({ workflow: "pipeline", status: "failed" }), [untagged.id]);
    assert.equal(await endure.handle(untagged.id).result(), 41);
    assert.equal(await otherRun.status(), "failed", "a run of another workflow is not retried");
    assert.deepEqual(await endure.retryAll({ workflow: "pipeline" }), [], "nothing left to retry");
    await assert.rejects(endure.retryAll({ status: "completed" as "failed" }), InvalidArgumentError);
  });

  test("fork from a middle position reuses the journal before it and executes from there", async (t) => {
    executions.clear();
    fixed = true;
    const { endure, close } = await openTestEndure({ workflows: [pipeline] });
    t.after(close);

    const run = await endure.start(pipeline, [1]);
    assert.equal(await run.result(), 31);
    assert.deepEqual(ran("a", "b", "c", "d"), [1, 1, 1, 1]);

    const fork = await endure.fork<number>(run.id, { fromPosition: 2, id: "pipeline-again" });
    assert.equal(fork.id, "pipeline-again");
    assert.equal(await fork.result(), 31);
    assert.deepEqual(ran("a", "b", "c", "d"), [1, 1, 2, 2]);
    const info = await endure.get(fork.id);
    assert.equal(info.forkedFrom, run.id);
    assert.deepEqual(info.input, [1]);
    assert.equal((await endure.get(run.id)).status, "completed", "the source is left as it is");

    const generated = await endure.fork(run.id, { fromPosition: 0 });
    assert.notEqual(generated.id, run.id);
    assert.equal(await generated.result(), 31);
    assert.deepEqual(ran("a", "b", "c", "d"), [2, 2, 3, 3]);
  });

  test("bad requests are refused with clear errors", async (t) => {
    fixed = true;
    const { endure, close } = await openTestEndure({ workflows: [pipeline] });
    t.after(close);
    const done = await endure.start(pipeline, [1], { id: "done-run" });
    await done.result();

    await assert.rejects(endure.retry("no-such-run"), RunNotFoundError);
    await assert.rejects(endure.retry(""), InvalidArgumentError);
    await assert.rejects(endure.retry("done-run"), (error: unknown) => {
      assert.ok(error instanceof RunNotRetryableError);
      assert.equal(error.code, "RUN_NOT_RETRYABLE");
      assert.match(error.message, /"done-run" is completed; only failed or blocked runs can be retried/);
      assert.match(error.message, /fork/);
      return true;
    });
    await assert.rejects(endure.fork("no-such-run", { fromPosition: 0 }), RunNotFoundError);
    await assert.rejects(endure.fork("done-run", { fromPosition: 5 }), /fromPosition 5 is past the end of run "done-run"'s journal, which has 4 positions; give 0 to 4/);
    await assert.rejects(endure.fork("done-run", { fromPosition: -1 }), InvalidArgumentError);
    await assert.rejects(endure.fork("done-run", { fromPosition: 1.5 }), InvalidArgumentError);
    await assert.rejects(endure.fork("done-run", {} as { fromPosition: number }), /fromPosition must be a whole number/);
    await assert.rejects(endure.fork("done-run", { fromPosition: 1, id: "done-run" }), /a run with id "done-run" already exists/);
    assert.equal((await endure.list()).runs.length, 1, "nothing was written");
  });
});
