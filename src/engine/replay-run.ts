import { NonDeterminismError } from "../api/errors.js";
import type { WorkflowDefinition } from "../api/workflow.js";
import type { Serializer } from "../serialization/serializer.js";
import { ENDED_STATUSES, type EntryKind, type JournalEntry, type RunOutcome, type RunRecord } from "../store/store.js";
import type { ExecutionHost, RunExit } from "./host.js";
import { describeCall } from "./journal-text.js";
import { RunExecution } from "./run-execution.js";

/** A run with its journal, as recorded (see `endure export`). */
export interface RecordedRun {
  run: RunRecord;
  journal: JournalEntry[];
}

/** Where the code stops matching the journal. `position` is null when the run as a whole ends differently. */
export interface ReplayDivergence {
  position: number | null;
  expected: string;
  actual: string;
}

/** What came of replaying one run against the current code. */
export interface ReplayVerdict {
  divergence: ReplayDivergence | null;
  /** Each `patched()` id the replay met: true when the run took only its new path, false when its old path anywhere. */
  patches: Map<string, boolean>;
}

type NewCall = { position: number; kind: EntryKind; name: string };

/**
 * Replays a recorded run against `definition` without executing anything: every call the journal
 * has an outcome for returns it, and the replay stops at the first call it has none for (a step
 * that was in flight, a sleep not yet over). A run that ended must end at the same point, the same
 * way; an unfinished one may go on to new calls, as a worker resuming it would.
 */
export function replayRun(definition: WorkflowDefinition, recorded: RecordedRun, serializer: Serializer): Promise<ReplayVerdict> {
  return new Promise<ReplayVerdict>((resolve, reject) => {
    const patches = new Map<string, boolean>();
    const newCalls: NewCall[] = [];
    const host: ExecutionHost = {
      clock: Date.now,
      serializer,
      inMemoryWaitLimitMs: 0,
      commit: (run, done) => {
        run.takeCommit(); // nothing is written
        queueMicrotask(done);
      },
      transaction: () => Promise.reject(new Error("A replay check executes no transaction step.")),
      holdsLease: () => true,
      onExit: (_runId, exit) => {
        try {
          resolve({ divergence: divergenceOf(exit, recorded.run, newCalls, serializer), patches });
        } catch (error) {
          reject(error as Error);
        }
      },
      createChild: (_run, done) => done(new Error("A replay check starts no child run.")),
      cancelRun: () => {},
      replay: {
        newCall: (call) => newCalls.push(call),
        // A run that took the old path anywhere (a loop's early iterations) needs the old branch.
        patch: (id, taken) => patches.set(id, taken && patches.get(id) !== false),
      },
    };
    try {
      const args = serializer.deserialize(recorded.run.input) as unknown[];
      // The run's timeout is not replayed: the check cancels nothing.
      const run = { ...recorded.run, timeoutMs: null };
      new RunExecution(host, definition, { run, journal: recorded.journal, inbox: [] }).start(args);
    } catch (error) {
      reject(error as Error);
    }
  });
}

function divergenceOf(exit: RunExit, run: RunRecord, newCalls: NewCall[], serializer: Serializer): ReplayDivergence | null {
  if (exit.kind === "abandoned") throw exit.reason;
  const outcome: RunOutcome = exit.kind === "finished" ? exit.outcome : { status: "waiting", dueAt: null, waitingFor: [] };
  if (outcome.status === "blocked") {
    const error = serializer.deserializeError(outcome.error);
    if (error instanceof NonDeterminismError) return { position: error.position, expected: error.expected, actual: error.actual };
    return { position: null, expected: "the journal's calls", actual: error.message };
  }
  if (!ENDED_STATUSES.has(run.status)) return null;
  // A run that ended must end there again: it never replays past its end.
  const ended = `the run to end there (it ${run.status === "completed" ? "completed" : run.status === "failed" ? "failed" : "was cancelled"})`;
  const [first] = newCalls;
  if (first) return { position: first.position, expected: ended, actual: describeCall(first) };
  if (outcome.status === "waiting") return { position: null, expected: ended, actual: "the code waiting for something else" };
  if (outcome.status !== run.status) return { position: null, expected: `the run to end ${run.status}`, actual: `it ends ${outcome.status}` };
  return null;
}
