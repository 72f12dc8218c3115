import {
  CancelledError,
  ClosedError,
  InvalidArgumentError,
  RunFailedError,
  RunFinishedError,
  RunNotFoundError,
  TimeoutError,
  UnknownWorkflowError,
} from "../api/errors.js";
import { type Duration, toMilliseconds } from "../api/duration.js";
import { checkEventPayload, type EventDefinition, isEventDefinition } from "../api/event.js";
import type { Transaction } from "../api/transaction-types.js";
import { isWorkflowDefinition, type WorkflowDefinition } from "../api/workflow.js";
import type { RunExit } from "../engine/host.js";
import { DEFAULT_PAYLOAD_LIMIT, Serializer } from "../serialization/serializer.js";
import { DEFAULT_STORE_URL, openStore } from "../store/open-store.js";
import { Batcher } from "../store/batcher.js";
import { type CreatedRun, FINISHED_STATUSES, type NewRun, RUN_STATUSES, type RunRecord, type RunStatus, type Store } from "../store/store.js";
import { type Reservation, Worker, type WorkerOptions } from "../worker/worker.js";
import { newRunId } from "../api/run-id.js";
import { queueName, runOptions, type StartOptions, validateTags } from "../api/run-options.js";
import { publishedValues, type RunInfo, type RunSummary, toJournalEntryInfo, toReplacedEntries, toRunSummary } from "./run-info.js";
import { forkRun, type ForkOptions, type RetryAllFilter, type RetryOptions, retryRun, retryRuns } from "./retry-fork.js";
import { validateEventName, validateRunId } from "../api/validate.js";
import type { QueueInfo } from "./queue-info.js";
import { KnownNames } from "./known-names.js";
import { UnknownQueueError } from "../api/errors.js";
import { Schedules } from "./schedules.js";
import { newRunTraceContext } from "../observability/trace-context.js";
import { diagnoseRun } from "./diagnose-run.js";
import { toWorkerInfo, type WorkerInfo } from "./worker-info.js";
import type { RunExport } from "./run-export.js";
import { exportRun, type RecordedRunFilter, recordedRuns } from "./recorded-runs.js";
import { type EmitOptions, EventLog } from "./event-log.js";
import type { EmittedEvent } from "./event-info.js";

export interface EndureOptions {
  /**
   * A store URL (`sqlite:path/to/file.db`, `sqlite::memory:`,
   * `postgres://user:password@host:5432/database?schema=endure`) or a Store instance.
   * Default: `sqlite:.endure/endure.db` in the working directory.
   */
  store?: string | Store;
  /** Largest serialized input, output, event payload or step result, in bytes (default 1 MiB). */
  payloadLimit?: number;
  // ---- testing ----
  /**
   * @internal The time of runs' start delays, of `now()` and timers in this client's workers, and
   * of diagnoses; give a store the same clock. The test kit's virtual clock. Default `Date.now`.
   */
  clock?: () => number;
}


export interface SendOptions {
  /** Delivery key: an event sent again to the same run with the same key is dropped. */
  key?: string;
}

export interface ListOptions {
  status?: RunStatus;
  workflow?: string;
  /** Only runs that have every one of these tags. */
  tags?: readonly string[];
  /** Page size, 1 to 1000 (default 50). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface RunList {
  runs: RunSummary[];
  /** Pass as `cursor` to get the next page; null on the last one. */
  nextCursor: string | null;
}

/** A started run. */
export interface RunHandle<R = unknown> {
  readonly id: string;
  /**
   * Waits for the run to finish. Resolves to its output; rejects with `RunFailedError` (its `cause`
   * is the error that failed the run), `CancelledError`, or `NonDeterminismError` when the run is
   * blocked because the code no longer matches its journal.
   */
  result(): Promise<R>;
  status(): Promise<RunStatus>;
}

// ---- server ----
/** The handle `start()` returns. */
export interface StartedRun<R = unknown> extends RunHandle<R> {
  /** False when `options.id` named a run that already existed: that run is returned, untouched. */
  readonly created: boolean;
}

const RESULT_POLL_MS = { first: 10, max: 250 };

/**
 * The client of a store: starts runs, reads them, sends them events, cancels them, and starts
 * workers. Open one per process; it is cheap to share.
 *
 * @example
 * ```ts
 * const endure = await Endure.open();                     // .endure/endure.db
 * await endure.startWorker({ workflows: [transfer] });
 * const run = await endure.start(transfer, ["alice", "bob", 10], { id: "tx-42" });
 * console.log(await run.result());
 * await endure.close();
 * ```
 */
