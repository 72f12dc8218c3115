import assert from "node:assert/strict";
import { test } from "node:test";
import { waitUntil } from "../helpers/wait-until.js";
import { eventAfterStep, twoDistinctEvents } from "./fixtures/events-before-wait.js";
import { FINISHED, openScene } from "./fixtures/scene.js";
import { executionOf, openGate } from "./fixtures/side-effects.js";

const WORKER = { workflows: ["events-before-wait"], lease: "500ms" };

test("events sent before the run reaches its wait are not lost, across SIGKILLed workers", async () => {
  const scene = await openScene("events");
  const { endure, processes, effects, dir } = scene;
  try {
    // Sent before any worker exists.
    await endure.start(eventAfterStep, ["gate-a"], { id: "early" });
    assert.deepEqual(await endure.send("early", "go", { from: "before any worker" }), { duplicate: false });
    await endure.start(eventAfterStep, ["gate-a"], { id: "mid" });

    const a = await processes.spawnWorker({ tag: "A", ...WORKER });
    const inStep = (times: number) => () =>
      ["early:0", "mid:0"].every((key) => (executionOf(effects, key)?.count ?? 0) >= times);
    await waitUntil(inStep(1), "both runs to be in step prepare on worker A", 30_000);
    // Sent while the run is in the step before its wait.
    assert.deepEqual(await endure.send("mid", "go", { from: "while in the step" }), { duplicate: false });
    await a.kill("SIGKILL");

    // B takes both runs over (the step was not journaled, so it runs again) and is killed too.
    const b = await processes.spawnWorker({ tag: "B", ...WORKER });
    await waitUntil(inStep(2), "worker B to take both runs over", 30_000);
    await b.kill("SIGKILL");

    await processes.spawnWorker({ tag: "C", ...WORKER });
    await waitUntil(inStep(3), "worker C to take both runs over", 30_000);
    openGate(dir, "gate-a");

    for (const [id, payload] of [["early", { from: "before any worker" }], ["mid", { from: "while in the step" }]] as const) {
      assert.equal(await scene.waitForStatus(id, FINISHED), "completed", id);
      const run = await endure.get(id);
      assert.deepEqual(run.output, payload, `${id} receives its event`);
      assert.deepEqual(run.journal.map((entry) => `${entry.kind}:${entry.name}:${entry.status}`), ["step:prepare:completed", "event:go:completed"]);
      assert.deepEqual(JSON.parse(executionOf(effects, `${id}:0`)!.workers), ["A", "B", "C"], `${id}: the step ran on A, B and C`);
    }
  } finally {
    await scene.dispose();
  }
});

test("an event sent twice with the same key is delivered once, across SIGKILLed workers", async () => {
  const scene = await openScene("event-keys");
  const { endure, processes, effects, dir } = scene;
  try {
    await endure.start(twoDistinctEvents, ["gate-b"], { id: "keys" });
    assert.deepEqual(await endure.send("keys", "item", { n: 1 }, { key: "k1" }), { duplicate: false });
    assert.deepEqual(await endure.send("keys", "item", { n: 1, copy: "before any worker" }, { key: "k1" }), { duplicate: true });

    const a = await processes.spawnWorker({ tag: "A", ...WORKER });
    await waitUntil(() => executionOf(effects, "keys:0"), "the run to be in step prepare on worker A", 30_000);
    await a.kill("SIGKILL");
    assert.deepEqual(await endure.send("keys", "item", { n: 1, copy: "with no worker alive" }, { key: "k1" }), { duplicate: true });

    const b = await processes.spawnWorker({ tag: "B", ...WORKER });
    await waitUntil(() => (executionOf(effects, "keys:0")?.count ?? 0) >= 2, "worker B to take the run over", 30_000);
    openGate(dir, "gate-b");
    // It took the first event and waits for a second one.
    await waitUntil(async () => {
      const run = await endure.get("keys");
      return run.status === "waiting" && run.journal.some((entry) => entry.kind === "event" && entry.status === "completed");
    }, "the run to wait for its second event", 30_000);
    await b.kill("SIGKILL");

    assert.deepEqual(await endure.send("keys", "item", { n: 1, copy: "while waiting" }, { key: "k1" }), { duplicate: true });
    assert.deepEqual(await endure.send("keys", "item", { n: 2 }, { key: "k2" }), { duplicate: false });
    assert.deepEqual(await endure.send("keys", "item", { n: 2, copy: "while waiting" }, { key: "k2" }), { duplicate: true });

    await processes.spawnWorker({ tag: "C", ...WORKER });
    assert.equal(await scene.waitForStatus("keys", FINISHED), "completed");
    const run = await endure.get("keys");
    assert.deepEqual(run.output, [{ n: 1 }, { n: 2 }]);
    assert.deepEqual(run.journal.map((entry) => `${entry.kind}:${entry.name}:${entry.status}`), [
      "step:prepare:completed", "event:item:completed", "event:item:completed",
    ]);
  } finally {
    await scene.dispose();
  }
});
