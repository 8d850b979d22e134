-- Document embeddings from the optional OpenAI-compatible endpoint, for
-- cross-language (translation) matching; see the SQLite migration
-- 0010_embeddings.sql. vec holds dims float32 values, 4 bytes
-- little-endian each; similarity is computed by the caller (no pgvector).
-- The window lookup walks documents_sort and joins here by primary key.
CREATE TABLE embeddings (
	document_id bigint PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
	model       text NOT NULL,
	dims        integer NOT NULL,
	vec         bytea NOT NULL,
	created_at  timestamptz NOT NULL
);
-- Keep vectors in the row (3 KB at 768 dimensions) rather than in the TOAST
-- table: a lookup reads up to a few hundred of them, and float bytes do not
-- compress anyway.
ALTER TABLE embeddings ALTER COLUMN vec SET STORAGE MAIN;
