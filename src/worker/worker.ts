import { randomUUID } from "node:crypto";
import { type Duration, toMilliseconds } from "../api/duration.js";
import { CancelledError, CrashLoopError, InvalidArgumentError, LeaseLostError, StoreUnavailableError } from "../api/errors.js";
import type { WorkflowDefinition } from "../api/workflow.js";
import type { QueueDefinition } from "../api/queue.js";
import type { ExecutionHost, RunExit } from "../engine/host.js";
import type { StepInterceptor } from "../engine/step-attempt.js";
import { RunExecution } from "../engine/run-execution.js";
import type { Serializer } from "../serialization/serializer.js";
import { Batcher } from "../store/batcher.js";
import type { ClaimedRun, CreatedRun, NewRun, RunRecord, Store } from "../store/store.js";
import { consoleLogger, type Logger } from "./logger.js";
import { GroupCommitter } from "./group-commit.js";
import { OutageLog } from "./outage-log.js";
import { RetentionSweeper } from "./retention.js";
import { Admission } from "./admission.js";
import { Scheduler } from "./scheduler.js";
import type { RunObserver } from "../engine/observer.js";
import { observedRun, runEnd, workerObserver } from "./observers.js";
import { WorkerPresence } from "./presence.js";
import { serves, type ServedVersions } from "../store/version-pinning.js";
import { servedVersionsOf } from "./served-versions.js";
import type { AnyTrigger, TriggerDefinition } from "../api/trigger.js";
import type { WebhookDefinition } from "../api/webhook.js";
import { TriggerDispatcher } from "./trigger-dispatcher.js";

export interface WorkerOptions {
  /** The workflows this worker runs; it claims runs of these only. */
  workflows: readonly WorkflowDefinition<never[], unknown>[] | Readonly<Record<string, WorkflowDefinition<never[], unknown>>>;
  /** Most runs held in memory at once (default 100). */
  concurrency?: number;
  /** How long a claimed run stays this worker's without a renewal (default `"5s"`). Renewed every third of it. */
  lease?: Duration;
  /** How often to look for due runs started elsewhere (default `"50ms"`). */
  pollInterval?: Duration;
  /** A run whose next timer is further away than this is released from memory (default `"5s"`). */
  inMemoryWaitLimit?: Duration;
  /** A run whose worker died this many times in a row while running it is failed (default 5). */
  maxCrashes?: number;
  /**
   * Deletes runs that finished longer ago than this, with their journals and events (e.g.
   * `"30 days"`); checked at start and every ten minutes. Default: finished runs are kept forever.
   */
  retention?: Duration;
  logger?: Logger;
  // ---- queues ----
  /**
   * Queues this worker admits runs of, defined with `queue()`: their limits are written to the store
   * (the last worker started with a queue sets its limits), and the worker admits their queued runs
   * as the limits allow. The runs are then claimed by any worker of their workflows.
   */
  queues?: readonly QueueDefinition[];
  // ---- observability ----
  /**
   * Prometheus metrics of this worker's runs and steps: pass `createMetrics()` (see
   * docs/observability.md). Any {@link RunObserver} may be given.
   */
  metrics?: RunObserver;
  // ---- version pinning ----
  /**
   * The version of this worker's code: a build id, a git sha, any string of 1 to 200 characters.
   * A versioned worker pins each run it claims first to its version, and claims only runs not pinned
   * yet or pinned to a version it serves, so a fleet of old and new code can run side by side: a
   * run is only ever replayed by code of its version. Omitted: the worker claims only runs not
   * pinned to any version (as before versions existed). See docs/versioning-pinning.md.
   * @example
   * ```ts
   * await endure.startWorker({ workflows, version: process.env.GIT_SHA });
   * ```
   */
  version?: string;
  /**
   * Older versions whose runs this code can still replay (the changes since were made compatibly),
   * so this worker claims their runs too. Needs `version`.
   * @example
   * ```ts
   * await endure.startWorker({ workflows, version: "2026-11-26.1", compatibleWith: ["2026-11-20.3"] });
   * ```
   */
  compatibleWith?: readonly string[];
  // ---- event log ----
  /**
   * Triggers this worker dispatches, defined with `trigger()`: every event of a trigger's type
   * appended to the event log starts one run of its workflow (which this worker must run too).
   */
  triggers?: readonly AnyTrigger[];
  /** Webhooks, defined with `webhook()`: written to the store, where every Endure server reads them. */
  webhooks?: readonly WebhookDefinition[];
  // ---- testing ----
  /** @internal Wraps every step attempt (the test kit's failStep and mockStep). */
  interceptStep?: StepInterceptor;
}

