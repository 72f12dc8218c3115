import { sleep, step, workflow } from "../endure.js";
import { openBench } from "../harness.js";
import { percentile } from "../stats.js";

export interface WakeupMetrics extends Record<string, number> {
  p50Ms: number;
  p99Ms: number;
  /** Diagnostics (p50s, from the journal, whole ms) that add up to the lateness: */
  /** the `before` step's commit and hand-over, until `sleep()` computed its wake time; */
  setupP50Ms: number;
  /** the timer firing after its wake time; */
  timerP50Ms: number;
  /** from the firing to the `after` step running (the commit of the sleep's completion). */
  resumeP50Ms: number;
}

const RUNS = 100;
const SLEEP_MS = 1000;

// Steps, not Date.now() in the workflow body: the body must be deterministic, and a step's result
// is journaled, so each value is read once and stays the same on any replay.
const clock = step("clock", () => Date.now());

const sleeper = workflow("bench-c-sleeper", async () => {
  const before = await clock();
  await sleep(SLEEP_MS);
  const after = await clock();
  return { before, after };
});

/**
 * C: how late a durable timer wakes its workflow, as the workflow sees it:
 * lateness = after − (before + 1 s). 1 s is under the worker's default inMemoryWaitLimit (5 s), so
 * runs sleep in memory and no claim round-trip is measured; all 100 share one event loop and one
 * group commit, so they move in lockstep. Measured on the second of two rounds.
 */
export async function wakeup(): Promise<WakeupMetrics> {
  const bench = await openBench([sleeper]);
  try {
    const { endure } = bench;
    // Warm-up, as for A: one round first (statements prepared, connections open, code compiled),
    // so what is measured is a running worker, not one that has just started.
    const warmUp = await Promise.all(Array.from({ length: RUNS }, () => endure.start(sleeper, [])));
    await Promise.all(warmUp.map((handle) => handle.result()));

    const handles = await Promise.all(Array.from({ length: RUNS }, () => endure.start(sleeper, [])));
    const outputs = await Promise.all(handles.map((handle) => handle.result()));
    const lateness = outputs.map(({ before, after }) => after - (before + SLEEP_MS));

    const setup: number[] = [];
    const timer: number[] = [];
    const resume: number[] = [];
    for (const [i, handle] of handles.entries()) {
      const { before, after } = outputs[i]!;
      const sleepEntry = (await endure.get(handle.id)).journal.find((entry) => entry.kind === "sleep");
      const wakeAt = sleepEntry?.wakeAt?.getTime();
      const firedAt = sleepEntry?.finishedAt?.getTime();
      if (wakeAt === undefined || firedAt === undefined) throw new Error(`run ${handle.id}: no finished sleep in its journal`);
      setup.push(wakeAt - SLEEP_MS - before);
      timer.push(firedAt - wakeAt);
      resume.push(after - firedAt);
    }
    return {
      p50Ms: percentile(lateness, 50),
      p99Ms: percentile(lateness, 99),
      setupP50Ms: percentile(setup, 50),
      timerP50Ms: percentile(timer, 50),
      resumeP50Ms: percentile(resume, 50),
    };
  } finally {
    await bench.close();
  }
}
