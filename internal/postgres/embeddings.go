package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace"
)

var _ newstrace.EmbeddingStore = (*DB)(nil)

// SaveEmbedding stores docID's embedding, replacing any earlier one.
func (db *DB) SaveEmbedding(ctx context.Context, docID int64, model string, vec []float32) error {
	if model == "" || len(vec) == 0 {
		return newstrace.Errorf(newstrace.EINVALID, "embedding of document %d: model and vector required", docID)
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO embeddings (document_id, model, dims, vec, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (document_id) DO UPDATE SET model = excluded.model, dims = excluded.dims,
			vec = excluded.vec, created_at = excluded.created_at`,
		docID, model, len(vec), newstrace.EncodeEmbedding(vec), db.now())
	if isForeignKey(err) {
		err = newstrace.Errorf(newstrace.ENOTFOUND, "document %d not found", docID)
	}
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
	err := db.pool.QueryRow(ctx, `SELECT model, dims, vec FROM embeddings WHERE document_id = $1`, docID).Scan(&model, &dims, &b)
	if errors.Is(err, pgx.ErrNoRows) {
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
// and joins each document's embedding by primary key, as the SQLite store
// does.
func (db *DB) EmbeddingCandidates(ctx context.Context, model string, around time.Time, window time.Duration, excludeLang string, limit int) ([]newstrace.EmbeddingHit, error) {
	limit = cmp.Or(max(limit, 0), 200)
	var a sqlArgs
	query := `SELECT e.document_id, e.dims, e.vec FROM documents d JOIN embeddings e ON e.document_id = d.id
		WHERE e.model = ` + a.add(model)
	if window > 0 {
		query += ` AND ` + documentSort + ` BETWEEN ` + a.add(around.Add(-window)) + ` AND ` + a.add(around.Add(window))
	}
	if excludeLang != "" {
		query += ` AND d.language <> ` + a.add(excludeLang)
	}
	query += ` ORDER BY ` + documentSort + ` DESC, d.id DESC LIMIT ` + a.add(limit)
	rows, _ := db.pool.Query(ctx, query, a...)
	var out []newstrace.EmbeddingHit
	var id int64
	var dims int
	var b []byte
	_, err := pgx.ForEachRow(rows, []any{&id, &dims, &b}, func() error {
		vec, err := newstrace.DecodeEmbedding(b, dims)
		if err != nil {
			return fmt.Errorf("document %d: %w", id, err)
		}
		out = append(out, newstrace.EmbeddingHit{DocID: id, Vec: vec})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedding candidates: %w", err)
	}
	return out, nil
}
