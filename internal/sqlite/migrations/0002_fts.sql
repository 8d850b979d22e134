-- Full-text search over title and text; external content, kept by triggers.
CREATE VIRTUAL TABLE documents_fts USING fts5(
	title, text,
	content = 'documents', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN
	INSERT INTO documents_fts(rowid, title, text) VALUES (NEW.id, NEW.title, NEW.text);
END;

CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN
	INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', OLD.id, OLD.title, OLD.text);
END;

CREATE TRIGGER documents_fts_au AFTER UPDATE OF title, text ON documents BEGIN
	INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', OLD.id, OLD.title, OLD.text);
	INSERT INTO documents_fts(rowid, title, text) VALUES (NEW.id, NEW.title, NEW.text);
END;

-- Index documents stored before this migration.
INSERT INTO documents_fts(documents_fts) VALUES ('rebuild');
