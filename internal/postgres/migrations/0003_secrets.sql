-- Secrets shared by every process of a deployment (the session signing key).
CREATE TABLE secrets (
	name       text PRIMARY KEY,
	value      bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
