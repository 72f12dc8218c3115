-- Runs in the store's schema (search_path is set to it). Times are ms since the epoch, as on SQLite.

-- Runs: one row per workflow execution. due_at schedules it (see src/store/store.ts).
CREATE TABLE runs (
  id               TEXT PRIMARY KEY,
  workflow         TEXT NOT NULL,
  status           TEXT NOT NULL,
  input            TEXT NOT NULL,
  output           TEXT,
  error            TEXT,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  started_at       BIGINT,
  finished_at      BIGINT,
  due_at           BIGINT,
  owner            TEXT,
  epoch            BIGINT NOT NULL DEFAULT 0,
  lapses           INTEGER NOT NULL DEFAULT 0,
  cancel_requested BOOLEAN NOT NULL DEFAULT false,
  cancel_delivered BOOLEAN NOT NULL DEFAULT false,
  waiting_for      TEXT[]
);

CREATE INDEX runs_due ON runs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX runs_owner ON runs (owner) WHERE owner IS NOT NULL;
CREATE INDEX runs_created ON runs (created_at DESC, id DESC);
CREATE INDEX runs_status_created ON runs (status, created_at DESC, id DESC);
CREATE INDEX runs_workflow_created ON runs (workflow, created_at DESC, id DESC);
CREATE INDEX runs_finished ON runs (finished_at) WHERE finished_at IS NOT NULL;

-- The journal: the outcome of each durable call of a run, by position.
CREATE TABLE journal (
  run_id      TEXT NOT NULL,
  position    INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  name        TEXT NOT NULL,
  status      TEXT NOT NULL,
  output      TEXT,
  error       TEXT,
  attempts    INTEGER NOT NULL,
  started_at  BIGINT,
  finished_at BIGINT,
  wake_at     BIGINT,
  seq         INTEGER,
  PRIMARY KEY (run_id, position)
);

-- Events sent to runs, kept until a waitForEvent consumes them (and after, for the record).
CREATE TABLE inbox (
  seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id            TEXT NOT NULL,
  name              TEXT NOT NULL,
  payload           TEXT NOT NULL,
  key               TEXT,
  sent_at           BIGINT NOT NULL,
  consumed_position INTEGER
);

CREATE INDEX inbox_unconsumed ON inbox (run_id, seq) WHERE consumed_position IS NULL;
CREATE UNIQUE INDEX inbox_key ON inbox (run_id, key) WHERE key IS NOT NULL;
CREATE INDEX inbox_run ON inbox (run_id);

-- Workflow names some worker has served, so clients can check the names they are given.
CREATE TABLE workflows (
  name          TEXT PRIMARY KEY,
  registered_at BIGINT NOT NULL
);

-- Wakes idle workers (LISTEN endure_due_<schema>) when a run becomes due now, instead of them
-- waiting for their next poll. Leases of running runs move due_at too; those do not notify.
CREATE FUNCTION notify_due() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('endure_due_' || TG_TABLE_SCHEMA, '');
  RETURN NULL;
END
$$;

CREATE TRIGGER runs_notify_due
  AFTER INSERT OR UPDATE OF due_at, status ON runs
  FOR EACH ROW
  WHEN (NEW.status IN ('pending', 'waiting') AND NEW.due_at IS NOT NULL
        AND NEW.due_at <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint + 100)
  EXECUTE FUNCTION notify_due();
