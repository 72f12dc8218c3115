import { queue, type QueueDefinition, workflow } from "../endure.js";
import { openBench } from "../harness.js";
import { nowMs } from "../stats.js";
import { noop } from "../workflows.js";

export interface QueueMetrics extends Record<string, number> {
  queuedRunsPerSec: number;
  maxRunning: number;
  perKeyRunsPerSec: number;
  maxRunningPerKey: number;
  maxRunningKeyed: number;
  unqueuedRunsPerSec: number;
}

const RUNS = 2000;
const CONCURRENCY = 50;
const KEYS = 50;

const limited = queue("bench-i-limited", { concurrency: CONCURRENCY });
const oneAtATimePerKey = queue("bench-i-per-key", { keyConcurrency: 1 });

/**
 * Bodies executing now, overall and per concurrency key. A body begins after its run was admitted
 * and claimed and returns before its end is committed (which frees the slot), so these counts are
 * at most the runs holding a slot: a count above the limit means admission let too many in.
 */
let running = 0;
let maxRunning = 0;
const runningByKey = new Map<string, number>();
let maxRunningPerKey = 0;

const queuedRun = workflow("bench-i-queued", async (key: string) => {
  running++;
  maxRunning = Math.max(maxRunning, running);
  const ofKey = (runningByKey.get(key) ?? 0) + 1;
  runningByKey.set(key, ofKey);
  maxRunningPerKey = Math.max(maxRunningPerKey, ofKey);
  try {
    await noop();
  } finally {
    running--;
    runningByKey.set(key, runningByKey.get(key)! - 1);
  }
});

/**
 * I: queue admission. 2000 one-step runs started at once into a queue of concurrency 50, then 2000
 * into a queue of keyConcurrency 1 over 50 keys (40 runs per key, one after another), and, for
 * comparison, 2000 without a queue. Each timed from the first start() until every result();
 * throws if the runs executing at once ever exceeded a limit.
 */
export async function queueAdmission(): Promise<QueueMetrics> {
  const bench = await openBench([queuedRun], [limited, oneAtATimePerKey]);
  const burst = async (inQueue?: QueueDefinition): Promise<number> => {
    running = 0;
    maxRunning = 0;
    runningByKey.clear();
    maxRunningPerKey = 0;
    const began = nowMs();
    const handles = await Promise.all(Array.from({ length: RUNS }, (_, i) => {
      const key = `key-${i % KEYS}`;
      return bench.endure.start(queuedRun, [key], inQueue && { queue: inQueue, ...(inQueue.keyConcurrency === null ? {} : { concurrencyKey: key }) });
    }));
    await Promise.all(handles.map((handle) => handle.result()));
    return RUNS / ((nowMs() - began) / 1000);
  };
  try {
    const queuedRunsPerSec = await burst(limited);
    const limitedMax = maxRunning;
    if (limitedMax > CONCURRENCY) throw new Error(`I: ${limitedMax} runs of a queue of concurrency ${CONCURRENCY} ran at once`);

    const perKeyRunsPerSec = await burst(oneAtATimePerKey);
    const keyedMax = maxRunning;
    const perKeyMax = maxRunningPerKey;
    if (perKeyMax > 1) throw new Error(`I: ${perKeyMax} runs of one key ran at once in a queue of keyConcurrency 1`);

    const unqueuedRunsPerSec = await burst();
    return { queuedRunsPerSec, maxRunning: limitedMax, perKeyRunsPerSec, maxRunningPerKey: perKeyMax, maxRunningKeyed: keyedMax, unqueuedRunsPerSec };
  } finally {
    await bench.close();
  }
}
