package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace"
)

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
// time when already set, or clears it. Rows are written in id order, so
// two calls for one user lock them in the same order.
func (db *DB) setFlag(ctx context.Context, userID int64, docIDs []int64, column string, on bool) error {
	if len(docIDs) == 0 {
		return nil
	}
	q := `UPDATE user_documents SET ` + column + ` = NULL WHERE user_id = $1 AND document_id = ANY($2)`
	args := []any{userID, sortedIDs(docIDs)}
	if on {
		q = `INSERT INTO user_documents (user_id, document_id, ` + column + `)
			SELECT $1::bigint, id, $3::timestamptz FROM unnest($2::bigint[]) id
			ON CONFLICT (user_id, document_id) DO UPDATE
			SET ` + column + ` = COALESCE(user_documents.` + column + `, excluded.` + column + `)`
		args = append(args, db.now())
	}
	return db.write(ctx, func(tx pgx.Tx) error {
		if err := mustExist(ctx, tx, `SELECT count(*) FROM users WHERE id = $1`, userID, "user"); err != nil {
			return err
		}
		if err := missingDocument(ctx, tx, docIDs); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, q, args...)
		return err
	})
}

// sortedIDs returns ids sorted without repeats (ON CONFLICT DO UPDATE may
// not touch one row twice in a statement).
func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// missingDocument reports the first of ids (in the order given) that is
// not a document as ENOTFOUND.
func missingDocument(ctx context.Context, tx pgx.Tx, ids []int64) error {
	var missing int64
	err := tx.QueryRow(ctx, `SELECT id FROM unnest($1::bigint[]) WITH ORDINALITY AS t(id, n)
		WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = t.id) ORDER BY n LIMIT 1`, ids).Scan(&missing)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return newstrace.Errorf(newstrace.ENOTFOUND, "document %d not found", missing)
}

