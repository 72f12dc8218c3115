import {
  CancelledError,
  InvalidArgumentError,
  LeaseLostError,
  NonDeterminismError,
  RunFailedError,
  RunTimeoutError,
  type Divergence,
} from "../api/errors.js";
import { newRunId } from "../api/run-id.js";
import type { RunSettings } from "../api/run-options.js";
import { scopeStorage, type DurableRun, type EventSelector } from "../api/scope.js";
import type { ResolvedStepOptions } from "../api/step.js";
import type { Transaction } from "../api/transaction-types.js";
import type { WorkflowDefinition } from "../api/workflow.js";
import { type ClaimedRun, type CreatedRun, ENDED_STATUSES, type EntryKind, type EntryStatus, type InboxEvent, type JournalEntry, type RunCommit, type RunOutcome, type RunRecord } from "../store/store.js";
import { childEventName, childRunId, type ChildEnd, isChildOf } from "./child-runs.js";
import { AttemptContext } from "./attempt-context.js";
import { CommitGate } from "./commit-gate.js";
import { LazyAbort } from "./lazy-abort.js";
import type { CommitDone, Committable, ExecutionHost, RunExit } from "./host.js";
import { describeCall } from "./journal-text.js";
import type { RunObservation, StepEnd } from "./observer.js";
import { newRunTraceContext } from "../observability/trace-context.js";
import { OutcomeQueue } from "./outcome-queue.js";
import { PendingWaits, type Wait } from "./pending-waits.js";
import { isRetryable, retryDelay, runStepAttempt, runTransactionAttempt, type StepCall } from "./step-attempt.js";

/** A step's final outcome, handed to the workflow once durable. */
interface StepOutcome {
  entry: JournalEntry;
  settle(): void;
}

/**
 * One run in a worker's memory: runs the workflow function, answers its durable calls from the
 * journal (replay) or by executing them (live), and buffers what it writes for the group commit.
 *
 * Determinism: every durable call takes the next position in call order. Outcomes (a step's
 * result, a timer firing, an event arriving) are numbered by `seq` in the order they are handed to
 * the workflow, one per event-loop turn, so the code that runs after each one is the same on every
 * replay, even with `Promise.all` over chains of steps. A replay hands recorded outcomes over in
 * their recorded `seq` order.
 *
 * Durability: a step's outcome is handed over only once committed. Timer, event and cancellation
 * outcomes are handed over at once and committed with the next write; all buffered writes are
 * committed before any step attempt starts, so nothing the outside world sees can be replayed
 * differently. A transactional step commits its result in the store's transaction, with everything
 * buffered; the {@link CommitGate} keeps the run's other commits out of its way.
 *
 * States: `running` → `exiting` (final or suspending commit in flight) → `gone`; `running` → `gone`
 * when the worker loses the run.
 */
export class RunExecution implements DurableRun, Committable {
  readonly runId: string;
  /** A child run's parent, which its end wakes. */
  readonly parentId: string | null;
  private readonly claimedRun: RunRecord;
  private readonly epoch: number;
  /** When the run's timeout cancels it (null: no timeout). */
  private readonly deadline: number | null;
  private deadlineTimer?: NodeJS.Timeout;
  /** What cancellation throws into the workflow, when not `cancel()`'s plain CancelledError. */
  private cancelReason?: CancelledError;
  private readonly recorded = new Map<number, JournalEntry>();
  /**
   * The journal's last position: a call before it replays a run that got further. A replay check of
   * a finished run replays all of it (Infinity): its journal ends where the run did.
   */
  private readonly journalEnd: number;
  /** The `patched()` changes this run took the new path of. */
  private readonly patchesTaken = new Set<string>();
  private readonly outcomes: OutcomeQueue;
  private nextPosition = 0;
  private buffer = new Map<number, JournalEntry>();
  private consumed: RunCommit["consumed"] = [];
  /** Subscriptions opened (or re-opened by a replay) since the last commit. */
  private subscriptions: NonNullable<RunCommit["subscriptions"]> = [];
  private readonly inbox: InboxEvent[];
  private readonly waits: PendingWaits;
  private readonly attempts = new Set<LazyAbort>();
  private readonly commits = new CommitGate();
  private busy = 0;
  private idleCheckScheduled = false;
  private cancel: "none" | "requested" | "delivered";
  private cancelOnNextCall = false;
  private stopping = false;
  private quiet?: () => void;
  private outcome?: RunOutcome;
  private state: "running" | "exiting" | "gone" = "running";
  private exiting?: Promise<void>;
  private blocked?: NonDeterminismError;

