import type { Transaction } from "../api/transaction-types.js";
import type { Serializer } from "../serialization/serializer.js";
import type { CreatedRun, EntryKind, NewRun, RunCommit, RunOutcome } from "../store/store.js";
import type { StepInterceptor } from "./step-attempt.js";

/** Something whose pending journal writes a group commit collects. */
export interface Committable {
  readonly runId: string;
  /** Hands over everything written since the last call, and forgets it. */
  takeCommit(): RunCommit;
}

/** How a run left the worker's memory. */
export type RunExit =
  /** Its final state is durable; `outcome` is what was written. */
  | { kind: "finished"; outcome: Exclude<RunOutcome, { status: "waiting" }> }
  /**
   * Written down to wait. `onEvents`: it waits for events (or a child's end); one that arrived
   * meanwhile made it due again at once.
   */
  | { kind: "suspended"; onEvents: boolean }
  /** The worker lost the run (lease taken over, store unreachable, worker stopping). */
  | { kind: "abandoned"; reason: unknown };

/** Called once a commit is durable (no argument), or with why it is not. */
export type CommitDone = (error?: unknown) => void;

/**
 * What a replay check learns of a run it replays against the current code (see replay-run.ts):
 * then nothing is executed, and nothing written.
 */
export interface ReplayProbe {
  /** The code made a durable call that the journal has no outcome for; the call never settles. */
  newCall(call: { position: number; kind: EntryKind; name: string }): void;
  /** How a `patched()` call was answered: true, the new path. */
  patch(id: string, taken: boolean): void;
}

/** What the engine needs from the worker that runs it. */

export interface ExecutionHost {
  readonly clock: () => number;
  readonly serializer: Serializer;
  /** A run whose next wake-up is further away than this is suspended (released from memory). */
  readonly inMemoryWaitLimitMs: number;
  /**
   * Makes everything the run has written so far durable (group commit).
   * @throws LeaseLostError when another worker took the run over.
   */
  /** Makes the run's buffered writes durable (group commit); `done` says when. */
  commit(run: Committable, done: CommitDone): void;
  /**
   * Runs `work` in a transaction of the store. Once it resolves, `journal(value)` (synchronous)
   * returns the run's writes, which are committed in the same transaction, fenced like `commit`.
   * @returns whether they were applied (false: another worker took the run over, and everything
   * was rolled back). Rejects, with everything rolled back, when `work` or `journal` throws.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>, journal: (value: T) => RunCommit): Promise<{ value: T; applied: boolean }>;
  /**
   * Whether the worker surely still holds the run, judged by when it last renewed the lease:
   * no I/O. When unsure (the process was paused, or the event loop blocked), renews it first.
   * Checked before every step attempt, so a worker that lost a run stops causing side effects.
   */
  holdsLease(runId: string): boolean | Promise<boolean>;
  /** Called once, when the run leaves memory. */
  onExit(runId: string, exit: RunExit): void;
  /**
   * Creates a child run unless its id exists (then `created.run` is the existing run); starts
   * are batched. `done` gets the error when the store could not be written.
   */
  createChild(run: NewRun, done: (error: unknown, created?: CreatedRun) => void): void;
  /** Asks for a run to be cancelled (the child of a run being cancelled); failures are only logged. */
  cancelRun(runId: string): void;
  /** Set only to check a recorded run against the code: the run is replayed up to the end of its journal, and no further. */
  readonly replay?: ReplayProbe;
  /** @internal Wraps every step attempt (the test kit); absent, it costs one check per attempt. */
  readonly interceptStep?: StepInterceptor;
}
