import { FINISHED_STATUSES } from "../store.js";

// Rewriting a position keeps its kind and name (a replay never changes them), replaces the rest.
const UPSERT_ENTRY = `ON CONFLICT (run_id, position) DO UPDATE SET
  status = excluded.status, output = excluded.output, error = excluded.error, attempts = excluded.attempts,
  started_at = excluded.started_at, finished_at = excluded.finished_at, wake_at = excluded.wake_at, seq = excluded.seq`;

/** A name quoted for SQL text; only ever applied to names Endure checked (the schema name). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The SQL text of every statement of the store, with its tables qualified by the schema.
 *
 * Statements are planned once per connection (a generic plan), often while the tables are still
 * empty, and that plan is kept as they grow. So Endure's connections plan only what suits small
 * OLTP statements at any size: index scans and nested loops (sequential scans, hash and merge
 * joins are off), and a statement that acts on given runs leaves the planner only their primary
 * key to find them by: its other checks (owner, status) are written with `IS NOT DISTINCT FROM`,
 * which no index serves. Otherwise a plan made on an empty table could walk the status or owner
 * index, or the whole table, on every commit once it has grown.
 */
export function statements(schema: string) {
  const s = quoteIdentifier(schema);
  const finishedList = [...FINISHED_STATUSES].map((status) => `'${status}'`).join(", ");
  return {
    // A batch of starts in one statement; sorted, so concurrent batches lock ids in one order.
    insertRuns: `
      INSERT INTO ${s}.runs (id, workflow, status, input, created_at, updated_at, due_at, owner, epoch, started_at,
        parent_id, parent_position, tags, timeout_ms, queue, concurrency_key, priority, admit_at, continued_from, forked_from, trace_context, version)
      SELECT id, workflow, status, input, $1, $1, due_at, owner, epoch, started_at,
        parent_id, parent_position, CASE WHEN tags IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(tags)) END,
        timeout_ms, queue, concurrency_key, priority, admit_at, continued_from, forked_from, trace_context, version
      FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[], $9::bigint[],
                  $10::text[], $11::integer[], $12::jsonb[], $13::bigint[], $14::text[], $15::text[], $16::integer[], $17::bigint[],
                  $18::text[], $19::text[], $20::text[], $21::text[])
        AS r(id, workflow, status, input, due_at, owner, epoch, started_at,
             parent_id, parent_position, tags, timeout_ms, queue, concurrency_key, priority, admit_at, continued_from, forked_from, trace_context, version)
      ORDER BY id
      ON CONFLICT (id) DO NOTHING
      RETURNING *`,
    getRuns: `SELECT * FROM ${s}.runs WHERE id = ANY($1::text[])`,
    getRun: `SELECT * FROM ${s}.runs WHERE id = $1`,
    lockRun: `SELECT * FROM ${s}.runs WHERE id = $1 FOR UPDATE`,
    lockRuns: `SELECT 1 FROM ${s}.runs WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    getJournal: `SELECT * FROM ${s}.journal WHERE run_id = $1 ORDER BY position`,
    listRuns: `
      SELECT * FROM ${s}.runs
      WHERE ($1::text IS NULL OR status = $1)
        AND ($2::text IS NULL OR workflow = $2)
        AND ($3::bigint IS NULL OR (created_at, id) < ($3, $4::text))
        AND ($6::text[] IS NULL OR tags @> $6::text[])
      ORDER BY created_at DESC, id DESC
      LIMIT $5`,
    insertEvent: `
      INSERT INTO ${s}.inbox (run_id, name, payload, key, sent_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (run_id, key) WHERE key IS NOT NULL DO NOTHING`,
    wake: `UPDATE ${s}.runs SET due_at = $2, updated_at = $2 WHERE id = $1 AND status = 'waiting'`,
    requestCancel: `
      UPDATE ${s}.runs SET
        cancel_requested = true,
        updated_at = $2,
        status      = CASE WHEN status IN ('pending', 'queued') AND started_at IS NULL THEN 'cancelled' ELSE status END,
        error       = CASE WHEN status IN ('pending', 'queued') AND started_at IS NULL THEN $3 ELSE error END,
        finished_at = CASE WHEN status IN ('pending', 'queued') AND started_at IS NULL THEN $2 ELSE finished_at END,
        due_at      = CASE WHEN status IN ('pending', 'queued') AND started_at IS NULL THEN NULL
                           WHEN status = 'waiting' THEN $2 ELSE due_at END
      WHERE id = $1 AND status NOT IN (${finishedList})
      RETURNING *`,
    registerWorkflows: `
      INSERT INTO ${s}.workflows (name, registered_at) SELECT unnest($1::text[]), $2
      ON CONFLICT (name) DO NOTHING`,
    knownWorkflows: `SELECT name FROM ${s}.workflows ORDER BY name`,
    // A claim in one statement: due runs locked with SKIP LOCKED (workers claiming at the same
    // moment take different runs instead of queueing) and taken over, except those whose lease
    // lapsed once too often: they come back with `crash_lapses` set, untouched, to be failed.
    // $1 now, $2 workflows, $3 limit, $4 worker, $5 lease end, $6 max lapses, $7 the pinned versions
    // the worker serves, $8 the version it pins new runs to (see version-pinning.ts).
    claim: `
      WITH due AS (
        SELECT id, status, lapses, due_at FROM ${s}.runs
        WHERE due_at <= $1 AND workflow = ANY($2::text[]) AND (version IS NULL OR version = ANY($7::text[]))
        ORDER BY due_at LIMIT $3
        FOR UPDATE SKIP LOCKED
      ),
      claimed AS (
        UPDATE ${s}.runs AS r SET status = 'running', owner = $4, epoch = r.epoch + 1, due_at = $5, version = COALESCE(r.version, $8::text),
          lapses = CASE WHEN r.status = 'running' THEN r.lapses + 1 ELSE 0 END,
          started_at = COALESCE(r.started_at, $1), updated_at = $1, waiting_for = NULL
        FROM due
        WHERE r.id = due.id AND NOT (due.status = 'running' AND due.lapses + 1 >= $6)
        RETURNING r.*, due.due_at AS was_due
      )
      SELECT *, NULL::integer AS crash_lapses FROM claimed
      UNION ALL
      SELECT r.*, due.due_at, due.lapses + 1 FROM due JOIN ${s}.runs AS r ON r.id = due.id
      WHERE due.status = 'running' AND due.lapses + 1 >= $6
      ORDER BY was_due`,
    // Only if no one took the run since the claim saw it.
    failCrashLoop: `
      UPDATE ${s}.runs SET status = 'failed', error = $3, lapses = $2, finished_at = $4, updated_at = $4,
        due_at = NULL, owner = NULL, waiting_for = NULL
      WHERE id = $1 AND status = 'running' AND epoch = $5`,
    // Each run's journal as one JSON text of rows as arrays: for a journal of thousands of entries,
    // parsing one JSON text is faster than node-postgres building an object per row.
    journalOf: `
      SELECT run_id, json_agg(json_build_array(position, kind, name, status, output, error, attempts,
                                               started_at, finished_at, wake_at, seq) ORDER BY position)::text AS entries
      FROM ${s}.journal WHERE run_id = ANY($1::text[]) GROUP BY run_id`,
    inboxOf: `
      SELECT run_id, seq, name, payload, sent_at FROM ${s}.inbox
      WHERE run_id = ANY($1::text[]) AND consumed_position IS NULL ORDER BY seq`,
    renewLeases: `
      UPDATE ${s}.runs SET due_at = $3
      WHERE id = ANY($2::text[]) AND (owner, status) IS NOT DISTINCT FROM ($1, 'running')
      RETURNING id, cancel_requested`,
    // A whole group commit in one statement (see CommitBatch): the fence and each run's new state,
    // then its journal entries and consumed events, written only for the runs that passed the
    // fence. $1 worker, $2 now; runs $3-$10 and $26; entries $11-$22; consumed events $23-$25.
    commit: `
      WITH part AS (
        SELECT * FROM unnest($3::text[], $4::bigint[], $5::boolean[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[], $26::text[])
          AS part(id, epoch, cancel_delivered, outcome, output, error, due_at, waiting_for, continued_to)
      ),
      fenced AS (
        UPDATE ${s}.runs AS r SET
          lapses = 0,
          updated_at = $2,
          cancel_delivered = r.cancel_delivered OR part.cancel_delivered,
          status = COALESCE(part.outcome, r.status),
          output = CASE WHEN part.outcome IN (${finishedList}) THEN part.output ELSE r.output END,
          error = CASE WHEN part.outcome IN (${finishedList}) THEN part.error ELSE r.error END,
          finished_at = CASE WHEN part.outcome IN (${finishedList}) THEN $2 ELSE r.finished_at END,
          continued_to = CASE WHEN part.outcome IN (${finishedList}) THEN part.continued_to ELSE r.continued_to END,
          owner = CASE WHEN part.outcome IS NULL THEN r.owner END,
          waiting_for = CASE WHEN part.outcome IS NULL THEN r.waiting_for
                             WHEN part.outcome = 'waiting' THEN ARRAY(SELECT jsonb_array_elements_text(part.waiting_for::jsonb)) END,
          due_at = CASE
            WHEN part.outcome IS NULL THEN r.due_at
            WHEN part.outcome <> 'waiting' THEN NULL
            -- Suspending: due at once when a cancellation waits to be delivered, or when an event
            -- it waits for is already in its inbox (not one this very commit consumed). The rows
            -- were locked before this statement, as sendEvent locks them: it either sees the run
            -- waiting or its event is seen here.
            WHEN r.cancel_requested AND NOT (r.cancel_delivered OR part.cancel_delivered) THEN $2
            WHEN EXISTS (SELECT 1 FROM ${s}.inbox AS i WHERE i.run_id = r.id AND i.consumed_position IS NULL
                           AND i.seq <> ALL($23::bigint[])
                           AND i.name IN (SELECT jsonb_array_elements_text(part.waiting_for::jsonb))) THEN $2
            ELSE part.due_at END
        FROM part
        -- Each part finds its run by primary key (the only way left, see above): one lookup per run.
        WHERE r.id = part.id AND (r.owner, r.epoch, r.status) IS NOT DISTINCT FROM ($1, part.epoch, 'running')
        RETURNING r.id
      ),
      entries AS (
        INSERT INTO ${s}.journal (run_id, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq)
        SELECT * FROM unnest($11::text[], $12::integer[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
                             $18::integer[], $19::bigint[], $20::bigint[], $21::bigint[], $22::integer[])
          AS e(run_id, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq)
        WHERE e.run_id = ANY(ARRAY(SELECT id FROM fenced))
        ${UPSERT_ENTRY}
      ),
      consumed AS (
        UPDATE ${s}.inbox AS i SET consumed_position = c.position
        FROM unnest($23::bigint[], $24::text[], $25::integer[]) AS c(seq, run_id, position)
        WHERE i.seq = ANY($23::bigint[]) AND i.seq = c.seq AND i.run_id = c.run_id AND c.run_id = ANY(ARRAY(SELECT id FROM fenced))
      )
      SELECT id FROM fenced`,
    // The group commit of one step of one run: the fence, then its entry if the fence held.
    // $1 worker, $2 now, $3 run, $4 epoch, $5 cancel delivered; the entry $6-$16.
    commitStep: `
      WITH fenced AS (
        UPDATE ${s}.runs SET lapses = 0, updated_at = $2, cancel_delivered = cancel_delivered OR $5
        WHERE id = $3 AND (owner, epoch, status) IS NOT DISTINCT FROM ($1, $4::bigint, 'running')
        RETURNING id
      )
      INSERT INTO ${s}.journal (run_id, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq)
      SELECT id, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16 FROM fenced
      ${UPSERT_ENTRY}
      RETURNING run_id`,
    // A run's final commit with nothing else in it (the end of a sequential run), fenced.
    // $1 worker, $2 now, $3 run, $4 epoch, $5 cancel delivered, $6 status, $7 output, $8 error.
    finishRun: `
      UPDATE ${s}.runs SET status = $6, output = $7, error = $8, finished_at = $2, updated_at = $2, lapses = 0,
        cancel_delivered = cancel_delivered OR $5, due_at = NULL, owner = NULL, waiting_for = NULL
      WHERE id = $3 AND (owner, epoch, status) IS NOT DISTINCT FROM ($1, $4::bigint, 'running')
      RETURNING id`,
    // Retention: finished runs past their time go with their journal and events, oldest first.
    oldestFinished: `
      SELECT id FROM ${s}.runs
      WHERE finished_at < $1 AND status IN (${finishedList})
      ORDER BY finished_at LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    deleteJournals: `DELETE FROM ${s}.journal WHERE run_id = ANY($1::text[])`,
    deleteInboxes: `DELETE FROM ${s}.inbox WHERE run_id = ANY($1::text[])`,
    deleteRuns: `DELETE FROM ${s}.runs WHERE id = ANY($1::text[])`,
    release: `
      UPDATE ${s}.runs SET status = 'pending', owner = NULL, due_at = $3, updated_at = $3
      WHERE id = ANY($2::text[]) AND (owner, status) IS NOT DISTINCT FROM ($1, 'running')`,

    // ---- retry and fork (see RetryStore) ----
    deleteHistories: `DELETE FROM ${s}.journal_history WHERE run_id = ANY($1::text[])`,
    rewindPoint: `SELECT min(position) AS position FROM ${s}.journal WHERE run_id = $1 AND status = 'failed' AND kind IN ('step', 'child')`,
    // $1 run, $2 position, $3 retry number.
    moveToHistory: `
      WITH moved AS (DELETE FROM ${s}.journal WHERE run_id = $1 AND position >= $2 RETURNING *)
      INSERT INTO ${s}.journal_history (run_id, retry, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq)
      SELECT run_id, $3, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq FROM moved`,
    // Child runs' notices are dealt with child by child.
    reopenEvents: `
      UPDATE ${s}.inbox SET consumed_position = NULL
      WHERE run_id = $1 AND consumed_position >= $2 AND name NOT LIKE 'endure:child:%'`,
    // A child that continued as new is followed by its successor, at the same position.
    childrenFrom: `
      SELECT * FROM ${s}.runs WHERE parent_id = $1 AND parent_position >= $2 AND continued_to IS NULL
      ORDER BY parent_position FOR UPDATE`,
    // $1 run, $2 notice name, $3 position.
    consumeNotices: `UPDATE ${s}.inbox SET consumed_position = $3 WHERE run_id = $1 AND name = $2 AND consumed_position IS NULL`,
    reopenNewestNotice: `
      UPDATE ${s}.inbox SET consumed_position = NULL
      WHERE seq = (SELECT max(seq) FROM ${s}.inbox WHERE run_id = $1 AND name = $2)`,
    retry: `
      UPDATE ${s}.runs SET updated_at = $2, output = NULL, error = NULL, finished_at = NULL, owner = NULL, waiting_for = NULL,
        lapses = 0, retries = retries + 1, version = COALESCE($3::text, version),
        -- Counted again from its new start (a timeout included).
        started_at = NULL,
        -- A run of a queue goes back into it, to be admitted within its limits again.
        status = CASE WHEN queue IS NULL THEN 'pending' ELSE 'queued' END,
        due_at = CASE WHEN queue IS NULL THEN $2::bigint END,
        admit_at = CASE WHEN queue IS NULL THEN admit_at ELSE $2::bigint END,
        admitted_at = CASE WHEN queue IS NULL THEN admitted_at END
      WHERE id = $1
      RETURNING *`,
    journalLength: `SELECT COALESCE(max(position) + 1, 0) AS length FROM ${s}.journal WHERE run_id = $1`,
    // $1 source, $2 fork, $3 position. Only outcomes: a copied wait would wait for what only the
    // source receives (a child's end, an event sent to it).
    copyJournal: `
      INSERT INTO ${s}.journal (run_id, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq)
      SELECT $2, position, kind, name, status, output, error, attempts, started_at, finished_at, wake_at, seq
      FROM ${s}.journal WHERE run_id = $1 AND status IN ('completed', 'failed') AND position < $3`,
    getHistory: `SELECT * FROM ${s}.journal_history WHERE run_id = $1 ORDER BY retry, position`,
  };
}

export type Statements = ReturnType<typeof statements>;
