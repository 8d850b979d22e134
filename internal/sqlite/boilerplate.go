package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/newstrace/newstrace"
)

// recordedKey marks a document as recorded even when none of its lines
// is a candidate, so it still counts in its source's window.
const recordedKey = ""

// RecordLines files a document's lines under its source and prunes the
// source's documents beyond the newest keep.
func (db *DB) RecordLines(ctx context.Context, sourceID, docID int64, lines []newstrace.SourceLine, keep int) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents WHERE id = ?`, docID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return newstrace.Errorf(newstrace.ENOTFOUND, "document %d not found", docID)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sources WHERE id = ?`, sourceID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return newstrace.Errorf(newstrace.ENOTFOUND, "source %d not found", sourceID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM source_lines WHERE document_id = ?`, docID); err != nil {
			return fmt.Errorf("forget earlier lines: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO source_lines (source_id, document_id, line_key) VALUES (?, ?, ?)`,
			sourceID, docID, recordedKey); err != nil {
			return fmt.Errorf("record document: %w", err)
		}
		for _, l := range lines {
			if l.Key == recordedKey {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO source_lines (source_id, document_id, line_key) VALUES (?, ?, ?)`,
				sourceID, docID, l.Key); err != nil {
				return fmt.Errorf("record line: %w", err)
			}
			// The text is kept from the second document on.
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO source_line_texts (source_id, line_key, norm, text)
				SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM source_lines
					WHERE source_id = ? AND line_key = ? AND document_id <> ?)`,
				sourceID, l.Key, l.Norm, l.Text, sourceID, l.Key, docID); err != nil {
				return fmt.Errorf("record line text: %w", err)
			}
		}
		if keep <= 0 {
			return nil
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM source_lines WHERE source_id = ? AND document_id < (
			SELECT document_id FROM source_lines WHERE source_id = ? AND line_key = ''
			ORDER BY document_id DESC LIMIT 1 OFFSET ?)`, sourceID, sourceID, keep-1)
		if err != nil {
			return fmt.Errorf("prune old documents: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM source_line_texts WHERE source_id = ? AND NOT EXISTS (
			SELECT 1 FROM source_lines l WHERE l.source_id = source_line_texts.source_id
				AND l.line_key = source_line_texts.line_key)`, sourceID)
		if err != nil {
			return fmt.Errorf("prune line texts: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record lines of document %d: %w", docID, err)
	}
	return nil
}

// SourceLines counts, over the source's newest window documents, the
// documents holding each line.
func (db *DB) SourceLines(ctx context.Context, sourceID int64, window, min int) ([]newstrace.LineCount, int, error) {
	window, _ = limitOffset(window, 0, 200)
	min = max(min, 1)
	var out []newstrace.LineCount
	var docs int
	err := db.read(ctx, func(tx *sql.Tx) error {
		const win = `SELECT document_id FROM source_lines WHERE source_id = ? AND line_key = ''
			ORDER BY document_id DESC LIMIT ?`
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+win+`)`, sourceID, window).Scan(&docs); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT l.line_key, COUNT(*) AS n,
				COALESCE(MAX(t.norm), ''), COALESCE(MAX(t.text), '')
			FROM source_lines l
			JOIN (`+win+`) w ON w.document_id = l.document_id
			LEFT JOIN source_line_texts t ON t.source_id = l.source_id AND t.line_key = l.line_key
			WHERE l.source_id = ? AND l.line_key <> ''
			GROUP BY l.line_key HAVING COUNT(*) >= ?
			ORDER BY n DESC, l.line_key`, sourceID, window, sourceID, min)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c newstrace.LineCount
			if err := rows.Scan(&c.Key, &c.Docs, &c.Norm, &c.Text); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("lines of source %d: %w", sourceID, err)
	}
	return out, docs, nil
}

// UpdateDocumentText swaps a document's text when it is still oldText.
func (db *DB) UpdateDocumentText(ctx context.Context, id int64, oldText, text, html string, removed []newstrace.Removed) error {
	if removed == nil {
		removed = []newstrace.Removed{}
	}
	b, err := json.Marshal(removed)
	if err != nil {
		return fmt.Errorf("update text of document %d: encode removed: %w", id, err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE documents SET text = ?, html = ?, removed = ? WHERE id = ? AND text = ?`,
			text, html, string(b), id, oldText)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM documents WHERE id = ?`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return newstrace.Errorf(newstrace.ENOTFOUND, "document %d not found", id)
		} else if err != nil {
			return err
		}
		return newstrace.Errorf(newstrace.ECONFLICT, "document %d changed since it was read", id)
	})
	if err != nil {
		return fmt.Errorf("update text of document %d: %w", id, err)
	}
	return nil
}