export class Endure {
  private readonly ownWorkers = new Set<Worker>();
  private readonly finishListeners = new Map<string, Set<() => void>>();
  /** Runs handed to a worker of this client at their start, and who waits for them to leave it. */
  private readonly localExits = new Map<string, (exit: RunExit) => void>();
  /** Concurrent starts share one transaction. */
  private readonly starts: Batcher<NewRun, CreatedRun>;
  private readonly knownWorkflows: KnownNames;
  private readonly knownQueues: KnownNames;
  private closed = false;

  private constructor(
    private readonly store: Store,
    private readonly ownsStore: boolean,
    private readonly serializer: Serializer,
    private readonly clock: () => number,
  ) {
    this.starts = new Batcher((runs) => store.createRuns(runs));
    this.knownWorkflows = new KnownNames(() => store.knownWorkflows(), (name, known) => new UnknownWorkflowError(name, known));
    this.knownQueues = new KnownNames(() => store.knownQueues(), (name, known) => new UnknownQueueError(name, known));
    this.schedules = new Schedules(store, serializer, (name) => this.resolveWorkflowName(name), () => this.assertOpen());
    this.events = new EventLog(store, serializer, () => this.assertOpen(), () => {
      for (const worker of this.ownWorkers) worker.notifyEvents();
    });
  }

  /**
   * Opens a client on a store, creating the SQLite file or the PostgreSQL schema and its tables if
   * needed. A PostgreSQL server that cannot be reached or refuses the credentials rejects with
   * `StoreUnavailableError` or `StoreAccessError`.
   */
  static async open(options: EndureOptions = {}): Promise<Endure> {
    const payloadLimit = options.payloadLimit ?? DEFAULT_PAYLOAD_LIMIT;
    if (!Number.isInteger(payloadLimit) || payloadLimit < 1024) {
      throw new InvalidArgumentError(`payloadLimit must be a whole number of bytes, at least 1024; got ${payloadLimit}.`);
    }
    const given = options.store ?? DEFAULT_STORE_URL;
    const store = typeof given === "string" ? await openStore(given) : given;
    return new Endure(store, typeof given === "string", new Serializer(payloadLimit), options.clock ?? Date.now);
  }

  /**
   * Starts a run of a workflow, or returns the existing run when `options.id` is taken.
   * @param workflow A definition from `workflow()`, or the name of one a worker serves.
   * @param args The workflow's arguments, as an array.
   */
  async start<A extends unknown[], R>(workflow: WorkflowDefinition<A, R>, args: NoInfer<A>, options?: StartOptions): Promise<StartedRun<R>>;
  async start(workflow: string, args: unknown[], options?: StartOptions): Promise<StartedRun>;
  async start(workflow: WorkflowDefinition | string, args: unknown[], options: StartOptions = {}): Promise<StartedRun> {
    this.assertOpen();
    const name = await this.resolveWorkflowName(workflow);
    if (!Array.isArray(args)) {
      throw new InvalidArgumentError(`start("${name}"): args must be an array of the workflow's arguments, e.g. ["alice", 10]; got ${typeof args}.`);
    }
    const { id = newRunId(), ...settings } = runOptions(options, `start("${name}")`, this.clock());
    if (settings.queue !== undefined) await this.knownQueues.check(settings.queue);
    const input = this.serializer.serialize(args, `The input of workflow "${name}"`);
    const newRun: NewRun = { ...settings, id, workflow: name, input, traceContext: newRunTraceContext(name, id) };
    // A worker of this process with room runs a run due now itself, without a claim.
    const reservation = this.reserveLocalWorker(newRun);
    let started: CreatedRun;
    try {
      started = await this.starts.addAsync({ ...newRun, owner: reservation?.owner });
    } catch (error) {
      reservation?.cancel();
      throw error;
    }
    const { run, created } = started;
    if (!created || !reservation) {
      reservation?.cancel();
      if (run.workflow !== name) {
        throw new InvalidArgumentError(`start("${name}"): the id "${id}" already belongs to a run of workflow "${run.workflow}". Use another id.`);
      }
      for (const worker of this.ownWorkers) worker.notify();
      return { ...this.handle(id), created };
    }
    const localExit = new Promise<RunExit>((resolve) => this.localExits.set(id, resolve));
    reservation.adopt(run);
    return { ...this.handle(id, localExit), created };
  }

