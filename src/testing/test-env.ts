import { setTimeout as delay } from "node:timers/promises";
import { type Duration, toMilliseconds } from "../api/duration.js";
import { ClosedError, InvalidArgumentError } from "../api/errors.js";
import type { EventDefinition } from "../api/event.js";
import type { QueueDefinition } from "../api/queue.js";
import type { StartOptions } from "../api/run-options.js";
import { validateRunId } from "../api/validate.js";
import { isWorkflowDefinition, type WorkflowDefinition } from "../api/workflow.js";
import type { Diagnosis } from "../client/diagnosis.js";
import { Endure, type SendOptions, type StartedRun } from "../client/endure.js";
import type { EmitOptions } from "../client/event-log.js";
import type { EmittedEvent } from "../client/event-info.js";
import { FINISHED_STATUSES } from "../store/store.js";
import { SqliteStore } from "../store/sqlite/sqlite-store.js";
import type { Logger } from "../worker/logger.js";
import type { Worker, WorkerOptions } from "../worker/worker.js";
import { TestStalledError } from "./errors.js";
import { assertJournal, type JournalRecord, toJournalRecord } from "./journal-view.js";
import { readRunActivity } from "./run-activity.js";
import { type FailStepOptions, StepFaults, type StepMock } from "./step-faults.js";
import { VirtualClock } from "./virtual-clock.js";

export interface TestEnvOptions {
  /** The workflows to test, child workflows included; the test env's worker runs these. */
  workflows: WorkerOptions["workflows"];
  /** Queues the runs are started in, so the test env's worker admits them. */
  queues?: readonly QueueDefinition[];
  /** Triggers whose runs the events the test emits start (see `env.emit()`). */
  triggers?: WorkerOptions["triggers"];
  /** Where virtual time starts (default: the real time when the env is created). */
  startTime?: Date | number;
  /**
   * How long (real time) `result()` waits, once no timer is left, for something else to happen
   * (an event the test sends meanwhile) before it rejects with `TestStalledError` (default `"200ms"`).
   */
  stallGrace?: Duration;
  /** Where the worker reports what happens outside the workflows (default: warnings on stderr). */
  logger?: Logger;
}

/** How often a settling env looks at its runs again (real time). */
const SETTLE_POLL_MS = 2;
const STALL_POLL_MS = 10;

/**
 * Opens a test env: an Endure client and one worker of `options.workflows` on a throwaway
 * in-memory SQLite store, whose clock is virtual. Time stands still until the env moves it:
 * `advance()` moves it, firing every timer on the way, and `result()` / `execute()` skip to the next
 * timer whenever every run is idle. A 30-day `sleep()` takes milliseconds. Close it when done.
 *
 * @example
 * ```ts
 * import { createTestEnv } from "endure/testing";
 *
 * test("the trial ends after 30 days without payment", async (t) => {
 *   const env = await createTestEnv({ workflows: [trial] });
 *   t.after(() => env.close());
 *   assert.equal(await env.execute(trial, ["alice"]), "cancelled");
 * });
 * ```
 */
