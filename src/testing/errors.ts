import { EndureError } from "../api/errors.js";
import type { Diagnosis } from "../client/diagnosis.js";

/**
 * A run the test waits for cannot go on by itself: it waits for something no timer brings (an
 * event with no timeout, a child run that waits so), and nothing else happened for the grace period.
 */
export class TestStalledError extends EndureError {
  readonly runId: string;
  /** What the run waits for, as `endure.get(runId).diagnosis` says it. */
  readonly diagnosis: Diagnosis | null;

  constructor(runId: string, diagnosis: Diagnosis | null, graceMs: number) {
    const waitsFor = diagnosis?.summary ?? "It is not finished.";
    super(
      "TEST_STALLED",
      `Run "${runId}" cannot finish on its own: ${waitsFor} No timer is left to skip to, and nothing happened for ${graceMs} ms. ` +
        `${advice(runId, diagnosis)}`,
    );
    this.runId = runId;
    this.diagnosis = diagnosis;
  }
}

function advice(runId: string, diagnosis: Diagnosis | null): string {
  switch (diagnosis?.reason) {
    case "waiting-for-event":
      return `Send the event with env.send("${runId}", name, payload) before awaiting the result (or while it is awaited), or give the waitForEvent() a timeout.`;
    case "waiting-for-child":
      return "Its child run cannot go on either: add the child's workflow to createTestEnv({ workflows }) if it is missing, else see what the child waits for (env.endure.get(childId)) and send it.";
    case "queued":
    case "no-worker":
      return "Pass the run's queue to createTestEnv({ queues }) so the test env's worker admits it.";
    default:
      return "Look at env.endure.get(runId) to see what it waits for.";
  }
}
