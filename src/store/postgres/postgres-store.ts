import { createHash } from "node:crypto";
import pg from "pg";
import { ClosedError } from "../../api/errors.js";
import type { Transaction } from "../../api/transaction-types.js";
import { decodeCursor, decodeSeqCursor, encodeCursor, encodeSeqCursor, pageOf } from "../cursor.js";
import { forkOf, type InboxRow, type JournalColumns, journalEntryOf, type JournalRow, newRunRow, type RunRow, toInboxEvent, toJournalEntry, toRunRecord } from "../rows.js";
import type {
  ClaimedRun,
  ClaimRequest,
  CreatedRun,
  HeldRun,
  JournalEntry,
  NewEvent,
  NewRun,
  RunCommit,
  RunPage,
  RunQuery,
  RunRecord,
  RunStatus,
  SendResult,
  Store,
} from "../store.js";
import { FINISHED_STATUSES } from "../store.js";
import { parsePostgresUrl, type PostgresUrl } from "./connection-url.js";
import { CommitBatch } from "./commit-batch.js";
import { DatabaseClock } from "./database-clock.js";
import { translatePgError } from "./errors.js";
import { migrate } from "./migrate.js";
import { PostgresTransaction } from "./postgres-transaction.js";
import { type Statements, statements } from "./sql.js";
import { WakeListener } from "./wake-listener.js";
import { childNoticeName, type ForkRunResult, type HistoryEntry, RETRYABLE_STATUSES, type RetryRunResult } from "../retry-store.js";
import { ADMISSION_SCAN, type QueueLimits, type QueueState } from "../queue-store.js";
import { chooseAdmissions, keysToCount, queueColumns, type QueuedCandidate, type QueueRow, roomLeft, toQueueLimits } from "../queue-admission.js";
import { queueStatements } from "./queue-sql.js";
import type { FireRequest, FireResult, NewSchedule, ScheduleRecord } from "../schedule-store.js";
import { type ScheduleRow, toScheduleRecord } from "../schedule-rows.js";
import { scheduleStatements } from "./schedule-sql.js";
import { FORGET_WORKERS_MS, type QueueUsage, statusCounts, toWorkerRecord, workerColumns, type WorkerHeartbeat, type WorkerRecord, type WorkerRow } from "../worker-registry.js";
import { workerStatements } from "./worker-sql.js";
import { servedVersions } from "../version-pinning.js";
import type { AppendedEvent, DispatchRequest, DispatchResult, LogEventPage, LogEventQuery, LogEventRecord, NewLogEvent, NewTrigger, TriggerRecord, WebhookRecord } from "../event-log-store.js";
import { type LogEventRow, newEventColumns, toLogEventRecord, toTriggerRecord, toWebhookRecord, type TriggerRow, type WebhookRow } from "../event-log-rows.js";
import { eventLogStatements } from "./event-log-sql.js";

export interface PostgresStoreOptions {
  /** The store's clock; leases and due times are measured by it. Default: the database server's clock. */
  clock?: () => number;
  /** How long to wait for a connection before failing a call, in ms (default 5 s). */
  connectTimeoutMs?: number;
}

type Query = (text: string, params?: unknown[]) => Promise<pg.QueryResult>;

/**
 * The shared store: one PostgreSQL database (in its own schema) for any number of worker and
 * client processes on any number of machines.
 *
 * Workers claim due runs with `FOR UPDATE SKIP LOCKED`, so concurrent claims take different runs
 * instead of queueing; a trigger NOTIFYs when a run becomes due, which `watchDue` turns into an
 * immediate claim (polling stays the safety net). Every journal write is fenced by owner and epoch
 * in the same transaction. Calls that fail because the server is unreachable reject with
 * `StoreUnavailableError` and wrote nothing; the pool reconnects by itself.
 */
