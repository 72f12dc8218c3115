-- Tracing: the run's W3C trace context (see the SQLite migration 005-trace-context.sql).
ALTER TABLE runs ADD COLUMN trace_context TEXT;
