import assert from "node:assert/strict";
import { test } from "node:test";
import { waitUntil } from "../helpers/wait-until.js";
import { openScene } from "./fixtures/scene.js";
import { openGate, readExecutions, readViolations } from "./fixtures/side-effects.js";

const RUNS = 4;

// A rollout: workers of the old code (v1) and of the new (v2) side by side on one store. A run is
// pinned to the version of the worker that first claims it, and only ever executed by workers of
// that version: when the v1 worker dies holding runs, the v2 worker does not take them over (their
// journals may not replay on v2's code); a worker compatible with v1 does.
test("runs pinned to a version are executed only by workers of that version, and wait for one after a crash", async () => {
  const scene = await openScene("version-pinning");
  const { endure, processes, effects, dir } = scene;
  const worker = { workflows: ["version-pinning"], lease: "500ms" };
  const ids = (prefix: string) => Array.from({ length: RUNS }, (_, i) => `${prefix}-${i}`);
  const start = (id: string) => endure.start("pinned", [], { id });
  const executorsOf = (runIds: string[]) => new Set(readExecutions(effects).filter((row) => runIds.includes(row.run_id)).flatMap((row) => JSON.parse(row.workers) as string[]));
  try {
    openGate(dir, "pass-v2");
    openGate(dir, "pass-v1.1");
    // v1 takes the first runs and holds them all (its second step waits at a gate never opened).
    const v1 = await processes.spawnWorker({ tag: "v1", ...worker, version: "v1", concurrency: RUNS });
    const v1Runs = ids("old");
    for (const id of v1Runs) await start(id);
    await waitUntil(async () => readExecutions(effects).filter((row) => row.step === "second").length === RUNS, "v1 to reach the second step of its runs");
    for (const id of v1Runs) assert.equal((await endure.get(id)).version, "v1");

    // v2 joins; v1 is full, so v2 takes the next runs and finishes them.
    const v2 = await processes.spawnWorker({ tag: "v2", ...worker, version: "v2" });
    const v2Runs = ids("new");
    for (const id of v2Runs) await start(id);
    await scene.waitForAllFinished(v2Runs);
    for (const id of v2Runs) assert.deepEqual([(await endure.get(id)).output, (await endure.get(id)).version], ["v2+v2", "v2"]);

    // v1 dies holding its runs: their leases lapse, and v2 leaves them alone.
    await v1.kill();
    const stuck = await waitUntil(async () => {
      const diagnosis = (await endure.get(v1Runs[0]!)).diagnosis;
      return diagnosis?.reason === "lease-lapsed" ? diagnosis : undefined;
    }, "the diagnosis to see v1's lease lapse");
    assert.match(stuck.summary, /It has likely died\. It is pinned to version "v1"; no other live worker serves it: the other live workers of workflow "pinned" serve "v2"\. Start a worker of version "v1" or one compatible with it/);
    // A run started after the leases lapsed, so due after them: once v2 has finished it, v2's claims have walked past them.
    await start("probe");
    await scene.waitForAllFinished(["probe"]);
    for (const id of v1Runs) assert.equal((await endure.get(id)).status, "running", `${id} waits for a worker of v1`);
    const v2Claims = v2.events.filter((event) => event.event === "claimed").map((event) => event.runId as string);
    assert.deepEqual(v2Claims.filter((id) => v1Runs.includes(id)), [], "v2 claimed no run pinned to v1");

    // A worker of the next version, compatible with v1, takes them over and finishes them.
    const v11 = await processes.spawnWorker({ tag: "v1.1", ...worker, version: "v1.1", compatibleWith: ["v1"] });
    await scene.waitForAllFinished(v1Runs);
    for (const id of v1Runs) {
      const run = await endure.get(id);
      assert.deepEqual([run.status, run.output, run.version], ["completed", "v1+v1.1", "v1"], id);
    }
    assert.equal(v11.events.filter((event) => event.event === "claimed" && (event.lapses as number) > 0).length, RUNS, "v1.1 took each run over from v1's lapsed lease");
    assert.deepEqual([...executorsOf(v1Runs)].sort(), ["v1", "v1.1"], "runs pinned to v1: only v1 and the worker compatible with it");
    assert.deepEqual([...executorsOf([...v2Runs, "probe"])], ["v2"], "runs pinned to v2: only v2");
    assert.deepEqual(readViolations(effects), []);
  } finally {
    await scene.dispose();
  }
});
