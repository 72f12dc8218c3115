-- Workers announce themselves with a heartbeat, so operators can see who is alive and who holds a
-- run ("why is it stuck?"). Rows of workers silent for an hour are deleted by later heartbeats.
CREATE TABLE workers (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  workflows    TEXT NOT NULL,
  queues       TEXT NOT NULL,
  concurrency  INTEGER NOT NULL,
  active_runs  INTEGER NOT NULL,
  heartbeat_ms INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
) STRICT;

CREATE INDEX workers_heartbeat ON workers (heartbeat_at);
