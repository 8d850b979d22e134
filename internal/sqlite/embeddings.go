package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/newstrace/newstrace"
)

var _ newstrace.EmbeddingStore = (*DB)(nil)

// SaveEmbedding stores docID's embedding, replacing any earlier one.
func (db *DB) SaveEmbedding(ctx context.Context, docID int64, model string, vec []float32) error {
	if model == "" || len(vec) == 0 {
		return newstrace.Errorf(newstrace.EINVALID, "embedding of document %d: model and vector required", docID)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM documents WHERE id = ?`, docID, "document"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO embeddings (document_id, model, dims, vec, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (document_id) DO UPDATE SET model = excluded.model, dims = excluded.dims,
				vec = excluded.vec, created_at = excluded.created_at`,
			docID, model, len(vec), newstrace.EncodeEmbedding(vec), formatTime(db.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("save embedding of document %d: %w", docID, err)
	}
	return nil
}

// Embedding returns docID's embedding and its model.
func (db *DB) Embedding(ctx context.Context, docID int64) (string, []float32, error) {
	var model string
	var dims int
	var b []byte
	err := db.reader.QueryRowContext(ctx, `SELECT model, dims, vec FROM embeddings WHERE document_id = ?`, docID).Scan(&model, &dims, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, newstrace.Errorf(newstrace.ENOTFOUND, "embedding of document %d not found", docID)
	} else if err != nil {
		return "", nil, fmt.Errorf("get embedding of document %d: %w", docID, err)
	}
	vec, err := newstrace.DecodeEmbedding(b, dims)
	if err != nil {
		return "", nil, fmt.Errorf("get embedding of document %d: %w", docID, err)
	}
	return model, vec, nil
}

// EmbeddingCandidates walks documents_sort newest first through the window
// and joins each document's embedding by primary key; the language and
// model tests run on the joined rows. Its cost grows with the documents of
// the window it passes over (those of excludeLang included) until limit
// hits are found, and with the bytes of the vectors it returns.
func (db *DB) EmbeddingCandidates(ctx context.Context, model string, around time.Time, window time.Duration, excludeLang string, limit int) ([]newstrace.EmbeddingHit, error) {
	limit = cmp.Or(max(limit, 0), 200)
	query := `SELECT e.document_id, e.dims, e.vec FROM documents d JOIN embeddings e ON e.document_id = d.id
		WHERE e.model = ?`
	args := []any{model}
	if window > 0 {
		query += ` AND COALESCE(d.published, d.first_seen) BETWEEN ? AND ?`
		args = append(args, formatTime(around.Add(-window)), formatTime(around.Add(window)))
	}
	if excludeLang != "" {
		query += ` AND d.language <> ?`
		args = append(args, excludeLang)
	}
	query += ` ORDER BY COALESCE(d.published, d.first_seen) DESC, d.id DESC LIMIT ?`
	rows, err := db.reader.QueryContext(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("embedding candidates: %w", err)
	}
	defer rows.Close()
	var out []newstrace.EmbeddingHit
	for rows.Next() {
		var h newstrace.EmbeddingHit
		var dims int
		var b []byte
		if err := rows.Scan(&h.DocID, &dims, &b); err != nil {
			return nil, fmt.Errorf("embedding candidates: %w", err)
		}
		if h.Vec, err = newstrace.DecodeEmbedding(b, dims); err != nil {
			return nil, fmt.Errorf("embedding candidates: document %d: %w", h.DocID, err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("embedding candidates: %w", err)
	}
	return out, nil
}
