-- Story matching (issue 4): fingerprints, LSH band postings shared by every
-- process, outlet-only provenance edges, and FTS term counts for IDF.

-- One fingerprint per document (match.Fingerprint.Marshal) and its band keys
-- (8 bytes little-endian each), kept to remove the old postings on re-fingerprint.
CREATE TABLE fingerprints (
	document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
	data        BLOB NOT NULL,
	bands       BLOB NOT NULL
);

-- LSH postings: (band key, document). A lookup is one index seek per key,
-- whatever the number of documents. No foreign key: a cascade would need a
-- second index on document_id (doubling the table); a posting of a deleted
-- document is harmless, candidate loading skips ids that no longer exist.
CREATE TABLE lsh_bands (
	band_key    INTEGER NOT NULL,
	document_id INTEGER NOT NULL,
	PRIMARY KEY (band_key, document_id)
) WITHOUT ROWID;

-- Per-term document counts of the full-text index, for IDF weights.
CREATE VIRTUAL TABLE documents_fts_terms USING fts5vocab(documents_fts, 'row');

-- Edges may now start at an outlet with no document of its own (a credited
-- original source named only in a cue): from_id NULL, from_outlet set.
CREATE TABLE edges_new (
	id          INTEGER PRIMARY KEY,
	story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	from_id     INTEGER REFERENCES documents(id) ON DELETE CASCADE,
	from_outlet TEXT NOT NULL DEFAULT '',
	to_id       INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL,
	confidence  REAL NOT NULL DEFAULT 0,
	evidence    TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	UNIQUE (from_id, to_id, kind),
	CHECK (from_id IS NOT NULL OR from_outlet <> '')
);
INSERT INTO edges_new (id, story_id, from_id, to_id, kind, confidence, evidence, created_at)
	SELECT id, story_id, from_id, to_id, kind, confidence, evidence, created_at FROM edges;
DROP TABLE edges;
ALTER TABLE edges_new RENAME TO edges;
CREATE INDEX edges_story ON edges(story_id);
CREATE INDEX edges_to ON edges(to_id);
CREATE INDEX edges_from ON edges(from_id);
-- NULLs are distinct in UNIQUE above, so outlet edges get their own key.
CREATE UNIQUE INDEX edges_outlet ON edges(from_outlet, to_id, kind) WHERE from_id IS NULL;
