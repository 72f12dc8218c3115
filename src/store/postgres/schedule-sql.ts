import { quoteIdentifier } from "./sql.js";

/** The PostgreSQL store's statements on schedules (see ScheduleStore and the notes on `statements`). */
export function scheduleStatements(schema: string) {
  const s = quoteIdentifier(schema);
  return {
    // A new cron or time zone moves the next tick; otherwise a due tick not yet fired is kept.
    // $1 name, $2 workflow, $3 cron, $4 timezone, $5 input, $6 options, $7 catch-up, $8 next tick, $9 now.
    upsert: `
      INSERT INTO ${s}.schedules AS old (name, workflow, cron, timezone, input, options, catch_up, next_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
      ON CONFLICT (name) DO UPDATE SET
        workflow = excluded.workflow, input = excluded.input, options = excluded.options, catch_up = excluded.catch_up,
        next_at = CASE WHEN old.paused THEN NULL
                       WHEN old.cron = excluded.cron AND old.timezone = excluded.timezone
                         AND old.next_at IS NOT NULL THEN old.next_at
                       ELSE excluded.next_at END,
        cron = excluded.cron, timezone = excluded.timezone, updated_at = excluded.updated_at
      RETURNING *`,
    get: `SELECT * FROM ${s}.schedules WHERE name = $1`,
    list: `SELECT * FROM ${s}.schedules ORDER BY name`,
    pause: `UPDATE ${s}.schedules SET paused = true, next_at = NULL, updated_at = $2 WHERE name = $1 RETURNING *`,
    resume: `
      UPDATE ${s}.schedules SET paused = false, next_at = $2, updated_at = $3
      WHERE name = $1 AND paused IS NOT DISTINCT FROM true
      RETURNING *`,
    delete: `DELETE FROM ${s}.schedules WHERE name = $1`,
    // Schedules another worker is firing are skipped, not waited for: each tick is fired once.
    // $1 now, $2 workflows, $3 limit.
    lockDue: `
      SELECT * FROM ${s}.schedules
      WHERE next_at <= $1 AND workflow = ANY($2::text[])
      ORDER BY next_at LIMIT $3
      FOR UPDATE SKIP LOCKED`,
    advance: `
      UPDATE ${s}.schedules SET next_at = $2, last_at = COALESCE($3, last_at), updated_at = $4
      WHERE name = $1`,
    earliest: `
      SELECT next_at FROM ${s}.schedules
      WHERE next_at IS NOT NULL AND workflow = ANY($1::text[])
      ORDER BY next_at LIMIT 1`,
  };
}
