/** Every workload of the bench, how to run it and how its results are printed. */
import type { FloorMetrics } from "./floor.js";
import { bytes, ms, perSec, times, us } from "./format.js";
import { sequential } from "./workloads/a-sequential.js";
import { throughput } from "./workloads/b-throughput.js";
import { wakeup } from "./workloads/c-wakeup.js";
import { starts } from "./workloads/d-starts.js";
import { recovery } from "./workloads/e-recovery.js";
import { memory } from "./workloads/f-memory.js";
import { longRunning } from "./workloads/g-long-run.js";
import { children } from "./workloads/h-children.js";
import { queueAdmission } from "./workloads/i-queue.js";
import { httpApi } from "./workloads/j-http.js";
import { replayCheck } from "./workloads/k-replay-check.js";
import { events } from "./workloads/l-events.js";

export type Metrics = Record<string, number>;

export interface Row {
  metric: string;
  value: string;
  floor: string;
  /** The metric key a target bounds (bench/targets.ts), to print the target next to the value. */
  target?: string;
}

export interface Workload<M extends Metrics> {
  title: string;
  run(): Promise<M>;
  rows(metrics: M, floor: FloorMetrics): Row[];
}

const mb = (value: number) => `${value.toFixed(1)} MB`;

// Declared through a helper so each entry's rows() is checked against its own metrics type.
const define = <M extends Metrics>(workload: Workload<M>): Workload<Metrics> => workload as unknown as Workload<Metrics>;

