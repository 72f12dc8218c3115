import assert from "node:assert/strict";
import { test } from "node:test";
import { retryBuggy } from "./fixtures/retry-buggy.js";
import { FINISHED, openScene } from "./fixtures/scene.js";
import { openGate, readExecutions, readViolations } from "./fixtures/side-effects.js";
import { waitUntil } from "../helpers/wait-until.js";

// retry(): a run failed by a bug resumes at the failed step once the fix is deployed; the steps
// before it are never executed again, even when the retried run's worker is SIGKILLed midway and
// another worker finishes it.
test("a retried run survives a SIGKILL of its worker, and the steps before the failed one run exactly once", async () => {
  const scene = await openScene("retry-after-fix");
  const { endure, processes, effects } = scene;
  const worker = { lease: "500ms" };
  try {
    const a = await processes.spawnWorker({ tag: "A", workflows: ["retry-buggy"], ...worker });
    await endure.start(retryBuggy, [1], { id: "fix-me" });
    assert.equal(await scene.waitForStatus("fix-me", FINISHED), "failed");
    await a.kill();

    // The fix is deployed, and the run retried.
    const b = await processes.spawnWorker({ tag: "B", workflows: ["retry-fixed"], ...worker });
    assert.equal(await endure.retry("fix-me"), "pending");
    await waitUntil(() => readExecutions(effects).some((row) => row.step === "four"), "B to be inside step four");
    await b.kill();
    assert.equal(b.exit?.signal, "SIGKILL");
    const cut = await endure.get("fix-me");
    assert.equal(cut.status, "running", "B held the run when it died");
    assert.deepEqual(cut.journal.map((entry) => [entry.name, entry.status]), [["one", "completed"], ["two", "completed"], ["three", "completed"]]);

    await processes.spawnWorker({ tag: "C", workflows: ["retry-fixed"], ...worker });
    openGate(scene.dir, "four");
    assert.equal(await scene.waitForStatus("fix-me", FINISHED), "completed");

    const run = await endure.get("fix-me");
    assert.equal(run.output, (1 + 1 + 1) * 10 + 1 + 1);
    assert.equal(run.retries, 1);
    assert.deepEqual(run.journal.map((entry) => [entry.name, entry.status]), [
      ["one", "completed"], ["two", "completed"], ["three", "completed"], ["four", "completed"], ["five", "completed"],
    ]);
    assert.deepEqual(run.history.map(({ retry, entries }) => [retry, entries.map((entry) => [entry.name, entry.status])]), [[1, [["three", "failed"]]]]);
    const workers = Object.fromEntries(readExecutions(effects).map((row) => [row.step, JSON.parse(row.workers) as string[]]));
    assert.deepEqual(workers, {
      one: ["A"],
      two: ["A"],
      three: ["A", "B"],
      four: ["B", "C"],
      five: ["C"],
    });
    assert.deepEqual(readViolations(effects), [], "no step ran again after its outcome was journaled");
  } finally {
    await scene.dispose();
  }
});
