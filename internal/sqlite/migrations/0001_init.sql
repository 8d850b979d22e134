-- Times are UTC text in one fixed-width layout (see timeLayout in sqlite.go),
-- so string order is time order and nanoseconds round-trip.

CREATE TABLE sources (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	site_url   TEXT NOT NULL DEFAULT '',
	language   TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);

CREATE TABLE feeds (
	id             INTEGER PRIMARY KEY,
	source_id      INTEGER NOT NULL REFERENCES sources(id),
	url            TEXT NOT NULL UNIQUE,
	title          TEXT NOT NULL DEFAULT '',
	site_url       TEXT NOT NULL DEFAULT '',
	folder         TEXT NOT NULL DEFAULT '',
	etag           TEXT NOT NULL DEFAULT '',
	last_modified  TEXT NOT NULL DEFAULT '',
	last_polled_at TEXT,
	-- never NULL: the zero time sorts first, so a new feed is due at once.
	next_poll_at   TEXT NOT NULL,
	failure_count  INTEGER NOT NULL DEFAULT 0,
	last_error     TEXT NOT NULL DEFAULT '',
	last_error_at  TEXT,
	created_at     TEXT NOT NULL
);
CREATE INDEX feeds_next_poll_at ON feeds(next_poll_at, id);
CREATE INDEX feeds_source_id ON feeds(source_id);

-- stories and documents point at each other; SaveDocument inserts the story
-- first (root NULL), then the document, then sets the root.
CREATE TABLE stories (
	id               INTEGER PRIMARY KEY,
	title            TEXT NOT NULL DEFAULT '',
	root_document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL,
	-- latest COALESCE(published, first_seen) of its documents, kept by triggers;
	-- the sort key of the story list.
	latest_at        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX stories_latest_at ON stories(latest_at DESC, id DESC);

CREATE TABLE documents (
	id            INTEGER PRIMARY KEY,
	url           TEXT NOT NULL DEFAULT '',
	canonical_url TEXT NOT NULL DEFAULT '',
	title         TEXT NOT NULL DEFAULT '',
	authors       TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
	published     TEXT,
	first_seen    TEXT NOT NULL,
	language      TEXT NOT NULL DEFAULT '',
	site_name     TEXT NOT NULL DEFAULT '',
	text          TEXT NOT NULL DEFAULT '',
	html          TEXT NOT NULL DEFAULT '',
	removed       TEXT NOT NULL DEFAULT '[]', -- JSON array of {kind, text}
	provenance    TEXT NOT NULL DEFAULT '{}', -- JSON object
	content_hash  TEXT NOT NULL DEFAULT '',
	path          TEXT NOT NULL DEFAULT '',
	story_id      INTEGER REFERENCES stories(id) ON DELETE SET NULL,
	source_id     INTEGER REFERENCES sources(id) ON DELETE SET NULL,
	created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX documents_canonical_url ON documents(canonical_url) WHERE canonical_url <> '';
CREATE UNIQUE INDEX documents_content_hash ON documents(content_hash) WHERE content_hash <> '';
CREATE INDEX documents_url ON documents(url);
CREATE INDEX documents_sort ON documents(COALESCE(published, first_seen) DESC, id DESC);
CREATE INDEX documents_story ON documents(story_id, COALESCE(published, first_seen));
CREATE INDEX documents_source ON documents(source_id, COALESCE(published, first_seen) DESC, id DESC);

CREATE TRIGGER documents_story_ai AFTER INSERT ON documents WHEN NEW.story_id IS NOT NULL
BEGIN
	UPDATE stories SET latest_at = (
		SELECT MAX(COALESCE(published, first_seen)) FROM documents WHERE story_id = NEW.story_id
	) WHERE id = NEW.story_id;
END;

CREATE TRIGGER documents_story_au AFTER UPDATE OF story_id, published, first_seen ON documents
BEGIN
	UPDATE stories SET latest_at = COALESCE((
		SELECT MAX(COALESCE(published, first_seen)) FROM documents WHERE story_id = stories.id
	), '') WHERE id IN (OLD.story_id, NEW.story_id);
END;

CREATE TRIGGER documents_story_ad AFTER DELETE ON documents WHEN OLD.story_id IS NOT NULL
BEGIN
	UPDATE stories SET latest_at = COALESCE((
		SELECT MAX(COALESCE(published, first_seen)) FROM documents WHERE story_id = OLD.story_id
	), '') WHERE id = OLD.story_id;
END;

-- A sighting: one feed entry (or ingested file) that pointed at a document.
CREATE TABLE sightings (
	id          INTEGER PRIMARY KEY,
	document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	feed_id     INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
	source_id   INTEGER REFERENCES sources(id) ON DELETE SET NULL,
	entry_key   TEXT NOT NULL DEFAULT '',
	url         TEXT NOT NULL DEFAULT '',
	seen_at     TEXT NOT NULL
);
-- One sighting per feed entry; rows whose feed was deleted fall out of the index.
CREATE UNIQUE INDEX sightings_feed_entry ON sightings(feed_id, entry_key)
	WHERE feed_id IS NOT NULL AND entry_key <> '';
CREATE INDEX sightings_document ON sightings(document_id, seen_at);
CREATE INDEX sightings_source ON sightings(source_id, document_id);

CREATE TABLE edges (
	id          INTEGER PRIMARY KEY,
	story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	from_id     INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	to_id       INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL,
	confidence  REAL NOT NULL DEFAULT 0,
	evidence    TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	UNIQUE (from_id, to_id, kind)
);
CREATE INDEX edges_story ON edges(story_id);
CREATE INDEX edges_to ON edges(to_id);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL
);

CREATE TABLE tokens (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name         TEXT NOT NULL DEFAULT '',
	hash         TEXT NOT NULL UNIQUE,
	created_at   TEXT NOT NULL,
	last_used_at TEXT
);
CREATE INDEX tokens_user ON tokens(user_id);

-- Per-user reading state (read, starred, notes); used by the web layer later.
CREATE TABLE user_documents (
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	read_at     TEXT,
	starred_at  TEXT,
	note        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (user_id, document_id)
);
CREATE INDEX user_documents_document ON user_documents(document_id);
