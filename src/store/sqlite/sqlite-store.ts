import Database from "better-sqlite3";
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ClosedError, TransactionMisuseError } from "../../api/errors.js";
import type { Transaction } from "../../api/transaction-types.js";
import { decodeCursor, decodeSeqCursor, encodeCursor, encodeSeqCursor, pageOf } from "../cursor.js";
import type {
  ClaimedRun,
  ClaimRequest,
  CreatedRun,
  HeldRun,
  JournalEntry,
  NewEvent,
  NewRun,
  RunCommit,
  RunOutcome,
  RunPage,
  RunQuery,
  RunRecord,
  RunStatus,
  SendResult,
  Store,
} from "../store.js";
import { FINISHED_STATUSES } from "../store.js";
import { ConnectionGate } from "./connection-gate.js";
import { migrate } from "./migrate.js";
import { forkOf, type InboxRow, type JournalColumns, journalEntryOf, type JournalRow, newRunRow, type RunRow, toInboxEvent, toJournalEntry, toRunRecord } from "../rows.js";
import { SqliteTransaction } from "./sqlite-transaction.js";
import { childNoticeName, type ForkRunResult, type HistoryEntry, RETRYABLE_STATUSES, type RetryRunResult } from "../retry-store.js";
import { ADMISSION_SCAN, type QueueLimits, type QueueState } from "../queue-store.js";
import { chooseAdmissions, keysToCount, queueColumns, type QueuedCandidate, type QueueRow, roomLeft, toQueueLimits } from "../queue-admission.js";
import { prepareQueueStatements } from "./queue-sql.js";
import type { FireRequest, FireResult, NewSchedule, ScheduleRecord } from "../schedule-store.js";
import { type ScheduleRow, toScheduleRecord } from "../schedule-rows.js";
import { prepareScheduleStatements } from "./schedule-statements.js";
import { FORGET_WORKERS_MS, type QueueUsage, statusCounts, toWorkerRecord, workerColumns, type WorkerHeartbeat, type WorkerRecord, type WorkerRow } from "../worker-registry.js";
import { prepareWorkerStatements } from "./worker-sql.js";
import { servedVersions } from "../version-pinning.js";
import type { AppendedEvent, DispatchRequest, DispatchResult, LogEventPage, LogEventQuery, LogEventRecord, NewLogEvent, NewTrigger, TriggerRecord, WebhookRecord } from "../event-log-store.js";
import { type LogEventRow, newEventColumns, toLogEventRecord, toTriggerRecord, toWebhookRecord, type TriggerRow, type WebhookRow } from "../event-log-rows.js";
import { prepareEventLogStatements } from "./event-log-statements.js";

export interface SqliteStoreOptions {
  /** `FULL` (default) makes every commit durable against power loss; `NORMAL` only against crashes. */
  synchronous?: "FULL" | "NORMAL";
  /** How long to wait for another process's write lock, in ms (default 10 s). */
  busyTimeoutMs?: number;
  /** The store's clock; leases and timers are measured by it. */
  clock?: () => number;
}