  /** A handle on an existing run, e.g. one started by another process. */
  handle<R = unknown>(id: string): RunHandle<R>;
  /** @internal With `localExit`: the run is in a worker of this client, which reports its end. */
  handle<R = unknown>(id: string, localExit?: Promise<RunExit>): RunHandle<R>;
  handle<R = unknown>(id: string, localExit?: Promise<RunExit>): RunHandle<R> {
    validateRunId(id, "handle()");
    return {
      id,
      result: () => this.result<R>(id, localExit),
      status: async () => (await this.getRecord(id)).status,
    };
  }

  /** The run with its status, input, output or error, timestamps and journal. */
  async get<R = unknown>(id: string): Promise<RunInfo<R>> {
    const run = await this.getRecord(id);
    const [journal, history] = await Promise.all([this.store.getJournal(id), this.store.getJournalHistory(id)]);
    const summary = toRunSummary<R>(run, this.serializer);
    const entries = journal.map((entry) => toJournalEntryInfo(entry, this.serializer));
    return {
      ...summary,
      journal: entries,
      values: publishedValues(journal, this.serializer),
      history: toReplacedEntries(history, this.serializer),
      diagnosis: await diagnoseRun(this.store, run, summary, entries, this.clock()),
    };
  }

  /**
   * The run and its journal as stored, payloads still serialized: to replay it elsewhere against
   * new code (`checkReplay`, `endure replay --from`). `endure export` writes it to a file.
   */
  async exportRun(id: string): Promise<RunExport> {
    return exportRun(this.store, await this.getRecord(id));
  }

  /**
   * Recorded runs with their journals, by default the unfinished ones (those a worker will replay),
   * e.g. to pass to `checkReplay` before a deploy.
   */
  recordedRuns(filter: RecordedRunFilter): AsyncIterable<RunExport> {
    this.assertOpen();
    return recordedRuns(this.store, filter);
  }

  /**
   * Waits until the run has published a value under `name` (`publish()` in the workflow) and
   * resolves to the latest one.
   * @throws TimeoutError after `timeout` (default: wait as long as it takes); RunFinishedError when the
   * run ended without publishing it; RunNotFoundError.
   */
  async waitForValue<T = unknown>(id: string, name: string, options: { timeout?: Duration } = {}): Promise<T> {
    this.assertOpen();
    validateRunId(id, "waitForValue()");
    const deadline = options.timeout === undefined ? Infinity : Date.now() + toMilliseconds(options.timeout, "waitForValue(): timeout");
    let pollMs = RESULT_POLL_MS.first;
    for (;;) {
      const run = await this.getRecord(id);
      const values = publishedValues(await this.store.getJournal(id), this.serializer);
      if (name in values) return values[name] as T;
      if (FINISHED_STATUSES.has(run.status)) throw new RunFinishedError(id, run.status, `publish "${name}" any more`);
      if (Date.now() >= deadline) throw new TimeoutError(`Run "${id}" published no value "${name}" within ${String(options.timeout)}.`, "WAIT_TIMEOUT");
      await this.untilFinishedOr(id, Math.min(pollMs, deadline - Date.now()));
      pollMs = Math.min(pollMs * 2, RESULT_POLL_MS.max);
    }
  }

