import { quoteIdentifier } from "./sql.js";

/**
 * The statements of the PostgreSQL store's queues (see QueueStore), planned as the store's others
 * are (generic plans, index scans only): each is served by one of the queue indexes of the runs
 * table, or finds runs by primary key.
 */
export function queueStatements(schema: string) {
  const s = quoteIdentifier(schema);
  return {
    upsertQueues: `
      INSERT INTO ${s}.queues (name, concurrency, key_concurrency, rate_limit, rate_period_ms, updated_at)
      SELECT *, $6::bigint FROM unnest($1::text[], $2::integer[], $3::integer[], $4::integer[], $5::bigint[])
      ORDER BY 1
      ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, key_concurrency = excluded.key_concurrency,
        rate_limit = excluded.rate_limit, rate_period_ms = excluded.rate_period_ms, updated_at = excluded.updated_at`,
    knownQueues: `SELECT name FROM ${s}.queues ORDER BY name`,
    queues: `SELECT * FROM ${s}.queues ORDER BY name`,
    // Serializes the admissions of one queue across every process. SKIP LOCKED: while another
    // worker admits this queue, the others leave it to that one rather than queue up behind it.
    lockQueue: `SELECT * FROM ${s}.queues WHERE name = $1 FOR UPDATE SKIP LOCKED`,
    // Runs holding a slot (runs_queue_active), in all and per key. Ordered by key, which only
    // runs_queue_active gives without a sort: planned on an empty table, runs_queue_admitted would
    // otherwise tie with it, and walk every finished run the queue ever admitted.
    countActive: `
      SELECT count(*)::integer AS n FROM (
        SELECT 1 FROM ${s}.runs WHERE queue = $1 AND admitted_at IS NOT NULL AND finished_at IS NULL ORDER BY concurrency_key) AS active`,
    activeByKey: `
      SELECT concurrency_key AS key, count(*)::integer AS n FROM ${s}.runs
      WHERE queue = $1 AND concurrency_key = ANY($2::text[]) AND admitted_at IS NOT NULL AND finished_at IS NULL
      GROUP BY concurrency_key`,
    // Admissions within the rate window (runs_queue_admitted).
    countAdmittedSince: `
      SELECT count(*)::integer AS n FROM ${s}.runs WHERE queue = $1 AND admitted_at IS NOT NULL AND admitted_at > $2::bigint`,
    countQueued: `SELECT count(*)::integer AS n FROM ${s}.runs WHERE status = 'queued' AND queue = $1`,
    // The head of the queue in admission order (runs_queued): at most $3 index entries are read,
    // whatever they hold; runs not due yet are dropped after that bound, so the work stays bounded.
    queuedHead: `
      SELECT id, concurrency_key FROM (
        SELECT id, concurrency_key, admit_at, priority FROM ${s}.runs
        WHERE status = 'queued' AND queue = $1
        ORDER BY priority DESC, admit_at, id LIMIT $3) AS head
      WHERE admit_at <= $2::bigint
      ORDER BY priority DESC, admit_at, id`,
    // By primary key; the status check re-reads a row a concurrent cancel changed.
    admit: `
      UPDATE ${s}.runs SET status = 'pending', due_at = $2, admitted_at = $2, updated_at = $2
      WHERE id = ANY($1::text[]) AND status IS NOT DISTINCT FROM 'queued'`,
  };
}
