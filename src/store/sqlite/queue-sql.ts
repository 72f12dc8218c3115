import type Database from "better-sqlite3";

type QueueStatement =
  | "upsertQueue" | "knownQueues" | "queues" | "getQueue" | "countActive" | "activeByKey" | "countAdmittedSince" | "countQueued" | "queuedHead" | "admit";

/** The statements of the SQLite store's queues (see QueueStore). */
export function prepareQueueStatements(db: Database.Database): Record<QueueStatement, Database.Statement> {
  return {
    upsertQueue: db.prepare(`
      INSERT INTO queues (name, concurrency, key_concurrency, rate_limit, rate_period_ms, updated_at)
      VALUES (@name, @concurrency, @key_concurrency, @rate_limit, @rate_period_ms, @now)
      ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, key_concurrency = excluded.key_concurrency,
        rate_limit = excluded.rate_limit, rate_period_ms = excluded.rate_period_ms, updated_at = excluded.updated_at`),
    knownQueues: db.prepare(`SELECT name FROM queues ORDER BY name`).pluck(),
    queues: db.prepare(`SELECT * FROM queues ORDER BY name`),
    getQueue: db.prepare(`SELECT * FROM queues WHERE name = ?`),
    // Runs holding a slot, in all and per key. Named, the index: the planner would otherwise take
    // runs_queue_admitted, which also holds every finished run the queue ever admitted.
    countActive: db.prepare(`SELECT count(*) AS n FROM runs INDEXED BY runs_queue_active WHERE queue = ? AND admitted_at IS NOT NULL AND finished_at IS NULL`).pluck(),
    activeByKey: db.prepare(`
      SELECT concurrency_key AS key, count(*) AS n FROM runs INDEXED BY runs_queue_active
      WHERE queue = @queue AND concurrency_key IN (SELECT value FROM json_each(@keys))
        AND admitted_at IS NOT NULL AND finished_at IS NULL
      GROUP BY concurrency_key`),
    // Admissions within the rate window (runs_queue_admitted).
    countAdmittedSince: db.prepare(`
      SELECT count(*) AS n FROM runs WHERE queue = @queue AND admitted_at IS NOT NULL AND admitted_at > @since`).pluck(),
    countQueued: db.prepare(`SELECT count(*) AS n FROM runs WHERE status = 'queued' AND queue = ?`).pluck(),
    // The head of the queue in admission order (runs_queued): at most @scan index entries are read,
    // whatever they hold; runs not due yet are dropped after that bound, so the work stays bounded.
    queuedHead: db.prepare(`
      SELECT id, concurrency_key FROM (
        SELECT id, concurrency_key, admit_at, priority FROM runs
        WHERE status = 'queued' AND queue = @queue
        ORDER BY priority DESC, admit_at, id LIMIT @scan)
      WHERE admit_at <= @now
      ORDER BY priority DESC, admit_at, id`),
    admit: db.prepare(`
      UPDATE runs SET status = 'pending', due_at = @now, admitted_at = @now, updated_at = @now
      WHERE id IN (SELECT value FROM json_each(@ids)) AND +status = 'queued'`),
  };
}
