package storecopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
)

// checkPrefix accepts a destination table only if it holds exactly the
// source's rows up to its highest key, as an interrupted copy leaves it:
// the same number of rows up to that key, and the same first and last
// rows. Then the copy resumes after that key.
func (c *copier) checkPrefix(ctx context.Context, t *table) error {
	if t.dstRows == 0 {
		return nil
	}
	refuse := func(format string, args ...any) error {
		return fmt.Errorf("%w: PostgreSQL schema %s, table %s: %s; copy into an empty schema",
			ErrNotPrefix, c.schema, t.name, fmt.Sprintf(format, args...))
	}
	first, err := c.destKey(ctx, t, false)
	if err != nil {
		return err
	}
	last, err := c.destKey(ctx, t, true)
	if err != nil {
		return err
	}
	var n int64
	if err := c.src.QueryRowContext(ctx, "SELECT count(*) FROM "+quoted(t.name)+" WHERE "+t.keyCompare("<="), last...).Scan(&n); err != nil {
		return fmt.Errorf("count SQLite %s: %w", t.name, err)
	}
	if n != t.dstRows {
		return refuse("it holds %d rows up to %s where the SQLite store has %d", t.dstRows, t.keyString(last), n)
	}
	for _, key := range [][]any{first, last} {
		diff, err := c.compareRow(ctx, t, key, true)
		if err != nil {
			return err
		}
		if diff != "" {
			return refuse("row %s %s", t.keyString(key), diff)
		}
	}
	t.resume = last
	return nil
}

// destKey returns the lowest (or highest) key in the destination table,
// ordered as SQLite orders it.
func (c *copier) destKey(ctx context.Context, t *table, highest bool) ([]any, error) {
	rows, err := c.dst.Query(ctx, "SELECT "+t.keyList(false, false)+" FROM "+c.ident(t.name)+
		" ORDER BY "+t.keyList(highest, true)+" LIMIT 1")
	if err != nil {
		return nil, fmt.Errorf("read PostgreSQL %s: %w", t.name, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read PostgreSQL %s: %w", t.name, err)
		}
		return nil, fmt.Errorf("read PostgreSQL %s: no rows", t.name)
	}
	key, err := rows.Values()
	if err != nil {
		return nil, fmt.Errorf("read PostgreSQL %s: %w", t.name, err)
	}
	for i, v := range key { // SQLite binds int64; pgx reads int4 as int32
		switch x := v.(type) {
		case int32:
			key[i] = int64(x)
		case int16:
			key[i] = int64(x)
		}
	}
	return key, nil
}

// compareRow reads the row with key from both stores and describes the
// first difference ("" when equal). skipDeferred leaves out the columns the
// final pass sets.
func (c *copier) compareRow(ctx context.Context, t *table, key []any, skipDeferred bool) (string, error) {
	var lite, pg []string
	for i, k := range t.key {
		lite = append(lite, quoted(t.cols[k].name)+" = ?")
		pg = append(pg, fmt.Sprintf("%s = $%d", quoted(t.cols[k].name), i+1))
	}

	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := c.src.QueryRowContext(ctx, "SELECT "+t.selectList()+" FROM "+quoted(t.name)+" WHERE "+strings.Join(lite, " AND "), key...).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return "is not in the SQLite store", nil
	}
	if err != nil {
		return "", fmt.Errorf("read SQLite %s at %s: %w", t.name, t.keyString(key), err)
	}
	rows, err := c.dst.Query(ctx, "SELECT "+t.selectList()+" FROM "+c.ident(t.name)+" WHERE "+strings.Join(pg, " AND "), key...)
	if err != nil {
		return "", fmt.Errorf("read PostgreSQL %s at %s: %w", t.name, t.keyString(key), err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return "", fmt.Errorf("read PostgreSQL %s at %s: %w", t.name, t.keyString(key), err)
		}
		return "is not in PostgreSQL", nil
	}
	got, err := rows.Values()
	if err != nil {
		return "", fmt.Errorf("read PostgreSQL %s at %s: %w", t.name, t.keyString(key), err)
	}
	for i := range t.cols {
		col := &t.cols[i]
		if skipDeferred && col.deferred {
			continue
		}
		want, err := convert(col, vals[i])
		if err != nil {
			return "", fmt.Errorf("%s.%s at %s: %w", t.name, col.name, t.keyString(key), err)
		}
		if a, b := canonical(col.kind, want), canonical(col.kind, got[i]); a != b {
			return fmt.Sprintf("differs in column %s (SQLite %.80s, PostgreSQL %.80s)", col.name, a, b), nil
		}
	}
	return "", nil
}

// verify counts the destination table and compares its first, last and a
// few random rows with the source, filling r.
func (c *copier) verify(ctx context.Context, t *table, r *TableReport) error {
	if err := c.dst.QueryRow(ctx, "SELECT count(*) FROM "+c.ident(t.name)).Scan(&r.Dest); err != nil {
		return fmt.Errorf("count PostgreSQL %s: %w", t.name, err)
	}
	if r.Dest != r.Source {
		r.Problem = fmt.Sprintf("%d rows in PostgreSQL, %d in SQLite", r.Dest, r.Source)
		return nil
	}
	if r.Source == 0 {
		return nil
	}
	offsets := []int64{0, r.Source - 1}
	for range c.cfg.Samples {
		offsets = append(offsets, rand.Int64N(r.Source))
	}
	for _, off := range offsets {
		vals := make([]any, len(t.key))
		ptrs := make([]any, len(t.key))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		err := c.src.QueryRowContext(ctx, "SELECT "+t.keyList(false, false)+" FROM "+quoted(t.name)+
			" ORDER BY "+t.keyList(false, false)+" LIMIT 1 OFFSET ?", off).Scan(ptrs...)
		if err != nil {
			return fmt.Errorf("sample SQLite %s: %w", t.name, err)
		}
		diff, err := c.compareRow(ctx, t, vals, false)
		if err != nil {
			return err
		}
		r.Sampled++
		if diff != "" {
			r.Problem = fmt.Sprintf("row %s %s", t.keyString(vals), diff)
			return nil
		}
	}
	return nil
}
