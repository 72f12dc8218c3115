-- The event log, triggers, webhooks and subscriptions (see the SQLite migration 008-event-log.sql).
-- Appends take a transaction-scoped advisory lock (see event-log-sql.ts), so seq grows in commit order.

CREATE TABLE event_log (
  seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type          TEXT NOT NULL,
  source        TEXT NOT NULL,
  payload       TEXT NOT NULL,
  headers       TEXT,
  key           TEXT,
  received_at   BIGINT NOT NULL,
  redispatch_of BIGINT,
  target        TEXT
);

CREATE INDEX event_log_type ON event_log (type, seq);
CREATE INDEX event_log_source ON event_log (source, seq);
CREATE UNIQUE INDEX event_log_key ON event_log (key) WHERE key IS NOT NULL;

CREATE TABLE triggers (
  name       TEXT PRIMARY KEY,
  event_type TEXT NOT NULL,
  workflow   TEXT NOT NULL,
  cursor     BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE webhooks (
  name       TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE subscriptions (
  run_id     TEXT NOT NULL,
  position   INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  PRIMARY KEY (run_id, position)
);

CREATE INDEX subscriptions_type ON subscriptions (event_type);

-- An appended event reaches the subscribed runs' inboxes and wakes those waiting for it (as
-- child_finished does; the wake NOTIFYs through runs_notify_due). The runs are locked first, as
-- sendEvent locks its run: a run suspending at the same moment either is seen waiting here, or
-- sees the event in its inbox (see applyCommits in postgres-store.ts).
CREATE FUNCTION event_log_to_subscribers() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM 1 FROM runs WHERE id IN (SELECT run_id FROM subscriptions WHERE event_type = NEW.type) ORDER BY id FOR UPDATE;
  INSERT INTO inbox (run_id, name, payload, sent_at)
  SELECT run_id, 'endure:sub:' || position,
         json_build_object('seq', NEW.seq, 'type', NEW.type, 'source', NEW.source, 'payload', NEW.payload,
                           'headers', NEW.headers, 'key', NEW.key, 'receivedAt', NEW.received_at)::text,
         NEW.received_at
  FROM subscriptions WHERE event_type = NEW.type;
  UPDATE runs AS r SET due_at = NEW.received_at, updated_at = NEW.received_at
  FROM subscriptions AS s
  WHERE s.event_type = NEW.type AND r.id = s.run_id
    AND r.status IS NOT DISTINCT FROM 'waiting' AND ('endure:sub:' || s.position) = ANY (r.waiting_for);
  RETURN NULL;
END
$$;

CREATE TRIGGER event_log_to_subscribers
  AFTER INSERT ON event_log
  FOR EACH ROW
  WHEN (NEW.target IS NULL)
  EXECUTE FUNCTION event_log_to_subscribers();

-- A run's subscriptions end with it; a blocked run keeps them (it may be retried).
CREATE FUNCTION subscriptions_ended() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  DELETE FROM subscriptions WHERE run_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER runs_subscriptions_ended
  AFTER UPDATE OF status ON runs
  FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status IN ('completed', 'failed', 'cancelled'))
  EXECUTE FUNCTION subscriptions_ended();