/**
 * The embedded store: one SQLite file in WAL mode, shareable by worker processes on one machine.
 * better-sqlite3 is synchronous, so each method runs to completion in one event-loop turn; write
 * transactions take the write lock up front (`BEGIN IMMEDIATE`) so concurrent processes queue
 * instead of failing on lock upgrades.
 *
 * A user transaction ({@link transaction}) is the exception: it stays open while the user's function
 * awaits, holding the connection and the database's one write lock. Meanwhile every other call of
 * this store waits (the {@link ConnectionGate}), and so do other processes' writes.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly clock: () => number;
  private readonly sql: ReturnType<typeof prepareStatements>;
  // One transaction wrapper, built once: better-sqlite3 makes several closures per wrapper.
  private readonly inWriteTransaction: <T>(body: () => T) => T;
  private readonly gate = new ConnectionGate();
  /** The user transaction holding the connection, and which async context runs inside it. */
  private openTransaction?: SqliteTransaction;
  private readonly transactionScope = new AsyncLocalStorage<SqliteTransaction>();
  private closed = false;
  private readonly scheduleSql: ReturnType<typeof prepareScheduleStatements>;
  private readonly queueSql: ReturnType<typeof prepareQueueStatements>;
  private readonly workerSql: ReturnType<typeof prepareWorkerStatements>;
  private readonly eventLogSql: ReturnType<typeof prepareEventLogStatements>;

  /** Opens (and creates or migrates) the database at `path`; `:memory:` for a throwaway store. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
    this.db.pragma("foreign_keys = ON");
    migrate(this.db);
    this.clock = options.clock ?? Date.now;
    this.sql = prepareStatements(this.db);
    this.scheduleSql = prepareScheduleStatements(this.db);
    this.queueSql = prepareQueueStatements(this.db);
    this.workerSql = prepareWorkerStatements(this.db);
    this.eventLogSql = prepareEventLogStatements(this.db);
    const transaction = this.db.transaction((body: () => unknown) => body()).immediate;
    this.inWriteTransaction = <T>(body: () => T) => transaction(body) as T;
  }

  async createRun(run: NewRun): Promise<CreatedRun> {
    return (await this.createRuns([run]))[0]!;
  }

  async createRuns(runs: readonly NewRun[]): Promise<CreatedRun[]> {
    return this.exclusive(() =>
      this.inWriteTransaction(() => {
        const now = this.clock();
        return runs.map((run) => {
          const inserted = this.insertRun(run, now);
          if (inserted) return { run: toRunRecord(inserted), created: true };
          return { run: toRunRecord(this.sql.getRun.get(run.id) as RunRow), created: false };
        });
      }),
    );
  }

  private insertRun(run: NewRun, now: number): RunRow | undefined {
    const row = newRunRow(run, now);
    return this.sql.insertRun.get({ ...row, tags: row.tags && JSON.stringify(row.tags) }) as RunRow | undefined;
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.exclusive(() => {
      const row = this.sql.getRun.get(id) as RunRow | undefined;
      return row && toRunRecord(row);
    });
  }

  async getJournal(id: string): Promise<JournalEntry[]> {
    return this.exclusive(() => {
      return (this.sql.getJournal.all(id) as JournalColumns[]).map(journalEntryOf);
    });
  }

  async listRuns(query: RunQuery): Promise<RunPage> {
    return this.exclusive(() => {
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const rows = this.sql.listRuns.all({
        status: query.status ?? null,
        workflow: query.workflow ?? null,
        tags: query.tags === undefined || query.tags.length === 0 ? null : JSON.stringify(query.tags),
        after_created: after?.createdAt ?? null,
        after_id: after?.id ?? null,
        limit: query.limit + 1,
      }) as RunRow[];
      const { items: runs, nextCursor } = pageOf(rows, query.limit, toRunRecord, encodeCursor);
      return { runs, nextCursor };
    });
  }

  async sendEvent(event: NewEvent): Promise<SendResult> {
    return this.exclusive(() => {
      return this.inWriteTransaction((): SendResult => {
        const run = this.sql.getRun.get(event.runId) as RunRow | undefined;
        if (!run) return { result: "missing" };
        const record = toRunRecord(run);
        if (FINISHED_STATUSES.has(record.status)) return { result: "finished", status: record.status };
        const now = this.clock();
        const inserted = this.sql.insertEvent.run({
          run_id: event.runId, name: event.name, payload: event.payload, key: event.key ?? null, now,
        }).changes === 1;
        if (!inserted) return { result: "duplicate" };
        if (record.status === "waiting" && record.waitingFor.includes(event.name)) {
          this.sql.wake.run({ id: event.runId, now });
        }
        return { result: "sent" };
      });
    });
  }

  async requestCancel(id: string, cancelledError: string): Promise<RunRecord | undefined> {
    return this.exclusive(() => {
      const row = this.sql.requestCancel.get({ id, now: this.clock(), error: cancelledError }) as RunRow | undefined;
      return row && toRunRecord(row);
    });
  }

  async registerWorkflows(names: readonly string[]): Promise<void> {
    return this.exclusive(() => {
      const now = this.clock();
      this.inWriteTransaction(() => {
        for (const name of names) this.sql.registerWorkflow.run({ name, now });
      });
    });
  }

  async knownWorkflows(): Promise<string[]> {
    return this.exclusive(() => {
      return (this.sql.knownWorkflows.all() as { name: string }[]).map((row) => row.name);
    });
  }

  async claimRuns(claim: ClaimRequest): Promise<ClaimedRun[]> {
    return this.exclusive(() => {
      const workflows = JSON.stringify(claim.workflows);
      const versions = JSON.stringify(servedVersions(claim));
      const find = () => this.sql.findDue.all({ now: this.clock(), workflows, versions, limit: claim.limit }) as Pick<RunRow, "id" | "status" | "lapses">[];
      // Look before taking the write lock: idle polls by many processes then never contend.
      if (find().length === 0) return [];
      return this.inWriteTransaction(() => {
        const now = this.clock();
        const claimed: ClaimedRun[] = [];
        for (const due of find()) {
          const lapsed = due.status === "running";
          const lapses = lapsed ? due.lapses + 1 : 0;
          if (lapsed && lapses >= claim.maxLapses) {
            this.sql.failCrashLoop.run({ id: due.id, lapses, error: claim.crashLoopError(due.id, lapses), now });
            continue;
          }
          const row = this.sql.claim.get({ id: due.id, owner: claim.workerId, lease_until: now + claim.leaseMs, lapses, now, version: claim.version ?? null }) as RunRow;
          claimed.push({
            run: toRunRecord(row),
            journal: (this.sql.getJournal.all(due.id) as JournalColumns[]).map(journalEntryOf),
            inbox: (this.sql.getInbox.all(due.id) as InboxRow[]).map(toInboxEvent),
          });
        }
        return claimed;
      });
    });
  }

  async renewLeases(workerId: string, ids: readonly string[], leaseMs: number): Promise<HeldRun[]> {
    return this.exclusive(() => {
      const rows = this.sql.renewLeases.all({ owner: workerId, ids: JSON.stringify(ids), lease_until: this.clock() + leaseMs }) as { id: string; cancel_requested: number }[];
      return rows.map((row) => ({ id: row.id, cancelRequested: row.cancel_requested === 1 }));
    });
  }

  async commit(workerId: string, commits: readonly RunCommit[]): Promise<boolean[]> {
    return this.exclusive(() => {
      return this.inWriteTransaction(() => {
        const now = this.clock();
        return commits.map((commit) => this.applyCommit(workerId, commit, now));
      });
    });
  }

  private applyCommit(workerId: string, commit: RunCommit, now: number): boolean {
    const fenced = this.sql.fence.run({
      id: commit.runId, owner: workerId, epoch: commit.epoch, now, cancel_delivered: commit.cancelDelivered ? 1 : 0,
    });
    if (fenced.changes === 0) return false;
    for (const entry of commit.entries) {
      this.sql.upsertEntry.run({
        run_id: commit.runId, position: entry.position, kind: entry.kind, name: entry.name, status: entry.status,
        output: entry.output, error: entry.error, attempts: entry.attempts, started_at: entry.startedAt,
        finished_at: entry.finishedAt, wake_at: entry.wakeAt, seq: entry.seq,
      });
    }
    for (const { eventSeq, position } of commit.consumed) {
      this.sql.consumeEvent.run({ seq: eventSeq, run_id: commit.runId, position });
    }
    // Before the outcome: a run that ends in this commit drops them again (runs_subscriptions_ended).
    for (const { position, eventType } of commit.subscriptions ?? []) {
      this.eventLogSql.subscribe.run({ run_id: commit.runId, position, event_type: eventType });
    }
    if (commit.outcome) this.applyOutcome(commit.runId, commit.outcome, now);
    return true;
  }

  private applyOutcome(id: string, outcome: RunOutcome, now: number): void {
    switch (outcome.status) {
      case "completed":
        this.sql.finish.run({ id, status: outcome.status, output: outcome.output, error: null, continued_to: outcome.continuedTo?.id ?? null, now });
        if (outcome.continuedTo) this.insertRun(outcome.continuedTo, now);
        return;
      case "failed":
      case "cancelled":
      case "blocked":
        this.sql.finish.run({ id, status: outcome.status, output: null, error: outcome.error, continued_to: null, now });
        return;
      case "waiting": {
        const waitingFor = JSON.stringify(outcome.waitingFor);
        // An event may have arrived since the run last looked at its inbox: then it is due at once.
        const eventWaiting = outcome.waitingFor.length > 0 && this.sql.hasEventFor.get({ id, names: waitingFor }) !== undefined;
        this.sql.suspend.run({ id, due_at: eventWaiting ? now : outcome.dueAt, waiting_for: waitingFor, now });
        return;
      }
    }
  }

  async releaseRuns(workerId: string, ids: readonly string[]): Promise<void> {
    return this.exclusive(() => {
      this.sql.release.run({ owner: workerId, ids: JSON.stringify(ids), now: this.clock() });
    });
  }

  async deleteFinishedRuns(finishedBefore: number, limit: number): Promise<number> {
    return this.exclusive(() =>
      this.inWriteTransaction(() => {
        const ids = JSON.stringify((this.sql.oldestFinished.all({ before: finishedBefore, limit }) as { id: string }[]).map((row) => row.id));
        this.sql.deleteJournals.run({ ids });
        this.sql.deleteInboxes.run({ ids });
        this.sql.deleteHistories.run({ ids });
        this.eventLogSql.deleteSubscriptions.run({ ids });
        return this.sql.deleteRuns.run({ ids }).changes;
      }),
    );
  }

  async transaction<T>(
    work: (tx: Transaction) => Promise<T>,
    journal?: (value: T) => { workerId: string; commit: RunCommit },
  ): Promise<{ value: T; applied: boolean }> {
    this.assertOpen();
    this.refuseInsideTransaction();
    await this.gate.acquire();
    const tx = new SqliteTransaction(this.db);
    this.openTransaction = tx;
    try {
      // A close() that came first while this transaction waited in line.
      if (!this.db.open) throw new ClosedError("The SQLite store");
      this.db.exec("BEGIN IMMEDIATE");
      const value = await this.transactionScope.run(tx, () => work(tx));
      // The journal writes are a group commit of one, in the user's transaction.
      let applied = true;
      if (journal) {
        const { workerId, commit } = journal(value);
        applied = this.applyCommit(workerId, commit, this.clock());
      }
      // A lost fence takes the user's writes back with it: they happen with the journal entry or not at all.
      this.db.exec(applied ? "COMMIT" : "ROLLBACK");
      return { value, applied };
    } catch (error) {
      // SQLite rolls back by itself after some errors (a full disk, for one).
      if (this.db.open && this.db.inTransaction) this.db.exec("ROLLBACK");
      throw error;
    } finally {
      tx.end();
      this.openTransaction = undefined;
      this.gate.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.refuseInsideTransaction();
    this.closed = true;
    // An open user transaction ends first: it is given the chance to commit.
    await this.gate.run(() => this.db.close());
  }

  /** Runs a store call on the connection now, or after the user transaction holding it. */
  private exclusive<T>(call: () => T): T | Promise<T> {
    this.assertOpen();
    if (this.gate.held) this.refuseInsideTransaction();
    return this.gate.run(call);
  }

  /** A call from inside the open transaction's function would wait for that transaction: forever. */
  private refuseInsideTransaction(): void {
    if (this.openTransaction === undefined || this.transactionScope.getStore() !== this.openTransaction) return;
    throw new TransactionMisuseError(
      "The store was called from inside one of its own transactions (a transaction() step or endure.transaction()), " +
        "where the call would wait for that transaction to end, forever. Inside a transaction, use only its tx; " +
        "call Endure once the transaction's function has returned.",
    );
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError("The SQLite store");
  }

  // ---- retry and fork (see RetryStore) ----------------------------------------------------------

  async retryRun(id: string, version?: string): Promise<RetryRunResult> {
    return this.exclusive(() =>
      this.inWriteTransaction((): RetryRunResult => {
        const row = this.sql.getRun.get(id) as RunRow | undefined;
        if (!row) return { result: "missing" };
        const run = toRunRecord(row);
        if (!RETRYABLE_STATUSES.has(run.status)) return { result: "not-retryable", status: run.status };
        return { result: "retried", run: this.retryInTransaction(run, this.clock(), version ?? null) };
      }),
    );
  }

  /** Rewinds a failed run's journal (a blocked run's stays whole) and makes the run pending, re-pinned to `version` if given. */
  private retryInTransaction(run: RunRecord, now: number, version: string | null): RunRecord {
    const from = run.status === "failed" ? (this.sql.rewindPoint.get(run.id) as { position: number | null }).position : null;
    if (from !== null) {
      const at = { run_id: run.id, position: from };
      this.sql.moveToHistory.run({ ...at, retry: run.retries + 1 });
      this.sql.deleteJournalFrom.run(at);
      this.sql.reopenEvents.run(at);
      for (const child of (this.sql.childrenFrom.all(at) as RunRow[]).map(toRunRecord)) {
        const notice = { run_id: run.id, name: childNoticeName(child.parentPosition!), position: child.parentPosition };
        this.sql.consumeNotices.run(notice);
        if (child.status === "failed") this.retryInTransaction(child, now, version);
        else if (child.status === "completed" || child.status === "cancelled") this.sql.reopenNewestNotice.run(notice);
      }
    }
    return toRunRecord(this.sql.retry.get({ id: run.id, now, version }) as RunRow);
  }

  async forkRun(sourceId: string, newId: string, fromPosition: number): Promise<ForkRunResult> {
    return this.exclusive(() =>
      this.inWriteTransaction((): ForkRunResult => {
        const row = this.sql.getRun.get(sourceId) as RunRow | undefined;
        if (!row) return { result: "missing" };
        const journalLength = (this.sql.journalLength.get(sourceId) as { length: number }).length;
        if (fromPosition > journalLength) return { result: "position-out-of-range", journalLength };
        const inserted = this.insertRun(forkOf(toRunRecord(row), newId), this.clock());
        if (!inserted) return { result: "id-taken" };
        this.sql.copyJournal.run({ source: sourceId, fork: newId, position: fromPosition });
        return { result: "forked", run: toRunRecord(inserted) };
      }),
    );
  }

  async getJournalHistory(id: string): Promise<HistoryEntry[]> {
    return this.exclusive(() =>
      (this.sql.getHistory.all(id) as (JournalRow & { retry: number })[]).map((row) => ({ retry: row.retry, ...toJournalEntry(row) })),
    );
  }

  // ---- queues ----

  async registerQueues(queues: readonly QueueLimits[]): Promise<void> {
    return this.exclusive(() => {
      const now = this.clock();
      this.inWriteTransaction(() => {
        for (const queue of queues) this.queueSql.upsertQueue.run({ ...queueColumns(queue), now });
      });
    });
  }

  async knownQueues(): Promise<string[]> {
    return this.exclusive(() => this.queueSql.knownQueues.all() as string[]);
  }

  async admitQueued(queues: readonly string[]): Promise<number> {
    return this.exclusive(() => {
      let admitted = 0;
      for (const queue of queues) {
        // Look before taking the write lock: polls that find nothing to admit never contend.
        if (this.admissionsDue(queue, this.clock()).length === 0) continue;
        admitted += this.inWriteTransaction(() => {
          const now = this.clock();
          const ids = this.admissionsDue(queue, now);
          return this.queueSql.admit.run({ ids: JSON.stringify(ids), now }).changes;
        });
      }
      return admitted;
    });
  }

  /** The queued runs the queue's limits let in now; the write transaction makes it the only admitter. */
  private admissionsDue(queue: string, now: number): string[] {
    const row = this.queueSql.getQueue.get(queue) as QueueRow | undefined;
    if (!row) return [];
    const limits = toQueueLimits(row);
    const active = this.queueSql.countActive.get(queue) as number;
    const recent = limits.rateLimit === null ? 0 : (this.queueSql.countAdmittedSince.get({ queue, since: now - limits.rateLimit.periodMs }) as number);
    const room = roomLeft(limits, active, recent, ADMISSION_SCAN);
    if (room === 0) return [];
    const candidates = this.queueSql.queuedHead.all({ queue, now, scan: ADMISSION_SCAN }) as QueuedCandidate[];
    const keys = keysToCount(limits, candidates);
    const activeByKey = new Map(keys.length === 0 ? [] : (this.queueSql.activeByKey.all({ queue, keys: JSON.stringify(keys) }) as { key: string; n: number }[])
      .map((counted) => [counted.key, counted.n]));
    return chooseAdmissions(limits, candidates, activeByKey, room);
  }

  async queueStates(): Promise<QueueState[]> {
    return this.exclusive(() => (this.queueSql.queues.all() as QueueRow[]).map((row) => ({
      ...toQueueLimits(row),
      queued: this.queueSql.countQueued.get(row.name) as number,
      active: this.queueSql.countActive.get(row.name) as number,
    })));
  }

  // ---- worker registry ---------------------------------------------------------------------------

  async heartbeatWorker(worker: WorkerHeartbeat): Promise<void> {
    return this.exclusive(() => {
      const now = this.clock();
      this.inWriteTransaction(() => {
        this.workerSql.upsertWorker.run(...workerColumns(worker, now), now);
        this.workerSql.forgetSilentWorkers.run(now - FORGET_WORKERS_MS);
      });
    });
  }

  async removeWorker(id: string): Promise<void> {
    return this.exclusive(() => void this.workerSql.removeWorker.run(id));
  }

  async listWorkers(): Promise<WorkerRecord[]> {
    return this.exclusive(() => (this.workerSql.listWorkers.all() as WorkerRow[]).map(toWorkerRecord));
  }

  async countRunsByStatus(): Promise<Record<RunStatus, number>> {
    return this.exclusive(() => statusCounts(this.workerSql.countByStatus.all() as { status: string; n: number }[]));
  }

  async queueUsage(queue: string, key: string | null): Promise<QueueUsage | undefined> {
    return this.exclusive(() => {
      const row = this.queueSql.getQueue.get(queue) as QueueRow | undefined;
      if (!row) return undefined;
      const limits = toQueueLimits(row);
      const keyRow = key === null ? undefined : (this.queueSql.activeByKey.get({ queue, keys: JSON.stringify([key]) }) as { n: number } | undefined);
      return {
        ...limits,
        queued: this.queueSql.countQueued.get(queue) as number,
        active: this.queueSql.countActive.get(queue) as number,
        keyActive: key === null ? null : (keyRow?.n ?? 0),
        admittedInWindow: limits.rateLimit === null ? null : (this.queueSql.countAdmittedSince.get({ queue, since: this.clock() - limits.rateLimit.periodMs }) as number),
      };
    });
  }

  // ---- schedules ---------------------------------------------------------------------------------

  async upsertSchedule(schedule: NewSchedule, nextTick: (now: number) => number | null): Promise<ScheduleRecord> {
    return this.exclusive(() => {
      const now = this.clock();
      const { catchUp, ...columns } = schedule;
      return toScheduleRecord(this.scheduleSql.upsert.get({ ...columns, catch_up: catchUp, next_at: nextTick(now), now }) as ScheduleRow);
    });
  }

  async getSchedule(name: string): Promise<ScheduleRecord | undefined> {
    return this.exclusive(() => {
      const row = this.scheduleSql.get.get(name) as ScheduleRow | undefined;
      return row && toScheduleRecord(row);
    });
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return this.exclusive(() => (this.scheduleSql.list.all() as ScheduleRow[]).map(toScheduleRecord));
  }

  async pauseSchedule(name: string): Promise<ScheduleRecord | undefined> {
    return this.exclusive(() => {
      const row = this.scheduleSql.pause.get({ name, now: this.clock() }) as ScheduleRow | undefined;
      return row && toScheduleRecord(row);
    });
  }

  async resumeSchedule(name: string, nextTick: (now: number) => number | null): Promise<ScheduleRecord | undefined> {
    return this.exclusive(() => {
      const now = this.clock();
      const row = (this.scheduleSql.resume.get({ name, next_at: nextTick(now), now }) ?? this.scheduleSql.get.get(name)) as ScheduleRow | undefined;
      return row && toScheduleRecord(row);
    });
  }

  async deleteSchedule(name: string): Promise<boolean> {
    return this.exclusive(() => this.scheduleSql.delete.run(name).changes === 1);
  }

  async fireSchedules(request: FireRequest): Promise<FireResult> {
    return this.exclusive(() => {
      const workflows = JSON.stringify(request.workflows);
      const findDue = (now: number) => (this.scheduleSql.findDue.all({ now, workflows, limit: request.limit }) as ScheduleRow[]).map(toScheduleRecord);
      // Look before taking the write lock, as claims do: idle polls never contend.
      const created = findDue(this.clock()).length === 0 ? [] : this.inWriteTransaction(() => {
        const now = this.clock();
        const runs: RunRecord[] = [];
        for (const schedule of findDue(now)) {
          const firing = request.plan(schedule, now);
          for (const run of firing.runs) {
            const inserted = this.insertRun(run, now);
            if (inserted) runs.push(toRunRecord(inserted));
          }
          this.scheduleSql.advance.run({ name: schedule.name, next_at: firing.nextAt, last_at: firing.lastAt, now });
        }
        return runs;
      });
      const earliest = this.scheduleSql.earliest.get({ workflows }) as { next_at: number } | undefined;
      return { created, nextAt: earliest?.next_at ?? null, now: this.clock() };
    });
  }

  // ---- event log ---------------------------------------------------------------------------------

  async appendEvents(events: readonly NewLogEvent[]): Promise<AppendedEvent[]> {
    return this.exclusive(() =>
      this.inWriteTransaction(() => {
        const now = this.clock();
        return events.map((event): AppendedEvent => {
          const inserted = this.eventLogSql.append.get(newEventColumns(event, now)) as LogEventRow | undefined;
          if (inserted) return { event: toLogEventRecord(inserted), duplicate: false };
          return { event: toLogEventRecord(this.eventLogSql.eventByKey.get(event.key) as LogEventRow), duplicate: true };
        });
      }),
    );
  }

  async getEvent(seq: number): Promise<LogEventRecord | undefined> {
    return this.exclusive(() => {
      const row = this.eventLogSql.getEvent.get(seq) as LogEventRow | undefined;
      return row && toLogEventRecord(row);
    });
  }

  async listEvents(query: LogEventQuery): Promise<LogEventPage> {
    return this.exclusive(() => {
      const { type, source } = query;
      const sql = this.eventLogSql;
      const statement = type === undefined
        ? (source === undefined ? sql.listEvents : sql.listEventsFromSource)
        : (source === undefined ? sql.listEventsOfType : sql.listEventsOfTypeFromSource);
      const before = query.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeSeqCursor(query.cursor);
      const rows = statement.all({ ...(type === undefined ? {} : { type }), ...(source === undefined ? {} : { source }), before, limit: query.limit + 1 }) as LogEventRow[];
      const { items: events, nextCursor } = pageOf(rows, query.limit, toLogEventRecord, (last) => encodeSeqCursor(last.seq));
      return { events, nextCursor };
    });
  }

  async deleteOldEvents(receivedBefore: number, limit: number): Promise<number> {
    return this.exclusive(() => this.inWriteTransaction(() => this.eventLogSql.deleteOldEvents.run({ before: receivedBefore, limit }).changes));
  }

  async eventLogHead(): Promise<number> {
    return this.exclusive(() => this.eventLogSql.head.get() as number);
  }

  async registerTriggers(triggers: readonly NewTrigger[]): Promise<void> {
    return this.exclusive(() => {
      const now = this.clock();
      this.inWriteTransaction(() => {
        for (const trigger of triggers) {
          this.eventLogSql.registerTrigger.run({ name: trigger.name, event_type: trigger.eventType, workflow: trigger.workflow, now });
        }
      });
    });
  }

  async listTriggers(): Promise<TriggerRecord[]> {
    return this.exclusive(() => (this.eventLogSql.listTriggers.all() as TriggerRow[]).map(toTriggerRecord));
  }

  async dispatchEvents(request: DispatchRequest): Promise<DispatchResult> {
    return this.exclusive(() => {
      const result: DispatchResult = { created: [], more: false };
      // Look before taking the write lock, as claims do: idle polls never contend.
      const pending = this.eventLogSql.pendingTriggers.all({ names: JSON.stringify(request.triggers) }) as string[];
      for (const name of pending) {
        // Each trigger in its own transaction: the write lock makes this the only dispatcher.
        this.inWriteTransaction(() => {
          const trigger = toTriggerRecord(this.eventLogSql.getTrigger.get(name) as TriggerRow);
          const events = (this.eventLogSql.nextEvents.all({ type: trigger.eventType, cursor: trigger.cursor, name, limit: request.limit }) as LogEventRow[])
            .map(toLogEventRecord);
          if (events.length === 0) return;
          const now = this.clock();
          for (const run of request.plan(trigger, events)) {
            const inserted = this.insertRun(run, now);
            if (inserted) result.created.push(toRunRecord(inserted));
          }
          this.eventLogSql.moveCursor.run({ name, cursor: events.at(-1)!.seq, now });
          result.more ||= events.length === request.limit;
        });
      }
      return result;
    });
  }

  async upsertWebhooks(webhooks: readonly Pick<WebhookRecord, "name" | "definition">[]): Promise<void> {
    return this.exclusive(() => {
      const now = this.clock();
      this.inWriteTransaction(() => {
        for (const { name, definition } of webhooks) this.eventLogSql.upsertWebhook.run({ name, definition, now });
      });
    });
  }

  async getWebhook(name: string): Promise<WebhookRecord | undefined> {
    return this.exclusive(() => {
      const row = this.eventLogSql.getWebhook.get(name) as WebhookRow | undefined;
      return row && toWebhookRecord(row);
    });
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    return this.exclusive(() => (this.eventLogSql.listWebhooks.all() as WebhookRow[]).map(toWebhookRecord));
  }
}

