-- Search (issue 7).

-- A documents row keeps its long text inline, so reading story_id or
-- source_id after it walks the overflow pages: a search that checks
-- thousands of candidates paid that per row (16 ms of 18 for a common word
-- at 100k documents). This covering index holds what ranking, grouping and
-- the filters read, by id; Search names it with INDEXED BY.
CREATE INDEX documents_search ON documents(id, story_id, source_id, language, published, first_seen, site_name, authors);

-- lang: without words lists newest first within one language.
CREATE INDEX documents_language ON documents(language, COALESCE(published, first_seen) DESC, id DESC);

-- prefix* queries: without a prefix index FTS5 merges the doclists of every
-- term sharing the prefix on each query (170 ms for a 4-letter prefix at
-- 100k documents). Same table otherwise; the 0002 triggers and the 0003
-- fts5vocab table find it by name.
DROP TABLE documents_fts;
CREATE VIRTUAL TABLE documents_fts USING fts5(
	title, text,
	content = 'documents', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '3 4'
);
INSERT INTO documents_fts(documents_fts) VALUES ('rebuild');
