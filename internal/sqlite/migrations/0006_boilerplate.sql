-- Learned per-source boilerplate: which short lines each of a source's
-- recent documents holds (a key per normalized line, once per document).
-- Only the newest documents of each source are kept (RecordLines prunes).
CREATE TABLE source_lines (
	source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	line_key    TEXT NOT NULL,
	PRIMARY KEY (document_id, line_key)
) WITHOUT ROWID;
CREATE INDEX source_lines_source ON source_lines(source_id, document_id);

-- A line's text, stored once its key is held by two documents of the
-- source: unique body paragraphs never get here.
CREATE TABLE source_line_texts (
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	line_key  TEXT NOT NULL,
	norm      TEXT NOT NULL,
	text      TEXT NOT NULL,
	PRIMARY KEY (source_id, line_key)
) WITHOUT ROWID;
