-- Tracing: the run's W3C trace context (traceparent), so that every execution of the run (after a
-- sleep, a crash, a take-over) continues one trace. NULL: the run was started with no trace.
ALTER TABLE runs ADD COLUMN trace_context TEXT;
