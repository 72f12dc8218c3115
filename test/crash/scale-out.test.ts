import assert from "node:assert/strict";
import { test } from "node:test";
import { expectedScaleOutOutput, SCALE_OUT_GATE, SCALE_OUT_STEPS, scaleOut, scaleOutStepValue } from "./fixtures/scale-out.js";
import { openScene } from "./fixtures/scene.js";
import { openGate, readEffects, readExecutions, readViolations } from "./fixtures/side-effects.js";

const WORKERS = 4;
const RUNS = 400;
/** Small enough that no worker can hold a fair share of the runs at once: each must come back for more. */
const CONCURRENCY = 8;
/** Each worker's least share of the runs claimed and of the steps executed (a fair share is 1 / WORKERS). */
const MIN_SHARE = 0.1;

test("scale-out: worker processes on one store share the runs; every run completes, every step runs once", { timeout: 120_000 }, async (t) => {
  const scene = await openScene("scale-out");
  const { endure, processes, effects } = scene;
  try {
    const workers = await Promise.all(Array.from({ length: WORKERS }, (_, slot) =>
      processes.spawnWorker({ tag: `w${slot}`, workflows: ["scale-out"], concurrency: CONCURRENCY })));
    const ids = Array.from({ length: RUNS }, (_, n) => `scale-${n}`);
    for (const [n, id] of ids.entries()) await endure.start(scaleOut, [n], { id });

    // A backlog, and every worker full with runs waiting at the gate: none gets a head start.
    const from = workers.map((worker) => worker.events.length);
    await Promise.all(workers.map((worker, slot) => worker.waitForEvent(
      (event) => event.event === "status" && event.activeRuns === CONCURRENCY, `${worker.tag} to hold ${CONCURRENCY} runs`, 30_000, from[slot])));
    const began = Date.now();
    openGate(scene.dir, SCALE_OUT_GATE);
    await scene.waitForAllFinished(ids);
    const seconds = (Date.now() - began) / 1000;

    for (const [n, id] of ids.entries()) {
      const run = await endure.get(id);
      assert.equal(run.status, "completed", `run ${id} ended ${run.status}: ${run.error?.message}`);
      assert.equal(run.output, expectedScaleOutOutput(n), `output of ${id}`);
      assert.deepEqual(run.journal.map((entry) => `${entry.position}:${entry.name}:${entry.status}:${entry.attempts}`),
        Array.from({ length: SCALE_OUT_STEPS }, (_, i) => `${i}:scale-out-step:completed:1`), `journal of ${id}`);
    }

    // No run was claimed twice at the same epoch: the claims of different workers never overlapped.
    const claims = processes.events("claimed");
    const byEpoch = new Map<string, string[]>();
    for (const claim of claims) {
      const key = `${String(claim.runId)} at epoch ${String(claim.epoch)}`;
      byEpoch.set(key, [...(byEpoch.get(key) ?? []), String(claim.tag)]);
    }
    const doubleClaims = [...byEpoch].filter(([, tags]) => tags.length > 1).map(([key, tags]) => `${key} by ${tags.join(", ")}`);
    assert.deepEqual(doubleClaims, [], "runs claimed twice at the same epoch");
    assert.deepEqual(new Set(claims.map((claim) => claim.runId)), new Set(ids), "every run claimed");

    // Every step body ran exactly once, and its side effect was applied once, with its value.
    assert.deepEqual(readViolations(effects), [], "step bodies that ran although their outcome was journaled");
    const executions = readExecutions(effects);
    assert.equal(executions.length, RUNS * SCALE_OUT_STEPS, "every step body executed");
    const repeated = executions.filter((row) => row.count !== 1).map((row) => `${row.key} ran ${row.count} times (${row.workers})`);
    assert.deepEqual(repeated, [], "steps executed more than once");
    const effectRows = new Map(readEffects(effects).map((row) => [row.key, row.value]));
    for (const [n, id] of ids.entries()) {
      for (let i = 0; i < SCALE_OUT_STEPS; i++) assert.equal(effectRows.get(`${id}:${i}`), scaleOutStepValue(n, i), `effect of ${id} step ${i}`);
    }

    // The work was spread: every process claimed, and executed, a meaningful share of it.
    const shares = workers.map((worker) => {
      const runsClaimed = new Set(claims.filter((claim) => claim.tag === worker.tag).map((claim) => claim.runId)).size;
      const stepsRun = executions.filter((row) => (JSON.parse(row.workers) as string[]).includes(worker.tag)).length;
      return { tag: worker.tag, runsClaimed, stepsRun };
    });
    const summary = shares.map((share) => `${share.tag}: ${share.runsClaimed} runs claimed, ${share.stepsRun} steps run`).join("; ");
    for (const share of shares) {
      assert.ok(share.runsClaimed >= MIN_SHARE * RUNS, `${share.tag} claimed ${share.runsClaimed} of ${RUNS} runs (${summary})`);
      assert.ok(share.stepsRun >= MIN_SHARE * RUNS * SCALE_OUT_STEPS, `${share.tag} ran ${share.stepsRun} of ${RUNS * SCALE_OUT_STEPS} steps (${summary})`);
    }
    for (const worker of workers) assert.ok(worker.alive, `${worker.describe()} exited: ${JSON.stringify(worker.exit)}\n${worker.stderr}`);
    t.diagnostic(`${RUNS} runs on ${WORKERS} workers in ${seconds.toFixed(1)} s, ${claims.length} claims; ${summary}`);
  } finally {
    await scene.dispose();
  }
});
