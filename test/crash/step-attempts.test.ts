import assert from "node:assert/strict";
import { test } from "node:test";
import { FINISHED, openScene } from "./fixtures/scene.js";
import { executionOf } from "./fixtures/side-effects.js";
import { stepAttempts } from "./fixtures/step-attempts.js";

// StepContext.attempt: "the attempts whose failure was journaled, plus this one. An attempt cut
// short by a crash of its worker left no record, so it is not counted."
test("stepContext().attempt counts journaled failures, not attempts cut short by a SIGKILL", async () => {
  const scene = await openScene("step-attempts");
  const { endure, processes, effects } = scene;
  const worker = { workflows: ["step-attempts"], lease: "500ms" };
  try {
    const a = await processes.spawnWorker({ tag: "A", ...worker });
    await endure.start(stepAttempts, [], { id: "attempts" });
    // Attempt 1 fails and is journaled; attempt 2 kills A.
    assert.deepEqual(await a.exited, { code: null, signal: "SIGKILL" }, a.stderr);
    const crashed = await endure.get("attempts");
    assert.equal(crashed.status, "running", "A held the run when it died");
    assert.deepEqual(crashed.journal.map((entry) => [entry.name, entry.status, entry.attempts]), [["flaky", "retrying", 1]]);

    await processes.spawnWorker({ tag: "B", ...worker });
    assert.equal(await scene.waitForStatus("attempts", FINISHED), "completed");
    const run = await endure.get("attempts");
    assert.equal(run.output, 2, "the attempt after the crash is attempt 2 again");
    assert.deepEqual(run.journal.map((entry) => [entry.name, entry.status, entry.attempts]), [["flaky", "completed", 2]]);
    const executions = executionOf(effects, "attempts:0")!;
    assert.deepEqual((JSON.parse(executions.attempts) as number[]).map(Number), [1, 2, 2], "attempt numbers, per execution");
    assert.deepEqual(JSON.parse(executions.workers), ["A", "A", "B"]);
  } finally {
    await scene.dispose();
  }
});
