import assert from "node:assert/strict";
import { test } from "node:test";
import { CHAOS_CALLS, chaosRounds, expectedChaosOutput, PARALLEL_WIDTH } from "./fixtures/chaos-rounds.js";
import { killInRounds } from "./fixtures/kill-rounds.js";
import type { Child } from "./fixtures/processes.js";
import { openScene } from "./fixtures/scene.js";
import { readEffects, readExecutions, readViolations } from "./fixtures/side-effects.js";

const ROUNDS = 15;
const RUNS_PER_ROUND = 6;
const CONCURRENCY = 8;
const LEASE = "1s";
const MIN_TAKE_OVERS = 3;

test("chaos rounds: SIGKILLed workers lose no run, apply each side effect once, and never re-run a recorded step", async (t) => {
  const scene = await openScene("chaos");
  const { endure, processes, effects: effectsDb } = scene;
  try {
    let generation = 0;
    const spawn = (slot: number) =>
      processes.spawnWorker({ tag: `w${slot}-${generation++}`, workflows: ["chaos-rounds"], lease: LEASE, concurrency: CONCURRENCY });
    const workers: Child[] = await Promise.all([spawn(0), spawn(1)]);

    const runs = new Map<string, number>();
    const kills = await killInRounds({
      rounds: ROUNDS, minTakeOvers: MIN_TAKE_OVERS, takeOvers: () => processes.takeOvers(), workers, spawn,
      startBatch: async (round) => {
        for (let i = 0; i < RUNS_PER_ROUND; i++) {
          const n = round * 100 + i;
          const { id } = await endure.start(chaosRounds, [n], { id: `chaos-${round}-${i}` });
          runs.set(id, n);
        }
      },
    });

    // With both workers alive, every run finishes.
    await scene.waitForAllFinished(runs.keys());

    // No run lost: each completed with the right output.
    for (const [id, n] of runs) {
      const run = await endure.get(id);
      assert.equal(run.status, "completed", `run ${id} ended ${run.status}: ${run.error?.message}`);
      assert.equal(run.output, expectedChaosOutput(n), `output of run ${id}`);
      // Each durable call journaled once, in order, completed.
      assert.deepEqual(run.journal.map((entry) => ({ kind: entry.kind, name: entry.name })), CHAOS_CALLS.map((call) => ({ ...call })), `journal of ${id}`);
      for (const entry of run.journal) {
        assert.equal(entry.status, "completed", `${id} position ${entry.position}`);
        if (entry.kind === "step") assert.ok(entry.attempts >= 1, `${id} position ${entry.position} has attempts ${entry.attempts}`);
      }
      assert.deepEqual(run.journal.map((entry) => entry.position), CHAOS_CALLS.map((_, position) => position));
    }

    // Each idempotency key's side effect applied exactly once, with the step's value.
    const stepPositions = CHAOS_CALLS.flatMap((call, position) => (call.kind === "step" ? [position] : []));
    const effects = new Map(readEffects(effectsDb).map((row) => [row.key, row]));
    assert.equal(effects.size, runs.size * stepPositions.length, "one effect per step of every run");
    for (const [id, n] of runs) {
      const values = stepPositions.map((position) => effects.get(`${id}:${position}`)?.value);
      assert.deepEqual(values, [n, n * 10, n * 10 + 1, n * 10 + 2, expectedChaosOutput(n)], `effects of ${id}`);
    }

    // No recorded step re-run: no step body started once the journal held its outcome...
    assert.deepEqual(readViolations(effectsDb), [], "step bodies that ran although their outcome was journaled");
    // ...and the re-executions there are can be explained by the kills: at most every step a killed
    // worker had in flight (concurrency × parallel steps per run) runs again.
    const executions = readExecutions(effectsDb);
    assert.equal(executions.length, runs.size * stepPositions.length, "every step body executed");
    const reExecutions = executions.reduce((sum, row) => sum + row.count - 1, 0);
    const bound = kills * CONCURRENCY * PARALLEL_WIDTH;
    assert.ok(reExecutions <= bound, `${reExecutions} re-executions for ${kills} kills (at most ${bound})`);

    const takeOvers = processes.takeOvers();
    t.diagnostic(`${runs.size} runs, ${kills} kills, ${takeOvers} take-overs of lapsed leases, ${reExecutions} step re-executions`);
    assert.ok(takeOvers > 0, "some kill hit a worker holding runs (else this test proved nothing)");
  } finally {
    await scene.dispose();
  }
});
