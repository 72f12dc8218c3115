import type Database from "better-sqlite3";

type StatementName =
  | "append" | "getEvent" | "eventByKey" | "head"
  | "listEvents" | "listEventsOfType" | "listEventsFromSource" | "listEventsOfTypeFromSource"
  | "registerTrigger" | "listTriggers" | "getTrigger" | "pendingTriggers" | "nextEvents" | "moveCursor"
  | "upsertWebhook" | "getWebhook" | "listWebhooks"
  | "subscribe" | "deleteSubscriptions" | "deleteOldEvents";

/** The SQLite store's statements on the event log, triggers, webhooks and subscriptions (see EventLogStore). */
export function prepareEventLogStatements(db: Database.Database): Record<StatementName, Database.Statement> {
  // One statement per filter, newest first from @before: a filter written "(@type IS NULL OR ...)"
  // would keep SQLite off the type and source indexes, and walk the whole log for a rare type.
  const listEvents = (filter: string) => db.prepare(`SELECT * FROM event_log WHERE ${filter} seq < @before ORDER BY seq DESC LIMIT @limit`);
  return {
    append: db.prepare(`
      INSERT INTO event_log (type, source, payload, headers, key, received_at, redispatch_of, target)
      VALUES (@type, @source, @payload, @headers, @key, @received_at, @redispatch_of, @target)
      ON CONFLICT (key) WHERE key IS NOT NULL DO NOTHING
      RETURNING *`),
    getEvent: db.prepare(`SELECT * FROM event_log WHERE seq = ?`),
    eventByKey: db.prepare(`SELECT * FROM event_log WHERE key = ?`),
    listEvents: listEvents(""),
    listEventsOfType: listEvents("type = @type AND"),
    listEventsFromSource: listEvents("source = @source AND"),
    listEventsOfTypeFromSource: listEvents("type = @type AND source = @source AND"),
    head: db.prepare(`SELECT COALESCE(max(seq), 0) FROM event_log`).pluck(),
    // A new trigger starts at the head: events from before it existed start nothing.
    registerTrigger: db.prepare(`
      INSERT INTO triggers (name, event_type, workflow, cursor, created_at, updated_at)
      VALUES (@name, @event_type, @workflow, (SELECT COALESCE(max(seq), 0) FROM event_log), @now, @now)
      ON CONFLICT (name) DO UPDATE SET event_type = excluded.event_type, workflow = excluded.workflow, updated_at = excluded.updated_at`),
    listTriggers: db.prepare(`SELECT * FROM triggers ORDER BY name`),
    getTrigger: db.prepare(`SELECT * FROM triggers WHERE name = ?`),
    // Of the given triggers, those with events to dispatch (looked up before taking the write lock).
    pendingTriggers: db.prepare(`
      SELECT name FROM triggers AS t
      WHERE name IN (SELECT value FROM json_each(@names))
        AND EXISTS (SELECT 1 FROM event_log AS e
                    WHERE e.type = t.event_type AND e.seq > t.cursor AND (e.target IS NULL OR e.target = t.name))
      ORDER BY name`).pluck(),
    nextEvents: db.prepare(`
      SELECT * FROM event_log
      WHERE type = @type AND seq > @cursor AND (target IS NULL OR target = @name)
      ORDER BY seq LIMIT @limit`),
    moveCursor: db.prepare(`UPDATE triggers SET cursor = @cursor, updated_at = @now WHERE name = @name`),
    upsertWebhook: db.prepare(`
      INSERT INTO webhooks (name, definition, updated_at) VALUES (@name, @definition, @now)
      ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`),
    getWebhook: db.prepare(`SELECT * FROM webhooks WHERE name = ?`),
    listWebhooks: db.prepare(`SELECT * FROM webhooks ORDER BY name`),
    // Re-opened on replay: the subscription already written is kept.
    subscribe: db.prepare(`
      INSERT INTO subscriptions (run_id, position, event_type) VALUES (@run_id, @position, @event_type)
      ON CONFLICT (run_id, position) DO NOTHING`),
    deleteSubscriptions: db.prepare(`DELETE FROM subscriptions WHERE run_id IN (SELECT value FROM json_each(@ids))`),
    // Among the @limit oldest events (seq follows receipt), those past retention that every trigger of their type has read.
    deleteOldEvents: db.prepare(`
      DELETE FROM event_log WHERE seq IN (
        SELECT e.seq FROM (SELECT seq, type, received_at FROM event_log ORDER BY seq LIMIT @limit) AS e
        WHERE e.received_at < @before
          AND NOT EXISTS (SELECT 1 FROM triggers AS t WHERE t.event_type = e.type AND t.cursor < e.seq))`),
  };
}
