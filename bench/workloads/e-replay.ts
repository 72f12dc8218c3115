import { Endure, openStore, waitForEvent, workflow, type Store } from "../endure.js";
import { openBench } from "../harness.js";
import { median, nowMs } from "../stats.js";
import { waitUntil } from "../../test/helpers/wait-until.js";
import { noop } from "../workflows.js";

export interface ReplayMetrics extends Record<string, number> {
  /** Median over the replays: from the claim that takes the run to its first write after replay. */
  replayMs: number;
  replayMaxMs: number;
  /** The part of replayMs spent in the claim itself (the statement and loading the journal). */
  claimMs: number;
}

const REPLAYED_STEPS = 10_000;
const REPLAYS = 5;
const BUILD_TIMEOUT_MS = 300_000;
const REPLAY_TIMEOUT_MS = 60_000;

/** 10,000 steps, then it waits for an event REPLAYS times: each wait suspends it to the store. */
const longJournal = workflow("bench-e-long-journal", async () => {
  for (let i = 0; i < REPLAYED_STEPS; i++) await noop();
  for (let i = 0; i < REPLAYS; i++) await waitForEvent("go");
});

/**
 * E (replay): a run with a 10,000-step journal, suspended on `waitForEvent`, is woken by an event
 * and taken by a worker that has never held it. Measured, with the worker's store instrumented:
 * from the start of the claim statement that returns the run (so loading its journal counts) to
 * the run's first commit, which it can only ask for once the workflow function is past every
 * replayed step (it consumed the event and suspended on the next wait). The commit's own latency
 * is not counted: that is the cost of a live step, not of replay. Repeated REPLAYS times, each
 * by a fresh worker on a fresh connection.
 */
export async function replay(): Promise<ReplayMetrics> {
  const bench = await openBench([longJournal]);
  try {
    const run = await bench.endure.start(longJournal, []);
    const suspended = async () => (await bench.endure.handle(run.id).status()) === "waiting";
    await waitUntil(suspended, `run ${run.id} to run its ${REPLAYED_STEPS} steps`, BUILD_TIMEOUT_MS, 20);
    await bench.worker.stop();
    const samples: { totalMs: number; claimMs: number }[] = [];
    for (let i = 0; i < REPLAYS; i++) {
      samples.push(await replayOnce(bench.url, run.id));
    }
    return {
      replayMs: median(samples.map((sample) => sample.totalMs)),
      replayMaxMs: Math.max(...samples.map((sample) => sample.totalMs)),
      claimMs: median(samples.map((sample) => sample.claimMs)),
    };
  } finally {
    await bench.close();
  }
}

/** One replay by a fresh worker; closing it waits for the run's commit and hands nothing back. */
async function replayOnce(url: string, runId: string): Promise<{ totalMs: number; claimMs: number }> {
  const store = await openStore(url);
  const timing = instrument(store, runId);
  const endure = await Endure.open({ store });
  try {
    await endure.startWorker({ workflows: [longJournal] });
    await endure.send(runId, "go");
    const { claimStartedAt, claimedAt, firstCommitAt } = await waitUntil(() => timing.done, `run ${runId} to be replayed`, REPLAY_TIMEOUT_MS, 1);
    return { totalMs: firstCommitAt - claimStartedAt, claimMs: claimedAt - claimStartedAt };
  } finally {
    await endure.close();
    await store.close();
  }
}

interface ReplayTiming {
  claimStartedAt: number;
  claimedAt: number;
  firstCommitAt: number;
}

/** Records when the claim that took `runId` started and returned, and when its first commit was asked for. */
function instrument(store: Store, runId: string): { done?: ReplayTiming } {
  const timing: { done?: ReplayTiming } = {};
  const claimRuns = store.claimRuns.bind(store);
  const commit = store.commit.bind(store);
  let claim: Omit<ReplayTiming, "firstCommitAt"> | undefined;
  store.claimRuns = async (request) => {
    const claimStartedAt = nowMs();
    const claimed = await claimRuns(request);
    if (claimed.some(({ run }) => run.id === runId)) claim = { claimStartedAt, claimedAt: nowMs() };
    return claimed;
  };
  store.commit = (workerId, commits) => {
    if (claim && !timing.done && commits.some((entry) => entry.runId === runId)) timing.done = { ...claim, firstCommitAt: nowMs() };
    return commit(workerId, commits);
  };
  return timing;
}
