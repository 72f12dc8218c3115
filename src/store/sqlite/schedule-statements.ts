import type Database from "better-sqlite3";

type StatementName = "upsert" | "get" | "list" | "pause" | "resume" | "delete" | "findDue" | "advance" | "earliest";

/** The SQLite store's statements on schedules (see ScheduleStore). */
export function prepareScheduleStatements(db: Database.Database): Record<StatementName, Database.Statement> {
  return {
    // A new cron or time zone moves the next tick; otherwise a due tick not yet fired is kept.
    upsert: db.prepare(`
      INSERT INTO schedules (name, workflow, cron, timezone, input, options, catch_up, next_at, created_at, updated_at)
      VALUES (@name, @workflow, @cron, @timezone, @input, @options, @catch_up, @next_at, @now, @now)
      ON CONFLICT (name) DO UPDATE SET
        workflow = excluded.workflow, input = excluded.input, options = excluded.options, catch_up = excluded.catch_up,
        next_at = CASE WHEN schedules.paused = 1 THEN NULL
                       WHEN schedules.cron = excluded.cron AND schedules.timezone = excluded.timezone
                         AND schedules.next_at IS NOT NULL THEN schedules.next_at
                       ELSE excluded.next_at END,
        cron = excluded.cron, timezone = excluded.timezone, updated_at = excluded.updated_at
      RETURNING *`),
    get: db.prepare(`SELECT * FROM schedules WHERE name = ?`),
    list: db.prepare(`SELECT * FROM schedules ORDER BY name`),
    pause: db.prepare(`UPDATE schedules SET paused = 1, next_at = NULL, updated_at = @now WHERE name = @name RETURNING *`),
    resume: db.prepare(`UPDATE schedules SET paused = 0, next_at = @next_at, updated_at = @now WHERE name = @name AND paused = 1 RETURNING *`),
    delete: db.prepare(`DELETE FROM schedules WHERE name = ?`),
    // "+workflow" keeps the planner on schedules_next.
    findDue: db.prepare(`
      SELECT * FROM schedules
      WHERE next_at <= @now AND +workflow IN (SELECT value FROM json_each(@workflows))
      ORDER BY next_at LIMIT @limit`),
    advance: db.prepare(`
      UPDATE schedules SET next_at = @next_at, last_at = COALESCE(@last_at, last_at), updated_at = @now
      WHERE name = @name`),
    earliest: db.prepare(`
      SELECT next_at FROM schedules
      WHERE next_at IS NOT NULL AND +workflow IN (SELECT value FROM json_each(@workflows))
      ORDER BY next_at LIMIT 1`),
  };
}
