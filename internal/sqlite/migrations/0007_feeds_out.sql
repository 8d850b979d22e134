-- Per-feed secret tokens for outgoing feeds (only the hash is stored), and
-- webhooks with the secret that signs their deliveries.
CREATE TABLE feed_tokens (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	feed       TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);
CREATE INDEX feed_tokens_user ON feed_tokens(user_id, id);

CREATE TABLE webhooks (
	id            INTEGER PRIMARY KEY,
	url           TEXT NOT NULL,
	event         TEXT NOT NULL,
	query         TEXT NOT NULL DEFAULT '',
	secret        TEXT NOT NULL,
	allow_private INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL
);
