-- Workers announce themselves with a heartbeat (see the SQLite migration 006-workers.sql).
CREATE TABLE workers (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  workflows    TEXT NOT NULL,
  queues       TEXT NOT NULL,
  concurrency  INTEGER NOT NULL,
  active_runs  INTEGER NOT NULL,
  heartbeat_ms BIGINT NOT NULL,
  started_at   BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL
);

CREATE INDEX workers_heartbeat ON workers (heartbeat_at);