/** What the worker reports when a run leaves its memory. */
export type RunExitListener = (runId: string, exit: RunExit) => void;

/**
 * A slot held for a run this process is starting (see {@link Worker.reserve}). Exactly one of
 * `adopt` or `cancel` must be called.
 * @internal
 */
export interface Reservation {
  /** What the run is created with, so that it is created claimed by this worker. */
  readonly owner: NonNullable<NewRun["owner"]>;
  /** The run was created claimed by this worker: runs it now. Its exit is reported as any run's. */
  adopt(run: RunRecord): void;
  /** The run was not created (its id was taken, or the start failed): frees the slot. */
  cancel(): void;
}

/**
 * Claims due runs of its workflows, executes them, and holds them under leases it renews.
 *
 * Loop: claim as many due runs as there are free slots (one statement), start each, then sleep
 * until the poll interval passes, a local client signals new work, or a slot frees up. A
 * heartbeat renews all held leases in one statement and learns of cancellations and lost runs.
 */
export class Worker {
  /** Unique per worker instance; the owner recorded on the runs it holds. */
  readonly id = randomUUID();
  private readonly workflows: ReadonlyMap<string, WorkflowDefinition>;
  private readonly executions = new Map<string, RunExecution>();
  /** Slots held for runs being started in this process. */
  private reserved = 0;
  /** Per held run: until when its lease surely holds, by this process's clock. */
  private readonly leaseDeadlines = new Map<string, number>();
  private readonly committer: GroupCommitter;
  /** Child runs started at the same moment (a fan-out) are created in one transaction. */
  private readonly childStarts: Batcher<NewRun, CreatedRun>;
  private readonly host: ExecutionHost;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxCrashes: number;
  private readonly logger: Logger;
  private running = false;
  private loop?: Promise<void>;
  private heartbeat?: NodeJS.Timeout;
  private wakeLoop?: () => void;
  private stopWatching?: () => void;
  /** The store announced a run that became due (another process wrote it) since the last claim. */
  private hinted = false;
  /** Something may have become due (see {@link notify}) since the loop last looked. */
  private woken = false;
  /** The last claim was held back by a lack of free slots: a slot freeing up should claim again. */
  private short = false;
  /** Claims that failed in a row (the store is unreachable). */
  private claimFailures = 0;
  private readonly outage: OutageLog;
  private stopped?: Promise<void>;
  private readonly retention?: RetentionSweeper;
  private readonly admission: Admission;
  /** Fires the cron schedules of this worker's workflows. */
  private readonly scheduler: Scheduler;
  /** Starts the runs of this worker's triggers. */
  private readonly dispatcher: TriggerDispatcher;
  private readonly webhooks: readonly WebhookDefinition[];
  /** Logs, traces and metrics of the runs. */
  private readonly observer?: RunObserver;
  /** This worker's row in the store's worker registry, for operators. */
  private readonly presence: WorkerPresence;
  /** The versions of runs this worker claims (see version-pinning.ts). */
  private readonly versions: ServedVersions;