  constructor(
    private readonly host: ExecutionHost,
    private readonly definition: WorkflowDefinition,
    claimed: ClaimedRun,
    /** What follows the run in this worker (logs, traces, metrics), if anything does. */
    readonly observation?: RunObservation,
  ) {
    this.runId = claimed.run.id;
    this.parentId = claimed.run.parentId;
    this.claimedRun = claimed.run;
    this.epoch = claimed.run.epoch;
    const { timeoutMs, startedAt } = claimed.run;
    this.deadline = timeoutMs === null || startedAt === null ? null : startedAt + timeoutMs;
    this.inbox = [...claimed.inbox];
    for (const entry of claimed.journal) this.recorded.set(entry.position, entry);
    this.journalEnd = host.replay && ENDED_STATUSES.has(claimed.run.status) ? Infinity : Math.max(-1, ...this.recorded.keys());
    this.waits = new PendingWaits(host.clock);
    this.outcomes = new OutcomeQueue(claimed.journal, {
      active: () => this.state === "running",
      delivered: () => this.maybeDeliverCancellation(),
      // A step attempt under way will pump again when it ends: no need to check before.
      quiet: () => {
        if (this.busy === 0) this.scheduleIdleCheck();
      },
    });
    this.cancel = claimed.run.cancelDelivered ? "delivered" : claimed.run.cancelRequested ? "requested" : "none";
  }

  /** Runs (or replays) the workflow function with the run's arguments. */
  start(args: unknown[]): void {
    const run = () => scopeStorage.run({ kind: "workflow", run: this }, () =>
      Promise.resolve().then(() => this.definition.fn(...args)),
    );
    const result = this.observation?.enter ? this.observation.enter(run) : run();
    result.then(
      (value) => this.finish({ ok: true, value }),
      (error: unknown) => this.finish({ ok: false, error }),
    );
    this.maybeDeliverCancellation();
    this.scheduleIdleCheck();
    this.armDeadline();
  }

  /** Cancellation was requested while the run is in memory (`reason`: what to throw, when not a plain cancel). */
  requestCancel(reason?: CancelledError): void {
    if (this.cancel !== "none" || this.state !== "running") return;
    this.cancelReason = reason;
    this.cancel = "requested";
    this.maybeDeliverCancellation();
  }

  /** The run's timeout cancels it at its deadline; one already past cancels it now. */
  private armDeadline(): void {
    if (this.deadline === null || this.cancel !== "none") return;
    const delay = Math.max(0, this.deadline - this.host.clock());
    if (delay > LONGEST_TIMER_MS) return; // the suspension's due time covers it
    this.deadlineTimer = setTimeout(() => {
      this.requestCancel(new RunTimeoutError(`Run "${this.runId}" timed out: it had not finished ${this.claimedRun.timeoutMs} ms after it started.`));
    }, delay);
  }

  /** The worker lost the run or is going away: stop everything, write nothing more. */
  abandon(reason: unknown): void {
    if (this.state === "gone") return;
    this.leave({ kind: "abandoned", reason });
  }

