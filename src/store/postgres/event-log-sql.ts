import { quoteIdentifier } from "./sql.js";

// The first key of the advisory lock appends take, "evnt"; the second is the schema's hash (as the
// migration lock has it), so stores in other schemas of the database never wait for each other.
const EVENT_LOG_LOCK = 0x65766e74;

/** The PostgreSQL store's statements on the event log, triggers, webhooks and subscriptions (see EventLogStore). */
export function eventLogStatements(schema: string) {
  const s = quoteIdentifier(schema);
  return {
    // Held until the append commits: appends commit one after the other, in seq order, so a reader
    // of "seq > x" never misses an event that took a smaller seq and committed later.
    lockLog: `SELECT pg_advisory_xact_lock(${EVENT_LOG_LOCK}, hashtext($1))`,
    // A batch in one statement: arrays $1 types, $2 sources, $3 payloads, $4 headers, $5 keys,
    // $6 redispatched seqs, $7 targets; $8 the time received. Rows are inserted in the arrays' order,
    // so seqs follow it; a key seen before (or earlier in the batch) inserts nothing.
    append: `
      INSERT INTO ${s}.event_log (type, source, payload, headers, key, received_at, redispatch_of, target)
      SELECT type, source, payload, headers, key, $8::bigint, redispatch_of, target
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])
        WITH ORDINALITY AS e (type, source, payload, headers, key, redispatch_of, target, ord)
      ORDER BY ord
      ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING
      RETURNING *`,
    // Tells other processes' trigger dispatchers (watchDue) that events came in.
    notify: `SELECT pg_notify($1, '')`,
    getEvent: `SELECT * FROM ${s}.event_log WHERE seq = $1`,
    eventsByKey: `SELECT * FROM ${s}.event_log WHERE key = ANY($1::text[])`,
    // $1 type, $2 source, $3 before this seq, $4 limit.
    listEvents: `
      SELECT * FROM ${s}.event_log
      WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR source = $2) AND ($3::bigint IS NULL OR seq < $3)
      ORDER BY seq DESC LIMIT $4`,
    head: `SELECT COALESCE(max(seq), 0) AS head FROM ${s}.event_log`,
    // A new trigger starts at the head: events from before it existed start nothing.
    // $1 names, $2 event types, $3 workflows, $4 now.
    registerTriggers: `
      INSERT INTO ${s}.triggers (name, event_type, workflow, cursor, created_at, updated_at)
      SELECT name, event_type, workflow, (SELECT COALESCE(max(seq), 0) FROM ${s}.event_log), $4, $4
      FROM unnest($1::text[], $2::text[], $3::text[]) AS t(name, event_type, workflow)
      ORDER BY name
      ON CONFLICT (name) DO UPDATE SET event_type = excluded.event_type, workflow = excluded.workflow, updated_at = excluded.updated_at`,
    listTriggers: `SELECT * FROM ${s}.triggers ORDER BY name`,
    // Of the given triggers, those with events to dispatch: only they get a transaction.
    pendingTriggers: `
      SELECT name FROM ${s}.triggers AS t
      WHERE name = ANY($1::text[])
        AND EXISTS (SELECT 1 FROM ${s}.event_log AS e
                    WHERE e.type = t.event_type AND e.seq > t.cursor AND (e.target IS NULL OR e.target = t.name))
      ORDER BY name`,
    // A trigger another process is dispatching is skipped, not waited for.
    lockTrigger: `SELECT * FROM ${s}.triggers WHERE name = $1 FOR UPDATE SKIP LOCKED`,
    // $1 type, $2 cursor, $3 trigger name, $4 limit.
    nextEvents: `
      SELECT * FROM ${s}.event_log
      WHERE type = $1 AND seq > $2 AND (target IS NULL OR target = $3)
      ORDER BY seq LIMIT $4`,
    moveCursor: `UPDATE ${s}.triggers SET cursor = $2, updated_at = $3 WHERE name = $1`,
    // $1 names, $2 definitions, $3 now.
    upsertWebhooks: `
      INSERT INTO ${s}.webhooks (name, definition, updated_at)
      SELECT name, definition, $3 FROM unnest($1::text[], $2::text[]) AS w(name, definition)
      ORDER BY name
      ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
    getWebhook: `SELECT * FROM ${s}.webhooks WHERE name = $1`,
    listWebhooks: `SELECT * FROM ${s}.webhooks ORDER BY name`,
    // Re-opened on replay: the subscription already written is kept. $1 runs, $2 positions, $3 event types.
    subscribe: `
      INSERT INTO ${s}.subscriptions (run_id, position, event_type)
      SELECT * FROM unnest($1::text[], $2::integer[], $3::text[])
      ON CONFLICT (run_id, position) DO NOTHING`,
    deleteSubscriptions: `DELETE FROM ${s}.subscriptions WHERE run_id = ANY($1::text[])`,
    // $1 received before, $2 limit. Among the $2 oldest events (seq follows receipt), those past
    // retention that every trigger of their type has read.
    deleteOldEvents: `
      DELETE FROM ${s}.event_log WHERE seq IN (
        SELECT e.seq FROM (SELECT seq, type, received_at FROM ${s}.event_log ORDER BY seq LIMIT $2) AS e
        WHERE e.received_at < $1
          AND NOT EXISTS (SELECT 1 FROM ${s}.triggers AS t WHERE t.event_type = e.type AND t.cursor < e.seq))`,
  };
}