  /** @internal Use `endure.startWorker()`. */
  constructor(
    private readonly store: Store,
    serializer: Serializer,
    options: WorkerOptions,
    private readonly onRunExit: RunExitListener = () => {},
    /** The time runs see (`now()`, timers): the client's, virtual in the test kit. Lease deadlines in memory stay on real time. */
    clock: () => number = Date.now,
  ) {
    const definitions = Array.isArray(options.workflows) ? options.workflows : Object.values(options.workflows);
    this.workflows = byName(definitions as WorkflowDefinition[], "workflow", "workflows");
    if (this.workflows.size === 0) throw new InvalidArgumentError("startWorker() needs at least one workflow in workflows.");
    this.versions = servedVersionsOf(options);
    this.concurrency = positiveInteger(options.concurrency ?? 100, "concurrency");
    this.maxCrashes = positiveInteger(options.maxCrashes ?? 5, "maxCrashes");
    this.leaseMs = toMilliseconds(options.lease ?? 5000, "startWorker(): lease");
    this.pollMs = toMilliseconds(options.pollInterval ?? 50, "startWorker(): pollInterval");
    if (this.leaseMs < 100) throw new InvalidArgumentError(`startWorker(): lease must be at least 100 ms; got ${this.leaseMs}.`);
    this.logger = options.logger ?? consoleLogger;
    this.outage = new OutageLog(this.logger);
    if (options.retention !== undefined) {
      const retentionMs = toMilliseconds(options.retention, "startWorker(): retention");
      if (retentionMs <= 0) throw new InvalidArgumentError(`startWorker(): retention must be longer than 0 (e.g. "30 days"); got ${String(options.retention)}.`);
      this.retention = new RetentionSweeper(store, retentionMs, this.logger);
    }
    this.admission = new Admission(store, options.queues ?? [], this.outage);
    this.committer = new GroupCommitter(store, this.id);
    this.childStarts = new Batcher((runs) => store.createRuns(runs));
    this.host = {
      clock,
      serializer,
      inMemoryWaitLimitMs: toMilliseconds(options.inMemoryWaitLimit ?? 5000, "startWorker(): inMemoryWaitLimit"),
      commit: (run, done) => this.committer.commit(run, done),
      transaction: (work, journal) => this.store.transaction(work, (value) => ({ workerId: this.id, commit: journal(value) })),
      holdsLease: (runId) => this.holdsLease(runId),
      onExit: (runId, exit) => this.handleExit(runId, exit),
      createChild: (run, done) => this.createChild(run, done),
      cancelRun: (runId) => this.cancelRun(runId),
      interceptStep: options.interceptStep,
    };
    this.scheduler = new Scheduler(store, this.workflowNames, this.logger, this.outage, () => this.notify());
    this.dispatcher = new TriggerDispatcher(store, this.servedTriggers(options.triggers ?? []), serializer, this.logger, this.outage, () => this.notify());
    this.webhooks = [...byName(options.webhooks ?? [], "webhook", "webhooks").values()];
    this.observer = workerObserver(this.logger, options.metrics);
    const identity = {
      id: this.id, workflows: this.workflowNames, queues: (options.queues ?? []).map((queue) => queue.name), concurrency: this.concurrency, ...this.versions,
    };
    this.presence = new WorkerPresence(store, identity, this.leaseMs, () => this.executions.size, this.outage);
  }

  /** The triggers, each of a workflow this worker runs. */
  private servedTriggers(triggers: readonly AnyTrigger[]): TriggerDefinition[] {
    const served = [...byName(triggers as readonly TriggerDefinition[], "trigger", "triggers").values()];
    for (const trigger of served) {
      if (this.workflows.get(trigger.workflow.name) !== trigger.workflow) {
        throw new InvalidArgumentError(
          `startWorker(): trigger "${trigger.name}" starts workflow "${trigger.workflow.name}", which this worker does not run. Add it to workflows (export it from the workflow file).`,
        );
      }
    }
    return served;
  }

  /** Names of the workflows this worker serves. */
  get workflowNames(): string[] {
    return [...this.workflows.keys()];
  }

  /** How many runs this worker holds in memory right now. */
  get activeRuns(): number {
    return this.executions.size;
  }

  /** @internal */
  async start(): Promise<void> {
    await this.store.registerWorkflows(this.workflowNames);
    await this.admission.register();
    await this.dispatcher.register();
    if (this.webhooks.length > 0) await this.store.upsertWebhooks(this.webhooks.map(({ name, config }) => ({ name, definition: JSON.stringify(config) })));
    await this.presence.start();
    this.running = true;
    this.stopWatching = this.store.watchDue?.(() => {
      this.hinted = true;
      this.notify();
      this.dispatcher.wake();
    });
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.loop = this.claimLoop();
    this.retention?.start();
    this.scheduler.start();
    this.dispatcher.start();
  }

  /** Something may be due now (a local client started, woke or cancelled a run). */
  notify(): void {
    this.woken = true;
    this.wakeLoop?.();
  }

  /** @internal The test kit emitted events: dispatch them now, not at the dispatcher's next check. */
  dispatchEventsNow(): Promise<void> {
    return this.dispatcher.dispatchAll();
  }

  /** A local client appended events: dispatch them, and claim the subscribed runs they woke. */
  notifyEvents(): void {
    this.dispatcher.wake();
    this.notify();
  }

  /**
   * Holds a slot for a run that this process is about to start, when the run is due at once (no
   * queue, no delay) and this worker serves its workflow and has room: the run is then created
   * already claimed by this worker and runs at once, without a claim (and without the wait for the
   * next one).
   * @internal
   */
  reserve(run: Pick<NewRun, "workflow" | "queue" | "dueAt" | "version">): Reservation | undefined {
    if (run.queue !== undefined || run.dueAt !== undefined || !serves(this.versions, run.version ?? null)) return undefined;
    if (!this.running || !this.workflows.has(run.workflow) || this.executions.size + this.reserved >= this.concurrency) return undefined;
    this.reserved++;
    // The lease runs from before the run was created, as a claim's does.
    const sentAt = Date.now();
    let settled = false;
    const settle = () => {
      if (settled) throw new Error("A reservation was used twice.");
      settled = true;
      this.reserved--;
    };
    return {
      owner: { workerId: this.id, leaseMs: this.leaseMs, ...(this.versions.version !== null && { version: this.versions.version }) },
      adopt: (run) => {
        settle();
        this.adopt(run, sentAt + this.leaseMs);
      },
      cancel: () => {
        settle();
        this.slotFreed();
      },
    };
  }

