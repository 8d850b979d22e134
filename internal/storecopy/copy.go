// Package storecopy moves a whole newstrace store from SQLite to
// PostgreSQL: every table both stores share, row for row with the same ids,
// then verifies the result.
//
// The copy is generic: tables and columns come from the two catalogs
// (derived tables such as SQLite's full-text index and PostgreSQL's
// generated columns are left to the store that keeps them), the table order
// from PostgreSQL's foreign keys, and each value is converted to its
// destination column's type. A table or column on one side only stops the
// copy before anything is written, so nothing is dropped silently.
//
// It is resumable: each table is read in primary-key order and written in
// batches, one PostgreSQL transaction each, so what an interrupted run left
// is a prefix of every table, and the next run continues after the
// destination's highest key. A destination that is not such a prefix (a
// store from elsewhere) is refused before any write.
package storecopy

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Config says what to copy where; zero values take the defaults.
type Config struct {
	// Source is the SQLite store, migrated to this binary's schema and opened
	// read-only (see OpenSQLite). It is read in one transaction: one snapshot.
	Source *sql.DB
	// Dest is a pool on the PostgreSQL database; Schema holds the migrated
	// newstrace tables.
	Dest   *pgxpool.Pool
	Schema string

	// BatchRows is the most rows per batch (and PostgreSQL transaction);
	// default 2000.
	BatchRows int
	// BatchBytes ends a batch early once its values hold this many bytes,
	// bounding memory for long documents; default 16 MiB.
	BatchBytes int
	// Samples is how many random rows per table are compared column by
	// column after copying, besides the first and the last; default 3.
	Samples int

	// Progress receives per-table progress: a bar when Terminal, else a
	// line per table and every ProgressEvery (default 10 s). Nil for none.
	Progress      io.Writer
	Terminal      bool
	ProgressEvery time.Duration
	Logger        *slog.Logger

	// AfterBatch, when set, is called after each committed batch with the
	// table and the batch's row count (tests interrupt a copy with it).
	AfterBatch func(table string, rows int)
}

// Report is what a copy did and what it found.
type Report struct {
	Tables  []TableReport
	Skipped []Skipped // tables left alone on purpose
	Copied  int64     // rows this run wrote
	Elapsed time.Duration
}

// TableReport is one table's verification.
type TableReport struct {
	Table   string
	Source  int64 // rows in the SQLite store
	Dest    int64 // rows in PostgreSQL after the copy
	Copied  int64 // rows this run wrote
	Elapsed time.Duration
	Sampled int    // rows compared column by column
	Problem string // "" when the table verified
	// Filled lists PostgreSQL columns with no SQLite counterpart, left to their defaults.
	Filled []string
}

// OK reports whether the table verified.
func (t TableReport) OK() bool { return t.Problem == "" }

// Skipped is a table on one side only, left alone because the store that
// has it derives it from other tables.
type Skipped struct {
	Table  string
	Side   string // "sqlite" or "postgres"
	Reason string
}

// OK reports whether every table verified.
func (r Report) OK() bool {
	for _, t := range r.Tables {
		if !t.OK() {
			return false
		}
	}
	return true
}

var (
	// ErrNotPrefix is wrapped when the destination holds rows that an
	// earlier copy of this source would not have written.
	ErrNotPrefix = errors.New("destination is not a copy of this source")
	// ErrMismatch is wrapped when verification finds a difference.
	ErrMismatch = errors.New("copy does not match its source")
	// ErrSourceChanged is wrapped when another process wrote to the SQLite
	// store during the copy, which holds the store as it was at the start.
	ErrSourceChanged = errors.New("the SQLite store changed during the copy (is serve or worker running on it?)")
	// ErrInterrupted is wrapped when the context ends the copy between
	// batches; running it again resumes.
	ErrInterrupted = errors.New("copy interrupted")
)

// querier is the SQLite side: the read transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// pgQuerier is the PostgreSQL side: the pool or a transaction.
type pgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// batchTimeout bounds one batch's write, which is not cancelled with the
// copy's context: a started batch commits, so Ctrl-C leaves a clean prefix.
const batchTimeout = 10 * time.Minute

type copier struct {
	cfg    Config
	src    querier
	dst    *pgxpool.Pool
	schema string
	log    *slog.Logger
	now    func() time.Time
}

