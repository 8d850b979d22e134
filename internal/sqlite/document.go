package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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
func (db *DB) SaveDocument(ctx context.Context, d newstrace.Document, s newstrace.Sighting) (newstrace.SaveResult, error) {
	var res newstrace.SaveResult
	if d.CanonicalURL == "" {
		d.CanonicalURL = d.URL
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		if s.SourceID == 0 && s.FeedID != 0 {
			// A feed sighting counts for the feed's source.
			err := tx.QueryRowContext(ctx, `SELECT source_id FROM feeds WHERE id = ?`, s.FeedID).Scan(&s.SourceID)
			if errors.Is(err, sql.ErrNoRows) {
				return newstrace.Errorf(newstrace.ENOTFOUND, "feed %d not found", s.FeedID)
			} else if err != nil {
				return fmt.Errorf("find feed source: %w", err)
			}
		}
		source := d.SourceID
		if source == 0 {
			source = s.SourceID
		}
		existing, err := findDuplicate(ctx, tx, d, source)
		if err != nil {
			return fmt.Errorf("find duplicate: %w", err)
		}
		if existing == 0 {
			if existing, err = db.insertDocument(ctx, tx, &d, s); err != nil {
				return err
			}
			res.Created = true
		} else if s.SourceID != 0 {
			// A document first stored without a source takes the first one seen.
			if _, err := tx.ExecContext(ctx, `UPDATE documents SET source_id = ? WHERE id = ? AND source_id IS NULL`,
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

// The "<> ”" terms repeat the partial indexes' WHERE so SQLite may use them.
const (
	qDocByCanonical = `SELECT id FROM documents WHERE canonical_url = ? AND canonical_url <> ''`
	// The same text matches only within one outlet (or a document whose
	// outlet is not known yet): another outlet's identical copy is a repost.
	qDocByHash = `SELECT id FROM documents WHERE content_hash = ?1 AND content_hash <> ''
		AND (source_id IS NULL OR ?2 = 0 OR source_id = ?2) LIMIT 1`
	qSeenEntry = `SELECT COUNT(*) FROM sightings WHERE feed_id = ? AND entry_key = ? AND entry_key <> ''`
)

// findDuplicate returns the ID of the document d duplicates, or 0.
func findDuplicate(ctx context.Context, tx *sql.Tx, d newstrace.Document, sourceID int64) (int64, error) {
	var id int64
	if d.CanonicalURL != "" {
		err := tx.QueryRowContext(ctx, qDocByCanonical, d.CanonicalURL).Scan(&id)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return id, err
		}
	}
	if d.ContentHash != "" {
		err := tx.QueryRowContext(ctx, qDocByHash, d.ContentHash, sourceID).Scan(&id)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return id, err
		}
	}
	return 0, nil
}

// insertDocument inserts d with a new story rooted at it and returns its ID.
func (db *DB) insertDocument(ctx context.Context, tx *sql.Tx, d *newstrace.Document, s newstrace.Sighting) (int64, error) {
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
	authors, removed, prov, err := documentJSON(*d)
	if err != nil {
		return 0, err
	}
	var storyID int64
	err = tx.QueryRowContext(ctx, `INSERT INTO stories (title, created_at, updated_at) VALUES (?, ?, ?) RETURNING id`,
		d.Title, formatTime(now), formatTime(now)).Scan(&storyID)
	if err != nil {
		return 0, fmt.Errorf("create story: %w", err)
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO documents (url, canonical_url, title, authors, published, first_seen,
		language, site_name, text, html, removed, provenance, content_hash, path, story_id, source_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.URL, d.CanonicalURL, d.Title, authors, ptrTime(d.Published), formatTime(d.FirstSeen),
		d.Language, d.SiteName, d.Text, d.HTML, removed, prov, d.ContentHash, d.Path,
		storyID, nullID(d.SourceID), formatTime(d.CreatedAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert document: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE stories SET root_document_id = ? WHERE id = ?`, id, storyID); err != nil {
		return 0, fmt.Errorf("set story root: %w", err)
	}
	return id, nil
}

func documentJSON(d newstrace.Document) (authors, removed, prov string, err error) {
	a := d.Authors
	if a == nil {
		a = []string{}
	}
	r := d.Removed
	if r == nil {
		r = []newstrace.Removed{}
	}
	var b []byte
	if b, err = json.Marshal(a); err != nil {
		return "", "", "", fmt.Errorf("encode authors: %w", err)
	}
	authors = string(b)
	if b, err = json.Marshal(r); err != nil {
		return "", "", "", fmt.Errorf("encode removed: %w", err)
	}
	removed = string(b)
	if b, err = json.Marshal(d.Provenance); err != nil {
		return "", "", "", fmt.Errorf("encode provenance: %w", err)
	}
	return authors, removed, string(b), nil
}

// insertSighting records s once: a feed entry once per (feed, entry key),
// any other sighting once per identical (document, source, entry key, URL).
func (db *DB) insertSighting(ctx context.Context, tx *sql.Tx, s newstrace.Sighting) error {
	if s.SeenAt.IsZero() {
		s.SeenAt = db.now()
	}
	if s.FeedID != 0 && s.EntryKey != "" {
		_, err := tx.ExecContext(ctx, `INSERT INTO sightings (document_id, feed_id, source_id, entry_key, url, seen_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			s.DocumentID, s.FeedID, nullID(s.SourceID), s.EntryKey, s.URL, formatTime(s.SeenAt))
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sightings (document_id, feed_id, source_id, entry_key, url, seen_at)
		SELECT ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM sightings WHERE document_id = ? AND feed_id IS ? AND source_id IS ?
			AND entry_key = ? AND url = ?)`,
		s.DocumentID, nullID(s.FeedID), nullID(s.SourceID), s.EntryKey, s.URL, formatTime(s.SeenAt),
		s.DocumentID, nullID(s.FeedID), nullID(s.SourceID), s.EntryKey, s.URL)
	return err
}

// Document returns the document with id.
func (db *DB) Document(ctx context.Context, id int64) (newstrace.Document, error) {
	var d newstrace.Document
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = getDocument(ctx, tx, id)
		return err
	})
	if err != nil {
		return newstrace.Document{}, fmt.Errorf("get document %d: %w", id, err)
	}
	return d, nil
}

func getDocument(ctx context.Context, tx *sql.Tx, id int64) (newstrace.Document, error) {
	d, err := scanDocument(tx.QueryRowContext(ctx, `SELECT `+documentColumns+documentFrom+`WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, newstrace.Errorf(newstrace.ENOTFOUND, "document %d not found", id)
	}
	return d, err
}

// DocumentByURL returns the document at u, matching its URL or canonical URL.
func (db *DB) DocumentByURL(ctx context.Context, u string) (newstrace.Document, error) {
	if u == "" {
		return newstrace.Document{}, newstrace.Errorf(newstrace.ENOTFOUND, "document with empty URL not found")
	}
	d, err := scanDocument(db.reader.QueryRowContext(ctx, `SELECT `+documentColumns+documentFrom+`
		WHERE d.id = COALESCE((SELECT id FROM documents WHERE canonical_url = ? AND canonical_url <> ''),
			(SELECT id FROM documents WHERE url = ? ORDER BY id LIMIT 1))`, u, u))
	if errors.Is(err, sql.ErrNoRows) {
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
	ds, err := queryDocuments(ctx, db.reader, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return ds, nil
}

// documentsQuery builds the Documents query from the filter's conditions.
func documentsQuery(f newstrace.DocumentFilter) (string, []any) {
	var where []string
	var args []any
	if f.FeedID != 0 {
		where = append(where, `EXISTS (SELECT 1 FROM sightings g WHERE g.document_id = d.id AND g.feed_id = ?)`)
		args = append(args, f.FeedID)
	}
	if f.SourceID != 0 {
		where = append(where, `(d.source_id = ? OR EXISTS (SELECT 1 FROM sightings g WHERE g.document_id = d.id AND g.source_id = ?))`)
		args = append(args, f.SourceID, f.SourceID)
	}
	if f.StoryID != 0 {
		where = append(where, `d.story_id = ?`)
		args = append(args, f.StoryID)
	}
	limit, offset := limitOffset(f.Limit, f.Offset, 50)
	if limit < 0 {
		limit = 50 // Documents has no "all": its callers page.
	}
	query := `SELECT ` + documentColumns + documentFrom
	if len(where) > 0 {
		query += `WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY ` + documentSort + ` DESC, d.id DESC LIMIT ? OFFSET ?`
	return query, append(args, limit, offset)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryDocuments(ctx context.Context, q querier, query string, args ...any) ([]newstrace.Document, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []newstrace.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Sightings lists the sightings of a document, earliest first.
func (db *DB) Sightings(ctx context.Context, documentID int64) ([]newstrace.Sighting, error) {
	var out []newstrace.Sighting
	err := db.read(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents WHERE id = ?`, documentID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return newstrace.Errorf(newstrace.ENOTFOUND, "document %d not found", documentID)
		}
		rows, err := tx.QueryContext(ctx, `SELECT document_id, COALESCE(feed_id, 0), COALESCE(source_id, 0),
			entry_key, url, seen_at FROM sightings WHERE document_id = ? ORDER BY seen_at, id`, documentID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s newstrace.Sighting
			var seen string
			if err := rows.Scan(&s.DocumentID, &s.FeedID, &s.SourceID, &s.EntryKey, &s.URL, &seen); err != nil {
				return err
			}
			if s.SeenAt, err = parseTime(seen); err != nil {
				return err
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list sightings of document %d: %w", documentID, err)
	}
	return out, nil
}

// SeenEntry reports whether the feed already recorded entryKey.
func (db *DB) SeenEntry(ctx context.Context, feedID int64, entryKey string) (bool, error) {
	var n int
	err := db.reader.QueryRowContext(ctx, qSeenEntry, feedID, entryKey).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("seen entry %q in feed %d: %w", entryKey, feedID, err)
	}
	return n > 0, nil
}

// CountDocuments counts stored documents.
func (db *DB) CountDocuments(ctx context.Context) (int, error) {
	var n int
	if err := db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return n, nil
}

func scanDocument(r scanner) (newstrace.Document, error) {
	var d newstrace.Document
	var authors, removed, prov, firstSeen, created string
	var published sql.NullString
	err := r.Scan(&d.ID, &d.URL, &d.CanonicalURL, &d.Title, &authors, &published, &firstSeen,
		&d.Language, &d.SiteName, &d.Text, &d.HTML, &removed, &prov, &d.ContentHash, &d.Path,
		&d.StoryID, &d.SourceID, &d.SourceName, &created)
	if err != nil {
		return d, err
	}
	if published.Valid {
		t, err := parseTime(published.String)
		if err != nil {
			return d, err
		}
		d.Published = &t
	}
	if d.FirstSeen, err = parseTime(firstSeen); err != nil {
		return d, err
	}
	if d.CreatedAt, err = parseTime(created); err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(authors), &d.Authors); err != nil {
		return d, fmt.Errorf("decode authors of document %d: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(removed), &d.Removed); err != nil {
		return d, fmt.Errorf("decode removed of document %d: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(prov), &d.Provenance); err != nil {
		return d, fmt.Errorf("decode provenance of document %d: %w", d.ID, err)
	}
	return d, nil
}
