import assert from "node:assert/strict";
import { test } from "node:test";
import { openStore } from "../../src/store/open-store.js";
import { waitUntil } from "../helpers/wait-until.js";
import { openScene } from "./fixtures/scene.js";
import { readExecutions, readViolations } from "./fixtures/side-effects.js";

const RUNS = 5;

// A run started where a worker serves its workflow is created claimed by that worker and runs
// there at once, without a claim. It must be as safe as a claimed run: when that process dies,
// the lease lapses and another worker takes every such run over.
test("runs handed to the worker of the process that started them are taken over after it is SIGKILLed", async () => {
  const scene = await openScene("hand-off");
  const { endure, processes, effects } = scene;
  const worker = { workflows: ["hand-off"], lease: "500ms" };
  try {
    const a = await processes.spawnWorker({ tag: "A", ...worker, start: RUNS });
    const ids = Array.from({ length: RUNS }, (_, i) => `A-run-${i}`);
    await waitUntil(async () => readExecutions(effects).length === RUNS, `A to run the step of its ${RUNS} runs`, 30_000);
    const workerA = a.events.find((event) => event.event === "ready")!.workerId;
    const store = await openStore(scene.url);
    try {
      for (const id of ids) {
        const run = (await store.getRun(id))!;
        assert.deepEqual([run.status, run.owner, run.epoch], ["running", workerA, 1], `${id}: created claimed by A, never claimed since`);
      }
    } finally {
      await store.close();
    }
    assert.equal(a.events.filter((event) => event.event === "claimed").length, 0, "A claimed nothing: its runs were handed to it");

    const pidA = a.pid;
    await a.kill();
    // Why is it stuck? The dead holder is named, with its last heartbeat, until someone takes over.
    const stuck = await waitUntil(async () => {
      const diagnosis = (await endure.get(ids[0]!)).diagnosis;
      return diagnosis?.reason === "lease-lapsed" ? diagnosis : undefined;
    }, "the diagnosis to see A's lease lapse");
    assert.match(stuck.summary, new RegExp(`^Held by worker [^ ]+:${pidA}, whose lease lapsed at .+; its last heartbeat was at .+\\. It has likely died\\. No other live worker serves workflow "hand-off"`));
    await processes.spawnWorker({ tag: "B", ...worker });
    await scene.waitForAllFinished(ids);
    for (const id of ids) {
      const run = await endure.get(id);
      assert.equal(run.status, "completed");
      assert.equal(run.output, "B");
    }
    assert.equal(processes.takeOvers(), RUNS, "B took each run over from A's lapsed lease");
    // The step A never finished ran again on B: at least once, never after it was recorded.
    assert.deepEqual(readExecutions(effects).map((row) => JSON.parse(row.workers)).sort(), ids.map(() => ["A", "B"]));
    assert.deepEqual(readViolations(effects), []);
  } finally {
    await scene.dispose();
  }
});