  private adopt(run: RunRecord, leaseDeadline: number): void {
    if (this.running) return this.launch({ run, journal: [], inbox: [] }, leaseDeadline);
    // Stopping: give the run back at once, for another worker to start.
    void this.store.releaseRuns(this.id, [run.id]).catch(() => {});
    this.onRunExit(run.id, { kind: "abandoned", reason: new Error("the worker is stopping") });
  }

  /** @internal The test kit moved time: fire the cron ticks that came due now, not at the scheduler's next check. */
  fireSchedulesNow(): void {
    this.scheduler.fireNow();
  }

  /** A local client asked to cancel this run; if this worker holds it, deliver at once. */
  notifyCancel(runId: string): void {
    this.executions.get(runId)?.requestCancel();
    this.notify();
  }

  /**
   * Stops gracefully: claims nothing more, lets running step attempts finish and commit, then
   * gives every held run back so another worker can go on with it at once.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.running = false;
    this.stopWatching?.();
    this.notify();
    // At once: the runs in memory start no new step attempt while the loops below wind down.
    const held = [...this.executions.entries()];
    const stopping = Promise.all(held.map(([, execution]) => execution.stop()));
    await this.loop;
    await this.scheduler.stop();
    await this.dispatcher.stop();
    await this.retention?.stop();
    await stopping;
    clearInterval(this.heartbeat);
    const ids = held.map(([id]) => id);
    if (ids.length > 0) await this.store.releaseRuns(this.id, ids).catch((error: unknown) => this.logger.warn("could not release runs on stop", { error }));
    await this.presence.stop();
  }

  private async claimLoop(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.executions.size - this.reserved;
      this.short = free <= 0;
      const hinted = this.hinted;
      this.hinted = false;
      this.woken = false;
      let full = false;
      let found = 0;
      await this.admission.admit();
      if (free > 0) {
        try {
          const limit = Math.min(free, 100);
          const claimedAt = Date.now();
          const claimed = await this.store.claimRuns({
            workerId: this.id, workflows: this.workflowNames, limit, leaseMs: this.leaseMs, maxLapses: this.maxCrashes,
            crashLoopError: (runId, lapses) => this.host.serializer.serializeError(new CrashLoopError(runId, lapses)),
            ...(this.versions.version !== null && { version: this.versions.version, compatibleWith: this.versions.compatibleWith }),
          });
          for (const run of claimed) this.launch(run, claimedAt + this.leaseMs);
          found = claimed.length;
          full = found === limit;
          this.claimFailures = 0;
          this.outage.recovered();
        } catch (error) {
          if (!this.running) break;
          this.claimFailures++;
          this.outage.failed("claiming runs", error);
        }
      }
      // Woken while claiming (a slot freed, a child ended): look again at once instead of idling.
      if (!full && this.running && !this.woken) await this.idle(this.claimFailures > 0 ? this.backOffMs() : hinted && found === 0 ? this.recheckMs() : this.pollMs);
    }
  }

  /**
   * After a hint that found nothing, look again soon rather than at the next poll: the run the
   * hint announced may not be due yet by this process's reading of the store's clock (processes
   * measure a database's clock each on their own, a millisecond or so apart).
   */
  private recheckMs(): number {
    return Math.min(this.pollMs, HINT_RECHECK_MS);
  }

