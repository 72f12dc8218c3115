import assert from "node:assert/strict";
import { test } from "node:test";
import type { CatchUpPolicy, Endure } from "../../src/index.js";
import { waitUntil } from "../helpers/wait-until.js";
import { openScene, type Scene } from "./fixtures/scene.js";
import { scheduledTick } from "./fixtures/schedules.js";
import { readExecutions } from "./fixtures/side-effects.js";

const NAME = "every-second";
const PREFIX = `schedule:${NAME}:`;

/** The ticks (ms) whose runs exist, oldest first. */
async function ticksRun(endure: Endure): Promise<number[]> {
  const { runs } = await endure.list({ limit: 1000 });
  return runs.filter((run) => run.id.startsWith(PREFIX)).map((run) => Date.parse(run.id.slice(PREFIX.length))).sort((a, b) => a - b);
}

function assertConsecutive(ticks: number[], what: string): void {
  for (let i = 1; i < ticks.length; i += 1) {
    assert.equal(ticks[i]! - ticks[i - 1]!, 1000, `${what}: ${new Date(ticks[i - 1]!).toISOString()} is followed by ${new Date(ticks[i]!).toISOString()}`);
  }
}

const worker = { workflows: ["schedules"], pollInterval: "20ms" };

test("three worker processes fire one every-second schedule: each tick starts one run, executed once", async () => {
  const scene = await openScene("schedules-many");
  const { endure, processes, effects } = scene;
  try {
    await Promise.all(["A", "B", "C"].map((tag) => processes.spawnWorker({ tag, ...worker })));
    await endure.schedules.set(NAME, { cron: "* * * * * *", workflow: scheduledTick, args: [] });
    const ticks = await waitUntil(async () => {
      const found = await ticksRun(endure);
      return found.length >= 6 ? found : undefined;
    }, "six ticks to start runs", 30_000, 50);
    assertConsecutive(ticks, "every tick started a run");
    const ids = ticks.map((tick) => `${PREFIX}${new Date(tick).toISOString()}`);
    // A run is in the store before its worker's "fired" line has crossed the pipe: wait for the lines.
    const firedAll = () => {
      const fired = new Set(processes.events("fired").flatMap((event) => event.runIds as string[]));
      return ids.every((id) => fired.has(id));
    };
    await waitUntil(firedAll, "the worker processes to report firing every tick", 10_000);
    await scene.waitForAllFinished(ids);
    const executions = new Map(readExecutions(effects).map((row) => [row.run_id, row.count]));
    assert.deepEqual(ids.map((id) => executions.get(id)), ids.map(() => 1), "each tick's run executed its step once");
  } finally {
    await scene.dispose();
  }
});

/**
 * A worker fires an every-second schedule, is SIGKILLed, and no worker runs for over three ticks;
 * then another starts. Returns the ticks run before the kill (the last one included) and after.
 */
async function killAcrossTicks(scene: Scene, catchUp: CatchUpPolicy): Promise<{ before: number[]; after: number[]; downFrom: number; downTo: number }> {
  const { endure, processes } = scene;
  const a = await processes.spawnWorker({ tag: "A", ...worker });
  await endure.schedules.set(NAME, { cron: "* * * * * *", workflow: scheduledTick, args: [], catchUp });
  await waitUntil(async () => (await ticksRun(endure)).length >= 2, "two ticks before the crash", 30_000, 50);
  await a.kill("SIGKILL");
  const before = await ticksRun(endure);
  const lastFired = (await endure.schedules.get(NAME)).lastAt!.getTime();
  assert.equal(lastFired, before.at(-1), "the last tick fired is the last run");
  // Over three ticks pass with no worker: nothing fires them.
  await waitUntil(() => Date.now() > lastFired + 3500, "three ticks to pass with no worker", 10_000, 50);
  assert.deepEqual(await ticksRun(endure), before, "no run started while no worker was alive");
  const downTo = Date.now();
  await processes.spawnWorker({ tag: "B", ...worker });
  const all = await waitUntil(async () => {
    const found = await ticksRun(endure);
    return found.some((tick) => tick > downTo) ? found : undefined;
  }, "the restarted worker to fire a tick after its start", 30_000, 50);
  return { before, after: all.slice(before.length), downFrom: lastFired, downTo };
}

test("catch-up all: after a SIGKILL and downtime across several ticks, every missed tick runs once", async () => {
  const scene = await openScene("schedules-all");
  try {
    const { before, after, downFrom, downTo } = await killAcrossTicks(scene, "all");
    const ticks = [...before, ...after];
    assertConsecutive(ticks, "no tick is missing, before, during or after the downtime");
    assert.ok(after.filter((tick) => tick > downFrom && tick < downTo).length >= 3, "the ticks of the downtime ran");
  } finally {
    await scene.dispose();
  }
});

test("catch-up latest: after a SIGKILL and downtime across several ticks, only the latest missed tick runs", async () => {
  const scene = await openScene("schedules-latest");
  try {
    const { before, after, downFrom } = await killAcrossTicks(scene, "latest");
    assertConsecutive(before, "before the crash");
    const caughtUp = after[0];
    assert.ok(caughtUp! - downFrom >= 3000, `the first tick after the restart, ${new Date(caughtUp!).toISOString()}, is the latest missed one, not an older one`);
    assertConsecutive(after, "after the restart");
  } finally {
    await scene.dispose();
  }
});