  /**
   * Graceful stop: start no new step attempts, let running ones finish and commit, then leave.
   * The worker releases the run afterwards, so another worker replays it from the journal.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.waits.stopTimers();
    if (this.busy > 0) await new Promise<void>((resolve) => (this.quiet = resolve));
    if (this.exiting) return await this.exiting;
    if (this.state === "running" && (this.buffer.size > 0 || this.consumed.length > 0)) {
      await new Promise<void>((resolve) => this.commit(() => resolve()));
    }
    this.abandon(new Error("the worker is stopping"));
  }

  clock(): number {
    return this.host.clock();
  }

  takeCommit(): RunCommit {
    const commit: RunCommit = {
      runId: this.runId,
      epoch: this.epoch,
      entries: [...this.buffer.values()],
      consumed: this.consumed,
      cancelDelivered: this.cancel === "delivered",
      outcome: this.outcome,
    };
    if (this.subscriptions.length > 0) commit.subscriptions = this.subscriptions;
    this.buffer = new Map();
    this.consumed = [];
    this.subscriptions = [];
    this.outcome = undefined;
    return commit;
  }

  // ---- durable calls (DurableRun) ------------------------------------------------------------

  step<A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R> | R, args: A, options: ResolvedStepOptions): Promise<R> {
    return this.durableStep(name, false, fn as StepCall["fn"], args, options) as Promise<R>;
  }

  transaction<A extends unknown[], R>(
    name: string,
    fn: (tx: Transaction, ...args: A) => Promise<R>,
    args: A,
    options: ResolvedStepOptions,
  ): Promise<R> {
    return this.durableStep(name, true, fn as StepCall["fn"], args, options) as Promise<R>;
  }

  private durableStep(name: string, transactional: boolean, fn: StepCall["fn"], args: unknown[], options: ResolvedStepOptions): Promise<unknown> {
    if (this.state !== "running") return never();
    const { position, recorded } = this.claimPosition("step", name);
    return new Promise<unknown>((resolve, reject) => {
      if (recorded && isOutcome(recorded)) return this.replay(recorded, resolve, reject);
      if (this.host.replay) return this.host.replay.newCall({ position, kind: "step", name });
      if (this.takeCancellation(position, "step", name, reject)) return;
      const call: StepCall = {
        position, name, transactional, fn, args,
        policy: options.policy,
        timeoutMs: options.timeoutMs,
        startedAt: recorded?.startedAt ?? this.host.clock(),
        resolve,
        reject,
        observation: undefined,
      };
      if (recorded?.status === "retrying") this.waitToRetry(call, recorded);
      else this.attemptStep(call, 0);
    });
  }

  sleep(ms: number): Promise<void> {
    if (this.state !== "running") return never();
    const { position, recorded } = this.claimPosition("sleep", "sleep");
    return new Promise<void>((resolve, reject) => {
      if (recorded && isOutcome(recorded)) return this.replay(recorded, () => resolve(), reject);
      if (this.host.replay) return this.host.replay.newCall({ position, kind: "sleep", name: "sleep" });
      if (this.takeCancellation(position, "sleep", "sleep", reject)) return;
      const entry = recorded ?? this.newWaitingEntry(position, "sleep", "sleep", this.host.clock() + ms);
      this.addWait({
        kind: "sleep", entry, reject,
        fire: () => this.deliverNow(entry, "completed", null, null, () => resolve()),
      });
    });
  }

  waitForEvent(name: string, timeoutMs: number | undefined, select: EventSelector = (payload) => payload): Promise<unknown> {
    if (this.state !== "running") return never();
    const { position, recorded } = this.claimPosition("event", name);
    return new Promise<unknown>((resolve, reject) => {
      const { serializer } = this.host;
      if (recorded && isOutcome(recorded)) return this.replay(recorded, resolve, reject);
      if (this.host.replay) return this.host.replay.newCall({ position, kind: "event", name });
      if (this.takeCancellation(position, "event", name, reject)) return;
      const deadline = timeoutMs === undefined ? null : this.host.clock() + timeoutMs;
      const entry = recorded ?? this.newWaitingEntry(position, "event", name, deadline);
      // Events the selector skips are consumed all the same: a replay skips them again, or never sees them.
      for (let index = this.inbox.findIndex((event) => event.name === name); index >= 0; index = this.inbox.findIndex((event) => event.name === name)) {
        const [event] = this.inbox.splice(index, 1) as [InboxEvent];
        this.consumed.push({ eventSeq: event.seq, position });
        let output: string | undefined;
        try {
          output = select(event.payload, serializer);
        } catch (error) {
          return this.deliverFailure(entry, error instanceof Error ? error : new Error(String(error)), reject);
        }
        if (output !== undefined) return this.deliverNow(entry, "completed", output, null, () => resolve(serializer.deserialize(output)));
      }
      this.addWait({
        kind: "event", entry, eventName: name, reject,
        fire: () => this.deliverNow(entry, "completed", serializer.serialize(null, "null"), null, () => resolve(null)),
      });
    });
  }

  subscribe(eventType: string): Promise<number> {
    if (this.state !== "running") return never();
    const { position, recorded } = this.claimPosition("subscribe", eventType);
    return new Promise<number>((resolve, reject) => {
      if (recorded && isOutcome(recorded)) {
        // Re-opened (kept if open): a run retried after it failed, which ended its subscriptions, listens again.
        this.subscriptions.push({ position, eventType });
        return this.replay(recorded, () => resolve(position), reject);
      }
      if (this.host.replay) return this.host.replay.newCall({ position, kind: "subscribe", name: eventType });
      if (this.takeCancellation(position, "subscribe", eventType, reject)) return;
      this.subscriptions.push({ position, eventType });
      const at = this.host.clock();
      const entry: JournalEntry = {
        position, kind: "subscribe", name: eventType, status: "completed", output: null, error: null, attempts: 0,
        startedAt: at, finishedAt: at, wakeAt: null, seq: this.outcomes.number(),
      };
      // Durable before the workflow goes on: what it does next (ask a person, say) cannot be answered unheard.
      this.deliverWhenDurable({ entry, settle: () => resolve(position) }, () => {});
    });
  }

  record<T>(kind: "now" | "uuid" | "random", produce: () => T): T {
    if (this.state !== "running") return produce();
    const { position, recorded } = this.claimPosition(kind, kind);
    if (recorded) return this.host.serializer.deserialize(recorded.output!) as T;
    this.host.replay?.newCall({ position, kind, name: kind });
    const value = produce();
    const at = this.host.clock();
    this.buffer.set(position, {
      position, kind, name: kind, status: "completed", output: this.host.serializer.serialize(value, `${kind}()`),
      error: null, attempts: 0, startedAt: at, finishedAt: at, wakeAt: null, seq: null,
    });
    return value;
  }

  child(workflow: string, args: unknown[], settings: RunSettings): Promise<unknown> {
    if (this.state !== "running") return never();
    const input = this.host.serializer.serialize(args, `The input of child workflow "${workflow}"`);
    const { position, recorded } = this.claimPosition("child", workflow);
    const childId = settings.id ?? childRunId(this.runId, position);
    return new Promise<unknown>((resolve, reject) => {
      if (recorded && isOutcome(recorded)) return this.replay(recorded, resolve, reject);
      if (this.host.replay) return this.host.replay.newCall({ position, kind: "child", name: workflow });
      if (this.takeCancellation(position, "child", workflow, reject)) return this.host.cancelRun(childId);
      const settle = { resolve, reject };
      // A recorded wait means the child exists: its entry is written only once the child is.
      if (recorded) return this.awaitChild(recorded, childId, settle);
      this.busy++;
      const traceContext = newRunTraceContext(workflow, childId);
      // A child is pinned to its parent's version: it was started by that code (see version-pinning.ts).
      const version = this.claimedRun.version ?? undefined;
      this.host.createChild({ ...settings, id: childId, workflow, input, parentId: this.runId, parentPosition: position, traceContext, version }, (error, created) => {
        this.endBusy();
        if (this.state !== "running") return;
        if (error !== undefined) return this.abandon(error);
        this.childCreated(created!, position, workflow, settle);
      });
    });
  }

  publish(name: string, value: unknown): void {
    if (this.state !== "running") return;
    const output = this.host.serializer.serialize(value, `The value published as "${name}"`);
    const { position, recorded } = this.claimPosition("publish", name);
    if (recorded) return;
    this.host.replay?.newCall({ position, kind: "publish", name });
    const at = this.host.clock();
    this.buffer.set(position, {
      position, kind: "publish", name, status: "completed", output, error: null, attempts: 0, startedAt: at, finishedAt: at, wakeAt: null, seq: null,
    });
    this.commitOrAbandon();
  }

  patched(id: string): boolean {
    if (this.state !== "running") return true;
    if (this.blocked) throw this.blocked;
    // Once on the new path, a run stays on it: later calls (a loop) journal nothing more.
    if (this.patchesTaken.has(id)) {
      this.host.replay?.patch(id, true);
      return true;
    }
    const position = this.nextPosition;
    const recorded = this.recorded.get(position);
    // Past the journal's end the run is live: it takes the new path. Before it, the run already
    // went past this point, so it takes the new path only if the journal says it did.
    const taken = recorded === undefined ? position > this.journalEnd : recorded.kind === "patch" && recorded.name === id;
    this.host.replay?.patch(id, taken);
    if (!taken) return false;
    this.patchesTaken.add(id);
    this.nextPosition++;
    if (!recorded) {
      const at = this.host.clock();
      this.buffer.set(position, {
        position, kind: "patch", name: id, status: "completed", output: null, error: null, attempts: 0, startedAt: at, finishedAt: at, wakeAt: null, seq: null,
      });
    }
    return true;
  }

  continueAsNew(args: unknown[]): Promise<never> {
    if (this.state !== "running") return never();
    if (this.blocked) throw this.blocked;
    const input = this.host.serializer.serialize(args, `The input of the run continuing workflow "${this.definition.name}"`);
    if (this.blockOnUnreachedEntries("nothing: it ends there, with continuing as a new run")) return never();
    const { id, workflow, parentId, parentPosition, tags, timeoutMs, queue, concurrencyKey, priority, version } = this.claimedRun;
    const nextId = newRunId();
    const next = {
      id: nextId, workflow, input, continuedFrom: id, tags, priority, traceContext: newRunTraceContext(workflow, nextId),
      ...(parentId === null ? {} : { parentId, parentPosition: parentPosition! }),
      ...(timeoutMs === null ? {} : { timeoutMs }),
      ...(queue === null ? {} : { queue }),
      ...(concurrencyKey === null ? {} : { concurrencyKey }),
      // Pinned as the run it continues: it was started by that version's code.
      ...(version === null ? {} : { version }),
    };
    this.exit({ status: "completed", output: this.host.serializer.serialize(undefined, "continueAsNew()"), continuedTo: next });
    return never();
  }

  // ---- child runs ----------------------------------------------------------------------------

  private childCreated({ run, created }: CreatedRun, position: number, workflow: string, settle: Settle): void {
    const entry = this.newWaitingEntry(position, "child", workflow, null);
    if (!created && !isChildOf(run, this.runId, position)) {
      const error = new InvalidArgumentError(`child("${workflow}"): the id "${run.id}" already belongs to another run (of workflow "${run.workflow}"). Give the child an id of its own, or none.`);
      return this.deliverFailure(entry, error, settle.reject);
    }
    // A child that already ended (found again after an operator retry of this run) answers at once.
    if (run.status === "completed" || run.status === "failed" || run.status === "cancelled") {
      return this.childEnded(entry, { id: run.id, status: run.status, output: run.output, error: run.error }, settle);
    }
    this.awaitChild(entry, run.id, settle);
  }

  /** Waits for the child's end, which reaches the run's inbox as an event (see the migrations' trigger). */
  private awaitChild(entry: JournalEntry, childId: string, settle: Settle): void {
    const eventName = childEventName(entry.position);
    const index = this.inbox.findIndex((event) => event.name === eventName);
    if (index >= 0) {
      const [event] = this.inbox.splice(index, 1) as [InboxEvent];
      this.consumed.push({ eventSeq: event.seq, position: entry.position });
      return this.childEnded(entry, JSON.parse(event.payload) as ChildEnd, settle);
    }
    this.addWait({ kind: "child", entry, eventName, childId, reject: settle.reject, fire: () => {} });
  }