export const WORKLOADS = {
  A: define({
    title: "A  sequential: 200 runs × 10 no-op steps, one at a time",
    run: sequential,
    rows: (m, f) => [
      { metric: "run latency p50", value: ms(m.p50Ms), floor: `10 commits (1/step): ${ms((10 * f.usPerCommit) / 1000)}` },
      { metric: "run latency p99", value: ms(m.p99Ms), floor: "" },
      { metric: "per step", value: us(m.usPerStep), target: "usPerStep", floor: `1 commit: ${us(f.usPerCommit)}` },
    ],
  }),
  B: define({
    title: "B  throughput: 1000 runs × 10 no-op steps, 100 in flight",
    run: throughput,
    rows: (m, f) => [
      { metric: "steps", value: perSec(m.stepsPerSec, "steps"), target: "stepsPerSec", floor: `100 rows/commit: ${perSec(f.batchedRowsPerSec, "rows")}` },
      { metric: "runs", value: perSec(m.runsPerSec, "runs"), floor: "" },
    ],
  }),
  C: define({
    title: "C  wake-up: 100 runs sleep(1 s) at once (after a warm-up round)",
    run: wakeup,
    rows: (m) => [
      // Whole ms: the workflow reads Date.now() (in steps).
      { metric: "lateness p50", value: ms(m.p50Ms, 1), target: "p50Ms", floor: "" },
      { metric: "lateness p99", value: ms(m.p99Ms, 1), target: "p99Ms", floor: "" },
      {
        metric: "  p50 parts: setup / timer / resume",
        value: `${m.setupP50Ms} / ${m.timerP50Ms} / ${m.resumeP50Ms} ms`,
        floor: "",
      },
    ],
  }),
  D: define({
    title: "D  starts: 5000 one-step runs started at once",
    run: starts,
    rows: (m, f) => [{ metric: "starts", value: perSec(m.startsPerSec, "starts"), target: "startsPerSec", floor: `1 row/commit: ${perSec(1e6 / f.usPerCommit, "commits")}` }],
  }),
  E: define({
    title: "E  recovery: a 10,000-step journal replayed by a fresh worker (5 times); 50 runs resumed after a SIGKILL",
    run: recovery,
    rows: (m) => [
      { metric: "replay: claim to first commit, p50", value: ms(m.replayMs, 1), target: "replayMs", floor: "" },
      { metric: "  of which the claim (journal load)", value: ms(m.claimMs, 1), floor: "" },
      { metric: "  slowest replay", value: ms(m.replayMaxMs, 1), floor: "" },
      { metric: "resume after SIGKILL: last run", value: ms(m.resumeMaxMs, 0), target: "resumeMaxMs", floor: `lease: ${ms(m.leaseMs, 0)}` },
      { metric: "resume after SIGKILL: p50", value: ms(m.resumeP50Ms, 0), floor: "" },
    ],
  }),
  F: define({
    title: "F  memory: 100,000 runs sleep(1 hour), suspended to the store by a worker process",
    run: memory,
    rows: (m) => [
      { metric: "worker RSS, settled, after GC", value: mb(m.rssMB), target: "rssMB", floor: `the same worker before any run: ${mb(m.idleRssMB)}` },
      { metric: "  heap used", value: mb(m.heapUsedMB), floor: "" },
      { metric: "  RSS / V8 heap at the last suspension", value: `${m.busyRssMB.toFixed(1)} / ${m.busyHeapTotalMB.toFixed(1)} MB`, floor: "" },
      { metric: "started and suspended", value: perSec(m.suspendedPerSec, "runs"), floor: "" },
      { metric: "store per run", value: bytes(m.storeBytesPerRun), floor: "" },
      { metric: "  runs table per run", value: bytes(m.runBytesPerRun), floor: "" },
      { metric: "  journal per entry (2 per run)", value: bytes(m.journalBytesPerEntry), floor: "" },
    ],
  }),
  G: define({
    title: "G  long run: one run of 100,000 sequential steps (each only notes the time)",
    run: longRunning,
    rows: (m, f) => [
      { metric: "per step, first 10,000: p50 / mean", value: `${m.firstP50Us.toFixed(1)} / ${m.firstMeanUs.toFixed(1)} µs`, floor: `1 commit: ${us(f.usPerCommit)}` },
      { metric: "per step, last 10,000: p50 / mean", value: `${m.lastP50Us.toFixed(1)} / ${m.lastMeanUs.toFixed(1)} µs`, floor: "" },
      { metric: "last / first, p50", value: times(m.lastOverFirst), target: "lastOverFirst", floor: "" },
      { metric: "last / first, mean (with fsync stalls)", value: times(m.meanLastOverFirst), floor: "" },
      { metric: "steps", value: perSec(m.stepsPerSec, "steps"), floor: "" },
    ],
  }),
  H: define({
    title: "H  child runs: a parent fans out 500 one-step children (Promise.all); a parent awaits 50 one after another",
    run: children,
    rows: (m) => [
      { metric: "fan-out: children", value: perSec(m.childrenPerSec, "children"), floor: "" },
      { metric: "fan-out: parent start to result", value: ms(m.fanOutMs, 0), floor: "" },
      {
        metric: "  parts: to 1st child / children / last child to result",
        value: `${m.toFirstChildMs.toFixed(0)} / ${m.childrenRunMs.toFixed(0)} / ${m.lastChildToResultMs.toFixed(0)} ms`,
        floor: "",
      },
      { metric: "sequential: per child p50 / p99", value: `${m.perChildP50Ms.toFixed(2)} / ${m.perChildP99Ms.toFixed(2)} ms`, floor: "" },
      { metric: "sequential: parent start to result", value: ms(m.sequentialMs, 0), floor: "" },
    ],
  }),
  I: define({
    title: "I  queue admission: 2000 one-step runs started at once into a queue (concurrency 50; keyConcurrency 1 × 50 keys)",
    run: queueAdmission,
    rows: (m) => [
      { metric: "concurrency 50: runs", value: perSec(m.queuedRunsPerSec, "runs"), floor: `no queue: ${perSec(m.unqueuedRunsPerSec, "runs")}` },
      { metric: "  most running at once (limit 50)", value: String(m.maxRunning), floor: "" },
      { metric: "keyConcurrency 1, 50 keys: runs", value: perSec(m.perKeyRunsPerSec, "runs"), floor: "" },
      { metric: "  most running at once: per key / in all", value: `${m.maxRunningPerKey} / ${m.maxRunningKeyed}`, floor: "" },
    ],
  }),
  J: define({
    title: "J  HTTP API on loopback: 2000 POST /api/runs from 50 callers; GET a run; GET a page of 50 runs",
    run: httpApi,
    rows: (m) => [
      { metric: "starts over HTTP", value: perSec(m.startsPerSec, "starts"), floor: `client in-process: ${perSec(m.clientStartsPerSec, "starts")}` },
      { metric: "GET /api/runs/{id} (10 steps) p50 / p99", value: `${m.getP50Ms.toFixed(2)} / ${m.getP99Ms.toFixed(2)} ms`, floor: "" },
      { metric: "GET /api/runs?limit=50 p50", value: ms(m.listP50Ms, 2), floor: "" },
    ],
  }),
  K: define({
    title: "K  replay check: 1000 unfinished runs of 20 steps read from the store and replayed against the code (endure replay)",
    run: replayCheck,
    rows: (m) => [
      { metric: "runs checked (read and replayed)", value: perSec(m.runsPerSec, "runs"), floor: `reading them: ${ms(m.readMs, 0)}` },
      { metric: "  replaying only", value: perSec(m.replayRunsPerSec, "runs"), floor: `${perSec(m.entriesPerSec, "entries")}` },
    ],
  }),
  L: define({
    title: "L  event log: 2000 events emitted at once, each starting a trigger run; 200 one at a time; a subscribed run woken 200 times",
    run: events,
    rows: (m) => [
      { metric: "events recorded (emit burst)", value: perSec(m.emitsPerSec, "events"), floor: "" },
      { metric: "events to completed trigger runs", value: perSec(m.triggeredRunsPerSec, "runs"), floor: "" },
      { metric: "receipt to trigger run start, p50 / p99", value: `${ms(m.dispatchP50Ms, 1)} / ${ms(m.dispatchP99Ms, 1)}`, floor: "" },
      { metric: "receipt to subscribed run's step, p50", value: ms(m.subscriptionP50Ms, 1), floor: "" },
    ],
  }),
} satisfies Record<string, Workload<Metrics>>;

export type WorkloadId = keyof typeof WORKLOADS;

export const WORKLOAD_IDS = Object.keys(WORKLOADS) as WorkloadId[];
