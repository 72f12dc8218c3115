import type { Endure } from "../endure.js";
import type { Child } from "../../test/crash/fixtures/processes.js";
import { waitUntil } from "../../test/helpers/wait-until.js";
import { openBenchStore } from "../harness.js";
import { hourSleeper } from "../process-workflows.js";
import { nowMs } from "../stats.js";
import { storeSize } from "../store-size.js";
import { memoryOf, settledMemoryOf, spawnWorkerProcess } from "../worker-processes.js";

export interface MemoryMetrics extends Record<string, number> {
  /**
   * The worker process's resident set with every run asleep, after a full GC, once it had been idle
   * for a while (see settledMemoryOf), in MB (10^6 bytes).
   */
  rssMB: number;
  heapUsedMB: number;
  /** The same, read as soon as the last run was suspended: V8 still holds the busy spell's heap. */
  busyRssMB: number;
  busyHeapTotalMB: number;
  /** The same process before any run: Node, the tsx loader and Endure themselves. */
  idleRssMB: number;
  /** Runs started and suspended per second, start to last suspension. */
  suspendedPerSec: number;
  /** The whole store (file + WAL after a checkpoint, or every table of the schema) per run. */
  storeBytesPerRun: number;
  /** The runs table with its indexes, per run. */
  runBytesPerRun: number;
  /** The journal table with its index, per entry (two per run: a step and the sleep). */
  journalBytesPerEntry: number;
}

const SLEEPING_RUNS = 100_000;
const START_CHUNK = 1000;
const ASLEEP_TIMEOUT_MS = 30 * 60_000;
const MB = 1e6;

/**
 * F: 100,000 runs each run a step and sleep an hour, far beyond the worker's inMemoryWaitLimit, so
 * each is written down and dropped from memory. The worker is a process of its own (this one's
 * memory would otherwise count); its RSS is read once no run is pending or running, and again after
 * 10 s of idleness, the state 100,000 sleeping runs leave it in for the hour. Then the store's size
 * per run and per journal entry.
 */
export async function memory(): Promise<MemoryMetrics> {
  const bench = await openBenchStore();
  let worker: Child | undefined;
  try {
    worker = await spawnWorkerProcess(bench.url, { tag: "sleepers" });
    const idle = await memoryOf(worker);
    const began = nowMs();
    for (let started = 0; started < SLEEPING_RUNS; started += START_CHUNK) {
      const chunk = Math.min(START_CHUNK, SLEEPING_RUNS - started);
      await Promise.all(Array.from({ length: chunk }, () => bench.endure.start(hourSleeper, [])));
    }
    await waitUntil(async () => !(await anyAwake(bench.endure)), `${SLEEPING_RUNS} runs to sleep`, ASLEEP_TIMEOUT_MS, 100);
    const seconds = (nowMs() - began) / 1000;
    const busy = await memoryOf(worker);
    const settled = await settledMemoryOf(worker);
    await worker.kill("SIGKILL");
    const size = await storeSize(bench.url);
    if (size.runs !== SLEEPING_RUNS) throw new Error(`F: the store holds ${size.runs} runs, not ${SLEEPING_RUNS}`);
    return {
      rssMB: settled.rss / MB,
      heapUsedMB: settled.heapUsed / MB,
      busyRssMB: busy.rss / MB,
      busyHeapTotalMB: busy.heapTotal / MB,
      idleRssMB: idle.rss / MB,
      suspendedPerSec: SLEEPING_RUNS / seconds,
      storeBytesPerRun: size.totalBytes / size.runs,
      runBytesPerRun: (size.tableBytes.runs ?? 0) / size.runs,
      journalBytesPerEntry: (size.tableBytes.journal ?? 0) / size.journalEntries,
    };
  } finally {
    await worker?.kill("SIGKILL");
    await bench.close();
  }
}

/** Whether any run is still to be started or suspended. */
async function anyAwake(endure: Endure): Promise<boolean> {
  for (const status of ["pending", "running"] as const) {
    if ((await endure.list({ status, limit: 1 })).runs.length > 0) return true;
  }
  return false;
}