  private childEnded(entry: JournalEntry, end: ChildEnd, { resolve, reject }: Settle): void {
    const { serializer } = this.host;
    if (end.status === "completed") {
      return this.deliverNow(entry, "completed", end.output, null, () => resolve(end.output === null ? undefined : serializer.deserialize(end.output)));
    }
    const cause = serializer.deserializeError(end.error!);
    const error = end.status === "failed" ? new RunFailedError(end.id, cause)
      : cause instanceof CancelledError ? cause : new CancelledError(`Child run "${end.id}" was cancelled.`);
    this.deliverFailure(entry, error, reject);
  }

  // ---- positions and replay ------------------------------------------------------------------

  private claimPosition(kind: EntryKind, name: string): { position: number; recorded?: JournalEntry } {
    if (this.blocked) throw this.blocked;
    let position = this.nextPosition++;
    let recorded = this.recorded.get(position);
    // A journaled patch that the code no longer asks about (its patched() call was removed) is skipped.
    while (recorded?.kind === "patch") {
      position = this.nextPosition++;
      recorded = this.recorded.get(position);
    }
    if (recorded && (recorded.kind !== kind || recorded.name !== name)) {
      throw this.block({ position, expected: describeCall(recorded), actual: describeCall({ kind, name }) });
    }
    return { position, recorded };
  }

