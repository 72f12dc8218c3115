import assert from "node:assert/strict";
import { test } from "node:test";
import { NonRetryableError } from "../../src/index.js";
import { waitUntil } from "../helpers/wait-until.js";
import { sagaCompensation } from "./fixtures/saga-compensation.js";
import { FINISHED, openScene } from "./fixtures/scene.js";
import { executionOf, openGate, readEffects, readViolations } from "./fixtures/side-effects.js";

const WORKER = { workflows: ["saga-compensation"], lease: "500ms" };

test("a worker SIGKILLed in the middle of compensating: the next one goes on, recorded compensations never run again", async () => {
  const scene = await openScene("saga");
  const { endure, processes, effects, dir } = scene;
  try {
    await endure.start(sagaCompensation, ["release-a"], { id: "saga" });
    // Positions: reserve a 0, reserve b 1, charge 2, release b 3, release a 4.
    const a = await processes.spawnWorker({ tag: "A", ...WORKER });
    await waitUntil(() => executionOf(effects, "saga:4"), "worker A to be in the last compensation", 30_000);
    assert.equal((await endure.get("saga")).journal.find((entry) => entry.position === 3)?.status, "completed", "release b was recorded");
    await a.kill("SIGKILL");

    await processes.spawnWorker({ tag: "B", ...WORKER });
    await waitUntil(() => (executionOf(effects, "saga:4")?.count ?? 0) >= 2, "worker B to take the compensation over", 30_000);
    openGate(dir, "release-a");

    assert.equal(await scene.waitForStatus("saga", FINISHED), "failed");
    const run = await endure.get("saga");
    assert.ok(run.error instanceof NonRetryableError, `got ${String(run.error)}`);
    assert.equal(run.error.message, "the card was declined");
    assert.deepEqual(run.journal.map((entry) => `${entry.name}:${entry.status}`), [
      "reserve:completed", "reserve:completed", "charge:failed", "release:completed", "release:completed",
    ]);
    // Every step ran once, but the compensation killed mid-way, which ran on A and again on B.
    assert.deepEqual(["saga:0", "saga:1", "saga:2", "saga:3", "saga:4"].map((key) => JSON.parse(executionOf(effects, key)!.workers) as string[]), [
      ["A"], ["A"], ["A"], ["A"], ["A", "B"],
    ]);
    assert.deepEqual(readViolations(effects), [], "no recorded step ran again");
    assert.deepEqual(readEffects(effects).map((row) => `${row.label} ${row.value}`).sort(), ["release a -1", "release b -1", "reserve a 1", "reserve b 1"]);
  } finally {
    await scene.dispose();
  }
});