// MarkAllRead marks the user's unread items matching f read.
func (db *DB) MarkAllRead(ctx context.Context, userID int64, f newstrace.MarkFilter) (int, error) {
	var a sqlArgs
	user := a.add(userID)
	now := a.add(db.now())
	where := itemWhere(&a, user, newstrace.ItemFilter{UserID: userID, FeedID: f.FeedID, Folder: f.Folder,
		Label: f.Label, Tag: f.Tag, State: newstrace.UnreadItems}, f.Ingested && f.FeedID == 0 && f.Folder == "")
	if !f.Before.IsZero() {
		where += ` AND d.first_seen < ` + a.add(f.Before)
	}
	var n int64
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := mustExist(ctx, tx, `SELECT count(*) FROM users WHERE id = $1`, userID, "user"); err != nil {
			return err
		}
		// In id order, like setFlag, so concurrent marks lock rows alike.
		tag, err := tx.Exec(ctx, `INSERT INTO user_documents (user_id, document_id, read_at)
			SELECT `+user+`::bigint, d.id, `+now+`::timestamptz`+itemFrom(user)+` WHERE true`+where+` ORDER BY d.id
			ON CONFLICT (user_id, document_id) DO UPDATE SET read_at = excluded.read_at
			WHERE user_documents.read_at IS NULL`, a...)
		n = tag.RowsAffected()
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
	err := db.read(ctx, func(tx pgx.Tx) error {
		byID := make(map[int64]newstrace.DocumentState, len(docIDs))
		rows, _ := tx.Query(ctx, `SELECT d.id, ud.read_at, ud.starred_at FROM documents d
			LEFT JOIN user_documents ud ON ud.document_id = d.id AND ud.user_id = $1
			WHERE d.id = ANY($2)`, userID, docIDs)
		var id int64
		var readAt, starredAt *time.Time
		if _, err := pgx.ForEachRow(rows, []any{&id, &readAt, &starredAt}, func() error {
			byID[id] = newstrace.DocumentState{DocumentID: id, ReadAt: fromNull(readAt), StarredAt: fromNull(starredAt), Tags: []string{}}
			return nil
		}); err != nil {
			return err
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
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := mustExist(ctx, tx, `SELECT count(*) FROM users WHERE id = $1`, userID, "user"); err != nil {
			return err
		}
		if len(docIDs) == 0 {
			return nil
		}
		if err := missingDocument(ctx, tx, docIDs); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO user_tags (user_id, document_id, tag, created_at)
			SELECT $1::bigint, id, $3::text, $4::timestamptz FROM unnest($2::bigint[]) id ON CONFLICT DO NOTHING`,
			userID, sortedIDs(docIDs), tag, db.now())
		return err
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
	_, err := db.pool.Exec(ctx, `DELETE FROM user_tags WHERE user_id = $1 AND document_id = ANY($2) AND tag = $3`,
		userID, docIDs, tag)
	if err != nil {
		return fmt.Errorf("remove tag %q for user %d: %w", tag, userID, err)
	}
	return nil
}

// Tags lists the user's tags, sorted bytewise (as SQLite sorts).
func (db *DB) Tags(ctx context.Context, userID int64) ([]string, error) {
	rows, _ := db.pool.Query(ctx, `SELECT tag FROM user_tags WHERE user_id = $1 GROUP BY tag ORDER BY tag COLLATE "C"`, userID)
	tags, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("tags of user %d: %w", userID, err)
	}
	return tags, nil
}

// tagsOf maps document id → the user's sorted tags.
func tagsOf(ctx context.Context, q querier, userID int64, docIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	rows, _ := q.Query(ctx, `SELECT document_id, tag FROM user_tags WHERE user_id = $1 AND document_id = ANY($2)
		ORDER BY document_id, tag COLLATE "C"`, userID, docIDs)
	var id int64
	var t string
	_, err := pgx.ForEachRow(rows, []any{&id, &t}, func() error {
		out[id] = append(out[id], t)
		return nil
	})
	return out, err
}

// itemFrom joins a document with the state of the user whose id is the
// placeholder user.
func itemFrom(user string) string {
	return ` FROM documents d LEFT JOIN sources s ON s.id = d.source_id
	LEFT JOIN user_documents ud ON ud.document_id = d.id AND ud.user_id = ` + user + ` `
}

// itemTime is the item time; it matches the documents_sort index.
const itemTime = `COALESCE(d.published, d.first_seen)`

// itemWhere builds " AND …" conditions for f, adding their arguments to a;
// user is the user id's placeholder. An item is a document some feed
// sighted, unless anyDoc (and no feed or folder is asked for).
func itemWhere(a *sqlArgs, user string, f newstrace.ItemFilter, anyDoc bool) string {
	conds := []string{"true"}
	if !anyDoc || f.FeedID != 0 || f.Folder != "" {
		feedCond := `EXISTS (SELECT 1 FROM sightings g WHERE g.document_id = d.id AND g.feed_id IS NOT NULL`
		if f.FeedID != 0 {
			feedCond += ` AND g.feed_id = ` + a.add(f.FeedID)
		}
		if f.Folder != "" {
			feedCond += ` AND g.feed_id IN (SELECT id FROM feeds WHERE folder = ` + a.add(f.Folder) + `)`
		}
		conds = append(conds, feedCond+`)`)
	}
	if f.Tag != "" {
		conds = append(conds, `EXISTS (SELECT 1 FROM user_tags t WHERE t.document_id = d.id AND t.user_id = `+user+
			` AND t.tag = `+a.add(f.Tag)+`)`)
	}
	if f.Label != "" {
		p := a.add(f.Label)
		conds = append(conds, `(EXISTS (SELECT 1 FROM user_tags t WHERE t.document_id = d.id AND t.user_id = `+user+` AND t.tag = `+p+`)
			OR EXISTS (SELECT 1 FROM sightings g JOIN feeds fl ON fl.id = g.feed_id WHERE g.document_id = d.id AND fl.folder = `+p+`))`)
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
		conds = append(conds, `d.id = ANY(`+a.add(f.IDs)+`::bigint[])`)
	}
	if f.SinceID > 0 {
		conds = append(conds, `d.id > `+a.add(f.SinceID))
	}
	if f.MaxID > 0 {
		conds = append(conds, `d.id < `+a.add(f.MaxID))
	}
	if !f.After.IsZero() {
		conds = append(conds, itemTime+` >= `+a.add(f.After))
	}
	if !f.Before.IsZero() {
		conds = append(conds, itemTime+` < `+a.add(f.Before))
	}
	return " AND " + strings.Join(conds, " AND ")
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

// itemQuery selects cols plus the item's feed: the filtered feed, else the
// feed of the first sighting.
func itemQuery(cols string, f newstrace.ItemFilter) (string, []any) {
	var a sqlArgs
	user := a.add(f.UserID)
	feed := `(SELECT g.feed_id FROM sightings g WHERE g.document_id = d.id AND g.feed_id IS NOT NULL ORDER BY g.seen_at, g.id LIMIT 1)`
	if f.FeedID != 0 {
		feed = a.add(f.FeedID) + `::bigint`
	}
	where := itemWhere(&a, user, f, false)
	limit, offset := limitOffset(f.Limit, f.Offset, 50)
	q := `SELECT ` + cols + `, ` + feed + itemFrom(user) + ` WHERE true` + where + itemOrder(f.Order) +
		` LIMIT ` + a.add(limit) + ` OFFSET ` + a.add(offset)
	return q, a
}

// Items lists the user's items matching f with their bodies and state.
func (db *DB) Items(ctx context.Context, f newstrace.ItemFilter) ([]newstrace.Item, error) {
	q, args := itemQuery(documentColumns+`, ud.read_at, ud.starred_at`, f)
	var items []newstrace.Item
	err := db.read(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, q, args...)
		var err error
		items, err = scanAll(rows, func(r pgx.Row) (newstrace.Item, error) {
			var readAt, starredAt *time.Time
			var feedID *int64
			d, err := scanDocument(r, &readAt, &starredAt, &feedID)
			it := newstrace.Item{Document: d, ReadAt: fromNull(readAt), StarredAt: fromNull(starredAt)}
			if feedID != nil {
				it.FeedID = *feedID
			}
			return it, err
		})
		if err != nil || len(items) == 0 {
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
	rows, _ := db.pool.Query(ctx, q, args...)
	refs, err := scanAll(rows, func(r pgx.Row) (newstrace.ItemRef, error) {
		var ref newstrace.ItemRef
		var feedID *int64
		err := r.Scan(&ref.ID, &ref.Time, &feedID)
		ref.Time = ref.Time.UTC()
		if feedID != nil {
			ref.FeedID = *feedID
		}
		return ref, err
	})
	if err != nil {
		return nil, fmt.Errorf("item refs for user %d: %w", f.UserID, err)
	}
	return refs, nil
}

// CountItems counts the items matching f, ignoring Limit and Offset.
func (db *DB) CountItems(ctx context.Context, f newstrace.ItemFilter) (int, error) {
	var a sqlArgs
	user := a.add(f.UserID)
	where := itemWhere(&a, user, f, false)
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*)`+itemFrom(user)+` WHERE true`+where, a...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count items for user %d: %w", f.UserID, err)
	}
	return n, nil
}

// UnreadCounts counts the user's unread items per feed; a document two
// feeds brought counts in both.
func (db *DB) UnreadCounts(ctx context.Context, userID int64) ([]newstrace.UnreadCount, error) {
	rows, _ := db.pool.Query(ctx, `SELECT g.feed_id, count(DISTINCT d.id), max(`+itemTime+`)
		FROM sightings g JOIN documents d ON d.id = g.document_id
		LEFT JOIN user_documents ud ON ud.document_id = d.id AND ud.user_id = $1
		WHERE g.feed_id IS NOT NULL AND ud.read_at IS NULL
		GROUP BY g.feed_id ORDER BY g.feed_id`, userID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (newstrace.UnreadCount, error) {
		var c newstrace.UnreadCount
		err := r.Scan(&c.FeedID, &c.Count, &c.Newest)
		c.Newest = c.Newest.UTC()
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("unread counts for user %d: %w", userID, err)
	}
	return out, nil
}

// Folders lists folders that hold feeds, by name (bytewise, as SQLite sorts).
func (db *DB) Folders(ctx context.Context) ([]newstrace.Folder, error) {
	rows, _ := db.pool.Query(ctx, `SELECT id, name FROM folders
		WHERE name IN (SELECT folder FROM feeds) ORDER BY name COLLATE "C"`)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[newstrace.Folder])
	if err != nil {
		return nil, fmt.Errorf("folders: %w", err)
	}
	return out, nil
}
