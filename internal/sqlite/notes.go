package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/newstrace/newstrace"
)

// maxNote caps a note so one paste cannot bloat every page that lists notes.
const maxNote = 20000

// SetNote writes (or with empty text deletes) the author's note on one
// document or story. Document notes live in user_documents.note (0001);
// story notes in user_stories.
func (db *DB) SetNote(ctx context.Context, n newstrace.Note) (newstrace.Note, error) {
	n.Text = strings.TrimSpace(n.Text)
	switch {
	case (n.DocumentID == 0) == (n.StoryID == 0):
		return newstrace.Note{}, newstrace.Errorf(newstrace.EINVALID, "a note belongs to exactly one document or story")
	case len(n.Text) > maxNote:
		return newstrace.Note{}, newstrace.Errorf(newstrace.ETOOLARGE, "a note is at most %d bytes", maxNote)
	}
	n.UpdatedAt = db.now()
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM users WHERE id = ?`, n.UserID, "user"); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, n.UserID).Scan(&n.Author); err != nil {
			return err
		}
		table, col, id, what := "user_documents", "document_id", n.DocumentID, "document"
		if n.StoryID != 0 {
			table, col, id, what = "user_stories", "story_id", n.StoryID, "story"
		}
		parent := map[string]string{"document": "documents", "story": "stories"}[what]
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM `+parent+` WHERE id = ?`, id, what); err != nil {
			return err
		}
		if n.Text == "" {
			_, err := tx.ExecContext(ctx, `UPDATE `+table+` SET note = '', note_at = NULL WHERE user_id = ? AND `+col+` = ?`, n.UserID, id)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (user_id, `+col+`, note, note_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, `+col+`) DO UPDATE SET note = excluded.note, note_at = excluded.note_at`,
			n.UserID, id, n.Text, formatTime(n.UpdatedAt))
		return err
	})
	if err != nil {
		return newstrace.Note{}, fmt.Errorf("set note of user %d: %w", n.UserID, err)
	}
	return n, nil
}

// Notes lists every author's notes, newest first.
func (db *DB) Notes(ctx context.Context, f newstrace.NoteFilter) ([]newstrace.Note, error) {
	var docCond, storyCond string
	var docArgs, storyArgs []any
	switch {
	case f.DocumentID != 0 && f.StoryID != 0:
		return nil, newstrace.Errorf(newstrace.EINVALID, "filter notes by a document or a story, not both")
	case f.DocumentID != 0:
		docCond, docArgs = ` AND ud.document_id = ?`, []any{f.DocumentID}
		storyCond = ` AND false`
	case f.StoryID != 0:
		docCond = ` AND false`
		storyCond, storyArgs = ` AND us.story_id = ?`, []any{f.StoryID}
	}
	limit, _ := limitOffset(f.Limit, 0, 50)
	q := `SELECT ud.document_id, 0, ud.user_id, u.name, ud.note, ud.note_at FROM user_documents ud
			JOIN users u ON u.id = ud.user_id WHERE ud.note <> ''` + docCond + `
		UNION ALL
		SELECT 0, us.story_id, us.user_id, u.name, us.note, us.note_at FROM user_stories us
			JOIN users u ON u.id = us.user_id WHERE us.note <> ''` + storyCond + `
		ORDER BY 6 DESC, 3 LIMIT ?`
	args := append(append(docArgs, storyArgs...), limit)
	rows, err := db.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	defer rows.Close()
	out := []newstrace.Note{}
	for rows.Next() {
		var n newstrace.Note
		var at sql.NullString
		if err := rows.Scan(&n.DocumentID, &n.StoryID, &n.UserID, &n.Author, &n.Text, &at); err != nil {
			return nil, fmt.Errorf("notes: %w", err)
		}
		if n.UpdatedAt, err = parseNullTime(at); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// SetFeverKey stores the hash of the user's Fever api_key.
func (db *DB) SetFeverKey(ctx context.Context, userID int64, keyHash string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET fever_key = ? WHERE id = ?`, keyHash, userID)
		if isUnique(err) {
			return newstrace.Errorf(newstrace.ECONFLICT, "fever key already in use")
		} else if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return newstrace.Errorf(newstrace.ENOTFOUND, "user %d not found", userID)
		}
		return nil
	})
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
	u, err := scanUser(db.reader.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.fever_key = ?`, keyHash))
	if errors.Is(err, sql.ErrNoRows) {
		return newstrace.User{}, newstrace.Errorf(newstrace.ENOTFOUND, "fever key not found")
	} else if err != nil {
		return newstrace.User{}, fmt.Errorf("get user by fever key: %w", err)
	}
	return u, nil
}
