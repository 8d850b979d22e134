-- Search filters that can list their own documents (issue 7). A search with
-- words walks the words' matches newest first; a filter that admits few
-- documents made it walk nearly all of them, reading each one's row (200 ms
-- for an author at a million documents). With an index the filter's
-- documents are listed first (in id windows) and the walk only tests
-- membership (search.go).

-- author: the authors column is a JSON array, which no index reaches. Each
-- distinct value is kept once in search_authors (an author: filter is a
-- substring match, so it scans these names, far fewer than documents) and
-- paired with its documents in document_authors. The values are those
-- json_each gives the filter's fallback, so both agree.
CREATE TABLE search_authors (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
CREATE TABLE document_authors (
	author_id   INTEGER NOT NULL,
	document_id INTEGER NOT NULL,
	PRIMARY KEY (author_id, document_id)
) WITHOUT ROWID;
CREATE INDEX document_authors_document ON document_authors(document_id);

CREATE TRIGGER document_authors_ai AFTER INSERT ON documents BEGIN
	INSERT OR IGNORE INTO search_authors (name)
		SELECT CAST(j.value AS TEXT) FROM json_each(CASE WHEN json_valid(NEW.authors) THEN NEW.authors ELSE '[]' END) j
		WHERE j.value IS NOT NULL;
	INSERT OR IGNORE INTO document_authors (author_id, document_id)
		SELECT a.id, NEW.id FROM json_each(CASE WHEN json_valid(NEW.authors) THEN NEW.authors ELSE '[]' END) j
		JOIN search_authors a ON a.name = CAST(j.value AS TEXT);
END;

CREATE TRIGGER document_authors_au AFTER UPDATE OF authors ON documents BEGIN
	DELETE FROM document_authors WHERE document_id = OLD.id;
	INSERT OR IGNORE INTO search_authors (name)
		SELECT CAST(j.value AS TEXT) FROM json_each(CASE WHEN json_valid(NEW.authors) THEN NEW.authors ELSE '[]' END) j
		WHERE j.value IS NOT NULL;
	INSERT OR IGNORE INTO document_authors (author_id, document_id)
		SELECT a.id, NEW.id FROM json_each(CASE WHEN json_valid(NEW.authors) THEN NEW.authors ELSE '[]' END) j
		JOIN search_authors a ON a.name = CAST(j.value AS TEXT);
END;

CREATE TRIGGER document_authors_ad AFTER DELETE ON documents BEGIN
	DELETE FROM document_authors WHERE document_id = OLD.id;
END;

INSERT OR IGNORE INTO search_authors (name)
	SELECT CAST(j.value AS TEXT) FROM documents d, json_each(CASE WHEN json_valid(d.authors) THEN d.authors ELSE '[]' END) j
	WHERE j.value IS NOT NULL;
INSERT OR IGNORE INTO document_authors (author_id, document_id)
	SELECT a.id, d.id FROM documents d, json_each(CASE WHEN json_valid(d.authors) THEN d.authors ELSE '[]' END) j
	JOIN search_authors a ON a.name = CAST(j.value AS TEXT);

-- source: the name a file's import gave (site_name) had no index, and
-- documents_source lists a source's documents in time order, not by id.
-- These two list them by id (the rowid ends every index entry), as
-- sightings_source and document_authors do, so a search can take one id
-- window of a filter's documents at a time.
CREATE INDEX documents_site_name ON documents(site_name COLLATE NOCASE);
CREATE INDEX documents_source_id ON documents(source_id);