  private replay(entry: JournalEntry, resolve: (value: unknown) => void, reject: (error: Error) => void): void {
    const { serializer } = this.host;
    this.outcomes.offer(entry.seq!, entry.status === "completed"
      ? () => resolve(entry.output === null ? undefined : serializer.deserialize(entry.output))
      : () => reject(serializer.deserializeError(entry.error!)));
  }

  private block(divergence: Omit<Divergence, "runId">): NonDeterminismError {
    const error = new NonDeterminismError({ runId: this.runId, ...divergence });
    if (!this.blocked) {
      this.blocked = error;
      // The journal stays as it was: drop what this replay would have written.
      this.buffer.clear();
      this.consumed = [];
      this.exit({ status: "blocked", error: this.host.serializer.serializeError(error) });
    }
    return error;
  }

  // ---- handing outcomes over, in seq order -----------------------------------------------------

  /** Hands an outcome over without waiting for it to be durable; it is committed with the next write. */
  private deliverNow(entry: JournalEntry, status: "completed" | "failed", output: string | null, error: string | null, settle: () => void): void {
    const seq = this.outcomes.number();
    const { position, kind, name, attempts, startedAt, wakeAt } = entry;
    const finishedAt = this.host.clock();
    this.buffer.set(position, { position, kind, name, status, output, error, attempts, startedAt, finishedAt, wakeAt, seq });
    this.outcomes.offer(seq, settle);
  }

  // ---- steps -----------------------------------------------------------------------------------

  private attemptStep(call: StepCall, previousAttempts: number): void {
    if (this.stopping || this.state !== "running") return;
    this.busy++;
    const attempt = previousAttempts + 1;
    const ended = () => this.endBusy();
    if (call.transactional) void this.runAttemptInTransaction(call, attempt).finally(ended);
    else this.runAttempt(call, attempt, ended);
  }

  /** Something the run waited on outside the workflow (a step attempt, a child's creation) is over. */
  private endBusy(): void {
    this.busy--;
    if (this.busy === 0) this.quiet?.();
    this.outcomes.pump();
  }

  /**
   * One attempt of a step, its outcome committed before the workflow gets it; `ended` is called
   * once it is over. Written with callbacks, not async/await: this is the path of every step, and
   * each promise costs (async context tracking hooks into every one).
   */
  private runAttempt(call: StepCall, attempt: number, ended: () => void): void {
    const ready = this.readyForAttempt();
    if (ready === true) return this.attemptNow(call, attempt, ended);
    if (ready === false) return ended();
    ready.then((go) => (go ? this.attemptNow(call, attempt, ended) : ended()), ended);
  }

  private attemptNow(call: StepCall, attempt: number, ended: () => void): void {
    const controller = new LazyAbort();
    this.attempts.add(controller);
    this.observeAttempt(call, attempt);
    const settled = (result: { value: unknown } | { thrown: unknown }) => {
      this.attempts.delete(controller);
      const outcome = this.state === "running" ? this.attemptOutcome(call, attempt, controller, result) : undefined;
      if (outcome) this.deliverWhenDurable(outcome, ended);
      else ended();
    };
    runStepAttempt(this.attemptOf(call, attempt, controller)).then((value) => settled({ value }), (thrown: unknown) => settled({ thrown }));
  }

  /** The step's outcome after an attempt, or undefined when it is retried. */
  private attemptOutcome(call: StepCall, attempt: number, controller: LazyAbort, result: { value: unknown } | { thrown: unknown }): StepOutcome | undefined {
    if ("thrown" in result) return this.failedAttempt(call, attempt, controller, result.thrown);
    let output: string;
    try {
      output = this.host.serializer.serialize(result.value, `The result of step "${call.name}"`);
    } catch (thrown) {
      return this.failedAttempt(call, attempt, controller, thrown);
    }
    return this.completedStep(call, attempt, result.value, output);
  }

