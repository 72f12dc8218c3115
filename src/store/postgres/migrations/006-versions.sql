-- Version pinning (see the SQLite migration 007-versions.sql).
ALTER TABLE runs ADD COLUMN version TEXT;
ALTER TABLE workers ADD COLUMN version TEXT;
ALTER TABLE workers ADD COLUMN compatible_with TEXT NOT NULL DEFAULT '[]';
