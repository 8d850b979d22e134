-- Search filters the GIN index's bitmap can be ANDed with (issue 7). A
-- filter that is not an index condition is tested on the heap row of every
-- document the words match in the window: for a mid-frequency word and a
-- source: filter, 7,000 heap blocks at 100k documents (37 ms) to keep 2.5%
-- of them. Each filter here is a disjunction of index conditions, so the
-- planner reads only the rows that pass all of them (2.5 ms).

-- lang: and source: in id order. Searches look for the newest matches in
-- windows of ids; documents_language and documents_source list a value's
-- documents by date, so a window's share of them was found by reading them
-- all (100,000 entries for a language at 1M documents), and the planner
-- then preferred testing the words on every row of the window (150 ms)
-- to ANDing the GIN index's bitmap (12 ms with these).
CREATE INDEX documents_language_id ON documents (language, id);
CREATE INDEX documents_source_id ON documents (source_id, id);

-- source: the name an ingested file gave, compared case-insensitively.
-- Partial, so the query's arm repeats "site_name <> ''" to use it.
CREATE INDEX documents_site_name_lower ON documents (lower(site_name)) WHERE site_name <> '';

-- source: also any source that sighted the document after another brought
-- it first. Sightings by the document's own source (nearly all of them) are
-- left out, so the array is empty for most documents and the index small.
-- Ids of deleted sources may stay behind: no name finds them any more.
ALTER TABLE documents ADD COLUMN other_sources bigint[] NOT NULL DEFAULT '{}';
CREATE INDEX documents_other_sources ON documents USING gin (other_sources) WHERE other_sources <> '{}';

CREATE FUNCTION sightings_other_source() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	UPDATE documents SET other_sources = other_sources || NEW.source_id
		WHERE id = NEW.document_id AND source_id IS DISTINCT FROM NEW.source_id
			AND NOT other_sources @> ARRAY[NEW.source_id];
	RETURN NULL;
END $$;
CREATE TRIGGER sightings_other_source AFTER INSERT OR UPDATE OF source_id ON sightings
	FOR EACH ROW WHEN (NEW.source_id IS NOT NULL) EXECUTE FUNCTION sightings_other_source();

UPDATE documents d SET other_sources = o.ids
	FROM (SELECT g.document_id, array_agg(DISTINCT g.source_id ORDER BY g.source_id) AS ids
		FROM sightings g JOIN documents x ON x.id = g.document_id
		WHERE g.source_id IS NOT NULL AND g.source_id IS DISTINCT FROM x.source_id
		GROUP BY g.document_id) o
	WHERE d.id = o.document_id;

-- author: a substring of any author's name. The names are kept once each
-- in author_names (far fewer than documents, so a pattern scans them), and
-- a GIN index on each document's lower-cased names finds the documents of
-- the names that match. search_author_names reads the authors column as
-- the filter always has: a JSON array of strings, anything else none.
CREATE FUNCTION search_author_names(a jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path FROM CURRENT AS $$
	SELECT COALESCE(array_agg(DISTINCT lower(x)), '{}')
	FROM jsonb_array_elements_text(CASE jsonb_typeof(a) WHEN 'array' THEN a ELSE '[]' END) x
$$;
CREATE INDEX documents_author_names ON documents USING gin (search_author_names(authors));

CREATE TABLE author_names (name text PRIMARY KEY);
CREATE FUNCTION documents_author_names() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	INSERT INTO author_names (name) SELECT unnest(search_author_names(NEW.authors)) ON CONFLICT DO NOTHING;
	RETURN NULL;
END $$;
CREATE TRIGGER documents_author_names AFTER INSERT OR UPDATE OF authors ON documents
	FOR EACH ROW WHEN (NEW.authors <> '[]'::jsonb) EXECUTE FUNCTION documents_author_names();
INSERT INTO author_names (name)
	SELECT DISTINCT unnest(search_author_names(authors)) FROM documents WHERE authors <> '[]'::jsonb
	ON CONFLICT DO NOTHING;
