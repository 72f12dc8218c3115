-- Retention deletes finished runs oldest first, with their journal and events.
CREATE INDEX runs_finished ON runs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX inbox_run ON inbox (run_id);