// Copy copies every table of cfg.Source missing from cfg.Dest, resuming an
// interrupted copy, then moves identity sequences past the copied ids and
// verifies row counts and sampled rows. The report is filled as far as the
// copy got; the error is ErrNotPrefix (nothing written), ErrInterrupted
// (resumable) or ErrMismatch (verification) wrapped, or another failure.
func Copy(ctx context.Context, cfg Config) (rep Report, err error) {
	start := time.Now()
	defer func() { rep.Elapsed = time.Since(start) }()
	cfg.BatchRows = cmp.Or(cfg.BatchRows, 2000)
	cfg.BatchBytes = cmp.Or(cfg.BatchBytes, 16<<20)
	cfg.Samples = cmp.Or(cfg.Samples, 3)
	cfg.ProgressEvery = cmp.Or(cfg.ProgressEvery, 10*time.Second)
	cfg.Schema = cmp.Or(cfg.Schema, "public")
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Source == nil || cfg.Dest == nil {
		return Report{}, errors.New("copy needs a source and a destination")
	}
	// One snapshot of the source for the whole run, on a pinned connection
	// whose data_version tells afterwards whether another connection wrote.
	conn, err := cfg.Source.Conn(ctx)
	if err != nil {
		return rep, fmt.Errorf("read SQLite store: %w", err)
	}
	defer conn.Close()
	version := func() (int64, error) {
		var v int64
		err := conn.QueryRowContext(context.WithoutCancel(ctx), "PRAGMA data_version").Scan(&v)
		return v, err
	}
	before, err := version()
	if err != nil {
		return rep, fmt.Errorf("read SQLite store: %w", err)
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return rep, fmt.Errorf("read SQLite store: %w", err)
	}
	defer tx.Rollback()
	// Last, after the verdict: a store written during the copy was copied
	// as it stood at the start, without what came later.
	defer func() {
		tx.Rollback()
		after, verr := version()
		if verr == nil && after != before && (err == nil || errors.Is(err, ErrMismatch)) {
			err = fmt.Errorf("%w: stop every newstrace process using it and copy again into an empty schema", ErrSourceChanged)
		}
	}()

	unlock, err := lockSchema(ctx, cfg.Dest, cfg.Schema)
	if err != nil {
		return rep, err
	}
	defer unlock()

	c := &copier{cfg: cfg, src: tx, dst: cfg.Dest, schema: cfg.Schema,
		log: cfg.Logger.With("component", "storecopy"), now: time.Now}
	tables, err := c.plan(ctx, &rep)
	if err != nil {
		return rep, err
	}
	for _, t := range tables {
		rep.Tables = append(rep.Tables, TableReport{Table: t.name, Source: t.srcRows, Filled: t.filled})
	}

	// Nothing is written until every table passed its prefix check.
	for _, t := range tables {
		if err := c.checkPrefix(ctx, t); err != nil {
			return rep, err
		}
	}
	c.log.Debug("planned", "tables", len(tables), "elapsed", time.Since(start))
	for i, t := range tables {
		n, took, err := c.copyTable(ctx, t)
		rep.Tables[i].Copied, rep.Tables[i].Elapsed = n, took
		rep.Copied += n
		if err != nil {
			return rep, err
		}
	}
	c.log.Debug("copied", "rows", rep.Copied, "elapsed", time.Since(start))
	for _, t := range tables {
		if t.hasDeferred() {
			if err := c.setDeferred(ctx, t); err != nil {
				return rep, err
			}
		}
	}
	for _, t := range tables {
		if err := c.resetSequences(ctx, t); err != nil {
			return rep, err
		}
	}
	for i, t := range tables {
		if rep.Tables[i].Copied > 0 {
			// Fresh planner statistics; autovacuum would get there later.
			if _, err := c.dst.Exec(ctx, "ANALYZE "+c.ident(t.name)); err != nil {
				return rep, fmt.Errorf("analyze %s: %w", t.name, err)
			}
		}
	}
	c.log.Debug("deferred columns, sequences and statistics done", "elapsed", time.Since(start))
	var bad []string
	for i, t := range tables {
		if err := c.verify(ctx, t, &rep.Tables[i]); err != nil {
			return rep, err
		}
		if !rep.Tables[i].OK() {
			bad = append(bad, t.name+": "+rep.Tables[i].Problem)
		}
	}
	c.log.Debug("verified", "elapsed", time.Since(start))
	if len(bad) > 0 {
		return rep, fmt.Errorf("%w: %s", ErrMismatch, strings.Join(bad, "; "))
	}
	return rep, nil
}

