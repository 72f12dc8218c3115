/** The workflows that run in the bench's worker processes (bench/worker-process.ts). */
import { sleep, step, stepContext, workflow } from "./endure.js";
import { noop } from "./workflows.js";

/** Set to "1" in the environment of a worker process whose `held` steps hang until it is killed. */
export const HOLD_ENV = "ENDURE_BENCH_HOLD";

/**
 * In a holding process: announces itself on stdout and never returns, so the run is mid-step when
 * the process is killed. Anywhere else: returns when and where it ran.
 */
const held = step("held", async (): Promise<{ at: number; pid: number }> => {
  if (process.env[HOLD_ENV] === "1") {
    process.stdout.write(`${JSON.stringify({ event: "holding", runId: stepContext().runId })}\n`);
    return await new Promise<never>(() => {});
  }
  return { at: Date.now(), pid: process.pid };
});

/** Workload E (crash resume): one step done, then killed in the middle of the next one. */
export const killedMidStep = workflow("bench-e-killed-mid-step", async () => {
  await noop();
  return await held();
});

/** Workload F: a step, then a sleep far longer than inMemoryWaitLimit, so the run leaves memory. */
export const hourSleeper = workflow("bench-f-hour-sleeper", async () => {
  await noop();
  await sleep("1 hour");
});
