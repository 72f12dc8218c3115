import type { Transaction } from "../api/transaction-types.js";
import type { EventLogStore, NewSubscription } from "./event-log-store.js";
import type { QueueStore } from "./queue-store.js";
import type { RetryStore } from "./retry-store.js";
import type { ScheduleStore } from "./schedule-store.js";
import type { WorkerRegistry } from "./worker-registry.js";

/**
 * The durable storage behind Endure. The engine, workers and client only ever talk to this
 * interface; every backend (SQLite, PostgreSQL) passes the same conformance suite
 * (`test/store/conformance.ts`). Values (inputs, outputs, errors, payloads) arrive already
 * serialized: a store never sees user objects.
 *
 * Run states and who moves a run between them:
 *
 * ```
 *   queued ──admitQueued (the queue's limits allow it)──┐
 *                                                       ▼
 *   pending ──claim──▶ running ──commit(outcome)──▶ completed | failed | cancelled | blocked
 *      ▲                 │  ▲                                     │          │
 *      │          commit(waiting)  claim (due: timer, event,      └─retryRun─┘──▶ pending (queued in a queue)
 *  release               ▼  │   cancel, child's end, lapsed lease)
 *      └──────────────  waiting
 * ```
 *
 * A run with a parent tells it when it ends (completed, failed or cancelled): a trigger of the
 * schema adds the event `endure:child:<position>` to the parent's inbox and wakes it, in the
 * transaction that ends the child.
 *
 * A run started in a queue begins `queued` (not due) and becomes `pending` when its queue admits it
 * (see {@link QueueStore}).
 *
 * `dueAt` is the one clock a run is scheduled by: when a pending run may start, when a waiting run
 * wakes (null: only an event wakes it), and when a running run's lease lapses. Claims take runs
 * whose `dueAt` has passed, earliest first.
 *
 * Rules every store keeps (the conformance suite checks them):
 * - a commit batch is one transaction: all of it is written, or none of it;
 * - `cancelDelivered` never goes back to false;
 * - a worker may renew a lease that lapsed as long as no other worker took the run;
 * - event keys are unique per run, consumed or not;
 * - rewriting a journal position keeps its kind and name (a replay never changes them) and
 *   replaces everything else;
 * - a last page that is exactly full has `nextCursor: null`;
 * - `close()` may be called twice; every other method rejects with `ClosedError` after it.
 */
export interface Store extends RetryStore, QueueStore, ScheduleStore, WorkerRegistry, EventLogStore {
  /** Creates a run unless one with this id exists; then returns the existing one untouched. */
  createRun(run: NewRun): Promise<CreatedRun>;
  /**
   * Creates runs in one transaction (concurrent starts share it), each as {@link createRun} does.
   * Within a batch, a later run with the id of an earlier one gets that run, `created: false`.
   * @returns for each run, in order, the run and whether this call created it.
   */
  createRuns(runs: readonly NewRun[]): Promise<CreatedRun[]>;
  getRun(id: string): Promise<RunRecord | undefined>;
  getJournal(id: string): Promise<JournalEntry[]>;
  /** Newest first. */
  listRuns(query: RunQuery): Promise<RunPage>;

  /**
   * Adds an event to a run's inbox and wakes the run when it waits for that name.
   * `duplicate` when an event with the same `key` was already sent to this run; nothing is written
   * for a missing or finished run.
   */
  sendEvent(event: NewEvent): Promise<SendResult>;
  /**
   * Asks a run to cancel. A pending or queued run that never started is cancelled at once; a waiting run is
   * woken so a worker delivers the cancellation. Finished runs are left as they are.
   */
  requestCancel(id: string, cancelledError: string): Promise<RunRecord | undefined>;

  /** Records that a worker serves these workflows, so clients can check names they are given. */
  registerWorkflows(names: readonly string[]): Promise<void>;
  knownWorkflows(): Promise<string[]>;

