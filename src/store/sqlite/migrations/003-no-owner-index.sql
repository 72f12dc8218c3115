-- No statement looks runs up by owner alone: leases are renewed and runs released by id. The index
-- only cost a page write on every claim, start and end of a run.
DROP INDEX IF EXISTS runs_owner;
