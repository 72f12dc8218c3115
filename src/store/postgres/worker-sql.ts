import { quoteIdentifier } from "./sql.js";

/** The statements of the PostgreSQL store's worker registry (see WorkerRegistry). */
export function workerStatements(schema: string) {
  const s = quoteIdentifier(schema);
  return {
    upsertWorker: `
      INSERT INTO ${s}.workers (id, name, host, pid, workflows, queues, concurrency, active_runs, heartbeat_ms, version, compatible_with, started_at, heartbeat_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
      ON CONFLICT (id) DO UPDATE SET workflows = excluded.workflows, queues = excluded.queues, concurrency = excluded.concurrency,
        active_runs = excluded.active_runs, heartbeat_ms = excluded.heartbeat_ms, heartbeat_at = excluded.heartbeat_at`,
    forgetSilentWorkers: `DELETE FROM ${s}.workers WHERE heartbeat_at < $1`,
    removeWorker: `DELETE FROM ${s}.workers WHERE id = $1`,
    listWorkers: `SELECT * FROM ${s}.workers ORDER BY heartbeat_at DESC, id`,
    countByStatus: `SELECT status, count(*)::integer AS n FROM ${s}.runs GROUP BY status`,
    getQueue: `SELECT * FROM ${s}.queues WHERE name = $1`,
  };
}
