import type { Child } from "../../test/crash/fixtures/processes.js";
import { waitUntil } from "../../test/helpers/wait-until.js";
import { openBenchStore } from "../harness.js";
import { killedMidStep } from "../process-workflows.js";
import { percentile } from "../stats.js";
import { spawnWorkerProcess } from "../worker-processes.js";

export interface ResumeMetrics extends Record<string, number> {
  /** From the SIGKILL until the last run's interrupted step ran again in the other process. */
  resumeMaxMs: number;
  resumeP50Ms: number;
  /** Both worker processes' lease. */
  leaseMs: number;
}

const RUNS = 50;
const LEASE_MS = 1000;
const LEASE = `${LEASE_MS}ms`;
const HOLD_TIMEOUT_MS = 60_000;
const RESUME_TIMEOUT_MS = 60_000;

/**
 * E (crash resume): a worker process holds 50 runs, each in the middle of a step (it hangs there),
 * when it is SIGKILLed. A second worker process, already running, must take them over once their
 * leases lapse: measured from the SIGKILL until each run's interrupted step runs again there (the
 * step reads Date.now() in that process; both processes share this machine's clock).
 */
export async function resume(): Promise<ResumeMetrics> {
  const bench = await openBenchStore();
  const children: Child[] = [];
  try {
    const doomed = await spawnWorkerProcess(bench.url, { tag: "doomed", lease: LEASE, hold: true });
    children.push(doomed);
    const handles = await Promise.all(Array.from({ length: RUNS }, () => bench.endure.start(killedMidStep, [])));
    const holding = () => doomed.events.filter((event) => event.event === "holding").length === RUNS;
    await waitUntil(holding, `${RUNS} runs to be mid-step in ${doomed.describe()}`, HOLD_TIMEOUT_MS);
    // Started only now, so that it could not take any run before the kill.
    const successor = await spawnWorkerProcess(bench.url, { tag: "successor", lease: LEASE });
    children.push(successor);

    const killedAt = Date.now();
    await doomed.kill("SIGKILL");
    const resumed = await within(Promise.all(handles.map((handle) => handle.result())), `${RUNS} runs to resume`, RESUME_TIMEOUT_MS);
    const strays = resumed.filter((step) => step.pid !== successor.pid);
    if (strays.length > 0) throw new Error(`E: ${strays.length} runs resumed outside ${successor.describe()}`);
    const delays = resumed.map((step) => step.at - killedAt);
    return { resumeMaxMs: Math.max(...delays), resumeP50Ms: percentile(delays, 50), leaseMs: LEASE_MS };
  } finally {
    await Promise.all(children.map((child) => child.kill("SIGKILL")));
    await bench.close();
  }
}

/** `promise`'s value, or an error naming `what` once `timeoutMs` passed: a broken engine must not hang the bench. */
async function within<T>(promise: Promise<T>, what: string, timeoutMs: number): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  promise.then((value) => (outcome = { value }), (error: unknown) => (outcome = { error }));
  const settled = await waitUntil(() => outcome, what, timeoutMs, 5);
  if ("error" in settled) throw settled.error;
  return settled.value;
}