  /** Runs, newest first, a page at a time. */
  async list(options: ListOptions = {}): Promise<RunList> {
    this.assertOpen();
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new InvalidArgumentError(`list(): limit must be a whole number from 1 to 1000; got ${limit}.`);
    }
    if (options.status !== undefined && !isStatus(options.status)) {
      throw new InvalidArgumentError(`list(): status must be one of ${STATUSES.join(", ")}; got ${JSON.stringify(options.status)}.`);
    }
    const tags = options.tags === undefined ? undefined : validateTags(options.tags, "list()");
    const page = await this.store.listRuns({ ...options, tags, limit });
    return { runs: page.runs.map((run) => toRunSummary(run, this.serializer)), nextCursor: page.nextCursor };
  }

  /**
   * Sends an event to a run; its next `waitForEvent(name)` receives `payload`. Events wait in the
   * run's inbox until taken.
   * An event from `defineEvent()` is type-checked, and checked by its schema if it has one: a
   * payload the schema rejects throws `InvalidEventPayloadError` and nothing is sent.
   * @returns `duplicate: true` when an event with the same `key` was already sent to this run.
   * @throws RunNotFoundError, RunFinishedError, InvalidEventPayloadError
   */
  async send<I>(id: string, event: EventDefinition<unknown, I>, payload: NoInfer<I>, options?: SendOptions): Promise<{ duplicate: boolean }>;
  async send(id: string, name: string, payload?: unknown, options?: SendOptions): Promise<{ duplicate: boolean }>;
  async send(id: string, event: string | EventDefinition<unknown, unknown>, payload?: unknown, options: SendOptions = {}): Promise<{ duplicate: boolean }> {
    this.assertOpen();
    validateRunId(id, "send()");
    const name = validateEventName(isEventDefinition(event) ? event.name : event, "send()");
    if (options.key !== undefined && (typeof options.key !== "string" || options.key.length === 0 || options.key.length > 255)) {
      throw new InvalidArgumentError(`send(): key must be a string of 1 to 255 characters; got ${JSON.stringify(options.key)}.`);
    }
    if (isEventDefinition(event)) payload = await checkEventPayload(event, payload);
    const text = this.serializer.serialize(payload ?? null, `The payload of event "${name}"`);
    const sent = await this.store.sendEvent({ runId: id, name, payload: text, key: options.key });
    if (sent.result === "missing") throw new RunNotFoundError(id);
    if (sent.result === "finished") throw new RunFinishedError(id, sent.status, `receive event "${name}"`);
    for (const worker of this.ownWorkers) worker.notify();
    return { duplicate: sent.result === "duplicate" };
  }

  /**
   * Cancels a run: `CancelledError` is thrown into the workflow at its next durable call, so
   * `try/finally` can clean up, and the run ends `cancelled`. A run that never started is cancelled
   * at once; a finished run is left as it is.
   * @returns the run's status right after the request.
   */
  async cancel(id: string): Promise<RunStatus> {
    this.assertOpen();
    validateRunId(id, "cancel()");
    const error = this.serializer.serializeError(new CancelledError(`Run "${id}" was cancelled before it started.`));
    const run = (await this.store.requestCancel(id, error)) ?? (await this.getRecord(id));
    if (run.status === "cancelled") this.notifyFinished(id);
    for (const worker of this.ownWorkers) worker.notifyCancel(id);
    return run.status;
  }

  /**
   * Runs `fn` in one transaction of the store's own database, outside any run: for the
   * application's own tables next to Endure's, e.g. creating them or reading what `transaction()`
   * steps wrote. Returning commits, throwing rolls back (and rethrows). Inside `fn` use only `tx`:
   * on SQLite the transaction holds the database's one write lock, and this client's other calls
   * wait until it ends.
   *
   * @example
   * ```ts
   * await endure.transaction(async (tx) => {
   *   await tx.sql`CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL)`;
   * });
   * const rows = await endure.transaction((tx) => tx.sql<{ id: string; balance: number }>`SELECT id, balance FROM accounts`);
   * ```
   * @returns what `fn` returns.
   */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.assertOpen();
    if (typeof fn !== "function") {
      throw new InvalidArgumentError(`transaction() needs a function that takes the transaction, e.g. async (tx) => ...; got ${typeof fn}.`);
    }
    return (await this.store.transaction(fn)).value;
  }

  /** Starts a worker in this process that runs the given workflows. Stop it with `worker.stop()`. */
  async startWorker(options: WorkerOptions): Promise<Worker> {
    this.assertOpen();
    const worker = new Worker(this.store, this.serializer, options, (runId, exit) => this.onRunExit(runId, exit), this.clock);
    await worker.start();
    this.ownWorkers.add(worker);
    return worker;
  }

  /** Stops this client's workers gracefully and closes the store if this client opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.ownWorkers].map((worker) => worker.stop()));
    this.ownWorkers.clear();
    for (const id of this.finishListeners.keys()) this.notifyFinished(id);
    if (this.ownsStore) await this.store.close();
  }

  private async result<R>(id: string, localExit?: Promise<RunExit>): Promise<R> {
    if (localExit) {
      // Written and reported by the worker here: no need to read it back.
      const exit = await localExit;
      if (exit.kind === "finished") return await this.outcomeOf<R>(id, localOutcome(exit.outcome));
    }
    let pollMs = RESULT_POLL_MS.first;
    for (;;) {
      const run = await this.getRecord(id);
      if (FINISHED_STATUSES.has(run.status)) return this.outcomeOf<R>(id, finalOutcome(run));
      await this.untilFinishedOr(id, pollMs);
      pollMs = Math.min(pollMs * 2, RESULT_POLL_MS.max);
    }
  }

  /** A run that continued as new has the result of the last run of its chain. */
  private async outcomeOf<R>(id: string, outcome: FinalOutcome): Promise<R> {
    if (outcome.status === "completed" && outcome.continuedTo) return await this.result<R>(outcome.continuedTo);
    return this.finalValue<R>(id, outcome);
  }

  private finalValue<R>(id: string, outcome: FinalOutcome): R {
    if (outcome.status === "completed") return this.serializer.deserialize(outcome.output) as R;
    const error = this.serializer.deserializeError(outcome.error);
    if (outcome.status === "failed") throw new RunFailedError(id, error);
    if (outcome.status === "cancelled" && !(error instanceof CancelledError)) throw new CancelledError(`Run "${id}" was cancelled.`);
    throw error;
  }

  private reserveLocalWorker(run: NewRun): Reservation | undefined {
    for (const worker of this.ownWorkers) {
      const reservation = worker.reserve(run);
      if (reservation) return reservation;
    }
    return undefined;
  }

  private untilFinishedOr(id: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let listeners = this.finishListeners.get(id);
      if (!listeners) this.finishListeners.set(id, (listeners = new Set()));
      const done = () => {
        clearTimeout(timer);
        listeners.delete(done);
        if (listeners.size === 0 && this.finishListeners.get(id) === listeners) this.finishListeners.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      listeners.add(done);
    });
  }

  private onRunExit(runId: string, exit: RunExit): void {
    this.localExits.get(runId)?.(exit);
    this.localExits.delete(runId);
    if (exit.kind === "finished") this.notifyFinished(runId);
  }

  private notifyFinished(id: string): void {
    for (const listener of [...(this.finishListeners.get(id) ?? [])]) listener();
  }

  private async getRecord(id: string): Promise<RunRecord> {
    this.assertOpen();
    validateRunId(id, "get()");
    const run = await this.store.getRun(id);
    if (!run) throw new RunNotFoundError(id);
    return run;
  }

  private async resolveWorkflowName(workflow: WorkflowDefinition | string): Promise<string> {
    if (isWorkflowDefinition(workflow)) return workflow.name;
    if (typeof workflow !== "string") {
      throw new InvalidArgumentError(`start() needs a workflow definition or a workflow name; got ${typeof workflow}.`);
    }
    await this.knownWorkflows.check(workflow);
    return workflow;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError("This Endure client");
  }

  // ---- retry and fork ----

  /**
   * Runs a `failed` or `blocked` run again, e.g. once a fix is deployed. A failed run resumes at its
   * first failed step (or child run): the journal before it is kept and replayed, that step and
   * everything after it execute again, and `get(id).history` keeps the entries they replace. A failed
   * child run of it is retried with it. A blocked run replays its whole journal with the new code.
   *
   * With `options.version` the run is re-pinned to that version of the workers' code (see
   * `startWorker({ version })`): a run blocked on a bad deploy can be handed to a fixed one.
   * @example
   * ```ts
   * await endure.retry("order-7", { version: "2026-11-26.2" });
   * ```
   * @returns the run's status after the request (`pending`).
   * @throws RunNotFoundError, RunNotRetryableError (the run is not failed or blocked), InvalidArgumentError (a bad version)
   */
  async retry(id: string, options?: RetryOptions): Promise<RunStatus> {
    this.assertOpen();
    const status = await retryRun(this.store, id, options);
    for (const worker of this.ownWorkers) worker.notify();
    return status;
  }

  /**
   * Retries every failed or blocked run that matches the filter, as {@link retry} does each, and
   * re-pins each to `options.version` if given (e.g. every run a bad deploy blocked). Runs that
   * changed status meanwhile are skipped.
   * @returns the ids of the runs retried.
   */
  async retryAll(filter: RetryAllFilter = {}, options: RetryOptions = {}): Promise<string[]> {
    this.assertOpen();
    const retried = await retryRuns(this.store, filter, options);
    for (const worker of this.ownWorkers) worker.notify();
    return retried;
  }

  /**
   * Starts a new run of the same workflow and input that reuses the run's journal before
   * `fromPosition` and executes from there: to run part of any run again (a completed one too), or
   * to try a fix on a copy. The source is left as it is; the new run's `forkedFrom` names it.
   * @throws RunNotFoundError, InvalidArgumentError (a position past the journal, an id taken)
   */
  async fork<R = unknown>(id: string, options: ForkOptions): Promise<RunHandle<R>> {
    this.assertOpen();
    const forked = await forkRun(this.store, id, options);
    for (const worker of this.ownWorkers) worker.notify();
    return this.handle<R>(forked);
  }

  // ---- operations ----

  /**
   * The workers that sent a heartbeat lately (and, for an hour, those that stopped sending one:
   * `alive: false`), the most recent first. A worker that stops gracefully leaves the list.
   */
  async workers(): Promise<WorkerInfo[]> {
    this.assertOpen();
    const now = this.clock();
    return (await this.store.listWorkers()).map((worker) => toWorkerInfo(worker, now));
  }

  /** How many runs the store holds in each status. */
  async statusCounts(): Promise<Record<RunStatus, number>> {
    this.assertOpen();
    return await this.store.countRunsByStatus();
  }

  // ---- queues ----

  /** Every queue registered by a worker of the store, by name: its limits, and how many runs wait in it and hold a slot now. */
  async queues(): Promise<QueueInfo[]> {
    this.assertOpen();
    return await this.store.queueStates();
  }

  /**
   * One queue's limits and counts (see {@link queues}).
   * @throws UnknownQueueError when no worker of the store registered it.
   */
  async queue(name: string): Promise<QueueInfo> {
    this.assertOpen();
    queueName(name, "queue()");
    const queues = await this.store.queueStates();
    const found = queues.find((queue) => queue.name === name);
    if (!found) throw new UnknownQueueError(name, queues.map((queue) => queue.name));
    return found;
  }

  // ---- schedules ----

  /** Cron schedules: each tick starts one run of a workflow (see {@link Schedules}). */
  readonly schedules: Schedules;

  // ---- event log ----

  /** The event log: list, show and re-dispatch events; the triggers and webhooks workers registered (see {@link EventLog}). */
  readonly events: EventLog;

  /**
   * Records an event in the event log: the triggers of its type start their runs for it, and the
   * runs subscribed to its type receive it. An event from `defineEvent()` is checked by its schema
   * first: a payload it rejects throws `InvalidEventPayloadError` and nothing is recorded.
   * @example
   * ```ts
   * const event = await endure.emit("order.paid", { order: "o-7", amount: 42 }, { key: "order-7-paid" });
   * console.log(event.seq, event.duplicate);          // a second emit with that key: duplicate true, same seq
   * ```
   * @returns the event as recorded; `duplicate: true` (and the first event) when `options.key` was seen before.
   * @throws InvalidArgumentError (a bad type, key, source or headers), InvalidEventPayloadError, PayloadTooLargeError
   */
  async emit<I>(event: EventDefinition<unknown, I>, payload: NoInfer<I>, options?: EmitOptions): Promise<EmittedEvent>;
  async emit(type: string, payload?: unknown, options?: EmitOptions): Promise<EmittedEvent>;
  async emit(type: string | EventDefinition<unknown, unknown>, payload?: unknown, options?: EmitOptions): Promise<EmittedEvent> {
    return await this.events.emit(type, payload, options);
  }

  // ---- server ----

  /** The names of the workflows that workers of this store serve (the names `start()` accepts), sorted. */
  async workflows(): Promise<string[]> {
    this.assertOpen();
    return (await this.store.knownWorkflows()).sort();
  }
}


/** A final outcome as the client follows it: a continued run names its successor's id. */
type FinalOutcome =
  | { status: "completed"; output: string; continuedTo?: string }
  | { status: "failed" | "cancelled" | "blocked"; error: string };

function finalOutcome(run: RunRecord): FinalOutcome {
  if (run.status === "completed") return { status: "completed", output: run.output!, continuedTo: run.continuedTo ?? undefined };
  return { status: run.status as "failed" | "cancelled" | "blocked", error: run.error! };
}

/** Every run status, in the order a run usually goes through them. */
export const STATUSES: readonly RunStatus[] = RUN_STATUSES;

function isStatus(value: string): value is RunStatus {
  return (STATUSES as readonly string[]).includes(value);
}

function localOutcome(outcome: Extract<RunExit, { kind: "finished" }>["outcome"]): FinalOutcome {
  return outcome.status === "completed" ? { status: "completed", output: outcome.output, continuedTo: outcome.continuedTo?.id } : outcome;
}