  /**
   * An attempt of a transactional step: the function's SQL, the step's completed entry and
   * everything else the run buffered commit in one transaction of the store, or none of it does.
   */
  private async runAttemptInTransaction(call: StepCall, attempt: number): Promise<void> {
    if (!(await this.flushBeforeAttempt())) return;
    const controller = new LazyAbort();
    let outcome: StepOutcome | undefined;
    let journaled = false;
    try {
      const result = await this.commits.exclusive(async () => {
        if (this.state !== "running" || this.stopping || !(await this.checkLease())) return undefined;
        this.attempts.add(controller);
        this.observeAttempt(call, attempt);
        return await this.host.transaction(
          async (tx) => {
            const value = await runTransactionAttempt(this.attemptOf(call, attempt, controller), tx);
            return { value, output: this.host.serializer.serialize(value, `The result of transaction step "${call.name}"`) };
          },
          ({ value, output }) => {
            // Rolled back: a run that left memory writes nothing more.
            if (this.state !== "running") throw new Error(`Run "${this.runId}" left this worker's memory during transaction step "${call.name}".`);
            outcome = this.completedStep(call, attempt, value, output);
            this.buffer.set(call.position, outcome.entry);
            journaled = true;
            return this.takeCommit();
          },
        );
      });
      if (result === undefined) return;
      if (!result.applied) return this.abandon(new LeaseLostError(this.runId));
      this.outcomes.offer(outcome!.entry.seq!, outcome!.settle);
      return;
    } catch (thrown) {
      // The commit failed after the run's buffer and a seq went into it: only a replay can go on.
      if (journaled) return this.abandon(thrown);
      if (this.state !== "running") return;
      outcome = this.failedAttempt(call, attempt, controller, thrown);
    } finally {
      this.attempts.delete(controller);
    }
    // A failed attempt was rolled back; its record goes through the group commit like any step's.
    const failed = outcome;
    if (failed) await new Promise<void>((resolve) => this.deliverWhenDurable(failed, resolve));
  }

  /**
   * Whether a step attempt may start: at once when nothing waits to be flushed and the lease is
   * fresh (the usual case, kept free of promises), else once both are settled.
   */
  private readyForAttempt(): boolean | Promise<boolean> {
    if (this.buffer.size > 0 || this.consumed.length > 0) return this.flushBeforeAttempt().then((flushed) => flushed && this.checkLease());
    const held = this.host.holdsLease(this.runId);
    return held === true ? this.state === "running" && !this.stopping : this.checkLease(held);
  }

  /** What a step may act on (a uuid, a timer that fired, an event) is made durable before it starts. */
  private async flushBeforeAttempt(): Promise<boolean> {
    if (this.buffer.size > 0 || this.consumed.length > 0) {
      if (!(await new Promise<boolean>((resolve) => this.commitOrAbandon(resolve)))) return false;
    }
    return this.state === "running" && !this.stopping;
  }

  /** A worker that may have lost the run starts no more attempts: they could have side effects. */
  private async checkLease(held = this.host.holdsLease(this.runId)): Promise<boolean> {
    if (!(held === true || (await held))) {
      this.abandon(new LeaseLostError(this.runId));
      return false;
    }
    return this.state === "running" && !this.stopping;
  }

  /** Observers follow each attempt that executes, from its start to its outcome (completedStep, failedAttempt). */
  private observeAttempt(call: StepCall, attempt: number): void {
    if (this.observation) call.observation = this.observation.stepStarted({ name: call.name, position: call.position, attempt });
  }

  private attemptOf(call: StepCall, attempt: number, controller: LazyAbort) {
    return {
      run: this, controller, fn: call.fn, args: call.args, timeoutMs: call.timeoutMs, observation: call.observation,
      intercept: this.host.interceptStep,
      context: new AttemptContext(this.runId, call.name, call.position, attempt, controller),
    };
  }

  private completedStep(call: StepCall, attempt: number, value: unknown, output: string): StepOutcome {
    stepEnded(call, COMPLETED);
    const entry = stepEntry(call, attempt, "completed", output, null, this.host.clock(), null, this.outcomes.number());
    return { entry, settle: () => call.resolve(value) };
  }

