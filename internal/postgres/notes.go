package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace"
)

// maxNote caps a note so one paste cannot bloat every page that lists notes.
const maxNote = 20000

// SetNote writes (or with empty text deletes) the author's note on one
// document or story. Document notes live in user_documents.note, story
// notes in user_stories.
func (db *DB) SetNote(ctx context.Context, n newstrace.Note) (newstrace.Note, error) {
	n.Text = strings.TrimSpace(n.Text)
	switch {
	case (n.DocumentID == 0) == (n.StoryID == 0):
		return newstrace.Note{}, newstrace.Errorf(newstrace.EINVALID, "a note belongs to exactly one document or story")
	case len(n.Text) > maxNote:
		return newstrace.Note{}, newstrace.Errorf(newstrace.ETOOLARGE, "a note is at most %d bytes", maxNote)
	}
	n.UpdatedAt = db.now()
	err := db.write(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT name FROM users WHERE id = $1`, n.UserID).Scan(&n.Author)
		if errors.Is(err, pgx.ErrNoRows) {
			return newstrace.Errorf(newstrace.ENOTFOUND, "user %d not found", n.UserID)
		} else if err != nil {
			return err
		}
		table, col, parent, id, what := "user_documents", "document_id", "documents", n.DocumentID, "document"
		if n.StoryID != 0 {
			table, col, parent, id, what = "user_stories", "story_id", "stories", n.StoryID, "story"
		}
		if err := mustExist(ctx, tx, `SELECT count(*) FROM `+parent+` WHERE id = $1`, id, what); err != nil {
			return err
		}
		if n.Text == "" {
			_, err := tx.Exec(ctx, `UPDATE `+table+` SET note = '', note_at = NULL WHERE user_id = $1 AND `+col+` = $2`, n.UserID, id)
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO `+table+` (user_id, `+col+`, note, note_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id, `+col+`) DO UPDATE SET note = excluded.note, note_at = excluded.note_at`,
			n.UserID, id, n.Text, n.UpdatedAt)
		return err
	})
	if err != nil {
		return newstrace.Note{}, fmt.Errorf("set note of user %d: %w", n.UserID, err)
	}
	return n, nil
}

// Notes lists every author's notes, newest first.
func (db *DB) Notes(ctx context.Context, f newstrace.NoteFilter) ([]newstrace.Note, error) {
	var a sqlArgs
	var docCond, storyCond string
	switch {
	case f.DocumentID != 0 && f.StoryID != 0:
		return nil, newstrace.Errorf(newstrace.EINVALID, "filter notes by a document or a story, not both")
	case f.DocumentID != 0:
		docCond, storyCond = ` AND ud.document_id = `+a.add(f.DocumentID), ` AND false`
	case f.StoryID != 0:
		docCond, storyCond = ` AND false`, ` AND us.story_id = `+a.add(f.StoryID)
	}
	limit, _ := limitOffset(f.Limit, 0, 50)
	rows, _ := db.pool.Query(ctx, `SELECT ud.document_id, 0::bigint, ud.user_id, u.name, ud.note, ud.note_at FROM user_documents ud
			JOIN users u ON u.id = ud.user_id WHERE ud.note <> ''`+docCond+`
		UNION ALL
		SELECT 0::bigint, us.story_id, us.user_id, u.name, us.note, us.note_at FROM user_stories us
			JOIN users u ON u.id = us.user_id WHERE us.note <> ''`+storyCond+`
		ORDER BY 6 DESC NULLS LAST, 3 LIMIT `+a.add(limit), a...)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (newstrace.Note, error) {
		var n newstrace.Note
		var at *time.Time
		err := r.Scan(&n.DocumentID, &n.StoryID, &n.UserID, &n.Author, &n.Text, &at)
		n.UpdatedAt = fromNull(at)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	return out, nil
}

// SetFeverKey stores the hash of the user's Fever api_key.
func (db *DB) SetFeverKey(ctx context.Context, userID int64, keyHash string) error {
	tag, err := db.pool.Exec(ctx, `UPDATE users SET fever_key = $1 WHERE id = $2`, keyHash, userID)
	switch {
	case isUnique(err):
		err = newstrace.Errorf(newstrace.ECONFLICT, "fever key already in use")
	case err == nil && tag.RowsAffected() == 0:
		err = newstrace.Errorf(newstrace.ENOTFOUND, "user %d not found", userID)
	}
	if err != nil {
		return fmt.Errorf("set fever key of user %d: %w", userID, err)
	}
	return nil
}

// UserByFeverKey finds the user whose Fever key hash is keyHash.
func (db *DB) UserByFeverKey(ctx context.Context, keyHash string) (newstrace.User, error) {
	if keyHash == "" {
		return newstrace.User{}, newstrace.Errorf(newstrace.ENOTFOUND, "fever key not found")
	}
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.fever_key = $1`, keyHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return newstrace.User{}, newstrace.Errorf(newstrace.ENOTFOUND, "fever key not found")
	} else if err != nil {
		return newstrace.User{}, fmt.Errorf("get user by fever key: %w", err)
	}
	return u, nil
}
