-- Document embeddings from the optional OpenAI-compatible endpoint, for
-- cross-language (translation) matching. One vector per document: model
-- names what made it (vectors of different models are not comparable),
-- dims its length, vec the float32 values, 4 bytes little-endian each.
-- The window lookup walks documents_sort (the documents' time order) and
-- joins here by primary key, so no index of its own is needed.
CREATE TABLE embeddings (
	document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
	model       TEXT NOT NULL,
	dims        INTEGER NOT NULL,
	vec         BLOB NOT NULL,
	created_at  TEXT NOT NULL
);
