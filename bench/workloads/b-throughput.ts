import { openBench } from "../harness.js";
import { STEPS_PER_RUN, tenSteps } from "../workflows.js";
import { nowMs } from "../stats.js";

export interface ThroughputMetrics extends Record<string, number> {
  stepsPerSec: number;
  runsPerSec: number;
}

const RUNS = 1000;
const IN_FLIGHT = 100;

/**
 * B: a steady 100 runs in flight, so concurrent step completions can share a group commit; this is
 * the throughput the design's "one durable write per step, at most" is meant to beat.
 */
export async function throughput(): Promise<ThroughputMetrics> {
  const bench = await openBench([tenSteps]);
  try {
    const { endure } = bench;
    let started = 0;
    // Each lane keeps one run in flight: when its run finishes it starts the next, so exactly
    // IN_FLIGHT runs are started-and-unfinished until the last RUNS - IN_FLIGHT have been handed out.
    const lane = async (): Promise<void> => {
      while (started < RUNS) {
        started++;
        await (await endure.start(tenSteps, [])).result();
      }
    };
    const began = nowMs();
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    const seconds = (nowMs() - began) / 1000;
    return { stepsPerSec: (RUNS * STEPS_PER_RUN) / seconds, runsPerSec: RUNS / seconds };
  } finally {
    await bench.close();
  }
}