// lockSchema holds a session advisory lock on the destination schema for
// the copy, so two copies into one schema cannot interleave their batches.
func lockSchema(ctx context.Context, pool *pgxpool.Pool, schema string) (func(), error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	key := "newstrace:copy:" + schema
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, key).Scan(&ok); err != nil {
		conn.Release()
		return nil, fmt.Errorf("lock schema %s: %w", schema, err)
	}
	if !ok {
		conn.Release()
		return nil, fmt.Errorf("another copy into PostgreSQL schema %s is running", schema)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key); err != nil {
			// A session still holding the lock must not go back to the pool.
			conn.Conn().Close(ctx)
		}
		conn.Release()
	}, nil
}

// plan reads both catalogs and counts rows on both sides.
func (c *copier) plan(ctx context.Context, rep *Report) ([]*table, error) {
	lite, err := readSQLiteCatalog(ctx, c.src)
	if err != nil {
		return nil, err
	}
	pg, fks, err := readPostgresCatalog(ctx, c.dst, c.schema)
	if err != nil {
		return nil, err
	}
	if len(pg) == 0 {
		return nil, fmt.Errorf("PostgreSQL schema %s holds no newstrace tables: migrate it first", c.schema)
	}
	srcRows := map[string]int64{}
	for name := range lite {
		if _, ok := pg[name]; !ok {
			continue
		}
		var n int64
		if err := c.src.QueryRowContext(ctx, "SELECT count(*) FROM "+quoted(name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count SQLite %s: %w", name, err)
		}
		srcRows[name] = n
	}
	tables, skips, err := buildPlan(lite, pg, fks, srcRows)
	if err != nil {
		return nil, err
	}
	for _, s := range skips {
		rep.Skipped = append(rep.Skipped, Skipped(s))
	}
	for _, t := range tables {
		if err := c.dst.QueryRow(ctx, "SELECT count(*) FROM "+c.ident(t.name)).Scan(&t.dstRows); err != nil {
			return nil, fmt.Errorf("count PostgreSQL %s: %w", t.name, err)
		}
	}
	return tables, nil
}

// ident is a schema-qualified PostgreSQL table name.
func (c *copier) ident(table string) string { return pgx.Identifier{c.schema, table}.Sanitize() }

func (t *table) colNames() []string {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
	}
	return names
}

func (t *table) selectList() string {
	q := make([]string, len(t.cols))
	for i, c := range t.cols {
		q[i] = quoted(c.name)
	}
	return strings.Join(q, ", ")
}

// keyList is the key columns for ORDER BY, row values and the like; desc
// and pg add the direction and the byte-wise collation for text on
// PostgreSQL, which sorts text as SQLite's default BINARY collation does.
func (t *table) keyList(desc, pg bool) string {
	q := make([]string, len(t.key))
	for i, k := range t.key {
		q[i] = quoted(t.cols[k].name)
		if pg && t.cols[k].kind == kindText {
			q[i] += ` COLLATE "C"`
		}
		if desc {
			q[i] += " DESC"
		}
	}
	return strings.Join(q, ", ")
}

// keyCompare is an SQLite condition "key OP ?" (row values for a composite key).
func (t *table) keyCompare(op string) string {
	if len(t.key) == 1 {
		return t.keyList(false, false) + " " + op + " ?"
	}
	return "(" + t.keyList(false, false) + ") " + op + " (" + strings.TrimSuffix(strings.Repeat("?, ", len(t.key)), ", ") + ")"
}