function prepareStatements(db: Database.Database) {
  const finishedList = [...FINISHED_STATUSES].map((status) => `'${status}'`).join(", ");
  return {
    insertRun: db.prepare(`
      INSERT INTO runs (id, workflow, status, input, created_at, updated_at, due_at, owner, epoch, started_at,
        parent_id, parent_position, tags, timeout_ms, queue, concurrency_key, priority, admit_at, continued_from, forked_from, trace_context, version)
      VALUES (@id, @workflow, @status, @input, @now, @now, @due_at, @owner, @epoch, @started_at,
        @parent_id, @parent_position, @tags, @timeout_ms, @queue, @concurrency_key, @priority, @admit_at, @continued_from, @forked_from, @trace_context, @version)
      ON CONFLICT (id) DO NOTHING
      RETURNING *`),
    getRun: db.prepare(`SELECT * FROM runs WHERE id = ?`),
    // Rows as arrays: a claim may load a journal of many thousands of entries, and objects with
    // named columns take twice as long to build.
    getJournal: db.prepare(`
      SELECT position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq
      FROM journal WHERE run_id = ? ORDER BY position`).raw(true),
    getInbox: db.prepare(`SELECT seq, name, payload, sent_at FROM inbox WHERE run_id = ? AND consumed_position IS NULL ORDER BY seq`),
    listRuns: db.prepare(`
      SELECT * FROM runs
      WHERE (@status IS NULL OR status = @status)
        AND (@workflow IS NULL OR workflow = @workflow)
        AND (@tags IS NULL OR NOT EXISTS (SELECT value FROM json_each(@tags) EXCEPT SELECT value FROM json_each(runs.tags)))
        AND (@after_created IS NULL OR (created_at, id) < (@after_created, @after_id))
      ORDER BY created_at DESC, id DESC
      LIMIT @limit`),
    insertEvent: db.prepare(`
      INSERT INTO inbox (run_id, name, payload, key, sent_at) VALUES (@run_id, @name, @payload, @key, @now)
      ON CONFLICT (run_id, key) WHERE key IS NOT NULL DO NOTHING`),
    wake: db.prepare(`UPDATE runs SET due_at = @now, updated_at = @now WHERE id = @id AND status = 'waiting'`),
    requestCancel: db.prepare(`
      UPDATE runs SET
        cancel_requested = 1,
        updated_at = @now,
        status      = CASE WHEN status IN ('pending', 'queued') AND started_at IS NULL THEN 'cancelled' ELSE status END,
        error       = CASE WHEN status IN ('pending', 'queued') AND started_at IS NULL THEN @error ELSE error END,
        finished_at = CASE WHEN status IN ('pending', 'queued') AND started_at IS NULL THEN @now ELSE finished_at END,
        due_at      = CASE WHEN status IN ('pending', 'queued') AND started_at IS NULL THEN NULL
                           WHEN status = 'waiting' THEN @now ELSE due_at END
      WHERE id = @id AND status NOT IN (${finishedList})
      RETURNING *`),
    registerWorkflow: db.prepare(`INSERT INTO workflows (name, registered_at) VALUES (@name, @now) ON CONFLICT (name) DO NOTHING`),
    knownWorkflows: db.prepare(`SELECT name FROM workflows ORDER BY name`),
    findDue: db.prepare(`
      -- "+workflow" keeps the planner on runs_due: the workflow index would scan every past run.
      -- @versions: the pinned versions the worker serves (see version-pinning.ts).
      SELECT id, status, lapses FROM runs
      WHERE due_at <= @now AND +workflow IN (SELECT value FROM json_each(@workflows))
        AND (version IS NULL OR version IN (SELECT value FROM json_each(@versions)))
      ORDER BY due_at LIMIT @limit`),
    claim: db.prepare(`
      UPDATE runs SET status = 'running', owner = @owner, epoch = epoch + 1, due_at = @lease_until, version = COALESCE(version, @version),
        lapses = @lapses, started_at = COALESCE(started_at, @now), updated_at = @now, waiting_for = NULL
      WHERE id = @id
      RETURNING *`),
    renewLeases: db.prepare(`
      UPDATE runs SET due_at = @lease_until
      WHERE id IN (SELECT value FROM json_each(@ids)) AND +owner = @owner AND +status = 'running'
      RETURNING id, cancel_requested`),
    fence: db.prepare(`
      UPDATE runs SET lapses = 0, updated_at = @now, cancel_delivered = MAX(cancel_delivered, @cancel_delivered)
      WHERE id = @id AND owner = @owner AND epoch = @epoch AND status = 'running'`),
    upsertEntry: db.prepare(`
      INSERT INTO journal (run_id, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq)
      VALUES (@run_id, @position, @kind, @name, @status, @output, @error, @attempts, @started_at, @finished_at, @wake_at, @seq)
      ON CONFLICT (run_id, position) DO UPDATE SET
        status = excluded.status, output = excluded.output, error = excluded.error, attempts = excluded.attempts,
        started_at = excluded.started_at, finished_at = excluded.finished_at, wake_at = excluded.wake_at, seq = excluded.seq`),
    consumeEvent: db.prepare(`UPDATE inbox SET consumed_position = @position WHERE seq = @seq AND run_id = @run_id`),
    finish: db.prepare(`
      UPDATE runs SET status = @status, output = @output, error = @error, finished_at = @now, updated_at = @now,
        due_at = NULL, owner = NULL, waiting_for = NULL, continued_to = @continued_to
      WHERE id = @id`),
    failCrashLoop: db.prepare(`
      UPDATE runs SET status = 'failed', error = @error, lapses = @lapses, finished_at = @now, updated_at = @now,
        due_at = NULL, owner = NULL, waiting_for = NULL
      WHERE id = @id`),
    hasEventFor: db.prepare(`
      SELECT 1 FROM inbox WHERE run_id = @id AND consumed_position IS NULL
        AND name IN (SELECT value FROM json_each(@names)) LIMIT 1`),
    suspend: db.prepare(`
      UPDATE runs SET status = 'waiting', owner = NULL, waiting_for = @waiting_for, updated_at = @now,
        due_at = CASE WHEN cancel_requested = 1 AND cancel_delivered = 0 THEN @now ELSE @due_at END
      WHERE id = @id`),
    release: db.prepare(`
      UPDATE runs SET status = 'pending', owner = NULL, due_at = @now, updated_at = @now
      WHERE id IN (SELECT value FROM json_each(@ids)) AND +owner = @owner AND +status = 'running'`),
    oldestFinished: db.prepare(`
      SELECT id FROM runs WHERE finished_at < @before AND status IN (${finishedList})
      ORDER BY finished_at LIMIT @limit`),
    deleteJournals: db.prepare(`DELETE FROM journal WHERE run_id IN (SELECT value FROM json_each(@ids))`),
    deleteInboxes: db.prepare(`DELETE FROM inbox WHERE run_id IN (SELECT value FROM json_each(@ids))`),
    deleteRuns: db.prepare(`DELETE FROM runs WHERE id IN (SELECT value FROM json_each(@ids))`),

    // ---- retry and fork ----
    deleteHistories: db.prepare(`DELETE FROM journal_history WHERE run_id IN (SELECT value FROM json_each(@ids))`),
    rewindPoint: db.prepare(`SELECT min(position) AS position FROM journal WHERE run_id = ? AND status = 'failed' AND kind IN ('step', 'child')`),
    moveToHistory: db.prepare(`
      INSERT INTO journal_history (run_id, retry, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq)
      SELECT run_id, @retry, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq
      FROM journal WHERE run_id = @run_id AND position >= @position`),
    deleteJournalFrom: db.prepare(`DELETE FROM journal WHERE run_id = @run_id AND position >= @position`),
    // Child runs' notices are dealt with child by child (see RetryStore.retryRun).
    reopenEvents: db.prepare(`
      UPDATE inbox SET consumed_position = NULL
      WHERE run_id = @run_id AND consumed_position >= @position AND name NOT LIKE 'endure:child:%'`),
    // A child that continued as new is followed by its successor, at the same position.
    childrenFrom: db.prepare(`
      SELECT * FROM runs WHERE parent_id = @run_id AND parent_position >= @position AND continued_to IS NULL
      ORDER BY parent_position`),
    consumeNotices: db.prepare(`
      UPDATE inbox SET consumed_position = @position WHERE run_id = @run_id AND name = @name AND consumed_position IS NULL`),
    reopenNewestNotice: db.prepare(`
      UPDATE inbox SET consumed_position = NULL
      WHERE seq = (SELECT max(seq) FROM inbox WHERE run_id = @run_id AND name = @name)`),
    retry: db.prepare(`
      UPDATE runs SET updated_at = @now, output = NULL, error = NULL, finished_at = NULL, owner = NULL, waiting_for = NULL,
        lapses = 0, retries = retries + 1, version = COALESCE(@version, version),
        -- Counted again from its new start (a timeout included).
        started_at = NULL,
        -- A run of a queue goes back into it, to be admitted within its limits again.
        status = CASE WHEN queue IS NULL THEN 'pending' ELSE 'queued' END,
        due_at = CASE WHEN queue IS NULL THEN @now END,
        admit_at = CASE WHEN queue IS NULL THEN admit_at ELSE @now END,
        admitted_at = CASE WHEN queue IS NULL THEN admitted_at END
      WHERE id = @id
      RETURNING *`),
    journalLength: db.prepare(`SELECT COALESCE(max(position) + 1, 0) AS length FROM journal WHERE run_id = ?`),
    copyJournal: db.prepare(`
      INSERT INTO journal (run_id, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq)
      SELECT @fork, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq
      FROM journal WHERE run_id = @source AND status IN ('completed', 'failed') AND position < @position`),
    getHistory: db.prepare(`SELECT * FROM journal_history WHERE run_id = ? ORDER BY retry, position`),
  };
}
