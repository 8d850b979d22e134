package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/newstrace/newstrace"
)

// Hooks for the external tests: one pooled connection from each side, and
// checks that need raw SQL.

func (db *DB) ReaderForTest(ctx context.Context) (*sql.Conn, func(), error) {
	c, err := db.reader.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, func() { c.Close() }, nil
}

func (db *DB) WriterForTest(ctx context.Context) (*sql.Conn, func(), error) {
	c, err := db.writer.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, func() { c.Close() }, nil
}

func (db *DB) CountMigrationsForTest(ctx context.Context) (n int, err error) {
	err = db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
	return n, err
}

func (db *DB) IntegrityCheckForTest(ctx context.Context) (res string, err error) {
	err = db.reader.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res)
	return res, err
}

func (db *DB) FTSCountForTest(ctx context.Context, q string) (n int, err error) {
	err = db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents_fts WHERE documents_fts MATCH ?`, q).Scan(&n)
	return n, err
}

// PlansForTest returns EXPLAIN QUERY PLAN details of the hot lookups, by name.
func (db *DB) PlansForTest(ctx context.Context) (map[string]string, error) {
	docs, docArgs := documentsQuery(newstrace.DocumentFilter{})
	byFeed, byFeedArgs := documentsQuery(newstrace.DocumentFilter{FeedID: 1})
	queries := []struct {
		name, q string
		args    []any
	}{
		{"doc by canonical", qDocByCanonical, []any{"u"}},
		{"doc by hash", qDocByHash, []any{"h", 1}},
		{"seen entry", qSeenEntry, []any{1, "k"}},
		{"documents", docs, docArgs},
		{"documents by feed", byFeed, byFeedArgs},
		{"stories", qStories, []any{50, 0}},
		{"due feeds", qDueFeeds, []any{"x", 10}},
	}
	out := map[string]string{}
	for _, q := range queries {
		rows, err := db.reader.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q.q, q.args...)
		if err != nil {
			return nil, err
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				rows.Close()
				return nil, err
			}
			plan = append(plan, detail)
		}
		rows.Close()
		out[q.name] = strings.Join(plan, "; ")
	}
	return out, nil
}
