-- Version pinning: the version of the workers' code a run is pinned to (NULL: not pinned yet, any
-- worker may claim it), set when a versioned worker first claims it. Claims walk runs_due and
-- filter on it as they filter on the workflow, so it needs no index of its own.
ALTER TABLE runs ADD COLUMN version TEXT;
-- What each worker serves: its version (NULL: unversioned) and the older versions it can replay (JSON list).
ALTER TABLE workers ADD COLUMN version TEXT;
ALTER TABLE workers ADD COLUMN compatible_with TEXT NOT NULL DEFAULT '[]';
