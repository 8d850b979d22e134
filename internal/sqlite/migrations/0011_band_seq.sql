-- Near-duplicate lookups keep a per-process Bloom filter of the band keys
-- in lsh_bands (band.go) and seek only the keys it may hold. seq stamps
-- each fingerprint save in commit order (the next number after the
-- highest), so every process reads the postings written since it last
-- looked, by any process, with one seek on fingerprints_seq. Postings must
-- be written with their fingerprint row, as SaveFingerprint does.
ALTER TABLE fingerprints ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX fingerprints_seq ON fingerprints(seq);

-- A writer that leaves seq alone (a binary older than this migration)
-- still gets a new stamp; SaveFingerprint sets it in the same write.
CREATE TRIGGER fingerprints_seq_ai AFTER INSERT ON fingerprints WHEN NEW.seq = 0 BEGIN
	UPDATE fingerprints SET seq = (SELECT MAX(seq) FROM fingerprints) + 1 WHERE document_id = NEW.document_id;
END;
CREATE TRIGGER fingerprints_seq_au AFTER UPDATE OF bands ON fingerprints WHEN NEW.seq = OLD.seq BEGIN
	UPDATE fingerprints SET seq = (SELECT MAX(seq) FROM fingerprints) + 1 WHERE document_id = NEW.document_id;
END;
