import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CancelledError, sleep, step, stepContext, waitForEvent, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

describe("cancel()", () => {
  test("a waiting run gets CancelledError at its wait, cleans up in finally, and ends cancelled", async (t) => {
    const cleanups: string[] = [];
    const cleanup = step("cleanup", async (what: string) => {
      cleanups.push(what);
    });
    const wf = workflow("cancellable-wait", async () => {
      try {
        await sleep("1 hour");
        return "slept";
      } finally {
        await cleanup("release the hold");
      }
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    await waitUntil(async () => (await run.status()) === "waiting", "the run to suspend");
    assert.equal(await endure.cancel(run.id), "waiting");
    await assert.rejects(run.result(), CancelledError);
    assert.deepEqual(cleanups, ["release the hold"]);
    const info = await endure.get(run.id);
    assert.equal(info.status, "cancelled");
    assert.deepEqual(info.journal.map((entry) => [entry.kind, entry.status]), [["sleep", "failed"], ["step", "completed"]]);
    assert.ok(info.journal[0]!.error instanceof CancelledError);
  });

  test("a running step sees its signal aborted; the workflow gets CancelledError", async (t) => {
    let sawAbort = false;
    const longCall = step("long-call", async () => {
      const { signal } = stepContext();
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      sawAbort = true;
      throw signal.reason as Error;
    });
    const started = step("started", async () => true);
    const wf = workflow("cancellable-step", async () => {
      await started();
      await longCall();
      return "finished";
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    await waitUntil(async () => (await endure.get(run.id)).journal.length === 1, "the first step to finish");
    await endure.cancel(run.id);
    await assert.rejects(run.result(), CancelledError);
    assert.equal(sawAbort, true);
    assert.equal(await run.status(), "cancelled");
  });

  test("a run that never started is cancelled at once; a finished run is left alone", async (t) => {
    const wf = workflow("never-started", async () => "ran");
    const { endure, close } = await openTestEndure();
    t.after(close);

    const run = await endure.start(wf, []);
    assert.equal(await endure.cancel(run.id), "cancelled");
    await assert.rejects(run.result(), CancelledError);

    await endure.startWorker({ workflows: [wf], pollInterval: 10 });
    const other = await endure.start(wf, []);
    assert.equal(await other.result(), "ran");
    assert.equal(await endure.cancel(other.id), "completed");
    assert.equal(await other.status(), "completed");
    await assert.rejects(endure.cancel("missing-run"), { code: "RUN_NOT_FOUND" });
  });

  test("a workflow that catches the cancellation may finish normally", async (t) => {
    const wf = workflow("shrug", async () => {
      try {
        await waitForEvent("never");
        return "got event";
      } catch (error) {
        return error instanceof CancelledError ? "cancelled, handled" : "other error";
      }
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    await waitUntil(async () => (await run.status()) === "waiting", "the run to wait");
    await endure.cancel(run.id);
    assert.equal(await run.result(), "cancelled, handled");
  });
});
