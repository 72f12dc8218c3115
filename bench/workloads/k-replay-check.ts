import { checkReplay, type RunExport, waitForEvent, workflow } from "../endure.js";
import { openBench } from "../harness.js";
import { nowMs } from "../stats.js";
import { waitUntil } from "../../test/helpers/wait-until.js";
import { noop } from "../workflows.js";

export interface ReplayCheckMetrics extends Record<string, number> {
  /** Runs replayed per second, read from the store and replayed. */
  runsPerSec: number;
  /** Of which replaying only (the runs already read). */
  replayRunsPerSec: number;
  /** Journal entries replayed per second, replaying only. */
  entriesPerSec: number;
  /** Reading the runs with their journals from the store. */
  readMs: number;
}

const RUNS = 1000;
const STEPS = 20;
const BUILD_TIMEOUT_MS = 300_000;

/** 20 steps, then a wait: an unfinished run, as `endure replay` checks them before a deploy. */
const recorded = workflow("bench-k-recorded", async () => {
  for (let i = 0; i < STEPS; i++) await noop();
  await waitForEvent("go");
});

/**
 * K: the replay check (`endure replay`, `checkReplay`) over 1000 unfinished runs of 20 steps each:
 * how long a pre-deploy check of a store's in-flight runs takes. Reported in two parts: reading
 * the runs and their journals from the store, and replaying them against the code.
 */
export async function replayCheck(): Promise<ReplayCheckMetrics> {
  const bench = await openBench([recorded]);
  try {
    await Promise.all(Array.from({ length: RUNS }, (_, i) => bench.endure.start(recorded, [], { id: `k-${i}` })));
    const waiting = async () => (await bench.endure.statusCounts()).waiting === RUNS;
    await waitUntil(waiting, `${RUNS} runs to wait`, BUILD_TIMEOUT_MS, 50);
    await bench.worker.stop();

    const began = nowMs();
    const runs: RunExport[] = [];
    for await (const run of bench.endure.recordedRuns({ workflows: [recorded.name] })) runs.push(run);
    const read = nowMs();
    const reports = await checkReplay([recorded], runs);
    const replayed = nowMs();
    if (reports.length !== RUNS || reports.some((report) => report.result !== "ok")) {
      throw new Error(`K: expected ${RUNS} clean replays; got ${reports.length}, ${reports.filter((report) => report.result !== "ok").length} not ok.`);
    }
    const entries = runs.reduce((sum, run) => sum + run.journal.length, 0);
    return {
      runsPerSec: RUNS / ((replayed - began) / 1000),
      replayRunsPerSec: RUNS / ((replayed - read) / 1000),
      entriesPerSec: entries / ((replayed - read) / 1000),
      readMs: read - began,
    };
  } finally {
    await bench.close();
  }
}