  /** The failed attempt's final outcome, or undefined when the step is retried. */
  private failedAttempt(call: StepCall, attempt: number, controller: LazyAbort, thrown: unknown): StepOutcome | undefined {
    const { serializer, clock } = this.host;
    const cancelled = controller.reason instanceof CancelledError;
    const error = cancelled ? (controller.reason as CancelledError) : thrown;
    if (cancelled) this.markCancelDelivered();
    // Once the cancellation was delivered, cleanup steps (a saga's compensations, a finally) retry as usual.
    if (!cancelled && isRetryable(error) && attempt < call.policy.maxAttempts && this.cancel !== "requested") {
      const wakeAt = clock() + retryDelay(attempt, call.policy);
      const retrying = stepEntry(call, attempt, "retrying", null, serializer.serializeError(error), null, wakeAt, null);
      stepEnded(call, { outcome: "retrying", error, retryAt: wakeAt });
      this.buffer.set(call.position, retrying);
      this.waitToRetry(call, retrying);
      return undefined;
    }
    const errorText = serializer.serializeError(error);
    stepEnded(call, { outcome: "failed", error });
    const entry = stepEntry(call, attempt, "failed", null, errorText, clock(), null, this.outcomes.number());
    return { entry, settle: () => call.reject(serializer.deserializeError(errorText)) };
  }

  /** Commits the step's outcome, then hands it over; `then` is called after either way. */
  private deliverWhenDurable(outcome: StepOutcome, then: () => void): void {
    this.buffer.set(outcome.entry.position, outcome.entry);
    this.commitOrAbandon((durable) => {
      if (durable) this.outcomes.offer(outcome.entry.seq!, outcome.settle);
      then();
    });
  }

  private waitToRetry(call: StepCall, retrying: JournalEntry): void {
    this.addWait({
      kind: "retry", entry: retrying, reject: call.reject,
      fire: () => this.attemptStep(call, retrying.attempts),
    });
  }

  /** Makes the run's buffered writes durable (group commit), after its open transaction step if any. */
  private commit(done: CommitDone): void {
    this.commits.commit((written) => this.host.commit(this, written), done);
  }

  /** Commits; a run whose commit failed leaves memory. `done` learns whether the run goes on. */
  private commitOrAbandon(done: (durable: boolean) => void = () => {}): void {
    this.commit((error) => {
      if (error !== undefined) this.abandon(error);
      done(error === undefined && this.state === "running");
    });
  }

  // ---- waits (sleep, event, retry back-off) ------------------------------------------------------

  private newWaitingEntry(position: number, kind: EntryKind, name: string, wakeAt: number | null): JournalEntry {
    const entry: JournalEntry = {
      position, kind, name, status: "waiting", output: null, error: null, attempts: 0,
      startedAt: this.host.clock(), finishedAt: null, wakeAt, seq: null,
    };
    this.buffer.set(position, entry);
    return entry;
  }

  private addWait(wait: Wait): void {
    this.waits.add(wait, !this.stopping, () => this.state === "running");
    // A new timer's wake-up time is made durable at once, so a crash does not start it over.
    // (An event or child wait suspends the run when it goes quiet, which writes it.)
    if ((wait.kind === "sleep" || wait.kind === "retry") && this.buffer.has(wait.entry.position)) this.commitOrAbandon();
    this.scheduleIdleCheck();
  }

  // ---- cancellation --------------------------------------------------------------------------

  private maybeDeliverCancellation(): void {
    if (this.cancel !== "requested" || this.cancelOnNextCall || this.outcomes.replaying || this.state !== "running") return;
    const error = this.cancelledError();
    for (const controller of this.attempts) controller.abort(error);
    if (this.waits.size === 0) {
      this.cancelOnNextCall = true;
      return;
    }
    this.markCancelDelivered();
    for (const wait of this.waits.takeAll()) {
      if (wait.childId !== undefined) this.host.cancelRun(wait.childId);
      this.deliverFailure(wait.entry, error, wait.reject);
    }
  }

  private takeCancellation(position: number, kind: EntryKind, name: string, reject: (error: Error) => void): boolean {
    if (!this.cancelOnNextCall) return false;
    this.markCancelDelivered();
    const at = this.host.clock();
    const entry: JournalEntry = {
      position, kind, name, status: "waiting", output: null, error: null, attempts: 0, startedAt: at, finishedAt: null, wakeAt: null, seq: null,
    };
    this.deliverFailure(entry, this.cancelledError(), reject);
    return true;
  }

  private deliverFailure(entry: JournalEntry, error: Error, reject: (error: Error) => void): void {
    const errorText = this.host.serializer.serializeError(error);
    this.deliverNow(entry, "failed", null, errorText, () => reject(this.host.serializer.deserializeError(errorText)));
  }

  private markCancelDelivered(): void {
    this.cancel = "delivered";
    this.cancelOnNextCall = false;
  }

  private cancelledError(): CancelledError {
    return this.cancelReason ?? new CancelledError(`Run "${this.runId}" was cancelled.`);
  }

  // ---- idleness: suspension and stuck replays ------------------------------------------------------

  private scheduleIdleCheck(): void {
    if (this.idleCheckScheduled || this.state !== "running") return;
    this.idleCheckScheduled = true;
    setImmediate(() => {
      this.idleCheckScheduled = false;
      this.checkIdle();
    });
  }