export async function createTestEnv(options: TestEnvOptions): Promise<TestEnv> {
  if (options?.workflows === undefined) {
    throw new InvalidArgumentError("createTestEnv() needs the workflows to test, e.g. createTestEnv({ workflows: [signUp] }).");
  }
  const start = options.startTime instanceof Date ? options.startTime.getTime() : options.startTime ?? Date.now();
  if (!Number.isFinite(start)) {
    throw new InvalidArgumentError(`createTestEnv(): startTime must be a Date or a time in ms since the epoch; got ${String(options.startTime)}.`);
  }
  const stallGraceMs = toMilliseconds(options.stallGrace ?? 200, "createTestEnv(): stallGrace");
  const clock = new VirtualClock(start);
  const store = new SqliteStore(":memory:", { clock: clock.now });
  const faults = new StepFaults();
  try {
    const endure = await Endure.open({ store, clock: clock.now });
    const worker = await endure.startWorker({
      workflows: options.workflows,
      queues: options.queues,
      triggers: options.triggers,
      logger: options.logger,
      pollInterval: 10,
      // Every wait is written to the store, where moving the clock makes it due.
      inMemoryWaitLimit: 0,
      interceptStep: faults.intercept,
    });
    return new TestEnv(endure, store, worker, clock, faults, (options.queues ?? []).map((queue) => queue.name), stallGraceMs);
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * An Endure client and worker on virtual time (see {@link createTestEnv}).
 *
 * Time moves only while no run is in the worker's memory, so every lease holds and every run that
 * wakes sees `now()` at its exact wake-up time. Start runs with `env.start()` or `env.execute()`
 * (or `env.endure.start()` before awaiting results) so that a start never meets a move of time.
 */
export class TestEnv {
  private closed = false;
  /** Moves of time and starts go one at a time. */
  private turn: Promise<unknown> = Promise.resolve();

  /** @internal Use {@link createTestEnv}. */
  constructor(
    /** The real client of the env's store: start, get, list, send, cancel, retry. */
    readonly endure: Endure,
    private readonly store: SqliteStore,
    private readonly worker: Worker,
    private readonly clock: VirtualClock,
    private readonly faults: StepFaults,
    private readonly queues: readonly string[],
    private readonly stallGraceMs: number,
  ) {}

  /** The virtual time, in ms since the epoch. */
  now(): number {
    return this.clock.now();
  }

  /**
   * Starts a run (see `endure.start()`) and lets it go as far as it can without time moving.
   * The handle's `result()` is {@link result}: it skips time.
   */
  async start<A extends unknown[], R>(workflow: WorkflowDefinition<A, R>, args: NoInfer<A>, options?: StartOptions): Promise<StartedRun<R>>;
  async start(workflow: string, args: unknown[], options?: StartOptions): Promise<StartedRun>;
  async start(workflow: WorkflowDefinition | string, args: unknown[], options?: StartOptions): Promise<StartedRun> {
    this.assertOpen();
    if (isWorkflowDefinition(workflow) && !this.worker.workflowNames.includes(workflow.name)) {
      const served = this.worker.workflowNames.map((name) => `"${name}"`).join(", ");
      throw new InvalidArgumentError(`env.start(): workflow "${workflow.name}" is not one this test env runs (it runs ${served}). Add it to createTestEnv({ workflows }).`);
    }
    const run = await this.inTurn(async () => {
      const started = await this.endure.start(workflow as string, args, options);
      await this.settle();
      return started;
    });
    return { ...run, result: () => this.result(run.id) };
  }

  /** Starts a run and waits for its result, skipping time as {@link result} does. */
  async execute<A extends unknown[], R>(workflow: WorkflowDefinition<A, R>, args: NoInfer<A>, options?: StartOptions): Promise<R>;
  async execute(workflow: string, args: unknown[], options?: StartOptions): Promise<unknown>;
  async execute(workflow: WorkflowDefinition | string, args: unknown[], options?: StartOptions): Promise<unknown> {
    const run = await this.start(workflow as string, args, options);
    return await run.result();
  }

  /**
   * Waits for the run's end and returns its result (or throws its error, as `RunHandle.result()`
   * does). Whenever every run is idle and the next thing that can happen is a timer (a sleep, an
   * event's timeout, a retry's back-off, a start delay, a run's timeout), time skips to it.
   * @throws TestStalledError when the run waits for something only the test can bring (an event
   * without a timeout) and nothing happened for `stallGrace`.
   */
  async result<R = unknown>(runId: string): Promise<R> {
    validateRunId(runId, "env.result()");
    let stall: { since: number; fingerprint: string } | undefined;
    for (;;) {
      const state = await this.inTurn(() => this.skipFor(runId));
      if (state.kind === "finished") return await this.endure.handle<R>(runId).result();
      if (state.kind === "continued") return await this.result<R>(state.next);
      if (state.kind === "moved") {
        stall = undefined;
      } else if (stall?.fingerprint !== state.fingerprint) {
        stall = { since: Date.now(), fingerprint: state.fingerprint };
      } else if (Date.now() - stall.since >= this.stallGraceMs) {
        throw new TestStalledError(runId, state.diagnosis, this.stallGraceMs);
      } else {
        await delay(STALL_POLL_MS);
      }
    }
  }

  /**
   * Moves virtual time forward by `duration`, firing every timer due on the way in due order: at
   * each, time stands at that timer's due time and the runs settle before it moves on.
   */
  async advance(duration: Duration): Promise<void> {
    const ms = toMilliseconds(duration, "env.advance(): the duration");
    this.assertOpen();
    await this.inTurn(async () => {
      const target = this.clock.now() + ms;
      for (;;) {
        const { nextAt, nextTickAt } = await this.settle();
        const next = Math.min(nextAt ?? Infinity, nextTickAt ?? Infinity);
        if (next > target) break;
        this.moveTo(next);
      }
      this.moveTo(target);
      await this.settle();
    });
  }

  /**
   * Sends an event to a run (see `endure.send()`) and lets the runs settle, so the test sees what
   * the event did.
   */
  async send<I>(runId: string, event: EventDefinition<unknown, I>, payload: NoInfer<I>, options?: SendOptions): Promise<{ duplicate: boolean }>;
  async send(runId: string, event: string, payload?: unknown, options?: SendOptions): Promise<{ duplicate: boolean }>;
  async send(runId: string, event: string | EventDefinition<unknown, unknown>, payload?: unknown, options?: SendOptions): Promise<{ duplicate: boolean }> {
    this.assertOpen();
    const sent = await this.endure.send(runId, event as string, payload, options);
    await this.settle();
    return sent;
  }

  /**
   * Appends an event to the event log (see `endure.emit()`), dispatches it to the env's triggers
   * and lets the runs settle, so the test sees the runs it started and the subscriptions that took it.
   */
  async emit<I>(event: EventDefinition<unknown, I>, payload: NoInfer<I>, options?: EmitOptions): Promise<EmittedEvent>;
  async emit(type: string, payload?: unknown, options?: EmitOptions): Promise<EmittedEvent>;
  async emit(type: string | EventDefinition<unknown, unknown>, payload?: unknown, options?: EmitOptions): Promise<EmittedEvent> {
    this.assertOpen();
    const emitted = await this.endure.emit(type as string, payload, options);
    await this.worker.dispatchEventsNow();
    await this.settle();
    return emitted;
  }

  /**
   * Makes the next `times` attempts of the step named `name` throw (in any run), without running
   * it; the step's retry policy then applies, its back-off on virtual time.
   *
   * @example
   * ```ts
   * env.failStep("charge", { times: 2 });          // attempts 1 and 2 fail, attempt 3 runs
   * env.failStep("charge", { times: 1, error: new NonRetryableError("card declined") });
   * ```
   */
  failStep(name: string, options: FailStepOptions): void {
    this.faults.fail(name, options);
  }

  /**
   * Replaces the body of the step named `name` (in any run) with `fn`, which gets the step's
   * arguments (a `transaction()` step's start with its `tx`) and may call `stepContext()`. Its
   * result is journaled as the step's.
   */
  mockStep(name: string, fn: StepMock): void {
    this.faults.mock(name, fn);
  }

  /** Undoes every `failStep()` not used up and every `mockStep()`. */
  restoreSteps(): void {
    this.faults.restore();
  }

  /** The run's journal, one {@link JournalRecord} per durable call, in order. */
  async journal(runId: string): Promise<JournalRecord[]> {
    return (await this.endure.get(runId)).journal.map(toJournalRecord);
  }

  /**
   * Asserts the run's journal: each expected entry is compared on the fields it names, in order.
   * @throws AssertionError (node:assert's) with a diff of the two.
   *
   * @example
   * ```ts
   * await env.expectJournal(run.id, [
   *   { kind: "sleep", status: "completed" },
   *   { kind: "event", name: "payment", output: null },
   *   { kind: "step", name: "cancel", attempts: 1 },
   * ]);
   * ```
   */
  async expectJournal(runId: string, expected: readonly Partial<JournalRecord>[]): Promise<void> {
    if (!Array.isArray(expected)) {
      throw new InvalidArgumentError(`env.expectJournal("${runId}"): expected must be an array of entries such as { kind: "step", name: "charge" }; got ${typeof expected}.`);
    }
    assertJournal(runId, await this.journal(runId), expected);
  }

  /** Stops the worker (steps under way finish first), closes the client and drops the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.faults.restore();
    await this.endure.close();
    await this.store.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Once the runs settle: the run's end, or time moved to the next timer, or nothing left to skip
   * to. Time moves right after the settled reading, with no I/O between.
   */
  private async skipFor(runId: string): Promise<
    { kind: "finished" } | { kind: "continued"; next: string } | { kind: "moved" } | { kind: "idle"; fingerprint: string; diagnosis: Diagnosis | null }
  > {
    const activity = await this.settle();
    if (activity.unfinished.has(runId) && activity.nextAt !== null) {
      this.moveTo(activity.nextAt);
      return { kind: "moved" };
    }
    const run = await this.endure.get(runId);
    if (FINISHED_STATUSES.has(run.status)) return run.continuedTo === null ? { kind: "finished" } : { kind: "continued", next: run.continuedTo };
    return { kind: "idle", fingerprint: activity.fingerprint, diagnosis: run.diagnosis };
  }

  /** Waits until no run is in the worker's memory and none can be claimed or admitted now. */
  private async settle() {
    for (;;) {
      this.assertOpen();
      if (this.worker.activeRuns === 0) {
        const activity = await readRunActivity(this.store, this.clock.now(), this.worker.workflowNames, this.queues);
        if (!activity.busy && this.worker.activeRuns === 0) return activity;
        this.wakeWorker();
      }
      await delay(SETTLE_POLL_MS);
    }
  }

  /** Only called right after {@link settle} found nothing in memory: no lease can lapse. */
  private moveTo(time: number): void {
    this.clock.moveTo(time);
    this.wakeWorker();
  }

  /** Something may be due now: the worker claims and fires at once rather than at its next poll. */
  private wakeWorker(): void {
    this.worker.notify();
    this.worker.fireSchedulesNow();
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => {});
    return result;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError("This test env");
  }
}
