package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace"
)

// documentColumns selects a document joined with its source as d and s.
const documentColumns = `d.id, d.url, d.canonical_url, d.title, d.authors, d.published, d.first_seen,
	d.language, d.site_name, d.text, d.html, d.removed, d.provenance, d.content_hash, d.path,
	COALESCE(d.story_id, 0), COALESCE(d.source_id, 0), COALESCE(s.name, ''), d.created_at`

const documentFrom = ` FROM documents d LEFT JOIN sources s ON s.id = d.source_id `

// documentSort is the newest-first key; it matches the documents_sort index.
const documentSort = `COALESCE(d.published, d.first_seen)`

// SaveDocument stores d unless a document with the same canonical URL (the
// URL when d has none) or the same non-empty content hash exists; either way
// it records the sighting.
//
// Concurrent saves from any number of processes are serialised per dedupe
// key: the transaction takes advisory locks on the canonical URL and the
// content hash (always in that order, so two saves cannot deadlock) before
// it looks for a duplicate. Whoever inserts a document holds the locks of
// both its keys until commit, and READ COMMITTED gives the next holder's
// lookup a snapshot that sees it; the second save returns it (Created=false).
func (db *DB) SaveDocument(ctx context.Context, d newstrace.Document, s newstrace.Sighting) (newstrace.SaveResult, error) {
	var res newstrace.SaveResult
	if d.CanonicalURL == "" {
		d.CanonicalURL = d.URL
	}
	err := db.write(ctx, func(tx pgx.Tx) error {
		if s.SourceID == 0 && s.FeedID != 0 {
			// A feed sighting counts for the feed's source.
			err := tx.QueryRow(ctx, `SELECT source_id FROM feeds WHERE id = $1`, s.FeedID).Scan(&s.SourceID)
			if errors.Is(err, pgx.ErrNoRows) {
				return newstrace.Errorf(newstrace.ENOTFOUND, "feed %d not found", s.FeedID)
			} else if err != nil {
				return fmt.Errorf("find feed source: %w", err)
			}
		}
		// Advisory locks are database-wide: keys name the schema.
		var keys []string
		if d.CanonicalURL != "" {
			keys = append(keys, db.schema+":doc:url:"+d.CanonicalURL)
		}
		if d.ContentHash != "" {
			keys = append(keys, db.schema+":doc:hash:"+d.ContentHash)
		}
		if err := lockAll(ctx, tx, keys...); err != nil {
			return err
		}
		existing, err := findDuplicate(ctx, tx, d, cmp.Or(d.SourceID, s.SourceID))
		if err != nil {
			return fmt.Errorf("find duplicate: %w", err)
		}
		if existing == 0 {
			if existing, err = db.insertDocument(ctx, tx, &d, s); err != nil {
				return err
			}
			res.Created = true
		} else if s.SourceID != 0 {
			// A document first stored without a source takes the first one
			// seen; a concurrent adopter waits on the row lock, then finds
			// source_id set and changes nothing.
			if _, err := tx.Exec(ctx, `UPDATE documents SET source_id = $1 WHERE id = $2 AND source_id IS NULL`,
				s.SourceID, existing); err != nil {
				return fmt.Errorf("set document source: %w", err)
			}
		}
		s.DocumentID = existing
		if err := db.insertSighting(ctx, tx, s); err != nil {
			return fmt.Errorf("record sighting: %w", err)
		}
		res.Document, err = getDocument(ctx, tx, existing)
		return err
	})
	if err != nil {
		return newstrace.SaveResult{}, fmt.Errorf("save document %s: %w", d.URL, err)
	}
	return res, nil
}

// lockAll takes the transaction-scoped advisory locks of keys in the order
// given, in one round trip (a batch runs its statements in order).
func lockAll(ctx context.Context, tx pgx.Tx, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, k := range keys {
		b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, k)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("lock %s: %w", strings.Join(keys, ", "), err)
	}
	return nil
}

// qDuplicate finds the document d duplicates: by canonical URL first, else
// by content hash. The same text matches only within one outlet (or a
// document whose outlet is not known yet): another outlet's identical copy
// is a repost. The non-empty tests repeat the partial indexes' predicates.
const qDuplicate = `SELECT id FROM (
		SELECT 1 AS rank, id FROM documents WHERE canonical_url = $1 AND canonical_url <> ''
		UNION ALL
		(SELECT 2, id FROM documents WHERE content_hash = $2 AND content_hash <> ''
			AND (source_id IS NULL OR $3::bigint = 0 OR source_id = $3) ORDER BY id LIMIT 1)
	) m ORDER BY rank LIMIT 1`

const qSeenEntry = `SELECT EXISTS (SELECT 1 FROM sightings WHERE feed_id = $1 AND entry_key = $2 AND entry_key <> '')`