export class PostgresStore implements Store {
  private readonly sql: Statements;
  private readonly databaseClock: DatabaseClock;
  private readonly clock: () => number;
  private readonly wakeListener: WakeListener;
  /** The channel `watchDue` listens on (the migrations' notify_due trigger NOTIFYs it too). */
  private readonly wakeChannel: string;
  private closed = false;
  private readonly scheduleSql: ReturnType<typeof scheduleStatements>;
  private readonly eventLogSql: ReturnType<typeof eventLogStatements>;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: PostgresUrl,
    config: pg.ClientConfig,
    options: PostgresStoreOptions,
  ) {
    this.sql = statements(url.schema);
    this.scheduleSql = scheduleStatements(url.schema);
    this.eventLogSql = eventLogStatements(url.schema);
    this.databaseClock = new DatabaseClock(pool);
    this.clock = options.clock ?? this.databaseClock.now;
    this.wakeChannel = `endure_due_${url.schema}`;
    this.wakeListener = new WakeListener(config, this.wakeChannel);
  }

  /**
   * Connects to the database a `postgres://` URL names and creates or migrates Endure's schema
   * (`?schema=`, default `endure`). `?pool=` bounds the connections (default 10).
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const parsed = parsePostgresUrl(url);
    const config: pg.ClientConfig = {
      connectionString: parsed.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      keepAlive: true,
      application_name: "endure",
      // Endure's statements are prepared once per connection and planned once (see `prepared`);
      // a fresh plan per call would cost the group commit's statement more than running it. Plans
      // keep to indexes and nested loops, whatever the tables' size when planned (see
      // `statements`); user transactions get the server's settings back (USER_TRANSACTION_BEGIN).
      options: SESSION_OPTIONS,
    };
    const pool = new pg.Pool({ ...config, max: parsed.poolSize, idleTimeoutMillis: 30_000 });
    // An idle connection the server dropped (restart, failover) is only discarded; the next call
    // opens a new one. Without a listener, node-postgres would crash the process.
    pool.on("error", () => {});
    const store = new PostgresStore(pool, parsed, config, options);
    try {
      await store.withClient((client) => migrate(client, parsed.schema));
      if (!options.clock) await store.databaseClock.start();
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return store;
  }

  async createRun(run: NewRun): Promise<CreatedRun> {
    return (await this.createRuns([run]))[0]!;
  }

  async createRuns(runs: readonly NewRun[]): Promise<CreatedRun[]> {
    return await this.guard(async (query) => {
      const created = new Map((await this.insertRuns(query, runs, this.clock())).map((row) => [row.id, toRunRecord(row)]));
      const missing = runs.filter((run) => !created.has(run.id)).map((run) => run.id);
      const existing = missing.length === 0 ? new Map<string, RunRecord>()
        : new Map(((await query(this.sql.getRuns, [missing])).rows as RunRow[]).map((row) => [row.id, toRunRecord(row)]));
      // The first of a batch's runs with an id created it; any later one with that id gets it as existing.
      const taken = new Set<string>();
      return runs.map(({ id }) => {
        const mine = created.get(id);
        const first = mine !== undefined && !taken.has(id);
        taken.add(id);
        return { run: mine ?? existing.get(id)!, created: first };
      });
    });
  }

  /** Inserts runs whose ids are free; returns the rows it inserted. */
  private async insertRuns(query: Query, runs: readonly NewRun[], now: number): Promise<RunRow[]> {
    return runs.length === 0 ? [] : ((await query(this.sql.insertRuns, insertRunsParams(runs, now))).rows as RunRow[]);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return await this.guard(async (query) => {
      const { rows } = await query(this.sql.getRun, [id]);
      return rows[0] && toRunRecord(rows[0] as RunRow);
    });
  }

  async getJournal(id: string): Promise<JournalEntry[]> {
    return await this.guard(async (query) => (await query(this.sql.getJournal, [id])).rows.map((row) => toJournalEntry(row as JournalRow)));
  }

  async listRuns(query: RunQuery): Promise<RunPage> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    return await this.inTransaction(async (run) => {
      // Planned for each call's filters, against the store's generic plans: one plan for all would
      // walk every run for a rare status, workflow or tag (each has an index of its own).
      await run(CUSTOM_PLANS);
      const { rows } = await run(this.sql.listRuns, [
        query.status ?? null, query.workflow ?? null, after?.createdAt ?? null, after?.id ?? null, query.limit + 1,
        query.tags === undefined || query.tags.length === 0 ? null : [...query.tags],
      ]);
      const { items: runs, nextCursor } = pageOf(rows as RunRow[], query.limit, toRunRecord, encodeCursor);
      return { runs, nextCursor };
    });
  }

  async sendEvent(event: NewEvent): Promise<SendResult> {
    return await this.inTransaction(async (query): Promise<SendResult> => {
      // The row lock orders this against a worker suspending the run (see `suspend`).
      const { rows } = await query(this.sql.lockRun, [event.runId]);
      if (!rows[0]) return { result: "missing" };
      const run = toRunRecord(rows[0] as RunRow);
      if (FINISHED_STATUSES.has(run.status)) return { result: "finished", status: run.status };
      const now = this.clock();
      const inserted = await query(this.sql.insertEvent, [event.runId, event.name, event.payload, event.key ?? null, now]);
      if (inserted.rowCount !== 1) return { result: "duplicate" };
      if (run.status === "waiting" && run.waitingFor.includes(event.name)) await query(this.sql.wake, [event.runId, now]);
      return { result: "sent" };
    });
  }

  async requestCancel(id: string, cancelledError: string): Promise<RunRecord | undefined> {
    return await this.guard(async (query) => {
      const { rows } = await query(this.sql.requestCancel, [id, this.clock(), cancelledError]);
      return rows[0] && toRunRecord(rows[0] as RunRow);
    });
  }

  async registerWorkflows(names: readonly string[]): Promise<void> {
    await this.guard((query) => query(this.sql.registerWorkflows, [[...names], this.clock()]));
  }

  async knownWorkflows(): Promise<string[]> {
    return await this.guard(async (query) => (await query(this.sql.knownWorkflows)).rows.map((row) => (row as { name: string }).name));
  }

  async claimRuns(claim: ClaimRequest): Promise<ClaimedRun[]> {
    // Parsed and planned anew on each call (generically, with the statistics of now): which index
    // finds due runs best depends on how many runs there are now.
    return await this.guard(async (query) => {
      const now = this.clock();
      const { rows } = await query(this.sql.claim, [
        now, [...claim.workflows], claim.limit, claim.workerId, now + claim.leaseMs, claim.maxLapses, servedVersions(claim), claim.version ?? null,
      ]);
      if (rows.length === 0) return [];
      const claimed: RunRow[] = [];
      for (const row of rows as (RunRow & { crash_lapses: number | null })[]) {
        if (row.crash_lapses === null) claimed.push(row);
        else await query(this.sql.failCrashLoop, [row.id, row.crash_lapses, claim.crashLoopError(row.id, row.crash_lapses), now, row.epoch]);
      }
      if (claimed.length === 0) return [];
      // Read after the claim committed, in a later snapshot: every commit of the previous owner
      // that landed before the claim is in it (a transaction step's above all).
      const ids = claimed.map((row) => row.id);
      const journals = new Map(((await query(this.sql.journalOf, [ids])).rows as { run_id: string; entries: string }[])
        .map((row) => [row.run_id, (JSON.parse(row.entries) as JournalColumns[]).map(journalEntryOf)]));
      const inboxes = groupBy((await query(this.sql.inboxOf, [ids])).rows as (InboxRow & { run_id: string })[]);
      return claimed.map((row) => ({
        run: toRunRecord(row),
        journal: journals.get(row.id) ?? [],
        inbox: (inboxes.get(row.id) ?? []).map(toInboxEvent),
      }));
    }, true);
  }

  async renewLeases(workerId: string, ids: readonly string[], leaseMs: number): Promise<HeldRun[]> {
    return await this.guard(async (query) => {
      const { rows } = await query(this.sql.renewLeases, [workerId, [...ids].sort(), this.clock() + leaseMs]);
      return (rows as { id: string; cancel_requested: boolean }[]).map((row) => ({ id: row.id, cancelRequested: row.cancel_requested }));
    });
  }

  async commit(workerId: string, commits: readonly RunCommit[]): Promise<boolean[]> {
    const batch = new CommitBatch(commits);
    // One statement is one transaction: no BEGIN and COMMIT round trips, unless a run suspends,
    // continues as a new run (created in the same transaction) or subscribes (written after the fence).
    if (batch.suspends || batch.continuations.length > 0 || batch.subscriptions.length > 0) return await this.inTransaction((query) => this.applyCommits(query, workerId, batch));
    return await this.guard((query) => this.applyCommits(query, workerId, batch));
  }

  async releaseRuns(workerId: string, ids: readonly string[]): Promise<void> {
    await this.guard((query) => query(this.sql.release, [workerId, [...ids], this.clock()]));
  }

  async deleteFinishedRuns(finishedBefore: number, limit: number): Promise<number> {
    return await this.inTransaction(async (query) => {
      // Ids first, then deletes by id: each one an index lookup, whatever the size of the tables.
      const ids = ((await query(this.sql.oldestFinished, [finishedBefore, limit])).rows as { id: string }[]).map((row) => row.id);
      if (ids.length === 0) return 0;
      await query(this.sql.deleteJournals, [ids]);
      await query(this.sql.deleteInboxes, [ids]);
      await query(this.sql.deleteHistories, [ids]);
      await query(this.eventLogSql.deleteSubscriptions, [ids]);
      return (await query(this.sql.deleteRuns, [ids])).rowCount ?? 0;
    });
  }

  async transaction<T>(
    work: (tx: Transaction) => Promise<T>,
    journal?: (value: T) => { workerId: string; commit: RunCommit },
  ): Promise<{ value: T; applied: boolean }> {
    return await this.transactionOnClient(async (client) => {
      const tx = new PostgresTransaction(client);
      let value: T;
      try {
        value = await work(tx);
      } finally {
        tx.end(); // before COMMIT or ROLLBACK: no user statement may run after the work is done
      }
      if (!journal) return { result: { value, applied: true }, keep: true };
      const { workerId, commit } = journal(value);
      const [applied = false] = await this.applyCommits(prepared(client), workerId, new CommitBatch([commit]));
      // A lost fence takes the user's writes back with it: they happen with the journal entry or not at all.
      return { result: { value, applied }, keep: applied };
    }, USER_TRANSACTION_BEGIN);
  }

  /** Calls `listener` whenever a run may have become due (a NOTIFY from another process). */
  watchDue(listener: () => void): () => void {
    this.assertOpen();
    return this.wakeListener.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.databaseClock.stop();
    await this.wakeListener.close();
    await this.pool.end();
  }

  // ---- commits -----------------------------------------------------------------------------------

  /**
   * Applies a group commit in one statement, whatever its size (see {@link CommitBatch}). A run
   * that suspends must see every event sent before it: sendEvent holds the run's row lock while it
   * adds one, so the rows are locked first, in a statement of their own, and the commit's snapshot
   * is taken after (READ COMMITTED). Then the caller must have opened a transaction.
   */
  private async applyCommits(query: Query, workerId: string, batch: CommitBatch): Promise<boolean[]> {
    if (batch.runs.length === 0) return batch.results(new Set());
    // The commits of a sequential run, one step or its end: statements half as costly as the general one.
    const step = batch.singleStep();
    const finish = step ? undefined : batch.singleFinish();
    if (step || finish) {
      const { rows } = await query(step ? this.sql.commitStep : this.sql.finishRun, [workerId, this.clock(), ...(step ?? finish)!]);
      return [rows.length === 1];
    }
    if (batch.suspends) await query(this.sql.lockRuns, [batch.runs.map((run) => run.runId)]);
    const now = this.clock();
    const { rows } = await query(this.sql.commit, [workerId, now, ...batch.params()]);
    const fenced = new Set((rows as { id: string }[]).map((row) => row.id));
    const successors = batch.continuations.filter(({ runId }) => fenced.has(runId)).map(({ next }) => next);
    if (successors.length > 0) await this.insertRuns(query, successors, now);
    const subscriptions = batch.subscriptionsKept(fenced);
    if (subscriptions) await query(this.eventLogSql.subscribe, subscriptions);
    return batch.results(fenced);
  }

  // ---- connections -------------------------------------------------------------------------------

  /** Runs `body` with pool queries, translating connection failures into Endure's errors. */
  private async guard<T>(body: (query: Query) => Promise<T>, planEachCall = false): Promise<T> {
    this.assertOpen();
    const query: Query = planEachCall ? (text, params) => this.pool.query(text, params) : prepared(this.pool);
    try {
      return await retryConflicts(() => body(query));
    } catch (error) {
      throw translatePgError(error, this.url.display);
    }
  }

  /**
   * Runs `body` in one transaction on one connection: all of it is written, or none of it. A
   * transaction PostgreSQL aborted for a deadlock (a worker's heartbeat and its group commit lock
   * the same runs) was rolled back whole, so it is simply run again.
   */
  private async inTransaction<T>(body: (query: Query) => Promise<T>): Promise<T> {
    return await retryConflicts(() =>
      this.transactionOnClient(async (client) => ({ result: await body(prepared(client)), keep: true })),
    );
  }

  /** Like {@link inTransaction}, but `body` may ask for a rollback (`keep: false`) without throwing. */
  private async transactionOnClient<T>(
    body: (client: pg.PoolClient) => Promise<{ result: T; keep: boolean }>,
    begin = "BEGIN",
  ): Promise<T> {
    return await this.withClient(async (client) => {
      await client.query(begin);
      const { result, keep } = await body(client);
      await client.query(keep ? "COMMIT" : "ROLLBACK");
      return result;
    });
  }

  /** Runs `body` on a pooled connection; after a failure the transaction is rolled back. */
  private async withClient<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translatePgError(error, this.url.display);
    }
    let healthy = true;
    // node-postgres emits "error" on a checked-out connection the server drops (a restart): it must
    // be heard, or it would crash the process. The query in flight rejects on its own.
    const onError = () => (healthy = false);
    client.on("error", onError);
    try {
      return await body(client);
    } catch (error) {
      // A connection that cannot even roll back is dead: it is closed rather than reused.
      if (healthy) healthy = await client.query("ROLLBACK").then(() => true, () => false);
      throw translatePgError(error, this.url.display);
    } finally {
      client.removeListener("error", onError);
      client.release(!healthy);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError("The PostgreSQL store");
  }

  // ---- retry and fork (see RetryStore) ----------------------------------------------------------

  async retryRun(id: string, version?: string): Promise<RetryRunResult> {
    return await this.inTransaction(async (query): Promise<RetryRunResult> => {
      // The row lock orders this against a worker or another retry on the same run.
      const { rows } = await query(this.sql.lockRun, [id]);
      if (!rows[0]) return { result: "missing" };
      const run = toRunRecord(rows[0] as RunRow);
      if (!RETRYABLE_STATUSES.has(run.status)) return { result: "not-retryable", status: run.status };
      return { result: "retried", run: await this.retryInTransaction(query, run, this.clock(), version ?? null) };
    });
  }

  /** Rewinds a failed run's journal (a blocked run's stays whole) and makes the run pending, re-pinned to `version` if given. */
  private async retryInTransaction(query: Query, run: RunRecord, now: number, version: string | null): Promise<RunRecord> {
    const from = run.status === "failed" ? ((await query(this.sql.rewindPoint, [run.id])).rows[0] as { position: number | null }).position : null;
    if (from !== null) {
      await query(this.sql.moveToHistory, [run.id, from, run.retries + 1]);
      await query(this.sql.reopenEvents, [run.id, from]);
      for (const child of (await query(this.sql.childrenFrom, [run.id, from])).rows.map((row) => toRunRecord(row as RunRow))) {
        const notice = [run.id, childNoticeName(child.parentPosition!)];
        await query(this.sql.consumeNotices, [...notice, child.parentPosition]);
        if (child.status === "failed") await this.retryInTransaction(query, child, now, version);
        else if (child.status === "completed" || child.status === "cancelled") await query(this.sql.reopenNewestNotice, notice);
      }
    }
    return toRunRecord((await query(this.sql.retry, [run.id, now, version])).rows[0] as RunRow);
  }

  async forkRun(sourceId: string, newId: string, fromPosition: number): Promise<ForkRunResult> {
    return await this.inTransaction(async (query): Promise<ForkRunResult> => {
      const { rows } = await query(this.sql.getRun, [sourceId]);
      if (!rows[0]) return { result: "missing" };
      const journalLength = Number((await query(this.sql.journalLength, [sourceId])).rows[0].length);
      if (fromPosition > journalLength) return { result: "position-out-of-range", journalLength };
      const [inserted] = await this.insertRuns(query, [forkOf(toRunRecord(rows[0] as RunRow), newId)], this.clock());
      if (!inserted) return { result: "id-taken" };
      await query(this.sql.copyJournal, [sourceId, newId, fromPosition]);
      return { result: "forked", run: toRunRecord(inserted) };
    });
  }

  async getJournalHistory(id: string): Promise<HistoryEntry[]> {
    return await this.guard(async (query) =>
      (await query(this.sql.getHistory, [id])).rows.map((row) => ({ retry: (row as { retry: number }).retry, ...toJournalEntry(row as JournalRow) })),
    );
  }
  // ---- queues ----

  private queueStatements?: ReturnType<typeof queueStatements>;

  private get queueSql(): ReturnType<typeof queueStatements> {
    return (this.queueStatements ??= queueStatements(this.url.schema));
  }

  async registerQueues(queues: readonly QueueLimits[]): Promise<void> {
    const rows = queues.map(queueColumns);
    await this.guard((query) => query(this.queueSql.upsertQueues, [
      rows.map((row) => row.name), rows.map((row) => row.concurrency), rows.map((row) => row.key_concurrency),
      rows.map((row) => row.rate_limit), rows.map((row) => row.rate_period_ms), this.clock(),
    ]));
  }

  async knownQueues(): Promise<string[]> {
    return await this.guard(async (query) => (await query(this.queueSql.knownQueues)).rows.map((row) => (row as { name: string }).name));
  }

  async admitQueued(queues: readonly string[]): Promise<number> {
    let admitted = 0;
    for (const queue of queues) admitted += await this.inTransaction((query) => this.admitQueue(query, queue));
    return admitted;
  }

  /**
   * Admits what one queue's limits allow, holding the queue's row lock: the counts it reads (each
   * statement sees every commit before it, READ COMMITTED) stay true until it commits, since only
   * admissions take slots and they all wait for this lock. Runs finishing meanwhile only free slots.
   */
  private async admitQueue(query: Query, queue: string): Promise<number> {
    const [row] = (await query(this.queueSql.lockQueue, [queue])).rows as QueueRow[];
    if (!row) return 0; // unknown, or another process admits it right now
    const limits = toQueueLimits(row);
    const now = this.clock();
    const count = async (text: string, params: unknown[]) => ((await query(text, params)).rows[0] as { n: number }).n;
    const active = await count(this.queueSql.countActive, [queue]);
    const recent = limits.rateLimit === null ? 0 : await count(this.queueSql.countAdmittedSince, [queue, now - limits.rateLimit.periodMs]);
    const room = roomLeft(limits, active, recent, ADMISSION_SCAN);
    if (room === 0) return 0;
    const candidates = (await query(this.queueSql.queuedHead, [queue, now, ADMISSION_SCAN])).rows as QueuedCandidate[];
    if (candidates.length === 0) return 0;
    const keys = keysToCount(limits, candidates);
    const activeByKey = new Map(keys.length === 0 ? [] : ((await query(this.queueSql.activeByKey, [queue, keys])).rows as { key: string; n: number }[])
      .map((counted) => [counted.key, counted.n]));
    const ids = chooseAdmissions(limits, candidates, activeByKey, room);
    if (ids.length === 0) return 0;
    return (await query(this.queueSql.admit, [ids, now])).rowCount ?? 0;
  }

  async queueStates(): Promise<QueueState[]> {
    return await this.guard(async (query) => {
      const rows = (await query(this.queueSql.queues)).rows as QueueRow[];
      const count = async (text: string, name: string) => ((await query(text, [name])).rows[0] as { n: number }).n;
      return await Promise.all(rows.map(async (row) => ({
        ...toQueueLimits(row),
        queued: await count(this.queueSql.countQueued, row.name),
        active: await count(this.queueSql.countActive, row.name),
      })));
    });
  }

  // ---- worker registry ---------------------------------------------------------------------------

  private workerStatements?: ReturnType<typeof workerStatements>;

  private get workerSql(): ReturnType<typeof workerStatements> {
    return (this.workerStatements ??= workerStatements(this.url.schema));
  }

  async heartbeatWorker(worker: WorkerHeartbeat): Promise<void> {
    await this.inTransaction(async (query) => {
      const now = this.clock();
      await query(this.workerSql.upsertWorker, workerColumns(worker, now));
      await query(this.workerSql.forgetSilentWorkers, [now - FORGET_WORKERS_MS]);
    });
  }

  async removeWorker(id: string): Promise<void> {
    await this.guard((query) => query(this.workerSql.removeWorker, [id]));
  }

  async listWorkers(): Promise<WorkerRecord[]> {
    return await this.guard(async (query) => (await query(this.workerSql.listWorkers)).rows.map((row) => toWorkerRecord(row as WorkerRow)));
  }

  async countRunsByStatus(): Promise<Record<RunStatus, number>> {
    return await this.guard(async (query) => statusCounts((await query(this.workerSql.countByStatus)).rows as { status: string; n: number }[]));
  }

  async queueUsage(queue: string, key: string | null): Promise<QueueUsage | undefined> {
    return await this.guard(async (query) => {
      const [row] = (await query(this.workerSql.getQueue, [queue])).rows as QueueRow[];
      if (!row) return undefined;
      const limits = toQueueLimits(row);
      const count = async (text: string, params: unknown[]) => ((await query(text, params)).rows[0] as { n: number } | undefined)?.n ?? 0;
      return {
        ...limits,
        queued: await count(this.queueSql.countQueued, [queue]),
        active: await count(this.queueSql.countActive, [queue]),
        keyActive: key === null ? null : await count(this.queueSql.activeByKey, [queue, [key]]),
        admittedInWindow: limits.rateLimit === null ? null : await count(this.queueSql.countAdmittedSince, [queue, this.clock() - limits.rateLimit.periodMs]),
      };
    });
  }

  // ---- schedules ---------------------------------------------------------------------------------

  async upsertSchedule(schedule: NewSchedule, nextTick: (now: number) => number | null): Promise<ScheduleRecord> {
    return await this.guard(async (query) => {
      const now = this.clock();
      const { rows } = await query(this.scheduleSql.upsert, [
        schedule.name, schedule.workflow, schedule.cron, schedule.timezone, schedule.input, schedule.options, schedule.catchUp, nextTick(now), now,
      ]);
      return toScheduleRecord(rows[0] as ScheduleRow);
    });
  }

  async getSchedule(name: string): Promise<ScheduleRecord | undefined> {
    return await this.guard(async (query) => {
      const { rows } = await query(this.scheduleSql.get, [name]);
      return rows[0] && toScheduleRecord(rows[0] as ScheduleRow);
    });
  }

  async listSchedules(): Promise<ScheduleRecord[]> {
    return await this.guard(async (query) => (await query(this.scheduleSql.list)).rows.map((row) => toScheduleRecord(row as ScheduleRow)));
  }

  async pauseSchedule(name: string): Promise<ScheduleRecord | undefined> {
    return await this.guard(async (query) => {
      const { rows } = await query(this.scheduleSql.pause, [name, this.clock()]);
      return rows[0] && toScheduleRecord(rows[0] as ScheduleRow);
    });
  }

  async resumeSchedule(name: string, nextTick: (now: number) => number | null): Promise<ScheduleRecord | undefined> {
    return await this.guard(async (query) => {
      const now = this.clock();
      const { rows } = await query(this.scheduleSql.resume, [name, nextTick(now), now]);
      const row = rows[0] ?? (await query(this.scheduleSql.get, [name])).rows[0];
      return row && toScheduleRecord(row as ScheduleRow);
    });
  }

  async deleteSchedule(name: string): Promise<boolean> {
    return await this.guard(async (query) => (await query(this.scheduleSql.delete, [name])).rowCount === 1);
  }

  async fireSchedules(request: FireRequest): Promise<FireResult> {
    const workflows = [...request.workflows];
    const created = await this.inTransaction(async (query) => {
      const now = this.clock();
      const due = (await query(this.scheduleSql.lockDue, [now, workflows, request.limit])).rows as ScheduleRow[];
      if (due.length === 0) return [];
      const firings = due.map((row) => ({ name: row.name, ...request.plan(toScheduleRecord(row), now) }));
      const runs = firings.flatMap((firing) => firing.runs);
      const inserted = await this.insertRuns(query, runs, now);
      for (const firing of firings) await query(this.scheduleSql.advance, [firing.name, firing.nextAt, firing.lastAt, now]);
      return inserted.map(toRunRecord);
    });
    return await this.guard(async (query) => {
      const { rows } = await query(this.scheduleSql.earliest, [workflows]);
      return { created, nextAt: rows[0] ? Number((rows[0] as { next_at: string }).next_at) : null, now: this.clock() };
    });
  }

  // ---- event log ---------------------------------------------------------------------------------

  async appendEvents(events: readonly NewLogEvent[]): Promise<AppendedEvent[]> {
    return await this.inTransaction(async (query) => {
      await query(this.eventLogSql.lockLog, [this.url.schema]);
      const columns = events.map((event) => newEventColumns(event, 0));
      const column = <K extends keyof (typeof columns)[number]>(name: K) => columns.map((c) => c[name]);
      const params = [column("type"), column("source"), column("payload"), column("headers"), column("key"), column("redispatch_of"), column("target"), this.clock()];
      const inserted = ((await query(this.eventLogSql.append, params)).rows as LogEventRow[]).map(toLogEventRecord).sort((a, b) => a.seq - b.seq);
      const appended = matchAppended(events, inserted);
      const missing = [...new Set(appended.filter((result) => result.event === undefined).map((result) => result.key))];
      if (missing.length > 0) {
        const earlier = new Map(((await query(this.eventLogSql.eventsByKey, [missing])).rows as LogEventRow[]).map((row) => [row.key, toLogEventRecord(row)]));
        for (const result of appended) result.event ??= earlier.get(result.key)!;
      }
      if (inserted.length > 0) await query(this.eventLogSql.notify, [this.wakeChannel]);
      return appended.map(({ event, duplicate }) => ({ event: event!, duplicate }));
    });
  }

  async getEvent(seq: number): Promise<LogEventRecord | undefined> {
    return await this.guard(async (query) => {
      const { rows } = await query(this.eventLogSql.getEvent, [seq]);
      return rows[0] && toLogEventRecord(rows[0] as LogEventRow);
    });
  }

  async listEvents(query: LogEventQuery): Promise<LogEventPage> {
    const before = query.cursor === undefined ? null : decodeSeqCursor(query.cursor);
    return await this.inTransaction(async (run) => {
      // Planned for each call's filters, as listRuns is: one plan for all would walk the whole log for a rare type.
      await run(CUSTOM_PLANS);
      const { rows } = await run(this.eventLogSql.listEvents, [query.type ?? null, query.source ?? null, before, query.limit + 1]);
      const { items: events, nextCursor } = pageOf(rows as LogEventRow[], query.limit, toLogEventRecord, (last) => encodeSeqCursor(last.seq));
      return { events, nextCursor };
    });
  }

  async deleteOldEvents(receivedBefore: number, limit: number): Promise<number> {
    return await this.guard(async (query) => (await query(this.eventLogSql.deleteOldEvents, [receivedBefore, limit])).rowCount ?? 0);
  }

  async eventLogHead(): Promise<number> {
    return await this.guard(async (query) => Number(((await query(this.eventLogSql.head)).rows[0] as { head: string }).head));
  }

  async registerTriggers(triggers: readonly NewTrigger[]): Promise<void> {
    const rows = lastOfEachName(triggers);
    await this.guard((query) => query(this.eventLogSql.registerTriggers, [
      rows.map((row) => row.name), rows.map((row) => row.eventType), rows.map((row) => row.workflow), this.clock(),
    ]));
  }

  async listTriggers(): Promise<TriggerRecord[]> {
    return await this.guard(async (query) => (await query(this.eventLogSql.listTriggers)).rows.map((row) => toTriggerRecord(row as TriggerRow)));
  }

  async dispatchEvents(request: DispatchRequest): Promise<DispatchResult> {
    const result: DispatchResult = { created: [], more: false };
    // Only the triggers with events to dispatch get a transaction: idle polls write nothing.
    const pending = await this.guard(async (query) => (await query(this.eventLogSql.pendingTriggers, [[...request.triggers]])).rows as { name: string }[]);
    for (const { name } of pending) {
      const dispatched = await this.inTransaction(async (query) => {
        const [row] = (await query(this.eventLogSql.lockTrigger, [name])).rows as TriggerRow[];
        if (!row) return undefined; // another process dispatches it right now
        const trigger = toTriggerRecord(row);
        const events = ((await query(this.eventLogSql.nextEvents, [trigger.eventType, trigger.cursor, name, request.limit])).rows as LogEventRow[])
          .map(toLogEventRecord);
        if (events.length === 0) return undefined;
        const now = this.clock();
        const created = await this.insertRuns(query, request.plan(trigger, events), now);
        await query(this.eventLogSql.moveCursor, [name, events.at(-1)!.seq, now]);
        return { created: created.map(toRunRecord), more: events.length === request.limit };
      });
      if (!dispatched) continue;
      result.created.push(...dispatched.created);
      result.more ||= dispatched.more;
    }
    return result;
  }

  async upsertWebhooks(webhooks: readonly Pick<WebhookRecord, "name" | "definition">[]): Promise<void> {
    const rows = lastOfEachName(webhooks);
    await this.guard((query) => query(this.eventLogSql.upsertWebhooks, [rows.map((row) => row.name), rows.map((row) => row.definition), this.clock()]));
  }

  async getWebhook(name: string): Promise<WebhookRecord | undefined> {
    return await this.guard(async (query) => {
      const { rows } = await query(this.eventLogSql.getWebhook, [name]);
      return rows[0] && toWebhookRecord(rows[0] as WebhookRow);
    });
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    return await this.guard(async (query) => (await query(this.eventLogSql.listWebhooks)).rows.map((row) => toWebhookRecord(row as WebhookRow)));
  }
}

