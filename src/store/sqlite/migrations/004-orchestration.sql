-- Orchestration: child runs, run options, queues, operator retry and fork, continue-as-new, schedules.

-- A child run knows its parent and the position of the parent's call that awaits it.
ALTER TABLE runs ADD COLUMN parent_id TEXT;
ALTER TABLE runs ADD COLUMN parent_position INTEGER;
-- Run options: a JSON array of tags; a timeout counted from the run's start.
ALTER TABLE runs ADD COLUMN tags TEXT;
ALTER TABLE runs ADD COLUMN timeout_ms INTEGER;
-- Queues: a queued run (status 'queued', due_at NULL) is admitted, in priority order, once its
-- queue's limits allow and admit_at has passed; admitted_at marks when it took its slot.
ALTER TABLE runs ADD COLUMN queue TEXT;
ALTER TABLE runs ADD COLUMN concurrency_key TEXT;
ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN admit_at INTEGER;
ALTER TABLE runs ADD COLUMN admitted_at INTEGER;
-- Links between runs: continue-as-new chains, forks; operator retries so far.
ALTER TABLE runs ADD COLUMN continued_from TEXT;
ALTER TABLE runs ADD COLUMN continued_to TEXT;
ALTER TABLE runs ADD COLUMN forked_from TEXT;
ALTER TABLE runs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;

CREATE INDEX runs_parent ON runs (parent_id, parent_position) WHERE parent_id IS NOT NULL;
CREATE INDEX runs_queued ON runs (queue, priority DESC, admit_at, id) WHERE status = 'queued';
CREATE INDEX runs_queue_active ON runs (queue, concurrency_key) WHERE admitted_at IS NOT NULL AND finished_at IS NULL;
CREATE INDEX runs_queue_admitted ON runs (queue, admitted_at) WHERE admitted_at IS NOT NULL;

-- Named queues and their limits (NULL: no such limit).
CREATE TABLE queues (
  name            TEXT PRIMARY KEY,
  concurrency     INTEGER,
  key_concurrency INTEGER,
  rate_limit      INTEGER,
  rate_period_ms  INTEGER,
  updated_at      INTEGER NOT NULL
) STRICT;

-- Cron schedules. next_at is the next tick to fire (NULL while paused).
CREATE TABLE schedules (
  name       TEXT PRIMARY KEY,
  workflow   TEXT NOT NULL,
  cron       TEXT NOT NULL,
  timezone   TEXT NOT NULL,
  input      TEXT NOT NULL,
  options    TEXT NOT NULL,
  catch_up   TEXT NOT NULL,
  paused     INTEGER NOT NULL DEFAULT 0,
  next_at    INTEGER,
  last_at    INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX schedules_next ON schedules (next_at) WHERE next_at IS NOT NULL;

-- Journal entries an operator retry replaced, by the retry that replaced them (1, 2, ...).
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
  started_at  INTEGER,
  finished_at INTEGER,
  wake_at     INTEGER,
  seq         INTEGER,
  PRIMARY KEY (run_id, retry, position)
) STRICT, WITHOUT ROWID;

-- A child run that ends tells its parent: an event 'endure:child:<position>' in the parent's inbox
-- (the payload: status, output, error), and the parent wakes if it waits for it. A blocked child
-- does not end its parent's wait (it may be retried); a child that continued as new is followed
-- by its successor, which has the same parent and position.
CREATE TRIGGER runs_child_finished AFTER UPDATE OF status ON runs
FOR EACH ROW
WHEN NEW.parent_id IS NOT NULL AND NEW.continued_to IS NULL AND OLD.status <> NEW.status
  AND NEW.status IN ('completed', 'failed', 'cancelled')
BEGIN
  INSERT INTO inbox (run_id, name, payload, sent_at)
  VALUES (NEW.parent_id, 'endure:child:' || NEW.parent_position,
          json_object('id', NEW.id, 'status', NEW.status, 'output', NEW.output, 'error', NEW.error), NEW.updated_at);
  UPDATE runs SET due_at = NEW.updated_at, updated_at = NEW.updated_at
  WHERE id = NEW.parent_id AND status = 'waiting'
    AND EXISTS (SELECT 1 FROM json_each(waiting_for) WHERE value = 'endure:child:' || NEW.parent_position);
END;
