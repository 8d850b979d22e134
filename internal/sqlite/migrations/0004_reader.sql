-- Reader state (issue 7). user_documents (0001) already holds read_at,
-- starred_at and the per-user note text; here it gains the note's time, and
-- the rest of the reader model gets its tables.

ALTER TABLE user_documents ADD COLUMN note_at TEXT;
CREATE INDEX user_documents_starred ON user_documents(user_id, starred_at) WHERE starred_at IS NOT NULL;
CREATE INDEX user_documents_notes ON user_documents(document_id) WHERE note <> '';

-- One note per account per story; read by the whole team.
CREATE TABLE user_stories (
	user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
	note     TEXT NOT NULL DEFAULT '',
	note_at  TEXT,
	PRIMARY KEY (user_id, story_id)
);
CREATE INDEX user_stories_story ON user_stories(story_id);

-- Per-user tags on documents (Google Reader labels on items).
CREATE TABLE user_tags (
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	tag         TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	PRIMARY KEY (user_id, document_id, tag)
);
CREATE INDEX user_tags_tag ON user_tags(user_id, tag, document_id);

-- Folders get stable integer ids because Fever groups are integers. Rows are
-- never deleted, so an id is never reused; triggers keep the table in step
-- with feeds.folder.
CREATE TABLE folders (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
INSERT OR IGNORE INTO folders (name) SELECT DISTINCT folder FROM feeds WHERE folder <> '' ORDER BY folder;

CREATE TRIGGER feeds_folder_ai AFTER INSERT ON feeds WHEN NEW.folder <> '' BEGIN
	INSERT OR IGNORE INTO folders (name) VALUES (NEW.folder);
END;
CREATE TRIGGER feeds_folder_au AFTER UPDATE OF folder ON feeds WHEN NEW.folder <> '' BEGIN
	INSERT OR IGNORE INTO folders (name) VALUES (NEW.folder);
END;

-- The Fever protocol authenticates with api_key = md5("name:password"); we
-- keep sha256 of that key (never the password) so Fever clients can sign in.
ALTER TABLE users ADD COLUMN fever_key TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_fever_key ON users(fever_key) WHERE fever_key <> '';

CREATE INDEX sightings_feed_document ON sightings(feed_id, document_id) WHERE feed_id IS NOT NULL;
