import { openBench } from "../harness.js";
import { STEPS_PER_RUN, tenSteps } from "../workflows.js";
import { nowMs, percentile } from "../stats.js";

export interface SequentialMetrics extends Record<string, number> {
  p50Ms: number;
  p99Ms: number;
  usPerStep: number;
}

const RUNS = 200;
const WARMUP_RUNS = 20;

/**
 * A: one run at a time, so nothing is shared between runs: this is the latency one caller sees,
 * and the per-step cost with no group commit to amortise it (each step is its own fsync).
 */
export async function sequential(): Promise<SequentialMetrics> {
  const bench = await openBench([tenSteps]);
  try {
    const { endure } = bench;
    // Warm-up (JIT, statement caches, file growth) in the same store; not counted.
    for (let i = 0; i < WARMUP_RUNS; i++) await (await endure.start(tenSteps, [])).result();

    const latencies: number[] = [];
    const began = nowMs();
    for (let i = 0; i < RUNS; i++) {
      const t0 = nowMs();
      await (await endure.start(tenSteps, [])).result();
      latencies.push(nowMs() - t0);
    }
    const totalMs = nowMs() - began;
    return {
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      usPerStep: (totalMs * 1000) / (RUNS * STEPS_PER_RUN),
    };
  } finally {
    await bench.close();
  }
}
