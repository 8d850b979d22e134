-- The SQLite store stamps each fingerprint save with seq, in commit order,
-- so that its per-process band filters read only what was saved since they
-- last looked (SQLite migration 0011). PostgreSQL keeps the column so that
-- both stores have one schema and a copy carries it over; it does not use it.
ALTER TABLE fingerprints ADD COLUMN seq bigint NOT NULL DEFAULT 0;
