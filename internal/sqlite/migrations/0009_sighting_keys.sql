-- Files and WARC records are sighted without a feed; their entry key
-- ("file:PATH", "warc:PATH#URL") lets a re-run of ingest skip what is
-- already stored without reading the sightings table end to end.
CREATE INDEX IF NOT EXISTS sightings_file_key ON sightings(entry_key)
	WHERE feed_id IS NULL AND entry_key <> '';
