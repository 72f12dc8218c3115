import { workflow } from "../endure.js";
import { openBench } from "../harness.js";
import { nowMs } from "../stats.js";
import { noop } from "../workflows.js";

export interface StartsMetrics extends Record<string, number> {
  startsPerSec: number;
}

const RUNS = 5000;

const oneStep = workflow("bench-d-one-step", async () => {
  await noop();
});

/**
 * D: the rate at which a burst of start() calls is durably accepted. The worker is already running,
 * as it would be in production, so the runs it claims and executes during the burst compete with
 * the starts; only the time until every start() has resolved is counted.
 */
export async function starts(): Promise<StartsMetrics> {
  const bench = await openBench([oneStep]);
  try {
    const { endure } = bench;
    const began = nowMs();
    const handles = await Promise.all(Array.from({ length: RUNS }, () => endure.start(oneStep, [])));
    const seconds = (nowMs() - began) / 1000;
    // Drain the backlog before the next workload, so it does not run against this one's leftovers.
    await Promise.all(handles.map((handle) => handle.result()));
    return { startsPerSec: RUNS / seconds };
  } finally {
    await bench.close();
  }
}
