import assert from "node:assert/strict";
import { test } from "node:test";
import { RunTimeoutError } from "../../src/index.js";
import { waitUntil } from "../helpers/wait-until.js";
import { openScene } from "./fixtures/scene.js";
import { readEffects, readExecutions, readViolations } from "./fixtures/side-effects.js";

const WORKER = { workflows: ["orchestration"], lease: "500ms", pollInterval: "20ms" };

test("a fan-out of child runs survives a SIGKILL of its worker: every child runs its step to one effect, the parent sums them all", async () => {
  const scene = await openScene("children");
  const { endure, processes, effects } = scene;
  const ITEMS = 40;
  try {
    const a = await processes.spawnWorker({ tag: "A", ...WORKER, concurrency: 15 });
    const parent = await endure.start("charge-all", [ITEMS], { id: "batch" });
    await waitUntil(() => readEffects(effects).length >= 10 || undefined, "A to charge some items", 30_000);
    await a.kill();
    assert.ok(readEffects(effects).length < ITEMS, "A was killed in the middle of the fan-out");
    await processes.spawnWorker({ tag: "B", ...WORKER });
    assert.equal(await parent.result(), Array.from({ length: ITEMS }, (_, item) => item * 10).reduce((a, b) => a + b, 0));

    const children = (await endure.list({ workflow: "charge-item", limit: 1000 })).runs;
    assert.deepEqual(children.map((run) => run.id).sort(), Array.from({ length: ITEMS }, (_, item) => `batch/${item}`).sort(), "one child per item, no more");
    assert.ok(children.every((run) => run.status === "completed" && run.parentId === "batch"));
    assert.deepEqual(readEffects(effects).map((row) => row.label).sort(), Array.from({ length: ITEMS }, (_, item) => `charge-${item}`).sort());
    assert.deepEqual(readViolations(effects), [], "no recorded step ran again");
  } finally {
    await scene.dispose();
  }
});

test("a chain of continue-as-new runs survives SIGKILLs: no link is lost or doubled, each tick happens once", async () => {
  const scene = await openScene("chain");
  const { endure, processes, effects } = scene;
  const ROUNDS = 20;
  try {
    let worker = await processes.spawnWorker({ tag: "W0", ...WORKER });
    const run = await endure.start("ticker", [0, ROUNDS], { id: "ticker-0" });
    for (let kill = 1; kill <= 3; kill++) {
      const before = readExecutions(effects).length;
      await waitUntil(() => readExecutions(effects).length >= before + 3 || undefined, `a few more ticks before kill ${kill}`, 30_000);
      await worker.kill();
      worker = await processes.spawnWorker({ tag: `W${kill}`, ...WORKER });
    }
    assert.equal(await run.result(), ROUNDS);
    const chain = [await endure.get("ticker-0")];
    while (chain.at(-1)!.continuedTo) chain.push(await endure.get(chain.at(-1)!.continuedTo!));
    assert.equal(chain.length, ROUNDS / 2, "one link per two ticks");
    assert.equal((await endure.list({ workflow: "ticker", limit: 100 })).runs.length, ROUNDS / 2, "no link was created twice");
    assert.deepEqual(chain.map((link) => link.input), Array.from({ length: ROUNDS / 2 }, (_, i) => [i * 2, ROUNDS]));
    assert.deepEqual(readEffects(effects).map((row) => row.label).sort(), Array.from({ length: ROUNDS }, (_, round) => `tick-${round}`).sort());
    assert.deepEqual(readViolations(effects), []);
  } finally {
    await scene.dispose();
  }
});

test("a run's timeout holds across a SIGKILL: the worker that takes it over cancels it at its deadline", async () => {
  const scene = await openScene("timeout");
  const { endure, processes } = scene;
  try {
    const a = await processes.spawnWorker({ tag: "A", ...WORKER, inMemoryWaitLimit: "1 minute" });
    const run = await endure.start("patient", [], { id: "patient", timeout: "2s" });
    await scene.waitForStatus("patient", ["running", "waiting"]);
    await a.kill();
    await processes.spawnWorker({ tag: "B", ...WORKER });
    await assert.rejects(run.result(), RunTimeoutError);
    const info = await endure.get("patient");
    assert.equal(info.status, "cancelled");
    assert.ok(info.finishedAt!.getTime() >= info.startedAt!.getTime() + 2000, "not before its deadline");
  } finally {
    await scene.dispose();
  }
});
