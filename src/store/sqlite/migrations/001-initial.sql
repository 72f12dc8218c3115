-- Runs: one row per workflow execution. due_at schedules it (see src/store/store.ts).
CREATE TABLE runs (
  id               TEXT PRIMARY KEY,
  workflow         TEXT NOT NULL,
  status           TEXT NOT NULL,
  input            TEXT NOT NULL,
  output           TEXT,
  error            TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  due_at           INTEGER,
  owner            TEXT,
  epoch            INTEGER NOT NULL DEFAULT 0,
  lapses           INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  cancel_delivered INTEGER NOT NULL DEFAULT 0,
  waiting_for      TEXT
) STRICT;

CREATE INDEX runs_due ON runs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX runs_owner ON runs (owner) WHERE owner IS NOT NULL;
CREATE INDEX runs_created ON runs (created_at DESC, id DESC);
CREATE INDEX runs_status_created ON runs (status, created_at DESC, id DESC);
CREATE INDEX runs_workflow_created ON runs (workflow, created_at DESC, id DESC);

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
  started_at  INTEGER,
  finished_at INTEGER,
  wake_at     INTEGER,
  seq         INTEGER,
  PRIMARY KEY (run_id, position)
) STRICT, WITHOUT ROWID;

-- Events sent to runs, kept until a waitForEvent consumes them (and after, for the record).
CREATE TABLE inbox (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id            TEXT NOT NULL,
  name              TEXT NOT NULL,
  payload           TEXT NOT NULL,
  key               TEXT,
  sent_at           INTEGER NOT NULL,
  consumed_position INTEGER
) STRICT;

CREATE INDEX inbox_unconsumed ON inbox (run_id, seq) WHERE consumed_position IS NULL;
CREATE UNIQUE INDEX inbox_key ON inbox (run_id, key) WHERE key IS NOT NULL;

-- Workflow names some worker has served, so clients can check the names they are given.
CREATE TABLE workflows (
  name          TEXT PRIMARY KEY,
  registered_at INTEGER NOT NULL
) STRICT;