  /**
   * Takes up to `limit` due runs of the given workflows, of the versions it serves (see
   * {@link ClaimRequest.version}), for a worker: sets it as owner, bumps the epoch (the fence for
   * later commits), sets the lease and pins a run not pinned yet to the worker's version. A run whose previous lease lapsed has
   * its `lapses` counted; at `maxLapses` it is failed instead of claimed.
   */
  claimRuns(claim: ClaimRequest): Promise<ClaimedRun[]>;
  /**
   * Extends the leases of the given runs that the worker still holds, in one statement.
   * @returns the runs it still holds, with whether cancellation was requested for each.
   */
  renewLeases(workerId: string, ids: readonly string[], leaseMs: number): Promise<HeldRun[]>;
  /**
   * Applies the journal writes of many runs in one transaction (group commit). A run's part is
   * applied only if the worker still holds it at the epoch it claimed (the fence).
   * @returns for each commit, in order, whether it was applied (`false`: lease lost).
   */
  commit(workerId: string, commits: readonly RunCommit[]): Promise<boolean[]>;
  /** Gives runs back (a worker stopping): they become pending and due now. */
  releaseRuns(workerId: string, ids: readonly string[]): Promise<void>;

  /**
   * Retention: deletes up to `limit` finished runs whose `finishedAt` is before `finishedBefore`,
   * oldest first, with their journals and events. Runs not finished are never touched.
   * @returns how many runs were deleted.
   */
  deleteFinishedRuns(finishedBefore: number, limit: number): Promise<number>;

  /**
   * Runs `work` in one transaction of the store's database, for the user's own SQL.
   *
   * With `journal` (a transactional step): once `work` resolves, `journal(value)` names the journal
   * writes to commit in the same transaction, fenced like {@link commit}. When the fence fails
   * everything is rolled back, the user's writes included, and `applied` is false. When `work`
   * or `journal` throws, everything is rolled back and the error is rethrown.
   *
   * Transactions of one store run one at a time where the database allows only one writer (SQLite).
   */
  transaction<T>(
    work: (tx: Transaction) => Promise<T>,
    journal?: (value: T) => { workerId: string; commit: RunCommit },
  ): Promise<{ value: T; applied: boolean }>;

  /**
   * Optional: calls `listener` whenever a run may have become due because another process wrote
   * (started, woke, cancelled or released it), so idle workers claim at once rather than at
   * their next poll. A hint only: polling stays the safety net. Returns a function to stop.
   */
  watchDue?(listener: () => void): () => void;

  close(): Promise<void>;
}

export const RUN_STATUSES = ["queued", "pending", "running", "waiting", "completed", "failed", "cancelled", "blocked"] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];

export const FINISHED_STATUSES: ReadonlySet<RunStatus> = new Set(["completed", "failed", "cancelled", "blocked"]);

/** A run that ended for good: unlike a blocked one, it never replays again (an operator retry aside). */
export const ENDED_STATUSES: ReadonlySet<RunStatus> = new Set(["completed", "failed", "cancelled"]);

export interface RunRecord {
  id: string;
  workflow: string;
  status: RunStatus;
  /** Serialized argument array. */
  input: string;
  output: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  dueAt: number | null;
  owner: string | null;
  epoch: number;
  /** Consecutive times the run's lease lapsed while a worker held it. */
  lapses: number;
  cancelRequested: boolean;
  cancelDelivered: boolean;
  /** Event names a waiting run waits for. */
  waitingFor: string[];
  /** A child run's parent, and the position of the parent's call that awaits it. */
  parentId: string | null;
  parentPosition: number | null;
  tags: string[];
  /** The run is cancelled with a `RunTimeoutError` this long after it started. */
  timeoutMs: number | null;
  queue: string | null;
  concurrencyKey: string | null;
  /** Within its queue, higher first. */
  priority: number;
  /** A queued run may be admitted from then on (its start delay). */
  admitAt: number | null;
  /** When a queued run took its slot in its queue. */
  admittedAt: number | null;
  /** Continue-as-new: the run this one continues, and the run that continues this one. */
  continuedFrom: string | null;
  continuedTo: string | null;
  /** The run whose journal this one was forked from. */
  forkedFrom: string | null;
  /** Operator retries so far. */
  retries: number;
  /** The W3C traceparent every execution of the run is traced under (null: none was given). */
  traceContext: string | null;
  /** The version of the workers' code the run is pinned to (null: not pinned yet); see `version-pinning.ts`. */
  version: string | null;
}

