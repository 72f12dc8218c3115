import assert from "node:assert/strict";
import { test } from "node:test";
import { NonDeterminismError } from "../../src/index.js";
import { waitUntil } from "../helpers/wait-until.js";
import { changedWorkflow } from "./fixtures/changed-workflow-v1.js";
import { FINISHED, openScene } from "./fixtures/scene.js";
import { readExecutions } from "./fixtures/side-effects.js";

test("a run taken over by a worker with changed workflow code ends blocked, its journal untouched", async () => {
  const scene = await openScene("changed-workflow");
  const { endure, processes, effects } = scene;
  try {
    // Version 1 keeps a 30 s sleep in memory (inMemoryWaitLimit 60 s), under its lease.
    const v1 = await processes.spawnWorker({ tag: "v1", workflows: ["changed-workflow-v1"], lease: "500ms", inMemoryWaitLimit: "60s" });
    await endure.start(changedWorkflow, ["sleep"], { id: "held" });
    await endure.start(changedWorkflow, ["event"], { id: "suspended" });
    await waitUntil(async () => {
      const run = await endure.get("held");
      return run.status === "running" && run.journal.filter((entry) => entry.status === "completed").length === 2;
    }, "run held to have journaled a and b, and to sleep in v1's memory", 30_000);
    await scene.waitForStatus("suspended", ["waiting"]);

    await v1.kill("SIGKILL");
    const before = { held: await endure.get("held"), suspended: await endure.get("suspended") };
    for (const run of Object.values(before)) {
      assert.deepEqual(run.journal.slice(0, 2).map((entry) => `${entry.kind}:${entry.name}:${entry.status}`), ["step:a:completed", "step:b:completed"]);
    }

    // Version 2: step a, then step c where the journal has b.
    await processes.spawnWorker({ tag: "v2", workflows: ["changed-workflow-v2"], lease: "500ms", inMemoryWaitLimit: "60s" });
    await endure.send("suspended", "continue", "go on"); // wakes the suspended run; v1's lease on held lapses by itself

    for (const id of ["held", "suspended"] as const) {
      assert.equal(await scene.waitForStatus(id, FINISHED), "blocked", id);
      const run = await endure.get(id);
      const error = run.error;
      assert.ok(error instanceof NonDeterminismError, `${id}: ${String(error)}`);
      assert.equal((error as NonDeterminismError & { code: string }).code, "NON_DETERMINISM");
      assert.equal(error.position, 1);
      assert.equal(error.expected, 'step "b"');
      assert.equal(error.actual, 'step "c"');
      assert.match(error.message, /at position 1\b/);
      assert.match(error.message, /step "b"/);
      assert.match(error.message, /step "c"/);
      assert.deepEqual(run.journal, before[id].journal, `${id}: the journal is untouched`);
      await assert.rejects(endure.handle(id).result(), NonDeterminismError);
    }
    assert.deepEqual(readExecutions(effects), [], "step c never ran");
  } finally {
    await scene.dispose();
  }
});
