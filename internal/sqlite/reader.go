package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/newstrace/newstrace"
)

// SQLite allows 32766 host parameters; id lists are cut well below that.
const idChunk = 500

// SetRead marks docIDs read now, or unread.
func (db *DB) SetRead(ctx context.Context, userID int64, docIDs []int64, read bool) error {
	err := db.setFlag(ctx, userID, docIDs, "read_at", read)
	if err != nil {
		return fmt.Errorf("set read=%t for user %d: %w", read, userID, err)
	}
	return nil
}

// SetStarred stars docIDs now, or unstars them.
func (db *DB) SetStarred(ctx context.Context, userID int64, docIDs []int64, starred bool) error {
	err := db.setFlag(ctx, userID, docIDs, "starred_at", starred)
	if err != nil {
		return fmt.Errorf("set starred=%t for user %d: %w", starred, userID, err)
	}
	return nil
}

// setFlag sets column (read_at or starred_at) to now, keeping an earlier
// time when already set, or clears it.
func (db *DB) setFlag(ctx context.Context, userID int64, docIDs []int64, column string, on bool) error {
	if len(docIDs) == 0 {
		return nil
	}
	now := formatTime(db.now())
	q := `UPDATE user_documents SET ` + column + ` = NULL WHERE user_id = ? AND document_id = ?`
	if on {
		q = `INSERT INTO user_documents (user_id, document_id, ` + column + `) VALUES (?, ?, ?)
			ON CONFLICT (user_id, document_id) DO UPDATE SET ` + column + ` = COALESCE(` + column + `, excluded.` + column + `)`
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM users WHERE id = ?`, userID, "user"); err != nil {
			return err
		}
		for _, id := range docIDs {
			if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM documents WHERE id = ?`, id, "document"); err != nil {
				return err
			}
			args := []any{userID, id}
			if on {
				args = append(args, now)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkAllRead marks the user's unread items matching f read.
func (db *DB) MarkAllRead(ctx context.Context, userID int64, f newstrace.MarkFilter) (int, error) {
	where, args := itemWhere(newstrace.ItemFilter{UserID: userID, FeedID: f.FeedID, Folder: f.Folder, Label: f.Label, Tag: f.Tag, State: newstrace.UnreadItems},
		f.Ingested && f.FeedID == 0 && f.Folder == "")
	if !f.Before.IsZero() {
		where += ` AND d.first_seen < ?`
		args = append(args, formatTime(f.Before))
	}
	now := formatTime(db.now())
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM users WHERE id = ?`, userID, "user"); err != nil {
			return err
		}
		// "WHERE true" lets SQLite parse ON CONFLICT after INSERT … SELECT.
		res, err := tx.ExecContext(ctx, `INSERT INTO user_documents (user_id, document_id, read_at)
			SELECT ?, d.id, ?`+itemFrom+` WHERE true `+where+`
			ON CONFLICT (user_id, document_id) DO UPDATE SET read_at = excluded.read_at WHERE read_at IS NULL`,
			append([]any{userID, now, userID}, args...)...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("mark all read for user %d: %w", userID, err)
	}
	return int(n), nil
}

// DocumentStates returns the user's state of each existing id, in order.
func (db *DB) DocumentStates(ctx context.Context, userID int64, docIDs []int64) ([]newstrace.DocumentState, error) {
	out := make([]newstrace.DocumentState, 0, len(docIDs))
	err := db.read(ctx, func(tx *sql.Tx) error {
		byID := make(map[int64]newstrace.DocumentState, len(docIDs))
		for chunk := range slices.Chunk(docIDs, idChunk) {
			rows, err := tx.QueryContext(ctx, `SELECT d.id, ud.read_at, ud.starred_at FROM documents d
				LEFT JOIN user_documents ud ON ud.document_id = d.id AND ud.user_id = ?
				WHERE d.id IN (`+qmarks(len(chunk))+`)`, append([]any{userID}, idArgs(chunk)...)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var s newstrace.DocumentState
				var readAt, starredAt sql.NullString
				if err := rows.Scan(&s.DocumentID, &readAt, &starredAt); err != nil {
					rows.Close()
					return err
				}
				if s.ReadAt, err = parseNullTime(readAt); err != nil {
					rows.Close()
					return err
				}
				if s.StarredAt, err = parseNullTime(starredAt); err != nil {
					rows.Close()
					return err
				}
				s.Tags = []string{}
				byID[s.DocumentID] = s
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		tags, err := tagsOf(ctx, tx, userID, docIDs)
		if err != nil {
			return err
		}
		for _, id := range docIDs {
			if s, ok := byID[id]; ok {
				if t := tags[id]; t != nil {
					s.Tags = t
				}
				out = append(out, s)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("document states for user %d: %w", userID, err)
	}
	return out, nil
}

// AddTag tags docIDs for the user.
func (db *DB) AddTag(ctx context.Context, userID int64, docIDs []int64, tag string) error {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return newstrace.Errorf(newstrace.EINVALID, "tag required")
	}
	now := formatTime(db.now())
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM users WHERE id = ?`, userID, "user"); err != nil {
			return err
		}
		for _, id := range docIDs {
			if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM documents WHERE id = ?`, id, "document"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO user_tags (user_id, document_id, tag, created_at) VALUES (?, ?, ?, ?)`,
				userID, id, tag, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add tag %q for user %d: %w", tag, userID, err)
	}
	return nil
}

// RemoveTag removes the user's tag from docIDs.
func (db *DB) RemoveTag(ctx context.Context, userID int64, docIDs []int64, tag string) error {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return newstrace.Errorf(newstrace.EINVALID, "tag required")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		for _, id := range docIDs {
			if _, err := tx.ExecContext(ctx, `DELETE FROM user_tags WHERE user_id = ? AND document_id = ? AND tag = ?`, userID, id, tag); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove tag %q for user %d: %w", tag, userID, err)
	}
	return nil
}

// Tags lists the user's tags.
func (db *DB) Tags(ctx context.Context, userID int64) ([]string, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT DISTINCT tag FROM user_tags WHERE user_id = ? ORDER BY tag`, userID)
	if err != nil {
		return nil, fmt.Errorf("tags of user %d: %w", userID, err)
	}
	defer rows.Close()
	tags := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("tags of user %d: %w", userID, err)
		}
		tags = append(tags, t)
	}
	return tags, rows.Err()
}

// tagsOf maps document id → the user's sorted tags.
func tagsOf(ctx context.Context, q querier, userID int64, docIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	for chunk := range slices.Chunk(docIDs, idChunk) {
		rows, err := q.QueryContext(ctx, `SELECT document_id, tag FROM user_tags WHERE user_id = ? AND document_id IN (`+
			qmarks(len(chunk))+`) ORDER BY document_id, tag`, append([]any{userID}, idArgs(chunk)...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var t string
			if err := rows.Scan(&id, &t); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = append(out[id], t)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// itemFrom joins a document with the user's state (first argument: user id).
const itemFrom = ` FROM documents d LEFT JOIN sources s ON s.id = d.source_id
	LEFT JOIN user_documents ud ON ud.document_id = d.id AND ud.user_id = ? `

// itemTime is the item time; it matches the documents_sort index.
const itemTime = `COALESCE(d.published, d.first_seen)`

// itemWhere builds " AND …" conditions for f; an item is a document some
// feed sighted, unless anyDoc.
func itemWhere(f newstrace.ItemFilter, anyDoc ...bool) (string, []any) {
	conds := []string{"true"}
	var args []any
	feedCond := `EXISTS (SELECT 1 FROM sightings g WHERE g.document_id = d.id AND g.feed_id IS NOT NULL`
	if f.FeedID != 0 {
		feedCond += ` AND g.feed_id = ?`
		args = append(args, f.FeedID)
	}
	if f.Folder != "" {
		feedCond += ` AND g.feed_id IN (SELECT id FROM feeds WHERE folder = ?)`
		args = append(args, f.Folder)
	}
	if len(anyDoc) == 0 || !anyDoc[0] || f.FeedID != 0 || f.Folder != "" {
		conds = append(conds, feedCond+`)`)
	} else {
		args = args[:0]
	}
	if f.Tag != "" {
		conds = append(conds, `EXISTS (SELECT 1 FROM user_tags t WHERE t.document_id = d.id AND t.user_id = ? AND t.tag = ?)`)
		args = append(args, f.UserID, f.Tag)
	}
	if f.Label != "" {
		conds = append(conds, `(EXISTS (SELECT 1 FROM user_tags t WHERE t.document_id = d.id AND t.user_id = ? AND t.tag = ?)
			OR EXISTS (SELECT 1 FROM sightings g JOIN feeds fl ON fl.id = g.feed_id WHERE g.document_id = d.id AND fl.folder = ?))`)
		args = append(args, f.UserID, f.Label, f.Label)
	}
	switch f.State {
	case newstrace.UnreadItems:
		conds = append(conds, `ud.read_at IS NULL`)
	case newstrace.ReadItems:
		conds = append(conds, `ud.read_at IS NOT NULL`)
	}
	if f.Starred {
		conds = append(conds, `ud.starred_at IS NOT NULL`)
	}
	if len(f.IDs) > 0 {
		conds = append(conds, `d.id IN (`+qmarks(len(f.IDs))+`)`)
		args = append(args, idArgs(f.IDs)...)
	}
	if f.SinceID > 0 {
		conds = append(conds, `d.id > ?`)
		args = append(args, f.SinceID)
	}
	if f.MaxID > 0 {
		conds = append(conds, `d.id < ?`)
		args = append(args, f.MaxID)
	}
	if !f.After.IsZero() {
		conds = append(conds, itemTime+` >= ?`)
		args = append(args, formatTime(f.After))
	}
	if !f.Before.IsZero() {
		conds = append(conds, itemTime+` < ?`)
		args = append(args, formatTime(f.Before))
	}
	return " AND " + strings.Join(conds, " AND "), args
}

func itemOrder(o newstrace.ItemOrder) string {
	switch o {
	case newstrace.OldestFirst:
		return ` ORDER BY ` + itemTime + ` ASC, d.id ASC`
	case newstrace.IDAscending:
		return ` ORDER BY d.id ASC`
	case newstrace.IDDescending:
		return ` ORDER BY d.id DESC`
	default:
		return ` ORDER BY ` + itemTime + ` DESC, d.id DESC`
	}
}

// itemFeed is the feed of the first sighting, or the filtered feed.
func itemFeed(f newstrace.ItemFilter) (string, []any) {
	if f.FeedID != 0 {
		return `?`, []any{f.FeedID}
	}
	return `(SELECT g.feed_id FROM sightings g WHERE g.document_id = d.id AND g.feed_id IS NOT NULL ORDER BY g.seen_at, g.id LIMIT 1)`, nil
}

func itemQuery(cols string, f newstrace.ItemFilter) (string, []any) {
	if len(f.IDs) > idChunk {
		f.IDs = f.IDs[:idChunk] // callers cap lists (Fever: 50); never exceed SQLite's parameter limit
	}
	feed, feedArgs := itemFeed(f)
	where, args := itemWhere(f)
	limit, offset := limitOffset(f.Limit, f.Offset, 50)
	q := `SELECT ` + cols + `, ` + feed + itemFrom + ` WHERE true` + where + itemOrder(f.Order) + ` LIMIT ? OFFSET ?`
	all := append(append(feedArgs, f.UserID), args...)
	return q, append(all, limit, offset)
}

// Items lists the user's items matching f with their bodies and state.
func (db *DB) Items(ctx context.Context, f newstrace.ItemFilter) ([]newstrace.Item, error) {
	q, args := itemQuery(documentColumns+`, ud.read_at, ud.starred_at`, f)
	var items []newstrace.Item
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it newstrace.Item
			var readAt, starredAt sql.NullString
			var feedID sql.NullInt64
			d, err := scanDocument(extraScanner{rows, []any{&readAt, &starredAt, &feedID}})
			if err != nil {
				return err
			}
			it.Document, it.FeedID = d, feedID.Int64
			if it.ReadAt, err = parseNullTime(readAt); err != nil {
				return err
			}
			if it.StarredAt, err = parseNullTime(starredAt); err != nil {
				return err
			}
			items = append(items, it)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		ids := make([]int64, len(items))
		for i, it := range items {
			ids[i] = it.ID
		}
		tags, err := tagsOf(ctx, tx, f.UserID, ids)
		if err != nil {
			return err
		}
		for i := range items {
			items[i].Tags = tags[items[i].ID]
			if items[i].Tags == nil {
				items[i].Tags = []string{}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("items for user %d: %w", f.UserID, err)
	}
	return items, nil
}

// ItemRefs lists ids, feeds and times of the items matching f.
func (db *DB) ItemRefs(ctx context.Context, f newstrace.ItemFilter) ([]newstrace.ItemRef, error) {
	q, args := itemQuery(`d.id, `+itemTime, f)
	rows, err := db.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("item refs for user %d: %w", f.UserID, err)
	}
	defer rows.Close()
	var refs []newstrace.ItemRef
	for rows.Next() {
		var r newstrace.ItemRef
		var t string
		var feedID sql.NullInt64
		if err := rows.Scan(&r.ID, &t, &feedID); err != nil {
			return nil, fmt.Errorf("item refs for user %d: %w", f.UserID, err)
		}
		r.FeedID = feedID.Int64
		if r.Time, err = parseTime(t); err != nil {
			return nil, err
		}
		refs = append(refs, r)
	}
	return refs, rows.Err()
}

// CountItems counts the items matching f, ignoring Limit and Offset.
func (db *DB) CountItems(ctx context.Context, f newstrace.ItemFilter) (int, error) {
	where, args := itemWhere(f)
	var n int
	err := db.reader.QueryRowContext(ctx, `SELECT COUNT(*)`+itemFrom+` WHERE true`+where, append([]any{f.UserID}, args...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count items for user %d: %w", f.UserID, err)
	}
	return n, nil
}

// UnreadCounts counts the user's unread items per feed; a document two
// feeds brought counts in both.
func (db *DB) UnreadCounts(ctx context.Context, userID int64) ([]newstrace.UnreadCount, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT g.feed_id, COUNT(DISTINCT d.id), MAX(`+itemTime+`)
		FROM sightings g JOIN documents d ON d.id = g.document_id
		LEFT JOIN user_documents ud ON ud.document_id = d.id AND ud.user_id = ?
		WHERE g.feed_id IS NOT NULL AND ud.read_at IS NULL
		GROUP BY g.feed_id ORDER BY g.feed_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("unread counts for user %d: %w", userID, err)
	}
	defer rows.Close()
	out := []newstrace.UnreadCount{}
	for rows.Next() {
		var c newstrace.UnreadCount
		var newest string
		if err := rows.Scan(&c.FeedID, &c.Count, &newest); err != nil {
			return nil, fmt.Errorf("unread counts for user %d: %w", userID, err)
		}
		if c.Newest, err = parseTime(newest); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Folders lists folders that hold feeds.
func (db *DB) Folders(ctx context.Context) ([]newstrace.Folder, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT id, name FROM folders
		WHERE name IN (SELECT folder FROM feeds) ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("folders: %w", err)
	}
	defer rows.Close()
	out := []newstrace.Folder{}
	for rows.Next() {
		var f newstrace.Folder
		if err := rows.Scan(&f.ID, &f.Name); err != nil {
			return nil, fmt.Errorf("folders: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// extraScanner scans the document columns, then extra trailing columns.
type extraScanner struct {
	r     scanner
	extra []any
}

func (e extraScanner) Scan(dest ...any) error { return e.r.Scan(append(dest, e.extra...)...) }

func qmarks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func idArgs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
