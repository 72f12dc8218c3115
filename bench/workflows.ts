import { step, workflow } from "./endure.js";

export const STEPS_PER_RUN = 10;

export const noop = step("noop", async () => {});

/** The run of workloads A and B: ten no-op steps, so what is measured is Endure's own cost. */
export const tenSteps = workflow("bench-ten-steps", async () => {
  for (let i = 0; i < STEPS_PER_RUN; i++) await noop();
});