// findDuplicate returns the ID of the document d duplicates, or 0.
func findDuplicate(ctx context.Context, tx pgx.Tx, d newstrace.Document, sourceID int64) (int64, error) {
	if d.CanonicalURL == "" && d.ContentHash == "" {
		return 0, nil
	}
	var id int64
	err := tx.QueryRow(ctx, qDuplicate, d.CanonicalURL, d.ContentHash, sourceID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// insertDocument inserts d with a new story rooted at it and returns its ID.
func (db *DB) insertDocument(ctx context.Context, tx pgx.Tx, d *newstrace.Document, s newstrace.Sighting) (int64, error) {
	now := db.now()
	if d.FirstSeen.IsZero() {
		d.FirstSeen = s.SeenAt
	}
	if d.FirstSeen.IsZero() {
		d.FirstSeen = now
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now
	}
	if d.SourceID == 0 {
		d.SourceID = s.SourceID
	}
	// jsonb arguments are marshalled by pgx; nil slices are stored as [].
	authors, removed := d.Authors, d.Removed
	if authors == nil {
		authors = []string{}
	}
	if removed == nil {
		removed = []newstrace.Removed{}
	}
	var storyID int64
	err := tx.QueryRow(ctx, `INSERT INTO stories (title, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`,
		d.Title, now).Scan(&storyID)
	if err != nil {
		return 0, fmt.Errorf("create story: %w", err)
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO documents (url, canonical_url, title, authors, published, first_seen,
		language, site_name, text, html, removed, provenance, content_hash, path, story_id, source_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
		d.URL, d.CanonicalURL, d.Title, authors, d.Published, d.FirstSeen,
		d.Language, d.SiteName, d.Text, d.HTML, removed, d.Provenance, d.ContentHash, d.Path,
		storyID, nullID(d.SourceID), d.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert document: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE stories SET root_document_id = $1 WHERE id = $2`, id, storyID); err != nil {
		return 0, fmt.Errorf("set story root: %w", err)
	}
	return id, nil
}

// insertSighting records s once: a feed entry once per (feed, entry key),
// through the unique index (ON CONFLICT waits for a concurrent insert of the
// same entry, then does nothing); any other sighting once per identical
// (document, feed, source, entry key, URL), checked under a per-document
// advisory lock because two saves may reach one document through different
// dedupe keys.
func (db *DB) insertSighting(ctx context.Context, tx pgx.Tx, s newstrace.Sighting) error {
	if s.SeenAt.IsZero() {
		s.SeenAt = db.now()
	}
	if s.FeedID != 0 && s.EntryKey != "" {
		_, err := tx.Exec(ctx, `INSERT INTO sightings (document_id, feed_id, source_id, entry_key, url, seen_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (feed_id, entry_key) WHERE feed_id IS NOT NULL AND entry_key <> '' DO NOTHING`,
			s.DocumentID, s.FeedID, nullID(s.SourceID), s.EntryKey, s.URL, s.SeenAt)
		return err
	}
	if err := lock(ctx, tx, db.schema+":doc:sightings:"+strconv.FormatInt(s.DocumentID, 10)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO sightings (document_id, feed_id, source_id, entry_key, url, seen_at)
		SELECT $1::bigint, $2::bigint, $3::bigint, $4::text, $5::text, $6::timestamptz
		WHERE NOT EXISTS (SELECT 1 FROM sightings WHERE document_id = $1 AND feed_id IS NOT DISTINCT FROM $2
			AND source_id IS NOT DISTINCT FROM $3 AND entry_key = $4 AND url = $5)`,
		s.DocumentID, nullID(s.FeedID), nullID(s.SourceID), s.EntryKey, s.URL, s.SeenAt)
	return err
}

// Document returns the document with id.
func (db *DB) Document(ctx context.Context, id int64) (newstrace.Document, error) {
	d, err := getDocument(ctx, db.pool, id)
	if err != nil {
		return newstrace.Document{}, fmt.Errorf("get document %d: %w", id, err)
	}
	return d, nil
}

func getDocument(ctx context.Context, q querier, id int64) (newstrace.Document, error) {
	d, err := scanDocument(q.QueryRow(ctx, `SELECT `+documentColumns+documentFrom+`WHERE d.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, newstrace.Errorf(newstrace.ENOTFOUND, "document %d not found", id)
	}
	return d, err
}

// DocumentByURL returns the document at u, matching its canonical URL or,
// failing that, its URL.
func (db *DB) DocumentByURL(ctx context.Context, u string) (newstrace.Document, error) {
	if u == "" {
		return newstrace.Document{}, newstrace.Errorf(newstrace.ENOTFOUND, "document with empty URL not found")
	}
	d, err := scanDocument(db.pool.QueryRow(ctx, `SELECT `+documentColumns+documentFrom+`
		WHERE d.id = COALESCE((SELECT id FROM documents WHERE canonical_url = $1 AND canonical_url <> ''),
			(SELECT id FROM documents WHERE url = $1 ORDER BY id LIMIT 1))`, u))
	if errors.Is(err, pgx.ErrNoRows) {
		return newstrace.Document{}, newstrace.Errorf(newstrace.ENOTFOUND, "document %s not found", u)
	} else if err != nil {
		return newstrace.Document{}, fmt.Errorf("get document %s: %w", u, err)
	}
	return d, nil
}

// Documents lists documents newest first. FeedID and SourceID match a
// document any of whose sightings came from that feed or source (or, for
// SourceID, whose first source it is).
func (db *DB) Documents(ctx context.Context, f newstrace.DocumentFilter) ([]newstrace.Document, error) {
	query, args := documentsQuery(f)
	ds, err := queryDocuments(ctx, db.pool, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return ds, nil
}

// documentsQuery builds the Documents query from the filter's conditions.
func documentsQuery(f newstrace.DocumentFilter) (string, []any) {
	var where []string
	var args sqlArgs
	if f.FeedID != 0 {
		where = append(where, `EXISTS (SELECT 1 FROM sightings g WHERE g.document_id = d.id AND g.feed_id = `+args.add(f.FeedID)+`)`)
	}
	if f.SourceID != 0 {
		p := args.add(f.SourceID)
		where = append(where, `(d.source_id = `+p+` OR EXISTS (SELECT 1 FROM sightings g WHERE g.document_id = d.id AND g.source_id = `+p+`))`)
	}
	if f.StoryID != 0 {
		where = append(where, `d.story_id = `+args.add(f.StoryID))
	}
	limit, offset := limitOffset(f.Limit, f.Offset, 50)
	if limit == nil {
		limit = 50 // Documents has no "all": its callers page.
	}
	query := `SELECT ` + documentColumns + documentFrom
	if len(where) > 0 {
		query += `WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY ` + documentSort + ` DESC, d.id DESC LIMIT ` + args.add(limit) + ` OFFSET ` + args.add(offset)
	return query, args
}

// queryDocuments runs a query selecting documentColumns (and no more); no
// rows is a nil slice.
func queryDocuments(ctx context.Context, q querier, query string, args ...any) ([]newstrace.Document, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, func(r pgx.Row) (newstrace.Document, error) { return scanDocument(r) })
}

// Sightings lists the sightings of a document, earliest first.
func (db *DB) Sightings(ctx context.Context, documentID int64) ([]newstrace.Sighting, error) {
	var out []newstrace.Sighting
	err := db.read(ctx, func(tx pgx.Tx) error {
		if err := mustExist(ctx, tx, `SELECT count(*) FROM documents WHERE id = $1`, documentID, "document"); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT document_id, COALESCE(feed_id, 0), COALESCE(source_id, 0),
			entry_key, url, seen_at FROM sightings WHERE document_id = $1 ORDER BY seen_at, id`, documentID)
		var err error
		out, err = scanAll(rows, func(r pgx.Row) (newstrace.Sighting, error) {
			var s newstrace.Sighting
			err := r.Scan(&s.DocumentID, &s.FeedID, &s.SourceID, &s.EntryKey, &s.URL, &s.SeenAt)
			s.SeenAt = s.SeenAt.UTC()
			return s, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list sightings of document %d: %w", documentID, err)
	}
	return out, nil
}

// SeenEntry reports whether the feed already recorded entryKey.
func (db *DB) SeenEntry(ctx context.Context, feedID int64, entryKey string) (bool, error) {
	var seen bool
	if err := db.pool.QueryRow(ctx, qSeenEntry, feedID, entryKey).Scan(&seen); err != nil {
		return false, fmt.Errorf("seen entry %q in feed %d: %w", entryKey, feedID, err)
	}
	return seen, nil
}

// CountDocuments counts stored documents.
func (db *DB) CountDocuments(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return n, nil
}

// scanDocument scans documentColumns, then any extra trailing columns into extra.
func scanDocument(r pgx.Row, extra ...any) (newstrace.Document, error) {
	var d newstrace.Document
	var published *time.Time
	dest := []any{&d.ID, &d.URL, &d.CanonicalURL, &d.Title, &d.Authors, &published, &d.FirstSeen,
		&d.Language, &d.SiteName, &d.Text, &d.HTML, &d.Removed, &d.Provenance, &d.ContentHash, &d.Path,
		&d.StoryID, &d.SourceID, &d.SourceName, &d.CreatedAt}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return newstrace.Document{}, err
	}
	if published != nil {
		p := published.UTC()
		d.Published = &p
	}
	d.FirstSeen, d.CreatedAt = d.FirstSeen.UTC(), d.CreatedAt.UTC()
	return d, nil
}

// mustExist runs a count query for id and reports ENOTFOUND when it is 0.
func mustExist(ctx context.Context, q querier, query string, id int64, what string) error {
	var n int
	if err := q.QueryRow(ctx, query, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return newstrace.Errorf(newstrace.ENOTFOUND, "%s %d not found", what, id)
	}
	return nil
}
