import type Database from "better-sqlite3";

type WorkerStatement = "upsertWorker" | "forgetSilentWorkers" | "removeWorker" | "listWorkers" | "countByStatus";

/** The statements of the SQLite store's worker registry (see WorkerRegistry). */
export function prepareWorkerStatements(db: Database.Database): Record<WorkerStatement, Database.Statement> {
  return {
    upsertWorker: db.prepare(`
      INSERT INTO workers (id, name, host, pid, workflows, queues, concurrency, active_runs, heartbeat_ms, version, compatible_with, started_at, heartbeat_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET workflows = excluded.workflows, queues = excluded.queues, concurrency = excluded.concurrency,
        active_runs = excluded.active_runs, heartbeat_ms = excluded.heartbeat_ms, heartbeat_at = excluded.heartbeat_at`),
    forgetSilentWorkers: db.prepare(`DELETE FROM workers WHERE heartbeat_at < ?`),
    removeWorker: db.prepare(`DELETE FROM workers WHERE id = ?`),
    listWorkers: db.prepare(`SELECT * FROM workers ORDER BY heartbeat_at DESC, id`),
    // runs_status_created covers it: the count reads the index, not the runs.
    countByStatus: db.prepare(`SELECT status, count(*) AS n FROM runs GROUP BY status`),
  };
}
