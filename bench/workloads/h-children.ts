import { workflow } from "../endure.js";
import { openBench } from "../harness.js";
import { median, nowMs, percentile } from "../stats.js";
import { noop } from "../workflows.js";

export interface ChildrenMetrics extends Record<string, number> {
  childrenPerSec: number;
  fanOutMs: number;
  /** Fan-out parts: start() to the first child's body; first to last child's body; last child's body to the parent's result. */
  toFirstChildMs: number;
  childrenRunMs: number;
  lastChildToResultMs: number;
  perChildP50Ms: number;
  perChildP99Ms: number;
  sequentialMs: number;
}

const FAN_OUT = 500;
const SEQUENTIAL = 50;

/** When each child's body began (nowMs()), in order: the fan-out's phases, and the sequential parent's cycle per child. */
let childBegan: number[] = [];

const childRun = workflow("bench-h-child", async () => {
  childBegan.push(nowMs());
  await noop();
});

const fanOut = workflow("bench-h-fan-out", async () => {
  await Promise.all(Array.from({ length: FAN_OUT }, () => childRun()));
});

const oneByOne = workflow("bench-h-one-by-one", async () => {
  for (let i = 0; i < SEQUENTIAL; i++) await childRun();
});

/**
 * H: child runs. A parent fans out 500 one-step children with Promise.all (started in one
 * transaction, run by the worker, each end waking the parent through its inbox); then a parent
 * awaits 50 children one after another, so each child costs a full cycle: the parent's journal
 * records the call and suspends, the child is claimed, runs its step and ends, the parent is woken
 * and resumed. Timed from start() to result() of the parent.
 */
export async function children(): Promise<ChildrenMetrics> {
  const bench = await openBench([childRun, fanOut, oneByOne]);
  try {
    const { endure } = bench;
    childBegan = [];
    const fanOutBegan = nowMs();
    await (await endure.start(fanOut, [])).result();
    const fanOutEnded = nowMs();
    if (childBegan.length !== FAN_OUT) throw new Error(`H: expected ${FAN_OUT} child executions, saw ${childBegan.length}`);
    const firstChild = Math.min(...childBegan);
    const lastChild = Math.max(...childBegan);

    childBegan = [];
    const sequentialBegan = nowMs();
    await (await endure.start(oneByOne, [])).result();
    const sequentialMs = nowMs() - sequentialBegan;
    if (childBegan.length !== SEQUENTIAL) throw new Error(`H: expected ${SEQUENTIAL} child executions, saw ${childBegan.length}`);
    const gaps = childBegan.slice(1).map((at, i) => at - childBegan[i]!);

    const fanOutMs = fanOutEnded - fanOutBegan;
    return {
      childrenPerSec: FAN_OUT / (fanOutMs / 1000),
      fanOutMs,
      toFirstChildMs: firstChild - fanOutBegan,
      childrenRunMs: lastChild - firstChild,
      lastChildToResultMs: fanOutEnded - lastChild,
      perChildP50Ms: median(gaps),
      perChildP99Ms: percentile(gaps, 99),
      sequentialMs,
    };
  } finally {
    await bench.close();
  }
}
