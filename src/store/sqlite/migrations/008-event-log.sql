-- The event log: every incoming event, in order (see src/store/event-log-store.ts). AUTOINCREMENT:
-- a seq is never reused, so a trigger's cursor never points before an event it has not seen.
CREATE TABLE event_log (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  type          TEXT NOT NULL,
  source        TEXT NOT NULL,
  payload       TEXT NOT NULL,
  -- JSON text of the kept HTTP headers of a webhook's event.
  headers       TEXT,
  key           TEXT,
  received_at   INTEGER NOT NULL,
  -- A re-dispatched copy: the event it copies, and the one trigger it is for (NULL: all of them).
  redispatch_of INTEGER,
  target        TEXT
) STRICT;

-- A trigger's next events (type, seq > cursor) and the log listed newest first by type or source.
CREATE INDEX event_log_type ON event_log (type, seq);
CREATE INDEX event_log_source ON event_log (source, seq);
CREATE UNIQUE INDEX event_log_key ON event_log (key) WHERE key IS NOT NULL;

-- Triggers start runs from events of their type; cursor: the seq up to which they have dispatched.
CREATE TABLE triggers (
  name       TEXT PRIMARY KEY,
  event_type TEXT NOT NULL,
  workflow   TEXT NOT NULL,
  cursor     INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- Webhooks feed the log; definition is the JSON text the server reads for each request.
CREATE TABLE webhooks (
  name       TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- The subscriptions of unfinished runs: events of event_type reach the run's inbox as
-- 'endure:sub:<position>'. Written with the commit of the run's subscribe() call.
CREATE TABLE subscriptions (
  run_id     TEXT NOT NULL,
  position   INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  PRIMARY KEY (run_id, position)
) STRICT, WITHOUT ROWID;

CREATE INDEX subscriptions_type ON subscriptions (event_type);

-- An appended event reaches every subscribed run's inbox, its payload a JSON object of the event's
-- fields (payload and headers as JSON strings of their text), and wakes the runs waiting for it,
-- as runs_child_finished does for a child's end. A copy targeted at one trigger reaches no run.
-- "+status": the runs are found by id, not by walking every waiting run (runs_status_created).
CREATE TRIGGER event_log_to_subscribers AFTER INSERT ON event_log
FOR EACH ROW
WHEN NEW.target IS NULL
BEGIN
  INSERT INTO inbox (run_id, name, payload, sent_at)
  SELECT run_id, 'endure:sub:' || position,
         json_object('seq', NEW.seq, 'type', NEW.type, 'source', NEW.source, 'payload', NEW.payload,
                     'headers', NEW.headers, 'key', NEW.key, 'receivedAt', NEW.received_at),
         NEW.received_at
  FROM subscriptions WHERE event_type = NEW.type;
  UPDATE runs SET due_at = NEW.received_at, updated_at = NEW.received_at
  WHERE id IN (SELECT run_id FROM subscriptions WHERE event_type = NEW.type) AND +status = 'waiting'
    AND EXISTS (SELECT 1 FROM subscriptions AS s, json_each(runs.waiting_for) AS w
                WHERE s.run_id = runs.id AND s.event_type = NEW.type AND w.value = 'endure:sub:' || s.position);
END;

-- A run's subscriptions end with it; a blocked run keeps them (it may be retried).
CREATE TRIGGER runs_subscriptions_ended AFTER UPDATE OF status ON runs
FOR EACH ROW
WHEN OLD.status <> NEW.status AND NEW.status IN ('completed', 'failed', 'cancelled')
BEGIN
  DELETE FROM subscriptions WHERE run_id = NEW.id;
END;
