-- Orchestration: child runs, run options, queues, operator retry and fork, continue-as-new, schedules.
-- (The columns and rules are explained in the SQLite migration 004-orchestration.sql.)

ALTER TABLE runs
  ADD COLUMN parent_id TEXT,
  ADD COLUMN parent_position INTEGER,
  ADD COLUMN tags TEXT[],
  ADD COLUMN timeout_ms BIGINT,
  ADD COLUMN queue TEXT,
  ADD COLUMN concurrency_key TEXT,
  ADD COLUMN priority INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN admit_at BIGINT,
  ADD COLUMN admitted_at BIGINT,
  ADD COLUMN continued_from TEXT,
  ADD COLUMN continued_to TEXT,
  ADD COLUMN forked_from TEXT,
  ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;

CREATE INDEX runs_parent ON runs (parent_id, parent_position) WHERE parent_id IS NOT NULL;
CREATE INDEX runs_tags ON runs USING gin (tags) WHERE tags IS NOT NULL;
CREATE INDEX runs_queued ON runs (queue, priority DESC, admit_at, id) WHERE status = 'queued';
CREATE INDEX runs_queue_active ON runs (queue, concurrency_key) WHERE admitted_at IS NOT NULL AND finished_at IS NULL;
CREATE INDEX runs_queue_admitted ON runs (queue, admitted_at) WHERE admitted_at IS NOT NULL;

CREATE TABLE queues (
  name            TEXT PRIMARY KEY,
  concurrency     INTEGER,
  key_concurrency INTEGER,
  rate_limit      INTEGER,
  rate_period_ms  BIGINT,
  updated_at      BIGINT NOT NULL
);

CREATE TABLE schedules (
  name       TEXT PRIMARY KEY,
  workflow   TEXT NOT NULL,
  cron       TEXT NOT NULL,
  timezone   TEXT NOT NULL,
  input      TEXT NOT NULL,
  options    TEXT NOT NULL,
  catch_up   TEXT NOT NULL,
  paused     BOOLEAN NOT NULL DEFAULT false,
  next_at    BIGINT,
  last_at    BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE INDEX schedules_next ON schedules (next_at) WHERE next_at IS NOT NULL;

CREATE TABLE journal_history (
  run_id      TEXT NOT NULL,
  retry       INTEGER NOT NULL,
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
  PRIMARY KEY (run_id, retry, position)
);

-- A child run that ends tells its parent (see the SQLite migration). The tables are the schema's
-- own: the function keeps the search_path it was created with. The parent is found by primary key
-- only (IS NOT DISTINCT FROM, as in sql.ts): a plan made while the table was small would otherwise
-- walk every waiting run through runs_status_created.
CREATE FUNCTION child_finished() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO inbox (run_id, name, payload, sent_at)
  VALUES (NEW.parent_id, 'endure:child:' || NEW.parent_position,
          json_build_object('id', NEW.id, 'status', NEW.status, 'output', NEW.output, 'error', NEW.error)::text, NEW.updated_at);
  UPDATE runs SET due_at = NEW.updated_at, updated_at = NEW.updated_at
  WHERE id = NEW.parent_id AND status IS NOT DISTINCT FROM 'waiting' AND ('endure:child:' || NEW.parent_position) = ANY (waiting_for);
  RETURN NULL;
END
$$;

CREATE TRIGGER runs_child_finished
  AFTER UPDATE OF status ON runs
  FOR EACH ROW
  WHEN (NEW.parent_id IS NOT NULL AND NEW.continued_to IS NULL AND OLD.status IS DISTINCT FROM NEW.status
        AND NEW.status IN ('completed', 'failed', 'cancelled'))
  EXECUTE FUNCTION child_finished();
