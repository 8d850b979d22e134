package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace"
)

// recordedKey marks a document as recorded even when none of its lines
// is a candidate, so it still counts in its source's window.
const recordedKey = ""

// RecordLines files a document's lines under its source and prunes the
// source's documents beyond the newest keep. A transaction-scoped advisory
// lock per source serialises recorders of one source across processes, so
// of two documents holding a new line recorded at once the second sees the
// first and keeps the line's text, and pruning never races a recording.
func (db *DB) RecordLines(ctx context.Context, sourceID, docID int64, lines []newstrace.SourceLine, keep int) error {
	var keys, norms, texts []string
	seen := map[string]bool{}
	for _, l := range lines {
		if l.Key == recordedKey || seen[l.Key] {
			continue
		}
		seen[l.Key] = true
		keys, norms, texts = append(keys, l.Key), append(norms, l.Norm), append(texts, l.Text)
	}
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := lock(ctx, tx, "source_lines:"+strconv.FormatInt(sourceID, 10)); err != nil {
			return err
		}
		var docOK, sourceOK bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM documents WHERE id = $1),
			EXISTS (SELECT 1 FROM sources WHERE id = $2)`, docID, sourceID).Scan(&docOK, &sourceOK); err != nil {
			return err
		}
		if !docOK {
			return newstrace.Errorf(newstrace.ENOTFOUND, "document %d not found", docID)
		}
		if !sourceOK {
			return newstrace.Errorf(newstrace.ENOTFOUND, "source %d not found", sourceID)
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM source_lines WHERE document_id = $1`, docID)
		b.Queue(`INSERT INTO source_lines (source_id, document_id, line_key)
			SELECT $1, $2, k FROM unnest($3::text[]) k`, sourceID, docID, append([]string{recordedKey}, keys...))
		// The text is kept from the second document holding the line on.
		b.Queue(`INSERT INTO source_line_texts (source_id, line_key, norm, text)
			SELECT $1, l.k, l.n, l.t FROM unnest($3::text[], $4::text[], $5::text[]) AS l(k, n, t)
			WHERE EXISTS (SELECT 1 FROM source_lines s WHERE s.source_id = $1 AND s.line_key = l.k AND s.document_id <> $2)
			ON CONFLICT DO NOTHING`, sourceID, docID, keys, norms, texts)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("record lines: %w", err)
		}
		if keep <= 0 {
			return nil
		}
		tag, err := tx.Exec(ctx, `DELETE FROM source_lines WHERE source_id = $1 AND document_id < (
			SELECT document_id FROM source_lines WHERE source_id = $1 AND line_key = ''
			ORDER BY document_id DESC LIMIT 1 OFFSET $2)`, sourceID, keep-1)
		if err != nil {
			return fmt.Errorf("prune old documents: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM source_line_texts t WHERE t.source_id = $1 AND NOT EXISTS (
			SELECT 1 FROM source_lines l WHERE l.source_id = t.source_id AND l.line_key = t.line_key)`, sourceID); err != nil {
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
	win, _ := limitOffset(window, 0, 200)
	min = max(min, 1)
	var out []newstrace.LineCount
	var docs int
	err := db.read(ctx, func(tx pgx.Tx) error {
		const recent = `SELECT document_id FROM source_lines WHERE source_id = $1 AND line_key = ''
			ORDER BY document_id DESC LIMIT $2`
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM (`+recent+`) w`, sourceID, win).Scan(&docs); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT l.line_key, count(*) AS n, COALESCE(max(t.norm), ''), COALESCE(max(t.text), '')
			FROM source_lines l
			JOIN (`+recent+`) w ON w.document_id = l.document_id
			LEFT JOIN source_line_texts t ON t.source_id = l.source_id AND t.line_key = l.line_key
			WHERE l.source_id = $1 AND l.line_key <> ''
			GROUP BY l.line_key HAVING count(*) >= $3
			ORDER BY n DESC, l.line_key COLLATE "C"`, sourceID, win, min)
		var err error
		out, err = scanAll(rows, func(r pgx.Row) (newstrace.LineCount, error) {
			var c newstrace.LineCount
			err := r.Scan(&c.Key, &c.Docs, &c.Norm, &c.Text)
			return c, err
		})
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("lines of source %d: %w", sourceID, err)
	}
	return out, docs, nil
}

// UpdateDocumentText swaps a document's text when it is still oldText. The
// search vectors are generated columns: they follow the new text in the
// same statement.
func (db *DB) UpdateDocumentText(ctx context.Context, id int64, oldText, text, html string, removed []newstrace.Removed) error {
	if removed == nil {
		removed = []newstrace.Removed{}
	}
	err := db.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE documents SET text = $1, html = $2, removed = $3 WHERE id = $4 AND text = $5`,
			text, html, removed, id, oldText)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var one int
		err = tx.QueryRow(ctx, `SELECT 1 FROM documents WHERE id = $1`, id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
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