export interface NewRun {
  id: string;
  workflow: string;
  input: string;
  /** When the run may start; defaults to now. */
  dueAt?: number;
  parentId?: string;
  parentPosition?: number;
  tags?: readonly string[];
  timeoutMs?: number;
  /** Creates the run `queued` in this queue: it waits there for admission (`dueAt` is then its `admitAt`). */
  queue?: string;
  concurrencyKey?: string;
  priority?: number;
  continuedFrom?: string;
  forkedFrom?: string;
  /** A W3C traceparent: the trace the run's executions join. */
  traceContext?: string;
  /** Pins the run to this version of the workers' code from its start (a child or successor of a pinned run). */
  version?: string;
  /**
   * Creates the run already claimed by this worker (running, epoch 1, leased for `leaseMs`), so a
   * worker in the starting process runs it at once, without a claim. Ignored for a run that exists.
   * A versioned worker gives its `version`: the run is pinned to it unless `NewRun.version` pins it already.
   */
  owner?: { workerId: string; leaseMs: number; version?: string };
}

export interface CreatedRun {
  run: RunRecord;
  created: boolean;
}

/**
 * `patch`: a run took the new path of a `patched()` change (a marker, skipped where the code no longer asks);
 * `subscribe`: a run opened a subscription to the event log (named by the event type).
 */
export const ENTRY_KINDS = ["step", "sleep", "event", "child", "publish", "now", "uuid", "random", "patch", "subscribe"] as const;

export type EntryKind = (typeof ENTRY_KINDS)[number];

/**
 * `waiting`: a sleep or event wait that has not fired (its `wakeAt` fixed, so a replay keeps the
 * deadline); `retrying`: a step whose last attempt failed and that tries again at `wakeAt`.
 */
export const ENTRY_STATUSES = ["completed", "failed", "waiting", "retrying"] as const;

export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** One record of a run's journal: the outcome of the durable call at `position`. */
export interface JournalEntry {
  position: number;
  kind: EntryKind;
  name: string;
  status: EntryStatus;
  output: string | null;
  error: string | null;
  attempts: number;
  startedAt: number | null;
  finishedAt: number | null;
  wakeAt: number | null;
  /** Order in which outcomes were delivered to the workflow; replays deliver in this order. */
  seq: number | null;
}

export interface NewEvent {
  runId: string;
  name: string;
  payload: string;
  key?: string;
}

export type SendResult =
  | { result: "sent" | "duplicate" }
  | { result: "missing" }
  | { result: "finished"; status: RunStatus };

export interface InboxEvent {
  seq: number;
  name: string;
  payload: string;
  sentAt: number;
}

export interface ClaimRequest {
  workerId: string;
  workflows: readonly string[];
  limit: number;
  leaseMs: number;
  maxLapses: number;
  /** Serialized error to fail a run with when it reaches `maxLapses`. */
  crashLoopError: (runId: string, lapses: number) => string;
  /**
   * The version of the worker's code (omitted: an unversioned worker). The worker claims runs not
   * pinned yet, pinning them to this version, and runs pinned to it or to one of `compatibleWith`.
   * An unversioned worker claims only runs not pinned yet, and leaves them so.
   */
  version?: string;
  compatibleWith?: readonly string[];
}

export interface ClaimedRun {
  run: RunRecord;
  journal: JournalEntry[];
  /** Events not yet consumed, oldest first. */
  inbox: InboxEvent[];
}

export interface HeldRun {
  id: string;
  cancelRequested: boolean;
}

export type RunOutcome =
  /** `continuedTo`: the run continues as this new run (continue-as-new), created with the commit. */
  | { status: "completed"; output: string; continuedTo?: NewRun }
  | { status: "failed" | "cancelled" | "blocked"; error: string }
  /** Suspend: `dueAt` is the earliest timer (null: only an event wakes it). */
  | { status: "waiting"; dueAt: number | null; waitingFor: string[] };

export interface RunCommit {
  runId: string;
  epoch: number;
  /** Upserts by position, applied in order. */
  entries: JournalEntry[];
  /** Inbox events taken by `waitForEvent`: the event's seq and the journal position it went to. */
  consumed: { eventSeq: number; position: number }[];
  cancelDelivered: boolean;
  /**
   * Subscriptions the run opened (or re-opens on replay: an existing one is kept), written with the
   * commit: from then on, every event of the type appended to the log reaches the run's inbox.
   */
  subscriptions?: NewSubscription[];
  outcome?: RunOutcome;
}

export interface RunQuery {
  status?: RunStatus;
  workflow?: string;
  /** Runs that have every one of these tags. */
  tags?: readonly string[];
  limit: number;
  cursor?: string;
}

export interface RunPage {
  runs: RunRecord[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}