  /** Wait before the next claim while the store fails: doubling from the poll interval, at most 2 s. */
  private backOffMs(): number {
    return Math.min(this.pollMs * 2 ** this.claimFailures, Math.max(this.pollMs, 2000));
  }

  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeLoop = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeLoop = done;
    });
  }

  private launch(claimed: ClaimedRun, leaseDeadline: number): void {
    if (!this.running) return;
    this.leaseDeadlines.set(claimed.run.id, leaseDeadline);
    const definition = this.workflows.get(claimed.run.workflow)!;
    const execution = new RunExecution(this.host, definition, claimed, this.observer?.runStarted(observedRun(claimed)));
    this.executions.set(claimed.run.id, execution);
    this.admission.launched(claimed.run);
    execution.start(this.host.serializer.deserialize(claimed.run.input) as unknown[]);
  }

  private async renewLeases(ids = [...this.executions.keys()]): Promise<Set<string>> {
    const stillHeld = new Set<string>();
    if (ids.length === 0) return stillHeld;
    // The lease runs from when the request was sent, not from when the answer came back.
    const sentAt = Date.now();
    try {
      const held = await this.store.renewLeases(this.id, ids, this.leaseMs);
      for (const run of held) {
        stillHeld.add(run.id);
        if (this.leaseDeadlines.has(run.id)) this.leaseDeadlines.set(run.id, sentAt + this.leaseMs);
        if (run.cancelRequested) this.executions.get(run.id)?.requestCancel();
      }
      for (const id of ids) {
        if (!stillHeld.has(id)) this.executions.get(id)?.abandon(new LeaseLostError(id));
      }
    } catch (error) {
      this.outage.failed("renewing leases", error);
    }
    return stillHeld;
  }

  private holdsLease(runId: string): boolean | Promise<boolean> {
    const deadline = this.leaseDeadlines.get(runId);
    if (deadline === undefined) return false;
    // The heartbeat renews every third of the lease, so a fresh lease has more than a third left.
    if (deadline - Date.now() > this.leaseMs / 3) return true;
    return this.renewLeases([runId]).then((held) => held.has(runId));
  }

  /** A child due now starts in this worker at once when it has room, as a local start does. */
  private createChild(run: NewRun, done: (error: unknown, created?: CreatedRun) => void): void {
    const reservation = this.reserve(run);
    this.childStarts.add({ ...run, owner: reservation?.owner }, (error, created) => {
      if (reservation) {
        if (error === undefined && created!.created) reservation.adopt(created!.run);
        else reservation.cancel();
      }
      // Created unclaimed: this worker's loop may take it before its next poll.
      else if (error === undefined) this.notify();
      done(error, created);
    });
  }

  private cancelRun(runId: string): void {
    const error = this.host.serializer.serializeError(new CancelledError(`Run "${runId}" was cancelled with its parent before it started.`));
    this.store.requestCancel(runId, error).then(
      () => this.notifyCancel(runId),
      (reason: unknown) => this.logger.warn(`could not cancel run "${runId}" with its parent`, { error: reason }),
    );
  }

  private handleExit(runId: string, exit: RunExit): void {
    // Claim now rather than at the next poll: a child that ended woke its parent, and a run
    // suspended for events is due at once if one came meanwhile (the last children of a fan-out).
    const execution = this.executions.get(runId);
    if ((exit.kind === "finished" && execution?.parentId) || (exit.kind === "suspended" && exit.onEvents)) this.notify();
    execution?.observation?.runEnded(runEnd(exit, !this.running, this.host.serializer));
    this.executions.delete(runId);
    this.leaseDeadlines.delete(runId);
    if (exit.kind === "abandoned" && this.running && !(exit.reason instanceof LeaseLostError)) {
      // While the store is down every held run is dropped; the outage is logged once, not per run.
      if (exit.reason instanceof StoreUnavailableError) this.outage.failed(`writing run "${runId}"`, exit.reason);
      else this.logger.warn(`run "${runId}" was dropped from memory`, { reason: exit.reason });
      // Hand it back at once rather than making everyone wait for the lease to lapse.
      void this.store.releaseRuns(this.id, [runId]).catch(() => {});
    }
    this.onRunExit(runId, exit);
    if (this.admission.left(runId, exit)) this.notify();
    else this.slotFreed();
  }

  private slotFreed(): void {
    if (this.short) this.notify();
  }
}

const HINT_RECHECK_MS = 20;

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`startWorker(): ${name} must be a whole number of at least 1; got ${value}.`);
  }
  return value;
}

/** Definitions by name: each must come from `<kind>()`, and one name may not name two different ones. */
function byName<T extends { readonly kind: string; readonly name: string }>(definitions: readonly T[], kind: T["kind"], option: string): Map<string, T> {
  const found = new Map<string, T>();
  for (const definition of definitions) {
    if ((definition as Partial<T> | undefined)?.kind !== kind) {
      throw new InvalidArgumentError(`startWorker(): every entry of ${option} must be a definition returned by ${kind}().`);
    }
    const existing = found.get(definition.name);
    if (existing && existing !== definition) {
      throw new InvalidArgumentError(`startWorker(): two different ${option} are named "${definition.name}"; give each a unique name.`);
    }
    found.set(definition.name, definition);
  }
  return found;
}
