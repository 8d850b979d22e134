-- The same text from another outlet is another copy (a repost to trace), so a
-- content hash is unique only together with the source; SaveDocument runs in
-- one immediate write transaction, which serialises the check and the insert.
DROP INDEX IF EXISTS documents_content_hash;
CREATE INDEX documents_content_hash ON documents(content_hash, source_id) WHERE content_hash <> '';
