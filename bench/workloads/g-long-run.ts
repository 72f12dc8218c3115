import { step, workflow } from "../endure.js";
import { openBench } from "../harness.js";
import { percentile } from "../stats.js";

export interface LongRunMetrics extends Record<string, number> {
  /** Median time from one step to the next over the first 10,000 steps, and over the last 10,000. */
  firstP50Us: number;
  lastP50Us: number;
  /** lastP50Us / firstP50Us: 1 is a flat per-step cost. */
  lastOverFirst: number;
  /** The same with means: they include fsync stalls, which on a shared disk come and go. */
  firstMeanUs: number;
  lastMeanUs: number;
  meanLastOverFirst: number;
  stepsPerSec: number;
}

const LONG_RUN_STEPS = 100_000;
const SEGMENT = 10_000;

// The worker runs in this process, so a step can note the time into the bench's own memory. The
// array is filled by the step's single execution; this run is never replayed.
const times = new Float64Array(LONG_RUN_STEPS);
const tick = step("tick", (i: number) => {
  times[i] = performance.now();
});

const longRun = workflow("bench-g-long-run", async () => {
  for (let i = 0; i < LONG_RUN_STEPS; i++) await tick(i);
});

/**
 * G: one run of 100,000 sequential steps, each noting when it ran. The time between consecutive
 * steps is one step's full cost (its commit included). A cost that grows with the journal (a scan,
 * a copy, a map that is never pruned) shows as a last 10,000 slower than the first.
 */
export async function longRunning(): Promise<LongRunMetrics> {
  const bench = await openBench([longRun]);
  try {
    times.fill(0);
    await (await bench.endure.start(longRun, [])).result();
    const first = stepCosts(0);
    const last = stepCosts(LONG_RUN_STEPS - SEGMENT);
    const firstMeanUs = mean(first);
    const lastMeanUs = mean(last);
    return {
      firstP50Us: percentile(first, 50),
      lastP50Us: percentile(last, 50),
      lastOverFirst: percentile(last, 50) / percentile(first, 50),
      firstMeanUs,
      lastMeanUs,
      meanLastOverFirst: lastMeanUs / firstMeanUs,
      stepsPerSec: (LONG_RUN_STEPS - 1) / ((times[LONG_RUN_STEPS - 1]! - times[0]!) / 1000),
    };
  } finally {
    await bench.close();
  }
}

/** The µs from each step to the next, for the SEGMENT steps from `from` (the first has none before it). */
function stepCosts(from: number): number[] {
  const costs: number[] = [];
  for (let i = Math.max(from, 1); i < from + SEGMENT; i++) costs.push((times[i]! - times[i - 1]!) * 1000);
  return costs;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
