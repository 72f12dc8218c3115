import { replay, type ReplayMetrics } from "./e-replay.js";
import { resume, type ResumeMetrics } from "./e-resume.js";

export type RecoveryMetrics = ReplayMetrics & ResumeMetrics;

/** E: recovery, both ways a run comes back: replaying a long journal, and after its worker was killed. */
export async function recovery(): Promise<RecoveryMetrics> {
  return { ...(await replay()), ...(await resume()) };
}
