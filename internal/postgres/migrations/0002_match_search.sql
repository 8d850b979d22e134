-- Story matching, full-text search and learned boilerplate: what SQLite
-- keeps in its migrations 0002, 0003, 0005 and 0006.

-- Full-text search -----------------------------------------------------------

-- search_config maps a document's language code (ISO 639-1, as extraction
-- detects it; a region suffix is ignored) to a built-in text search
-- configuration, 'simple' (no stemming, no stop words) for any other.
-- IMMUTABLE: the stored vectors below depend on it, so changing the mapping
-- means a migration that rewrites them. Function bodies name only
-- pg_catalog objects, so they work whatever the caller's search_path.
CREATE FUNCTION search_config(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE pg_catalog.lower(pg_catalog.split_part(pg_catalog.replace(lang, '_', '-'), '-', 1))
		WHEN 'ar' THEN 'pg_catalog.arabic'::pg_catalog.regconfig
		WHEN 'hy' THEN 'pg_catalog.armenian'::pg_catalog.regconfig
		WHEN 'eu' THEN 'pg_catalog.basque'::pg_catalog.regconfig
		WHEN 'ca' THEN 'pg_catalog.catalan'::pg_catalog.regconfig
		WHEN 'da' THEN 'pg_catalog.danish'::pg_catalog.regconfig
		WHEN 'nl' THEN 'pg_catalog.dutch'::pg_catalog.regconfig
		WHEN 'en' THEN 'pg_catalog.english'::pg_catalog.regconfig
		WHEN 'fi' THEN 'pg_catalog.finnish'::pg_catalog.regconfig
		WHEN 'fr' THEN 'pg_catalog.french'::pg_catalog.regconfig
		WHEN 'de' THEN 'pg_catalog.german'::pg_catalog.regconfig
		WHEN 'el' THEN 'pg_catalog.greek'::pg_catalog.regconfig
		WHEN 'hi' THEN 'pg_catalog.hindi'::pg_catalog.regconfig
		WHEN 'hu' THEN 'pg_catalog.hungarian'::pg_catalog.regconfig
		WHEN 'id' THEN 'pg_catalog.indonesian'::pg_catalog.regconfig
		WHEN 'ga' THEN 'pg_catalog.irish'::pg_catalog.regconfig
		WHEN 'it' THEN 'pg_catalog.italian'::pg_catalog.regconfig
		WHEN 'lt' THEN 'pg_catalog.lithuanian'::pg_catalog.regconfig
		WHEN 'ne' THEN 'pg_catalog.nepali'::pg_catalog.regconfig
		WHEN 'no' THEN 'pg_catalog.norwegian'::pg_catalog.regconfig
		WHEN 'nb' THEN 'pg_catalog.norwegian'::pg_catalog.regconfig
		WHEN 'nn' THEN 'pg_catalog.norwegian'::pg_catalog.regconfig
		WHEN 'pt' THEN 'pg_catalog.portuguese'::pg_catalog.regconfig
		WHEN 'ro' THEN 'pg_catalog.romanian'::pg_catalog.regconfig
		WHEN 'ru' THEN 'pg_catalog.russian'::pg_catalog.regconfig
		WHEN 'sr' THEN 'pg_catalog.serbian'::pg_catalog.regconfig
		WHEN 'es' THEN 'pg_catalog.spanish'::pg_catalog.regconfig
		WHEN 'sv' THEN 'pg_catalog.swedish'::pg_catalog.regconfig
		WHEN 'ta' THEN 'pg_catalog.tamil'::pg_catalog.regconfig
		WHEN 'tr' THEN 'pg_catalog.turkish'::pg_catalog.regconfig
		WHEN 'yi' THEN 'pg_catalog.yiddish'::pg_catalog.regconfig
		ELSE 'pg_catalog.simple'::pg_catalog.regconfig
	END
$$;

-- search_text prepares text for the default parser, which reads "<word ...>"
-- as an HTML tag and drops it (and everything between <script> and
-- </script>): stored texts are plain text, where "<script>" is two words to
-- find like any other.
CREATE FUNCTION search_text(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT pg_catalog.translate(t, '<>', '  ')
$$;

-- search_fold is search_text lower-cased with combining marks removed (what
-- SQLite's unicode61 remove_diacritics does), so "Sao Paulo" finds
-- "São Paulo" and "ÜBERSCHWEMMUNG" finds "Überschwemmung": decompose (NFD),
-- drop U+0300–U+036F, recompose (NFC, so Hangul and the like come back
-- whole), and map the few Latin letters that have no decomposition. Case is
-- folded with the ICU root collation where the server has ICU, because plain
-- lower() folds only ASCII in a database with the C locale. It runs twice per
-- stored document: this form costs ~0.1 ms for 2.4 KB of text where a
-- translate() over every accented letter cost 1.3 ms.
DO $do$
DECLARE
	fold text := CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_collation WHERE collname = 'und-x-icu')
		THEN 'pg_catalog.lower(t COLLATE "und-x-icu")' ELSE 'pg_catalog.lower(t)' END;
BEGIN
	EXECUTE format($f$
		CREATE FUNCTION search_fold(t text) RETURNS text
		LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $body$
			SELECT pg_catalog.translate(
				pg_catalog.normalize(pg_catalog.regexp_replace(pg_catalog.normalize(%s, 'NFD'), '[\u0300-\u036f]', '', 'g'), 'NFC'),
				'đĐħĦıłŁøØŧŦ<>', 'ddhhilloott  ')
		$body$$f$, fold);
END
$do$;

-- Two stored vectors of title (weight A) and text (weight B), each with a
-- GIN index:
--   fts         what Search looks up: the stems of the document's language
--               (none for a language without a configuration) and every
--               word as written, lower-cased and folded ('simple'), in one
--               vector, so that a whole query (a term matches its stems or
--               its words; clauses ANDed, exclusions NOTed) is one tsquery
--               the GIN index answers alone. A word is found in any
--               language, inflected forms where the language is known, and
--               stop words ("and", "the") can still be searched for.
--   fts_simple  the folded words alone, for TermCandidates and TermDocFreq:
--               story matching counts words as written, not stems.
-- The text is cut at 200,000 characters: a tsvector holds at most 1 MB and
-- positions stop at 16,383 anyway.
ALTER TABLE documents
	ADD COLUMN fts tsvector GENERATED ALWAYS AS (
		CASE WHEN search_config(language) = 'pg_catalog.simple'::regconfig THEN ''::tsvector ELSE
			setweight(to_tsvector(search_config(language), search_text(title)), 'A') ||
			setweight(to_tsvector(search_config(language), search_text(left(text, 200000))), 'B')
		END ||
		setweight(to_tsvector('pg_catalog.simple'::regconfig, search_fold(title)), 'A') ||
		setweight(to_tsvector('pg_catalog.simple'::regconfig, search_fold(left(text, 200000))), 'B')) STORED,
	ADD COLUMN fts_simple tsvector GENERATED ALWAYS AS (
		setweight(to_tsvector('pg_catalog.simple'::regconfig, search_fold(title)), 'A') ||
		setweight(to_tsvector('pg_catalog.simple'::regconfig, search_fold(left(text, 200000))), 'B')) STORED;
CREATE INDEX documents_fts ON documents USING gin (fts);
CREATE INDEX documents_fts_simple ON documents USING gin (fts_simple);
-- TermDocFreq reads the document frequencies of the most common words from
-- ANALYZE's statistics rather than counting rows: keep 10,000 of them, not
-- the default 1,000 (at 100k generated documents: every word in more than
-- 0.2% of them rather than 2.4%). ANALYZE then samples up to 300,000 rows:
-- 3 s instead of 1.2 s at 100k documents.
ALTER TABLE documents ALTER COLUMN fts_simple SET STATISTICS 1000;

-- lang: without words lists newest first within the language.
CREATE INDEX documents_language ON documents (language, (COALESCE(published, first_seen)) DESC, id DESC);

-- Story matching ---------------------------------------------------------------

-- One fingerprint per document (match.Fingerprint.Marshal) and its LSH band
-- keys, kept to remove the old postings on re-fingerprint. Band keys are
-- uint64 hashes; bands holds them as SQLite does (8 bytes little-endian
-- each, so a copied store needs no conversion), lsh_bands bit-cast to
-- bigint.
CREATE TABLE fingerprints (
	document_id bigint PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
	data        bytea NOT NULL,
	bands       bytea NOT NULL
);

-- lsh_keys decodes fingerprints.bands into lsh_bands keys.
CREATE FUNCTION lsh_keys(b bytea) RETURNS bigint[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT COALESCE(pg_catalog.array_agg(
		(pg_catalog.get_byte(b, i)::bigint) | (pg_catalog.get_byte(b, i + 1)::bigint << 8) |
		(pg_catalog.get_byte(b, i + 2)::bigint << 16) | (pg_catalog.get_byte(b, i + 3)::bigint << 24) |
		(pg_catalog.get_byte(b, i + 4)::bigint << 32) | (pg_catalog.get_byte(b, i + 5)::bigint << 40) |
		(pg_catalog.get_byte(b, i + 6)::bigint << 48) | (pg_catalog.get_byte(b, i + 7)::bigint << 56)
		ORDER BY i), '{}')
	FROM pg_catalog.generate_series(0, pg_catalog.length(b) - 8, 8) i
$$;

-- LSH postings: (band key, document). A lookup is one index probe per key,
-- whatever the number of documents. No foreign key (a cascade would need a
-- second index on document_id); the trigger below drops a document's
-- postings with its fingerprint, through this primary key.
CREATE TABLE lsh_bands (
	band_key    bigint NOT NULL,
	document_id bigint NOT NULL,
	PRIMARY KEY (band_key, document_id)
);

CREATE FUNCTION fingerprints_forget() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	DELETE FROM lsh_bands WHERE band_key = ANY (lsh_keys(OLD.bands)) AND document_id = OLD.document_id;
	RETURN NULL;
END $$;

CREATE TRIGGER fingerprints_ad AFTER DELETE ON fingerprints
	FOR EACH ROW EXECUTE FUNCTION fingerprints_forget();

-- Learned boilerplate ----------------------------------------------------------

-- Which short lines each of a source's recent documents holds (a key per
-- normalized line, once per document; the key '' marks the document as
-- recorded). Only the newest documents of each source are kept
-- (RecordLines prunes).
CREATE TABLE source_lines (
	source_id   bigint NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	document_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	line_key    text NOT NULL,
	PRIMARY KEY (document_id, line_key)
);
-- The window (line_key '' newest first), "held by another document?" and
-- the pruning of line texts all start with (source_id, line_key).
CREATE INDEX source_lines_source ON source_lines (source_id, line_key, document_id);

-- A line's text, stored once its key is held by two documents of the
-- source: unique body paragraphs never get here.
CREATE TABLE source_line_texts (
	source_id bigint NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	line_key  text NOT NULL,
	norm      text NOT NULL,
	text      text NOT NULL,
	PRIMARY KEY (source_id, line_key)
);