  private checkIdle(): void {
    if (this.state !== "running" || this.busy > 0 || this.stopping) return;
    if (this.outcomes.moving) return this.outcomes.pump();
    const entry = this.outcomes.stalledOn;
    if (entry) {
      // Every recorded outcome before this one was handed over and the workflow went quiet without
      // making the call this one answers: the code no longer does what the journal says.
      this.block({ position: entry.position, expected: describeCall(entry), actual: WAITS_ELSEWHERE });
      return;
    }
    // A replay check stops where the journal ends (the calls made there never settle).
    if (this.host.replay) {
      if (!this.blockOnUnreachedEntries(WAITS_ELSEWHERE)) this.exit({ status: "waiting", dueAt: null, waitingFor: [] });
      return;
    }
    if (this.waits.size === 0) return;
    const { dueAt: wakeAt, waitingFor } = this.waits.wakeConditions();
    // A run's timeout wakes it too.
    const dueAt = this.deadline === null || this.cancel !== "none" ? wakeAt : Math.min(wakeAt ?? Infinity, this.deadline);
    // Timers due soon fire in memory; an event can only reach a run through the store. A deadline
    // already passed (a replayed wait) fires first, whatever else the run waits for.
    const untilDue = dueAt === null ? Infinity : dueAt - this.host.clock();
    if (untilDue <= 0 || (waitingFor.length === 0 && untilDue <= this.host.inMemoryWaitLimitMs)) return;
    this.exit({ status: "waiting", dueAt, waitingFor });
  }

  // ---- leaving memory ------------------------------------------------------------------------

  private finish(result: { ok: true; value: unknown } | { ok: false; error: unknown }): void {
    if (this.state !== "running") return;
    const { serializer } = this.host;
    if (this.blockOnUnreachedEntries(`nothing: it ends there, with the workflow ${result.ok ? "returning" : "throwing"}`)) return;
    if (!result.ok) {
      const status = this.cancel === "delivered" ? "cancelled" : "failed";
      this.exit({ status, error: serializer.serializeError(result.error) });
      return;
    }
    try {
      this.exit({ status: "completed", output: serializer.serialize(result.value, `The result of workflow "${this.definition.name}"`) });
    } catch (error) {
      this.exit({ status: "failed", error: serializer.serializeError(error) });
    }
  }

  /** A run that ends before reaching every recorded call no longer does what its journal says. */
  private blockOnUnreachedEntries(actual: string): boolean {
    const unreached = [...this.recorded.values()].find((entry) => entry.position >= this.nextPosition && entry.kind !== "patch");
    if (unreached) this.block({ position: unreached.position, expected: describeCall(unreached), actual });
    return unreached !== undefined;
  }

  private exit(outcome: RunOutcome): void {
    if (this.state !== "running") return;
    this.state = "exiting";
    // A run that ends cancels the children it still waits for (Promise.race, or a cancellation
    // that reached one child call of several). A blocked run may be retried: its children go on.
    const orphans = outcome.status === "waiting" || outcome.status === "blocked" ? [] : this.waits.childIds();
    this.stopWaitsAndAttempts(() => new Error("the run finished"));
    this.outcome = outcome;
    const exit: RunExit = outcome.status === "waiting" ? { kind: "suspended", onEvents: outcome.waitingFor.length > 0 } : { kind: "finished", outcome };
    this.exiting = new Promise<void>((resolve) =>
      this.commit((error) => {
        if (error === undefined) for (const childId of orphans) this.host.cancelRun(childId);
        this.leave(error === undefined ? exit : { kind: "abandoned", reason: error });
        resolve();
      }),
    );
  }

  private leave(exit: RunExit): void {
    if (this.state === "gone") return;
    this.state = "gone";
    clearTimeout(this.deadlineTimer);
    this.stopWaitsAndAttempts(() => (exit.kind === "abandoned" ? exit.reason : new Error("the run left memory")));
    this.quiet?.();
    this.host.onExit(this.runId, exit);
  }

  /** `reason` is made only when an attempt is under way: an error's stack trace costs. */
  private stopWaitsAndAttempts(reason: () => unknown): void {
    if (this.waits.size > 0) this.waits.takeAll();
    if (this.attempts.size === 0) return;
    const why = reason();
    for (const controller of this.attempts) controller.abort(why);
  }
}

/** A step's journal entry, built whole: spreading a partial one into it costs more than the rest of a step's bookkeeping. */
function stepEntry(
  call: StepCall, attempt: number, status: EntryStatus, output: string | null, error: string | null,
  finishedAt: number | null, wakeAt: number | null, seq: number | null,
): JournalEntry {
  return { position: call.position, kind: "step", name: call.name, status, output, error, attempts: attempt, startedAt: call.startedAt, finishedAt, wakeAt, seq };
}

const COMPLETED: StepEnd = { outcome: "completed" };

/** Tells the observers of the attempt under way how it ended, once. */
function stepEnded(call: StepCall, end: StepEnd): void {
  const observation = call.observation;
  call.observation = undefined;
  observation?.stepEnded(end);
}

function isOutcome(entry: JournalEntry): boolean {
  return entry.status === "completed" || entry.status === "failed";
}

interface Settle {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const WAITS_ELSEWHERE = "no call at that position (the code now waits for something else)";

const LONGEST_TIMER_MS = 2 ** 31 - 1;


function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}