// keyString names a row by its key for messages: id=5, (user_id=1, tag="x").
func (t *table) keyString(key []any) string {
	parts := make([]string, len(t.key))
	for i, k := range t.key {
		v := any(nil)
		if i < len(key) {
			v = key[i]
		}
		if s, ok := v.(string); ok {
			parts[i] = fmt.Sprintf("%s=%q", t.cols[k].name, s)
		} else {
			parts[i] = fmt.Sprintf("%s=%v", t.cols[k].name, v)
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// batch is a run of converted rows in key order.
type batch struct {
	rows [][]any
	last []any // SQLite key of the last row
}

// readBatch reads up to BatchRows rows after key after (nil: from the first)
// and converts them; deferred columns are written NULL.
func (c *copier) readBatch(ctx context.Context, t *table, after []any) (batch, error) {
	q := "SELECT " + t.selectList() + " FROM " + quoted(t.name)
	if after != nil {
		q += " WHERE " + t.keyCompare(">")
	}
	q += " ORDER BY " + t.keyList(false, false) + fmt.Sprintf(" LIMIT %d", c.cfg.BatchRows)
	rows, err := c.src.QueryContext(ctx, q, after...)
	if err != nil {
		return batch{}, fmt.Errorf("read SQLite %s: %w", t.name, err)
	}
	defer rows.Close()
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b batch
	size := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return batch{}, fmt.Errorf("read SQLite %s: %w", t.name, err)
		}
		out := make([]any, len(t.cols))
		for i := range t.cols {
			col := &t.cols[i]
			switch v := vals[i].(type) {
			case string:
				size += len(v)
			case []byte:
				size += len(v)
			default:
				size += 8
			}
			if col.deferred {
				continue
			}
			v, err := convert(col, vals[i])
			if err != nil {
				return batch{}, fmt.Errorf("%s.%s at %s: %w", t.name, col.name, t.keyString(t.keyOf(vals)), err)
			}
			out[i] = v
		}
		b.rows = append(b.rows, out)
		b.last = t.keyOf(vals)
		if size >= c.cfg.BatchBytes {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return batch{}, fmt.Errorf("read SQLite %s: %w", t.name, err)
	}
	return b, nil
}

// keyOf picks the key values out of a row of t.cols values.
func (t *table) keyOf(row []any) []any {
	key := make([]any, len(t.key))
	for i, k := range t.key {
		key[i] = row[k]
	}
	return key
}

// copyTable copies t's rows after t.resume, reading the next batch from
// SQLite while the current one is written. It stops between batches when
// ctx ends.
func (c *copier) copyTable(ctx context.Context, t *table) (int64, time.Duration, error) {
	start := c.now()
	prog := c.newProgress(t.name, t.dstRows, t.srcRows)
	if t.dstRows >= t.srcRows {
		prog.finish(0)
		return 0, 0, nil // a later prefix check and the verification say whether it matches
	}
	rctx, cancel := context.WithCancel(ctx)
	type result struct {
		b   batch
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer close(ch)
		after := t.resume
		for {
			b, err := c.readBatch(rctx, t, after)
			if err != nil || len(b.rows) == 0 {
				if err != nil {
					ch <- result{err: err}
				}
				return
			}
			select {
			case ch <- result{b: b}:
			case <-rctx.Done():
				return
			}
			after = b.last
		}
	}()
	defer func() {
		cancel()
		for range ch { // let the reader finish before the transaction is used again
		}
	}()

	var copied int64
	interrupted := func(err error) error {
		prog.abort()
		return fmt.Errorf("%w in table %s after %d of %d rows (run the same command again to resume): %w",
			ErrInterrupted, t.name, t.dstRows+copied, t.srcRows, err)
	}
	for r := range ch {
		if err := ctx.Err(); err != nil {
			return copied, c.now().Sub(start), interrupted(err)
		}
		if r.err != nil {
			prog.abort()
			return copied, c.now().Sub(start), r.err
		}
		if err := c.writeBatch(ctx, t, r.b.rows); err != nil {
			prog.abort()
			return copied, c.now().Sub(start), fmt.Errorf("copy %s rows after %s: %w", t.name, t.keyString(t.resume), err)
		}
		t.resume = r.b.last
		copied += int64(len(r.b.rows))
		prog.add(len(r.b.rows))
		if c.cfg.AfterBatch != nil {
			c.cfg.AfterBatch(t.name, len(r.b.rows))
		}
	}
	if err := ctx.Err(); err != nil {
		return copied, c.now().Sub(start), interrupted(err)
	}
	took := c.now().Sub(start)
	prog.finish(copied)
	c.log.Debug("copied table", "table", t.name, "rows", copied, "elapsed", took)
	return copied, took, nil
}

// writeBatch writes rows in one transaction with COPY. It is not cancelled
// with ctx: a started batch finishes, so an interrupted copy leaves whole batches.
func (c *copier) writeBatch(ctx context.Context, t *table, rows [][]any) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
	defer cancel()
	return pgx.BeginFunc(ctx, c.dst, func(tx pgx.Tx) error {
		n, err := tx.CopyFrom(ctx, pgx.Identifier{c.schema, t.name}, t.colNames(), pgx.CopyFromRows(rows))
		if err != nil {
			return err
		}
		if n != int64(len(rows)) {
			return fmt.Errorf("wrote %d of %d rows", n, len(rows))
		}
		return nil
	})
}

// setDeferred sets the deferred (cycle-breaking) columns from the source,
// in batches through a temporary table. It runs on every copy, so a run
// interrupted during or before it completes them; rows already right are
// not rewritten.
func (c *copier) setDeferred(ctx context.Context, t *table) error {
	var keyCols, defCols []column
	for _, k := range t.key {
		keyCols = append(keyCols, t.cols[k])
	}
	var notNull []string
	for _, col := range t.cols {
		if col.deferred {
			defCols = append(defCols, col)
			notNull = append(notNull, quoted(col.name)+" IS NOT NULL")
		}
	}
	sub := &table{name: t.name, cols: append(append([]column{}, keyCols...), defCols...)}
	for i := range keyCols {
		sub.key = append(sub.key, i)
	}
	names := sub.colNames()
	var set, differs, join []string
	for _, col := range defCols {
		n := quoted(col.name)
		set = append(set, n+" = d."+n)
		differs = append(differs, "t."+n+" IS DISTINCT FROM d."+n)
	}
	for _, col := range keyCols {
		n := quoted(col.name)
		join = append(join, "t."+n+" = d."+n)
	}
	create := "CREATE TEMP TABLE storecopy_deferred ON COMMIT DROP AS SELECT " + sub.selectList() +
		" FROM " + c.ident(t.name) + " WITH NO DATA"
	update := "UPDATE " + c.ident(t.name) + " AS t SET " + strings.Join(set, ", ") +
		" FROM storecopy_deferred d WHERE " + strings.Join(join, " AND ") + " AND (" + strings.Join(differs, " OR ") + ")"

	var after []any
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%w while setting %s.%s (run the same command again to finish): %w",
				ErrInterrupted, t.name, defCols[0].name, err)
		}
		q := "SELECT " + sub.selectList() + " FROM " + quoted(t.name) + " WHERE (" + strings.Join(notNull, " OR ") + ")"
		if after != nil {
			q += " AND " + sub.keyCompare(">")
		}
		q += " ORDER BY " + sub.keyList(false, false) + fmt.Sprintf(" LIMIT %d", c.cfg.BatchRows)
		rows, err := c.src.QueryContext(ctx, q, after...)
		if err != nil {
			return fmt.Errorf("read SQLite %s: %w", t.name, err)
		}
		var out [][]any
		vals := make([]any, len(sub.cols))
		ptrs := make([]any, len(sub.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return fmt.Errorf("read SQLite %s: %w", t.name, err)
			}
			row := make([]any, len(sub.cols))
			for i := range sub.cols {
				if row[i], err = convert(&sub.cols[i], vals[i]); err != nil {
					rows.Close()
					return fmt.Errorf("%s.%s at %s: %w", t.name, sub.cols[i].name, sub.keyString(sub.keyOf(vals)), err)
				}
			}
			out = append(out, row)
			after = sub.keyOf(vals)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read SQLite %s: %w", t.name, err)
		}
		if len(out) == 0 {
			return nil
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
		err = pgx.BeginFunc(wctx, c.dst, func(tx pgx.Tx) error {
			if _, err := tx.Exec(wctx, create); err != nil {
				return err
			}
			if _, err := tx.CopyFrom(wctx, pgx.Identifier{"storecopy_deferred"}, names, pgx.CopyFromRows(out)); err != nil {
				return err
			}
			_, err := tx.Exec(wctx, update)
			return err
		})
		cancel()
		if err != nil {
			return fmt.Errorf("set %s.%s: %w", t.name, defCols[0].name, err)
		}
	}
}

// resetSequences moves each identity column's sequence past the highest
// copied id, so the PostgreSQL store's next insert does not collide.
func (c *copier) resetSequences(ctx context.Context, t *table) error {
	for _, col := range t.identity {
		_, err := c.dst.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(`+
			quoted(col)+`) FROM `+c.ident(t.name)+`), 0) + 1, false)`, c.ident(t.name), col)
		if err != nil {
			return fmt.Errorf("reset sequence of %s.%s: %w", t.name, col, err)
		}
	}
	return nil
}