const statementNames = new Map<string, string>();

/**
 * Runs Endure's statements as named prepared statements: each connection parses a statement once
 * and, with `plan_cache_mode=force_generic_plan` set on the store's connections, plans it once
 * (the group commit's statement is large). The user's SQL in transactions is never named, so it
 * is planned per call as usual.
 */
function prepared(target: pg.Pool | pg.ClientBase): Query {
  return (text, params) => {
    let name = statementNames.get(text);
    if (name === undefined) {
      name = `endure_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
      statementNames.set(text, name);
    }
    return target.query({ name, text, values: params });
  };
}

/** Plan types turned off on Endure's connections: what small statements never need. */
const OLTP_PLANS = ["enable_seqscan", "enable_hashjoin", "enable_mergejoin"];

/** @internal The settings of Endure's connections (exported for the plan tests). */
export const SESSION_OPTIONS = `-c plan_cache_mode=force_generic_plan ${OLTP_PLANS.map((setting) => `-c ${setting}=off`).join(" ")}`;

/** A statement of the transaction this runs in gets a plan for its own parameters. */
const CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan";

/** The user's SQL is planned as the server's settings say, not as Endure's own statements are. */
const USER_TRANSACTION_BEGIN = ["BEGIN", ...OLTP_PLANS.map((setting) => `SET LOCAL ${setting} = on`)].join("; ");

const CONFLICT_STATES = new Set(["40P01", "40001"]); // deadlock_detected, serialization_failure
const CONFLICT_TRIES = 3;

async function retryConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= CONFLICT_TRIES || !CONFLICT_STATES.has((error as { code?: string }).code ?? "")) throw error;
    }
  }
}

/** The parameters of `insertRuns` for these runs, created at `now`. */
function insertRunsParams(runs: readonly NewRun[], now: number): unknown[] {
  const rows = runs.map((run) => newRunRow(run, now));
  const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
  return [
    now, column("id"), column("workflow"), column("status"), column("input"), column("due_at"), column("owner"), column("epoch"), column("started_at"),
    column("parent_id"), column("parent_position"), rows.map((row) => row.tags && JSON.stringify(row.tags)), column("timeout_ms"), column("queue"),
    column("concurrency_key"), column("priority"), column("admit_at"), column("continued_from"), column("forked_from"), column("trace_context"),
    column("version"),
  ];
}

/** The last of the items with each name, as writing them one by one would leave (one statement may write a row once only). */
function lastOfEachName<Item extends { name: string }>(items: readonly Item[]): Item[] {
  return [...new Map(items.map((item) => [item.name, item])).values()];
}

function groupBy<Row extends { run_id: string }>(rows: Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const group = groups.get(row.run_id);
    if (group) group.push(row);
    else groups.set(row.run_id, [row]);
  }
  return groups;
}

/**
 * The events of an append batch, in order: each inserted one takes the next row inserted (seqs follow
 * the batch's order); a key inserted earlier in the batch is a duplicate of it; a key inserted before
 * the batch is left for the caller to read (`event` undefined).
 */
function matchAppended(events: readonly NewLogEvent[], inserted: readonly LogEventRecord[]): { event?: LogEventRecord; duplicate: boolean; key: string | null }[] {
  const rows = inserted[Symbol.iterator]();
  const insertedKeys = new Set(inserted.flatMap((event) => (event.key === null ? [] : [event.key])));
  const byKey = new Map<string, LogEventRecord>();
  const next = (key: string | null) => {
    const row = rows.next().value as LogEventRecord | undefined;
    if (row?.key !== key) throw new Error(`The event log's append returned its rows out of the batch's order (expected key ${String(key)}, got ${String(row?.key)}).`);
    return row;
  };
  return events.map((event) => {
    const key = event.key ?? null;
    if (key === null) return { event: next(key), duplicate: false, key };
    const first = byKey.get(key);
    if (first) return { event: first, duplicate: true, key };
    if (!insertedKeys.has(key)) return { duplicate: true, key };
    const row = next(key);
    byKey.set(key, row);
    return { event: row, duplicate: false, key };
  });
}
