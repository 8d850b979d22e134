package storecopy

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The plan is read from both catalogs rather than written down by hand: a
// table or column added to both stores is copied without touching this
// package, and one added to a single side stops the copy with its name
// instead of being dropped.

// kind is how values are written to one destination column.
type kind int

const (
	kindInt8 kind = iota + 1
	kindInt4
	kindInt2
	kindFloat8
	kindFloat4
	kindText
	kindBool
	kindTime // timestamptz
	kindJSON
	kindJSONB
	kindBytea
)

// kinds maps PostgreSQL type names (pg_type.typname) to what we can write.
var kinds = map[string]kind{
	"int8": kindInt8, "int4": kindInt4, "int2": kindInt2,
	"float8": kindFloat8, "float4": kindFloat4,
	"text": kindText, "varchar": kindText, "bpchar": kindText,
	"bool":        kindBool,
	"timestamptz": kindTime,
	"json":        kindJSON, "jsonb": kindJSONB,
	"bytea": kindBytea,
}

// column is one copied column: in both stores, not generated in PostgreSQL.
type column struct {
	name     string
	kind     kind
	pgType   string // format_type, for SQL casts and messages
	nullable bool   // in PostgreSQL
	deferred bool   // written NULL, set by the final pass (breaks a foreign-key cycle)
}

// table is one copied table.
type table struct {
	name string
	cols []column // PostgreSQL column order
	key  []int    // indexes into cols: the keyset order (SQLite primary key order)
	// identity lists PostgreSQL identity/serial columns, whose sequences
	// are moved past the copied ids.
	identity []string
	// filled lists PostgreSQL columns with no SQLite counterpart, left to
	// their default (reported, never silent).
	filled []string

	srcRows, dstRows int64 // counted before copying
	resume           []any // copy rows after this key (nil: from the start)
}

func (t *table) hasDeferred() bool {
	return slices.ContainsFunc(t.cols, func(c column) bool { return c.deferred })
}

// skipped is a table present on one side only and left alone on purpose.
type skipped struct {
	Table  string
	Side   string // "sqlite" or "postgres": where it exists
	Reason string
}

// excluded reports tables that belong to neither store's data: the
// migration ledgers and River's job queue.
func excluded(name string) bool {
	return name == "schema_migrations" || strings.HasPrefix(name, "river_") || name == "river"
}

// oneSided lists tables that may exist in one store only, and why that
// loses nothing.
var oneSided = map[string]string{
	// SQLite files every fingerprint's band keys as rows for index seeks;
	// a backend may keep them differently (they are in fingerprints.bands).
	"lsh_bands": "LSH postings, derived from fingerprints.bands",
	// SQLite's search lists an author: filter's documents from these;
	// triggers fill them from documents.authors, which is copied.
	"search_authors":   "author names for SQLite's author: filter, derived from documents.authors",
	"document_authors": "author-to-document pairs for SQLite's author: filter, derived from documents.authors",
	// PostgreSQL's author: filter scans these names; a trigger fills it
	// from documents.authors, which is copied.
	"author_names": "author names for PostgreSQL's author: filter, derived from documents.authors",
	// Bookings of the next request slot per host by running workers: only
	// the PostgreSQL store paces across processes, and a new store starts
	// with none booked.
	"host_pace": "per-host request pacing of running workers, transient",
	// Secrets shared by PostgreSQL's processes (the session key); the
	// embedded default keeps its key in the data directory, and a new one
	// only signs users out once.
	"secrets": "secrets shared by processes (session key), created on first use",
}

// derivedColumns may exist in SQLite only: rebuilt from other columns.
var derivedColumns = map[string]string{}

// pgDerivedColumns exist in PostgreSQL only and are kept by its triggers
// from rows the copy writes, so they are neither copied nor reported as
// left to their defaults.
var pgDerivedColumns = map[string]string{
	"documents.other_sources": "sources that sighted a document after the first, kept by the sightings trigger",
}

// sqliteTable is one ordinary SQLite table with its columns.
type sqliteTable struct {
	name    string
	cols    map[string]bool
	order   []string // column order
	key     []string // primary key in pk order, else a unique NOT NULL index
	keyNote string   // why key is empty
}

// readSQLiteCatalog lists ordinary tables: no virtual tables (FTS), no
// shadow tables (their storage), no sqlite_ internals.
func readSQLiteCatalog(ctx context.Context, q querier) (map[string]*sqliteTable, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_list
		WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("read SQLite tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read SQLite tables: %w", err)
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read SQLite tables: %w", err)
	}
	out := map[string]*sqliteTable{}
	for _, n := range names {
		if excluded(n) {
			continue
		}
		t := &sqliteTable{name: n, cols: map[string]bool{}}
		if err := readSQLiteColumns(ctx, q, t); err != nil {
			return nil, err
		}
		out[n] = t
	}
	return out, nil
}

func readSQLiteColumns(ctx context.Context, q querier, t *sqliteTable) error {
	rows, err := q.QueryContext(ctx, `SELECT name, pk, "notnull" FROM pragma_table_info(?) ORDER BY cid`, t.name)
	if err != nil {
		return fmt.Errorf("read SQLite columns of %s: %w", t.name, err)
	}
	type pkCol struct {
		name string
		pos  int
	}
	var pk []pkCol
	notNull := map[string]bool{}
	for rows.Next() {
		var name string
		var pos int
		var nn bool
		if err := rows.Scan(&name, &pos, &nn); err != nil {
			rows.Close()
			return fmt.Errorf("read SQLite columns of %s: %w", t.name, err)
		}
		t.cols[name] = true
		t.order = append(t.order, name)
		notNull[name] = nn
		if pos > 0 {
			pk = append(pk, pkCol{name, pos})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read SQLite columns of %s: %w", t.name, err)
	}
	slices.SortFunc(pk, func(a, b pkCol) int { return cmp.Compare(a.pos, b.pos) })
	for _, c := range pk {
		t.key = append(t.key, c.name)
	}
	if len(t.key) > 0 {
		return nil
	}
	// No primary key: a full (not partial) unique index over NOT NULL columns
	// orders rows as well.
	idx, err := q.QueryContext(ctx, `SELECT name FROM pragma_index_list(?) WHERE "unique" = 1 AND partial = 0 ORDER BY name`, t.name)
	if err != nil {
		return fmt.Errorf("read SQLite indexes of %s: %w", t.name, err)
	}
	var indexes []string
	for idx.Next() {
		var n string
		if err := idx.Scan(&n); err != nil {
			idx.Close()
			return fmt.Errorf("read SQLite indexes of %s: %w", t.name, err)
		}
		indexes = append(indexes, n)
	}
	idx.Close()
	for _, in := range indexes {
		cols, err := q.QueryContext(ctx, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, in)
		if err != nil {
			return fmt.Errorf("read SQLite index %s: %w", in, err)
		}
		var key []string
		ok := true
		for cols.Next() {
			var n sql.NullString
			if err := cols.Scan(&n); err != nil {
				cols.Close()
				return fmt.Errorf("read SQLite index %s: %w", in, err)
			}
			if !n.Valid || !notNull[n.String] { // an expression, or NULLs that escape uniqueness
				ok = false
			}
			key = append(key, n.String)
		}
		cols.Close()
		if ok && len(key) > 0 {
			t.key = key
			return nil
		}
	}
	t.keyNote = "no primary key and no unique index over NOT NULL columns"
	return nil
}

// pgColumn is one PostgreSQL column.
type pgColumn struct {
	name      string
	typname   string
	format    string
	notNull   bool
	generated bool
	identity  bool // identity or serial: has a sequence to move
	hasDef    bool
}

type pgTable struct {
	name string
	cols []pgColumn
}

// foreignKey is one PostgreSQL foreign key between two tables.
type foreignKey struct {
	name          string
	child, parent string
	cols          []string // in child
}

func readPostgresCatalog(ctx context.Context, db pgQuerier, schema string) (map[string]*pgTable, []foreignKey, error) {
	rows, err := db.Query(ctx, `
		SELECT c.relname, a.attname, t.typname, format_type(a.atttypid, a.atttypmod),
		       a.attnotnull, a.attgenerated <> '', a.attidentity <> '' OR pg_get_serial_sequence(
		           quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) IS NOT NULL,
		       a.atthasdef
		FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_type t ON t.oid = a.atttypid
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY c.relname, a.attnum`, schema)
	if err != nil {
		return nil, nil, fmt.Errorf("read PostgreSQL columns of schema %s: %w", schema, err)
	}
	tables := map[string]*pgTable{}
	for rows.Next() {
		var tn string
		var c pgColumn
		if err := rows.Scan(&tn, &c.name, &c.typname, &c.format, &c.notNull, &c.generated, &c.identity, &c.hasDef); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("read PostgreSQL columns: %w", err)
		}
		if excluded(tn) {
			continue
		}
		t := tables[tn]
		if t == nil {
			t = &pgTable{name: tn}
			tables[tn] = t
		}
		t.cols = append(t.cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read PostgreSQL columns: %w", err)
	}

	rows, err = db.Query(ctx, `
		SELECT con.conname, cl.relname, ref.relname,
		       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
		             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord)
		FROM pg_constraint con
		JOIN pg_class cl ON cl.oid = con.conrelid
		JOIN pg_class ref ON ref.oid = con.confrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		WHERE con.contype = 'f' AND n.nspname = $1
		ORDER BY cl.relname, con.conname`, schema)
	if err != nil {
		return nil, nil, fmt.Errorf("read PostgreSQL foreign keys: %w", err)
	}
	var fks []foreignKey
	for rows.Next() {
		var fk foreignKey
		if err := rows.Scan(&fk.name, &fk.child, &fk.parent, &fk.cols); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("read PostgreSQL foreign keys: %w", err)
		}
		fks = append(fks, fk)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read PostgreSQL foreign keys: %w", err)
	}
	return tables, fks, nil
}

// buildPlan matches the two catalogs and orders the tables so every
// foreign key points at rows already copied. srcRows sizes tables for the
// choice of which foreign key of a cycle to defer.
func buildPlan(lite map[string]*sqliteTable, pg map[string]*pgTable, fks []foreignKey, srcRows map[string]int64) ([]*table, []skipped, error) {
	var tables []*table
	var skips []skipped
	var problems []string
	for _, name := range sortedKeys(lite) {
		if _, ok := pg[name]; ok {
			continue
		}
		if why, ok := oneSided[name]; ok {
			skips = append(skips, skipped{name, "sqlite", why})
			continue
		}
		problems = append(problems, fmt.Sprintf("table %s is in the SQLite store but not in PostgreSQL", name))
	}
	for _, name := range sortedKeys(pg) {
		lt, ok := lite[name]
		if !ok {
			if why, ok := oneSided[name]; ok {
				skips = append(skips, skipped{name, "postgres", why})
				continue
			}
			problems = append(problems, fmt.Sprintf("table %s is in PostgreSQL but not in the SQLite store", name))
			continue
		}
		t := &table{name: name}
		inPG := map[string]bool{}
		for _, c := range pg[name].cols {
			inPG[c.name] = true
			if c.generated {
				continue
			}
			if c.identity {
				t.identity = append(t.identity, c.name)
			}
			if !lt.cols[c.name] {
				if _, ok := pgDerivedColumns[name+"."+c.name]; ok {
					continue
				}
				if c.notNull && !c.hasDef && !c.identity {
					problems = append(problems, fmt.Sprintf("column %s.%s (PostgreSQL, NOT NULL, no default) has no SQLite counterpart", name, c.name))
				}
				t.filled = append(t.filled, c.name)
				continue
			}
			k, ok := kinds[c.typname]
			if !ok {
				problems = append(problems, fmt.Sprintf("column %s.%s has PostgreSQL type %s, which copy cannot write", name, c.name, c.format))
				continue
			}
			t.cols = append(t.cols, column{name: c.name, kind: k, pgType: c.format, nullable: !c.notNull})
		}
		for _, c := range lt.order {
			if inPG[c] { // copied, or generated by PostgreSQL from the others
				continue
			}
			if _, ok := derivedColumns[name+"."+c]; ok {
				continue
			}
			problems = append(problems, fmt.Sprintf("column %s.%s is in the SQLite store but not in PostgreSQL", name, c))
		}
		if len(lt.key) == 0 {
			problems = append(problems, fmt.Sprintf("table %s: %s, so it cannot be copied in resumable order", name, lt.keyNote))
		}
		for _, k := range lt.key {
			i := slices.IndexFunc(t.cols, func(c column) bool { return c.name == k })
			if i < 0 {
				problems = append(problems, fmt.Sprintf("table %s: key column %s is not copied", name, k))
				continue
			}
			switch t.cols[i].kind {
			case kindInt8, kindInt4, kindInt2, kindText:
			default:
				problems = append(problems, fmt.Sprintf("table %s: key column %s has type %s; copy orders by integer or text keys only", name, k, t.cols[i].pgType))
			}
			t.key = append(t.key, i)
		}
		t.srcRows = srcRows[name]
		tables = append(tables, t)
	}
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("the stores' schemas do not match: %s", strings.Join(problems, "; "))
	}
	ordered, err := orderTables(tables, fks)
	if err != nil {
		return nil, nil, err
	}
	return ordered, skips, nil
}

// orderTables sorts tables parents first (Kahn's algorithm in rounds, ties
// by name). Tables without foreign keys come in the first round, so rows a
// destination trigger would add on insert into a later table are already
// there with their own ids (folders, which PostgreSQL's feeds trigger adds
// only when missing).
// A cycle is broken by deferring one of its foreign keys, whose columns
// must all be nullable: they are copied NULL and set in a final pass. Of
// the candidates, the key on the table cheapest to update is deferred,
// which keeps that pass short (stories.root_document_id, not
// documents.story_id). A foreign key of a table on itself is deferred the
// same way, since keyset order need not put parents first.
func orderTables(tables []*table, fks []foreignKey) ([]*table, error) {
	byName := map[string]*table{}
	for _, t := range tables {
		byName[t.name] = t
	}
	type edge struct {
		fk      foreignKey
		removed bool
	}
	var edges []*edge
	for _, fk := range fks {
		if byName[fk.child] == nil || byName[fk.parent] == nil {
			continue
		}
		edges = append(edges, &edge{fk: fk})
	}
	deferFK := func(e *edge) error {
		t := byName[e.fk.child]
		for _, cn := range e.fk.cols {
			i := slices.IndexFunc(t.cols, func(c column) bool { return c.name == cn })
			if i < 0 {
				return fmt.Errorf("foreign key %s on %s: column %s is not copied", e.fk.name, t.name, cn)
			}
			if !t.cols[i].nullable {
				return fmt.Errorf("foreign key %s: column %s.%s is NOT NULL", e.fk.name, t.name, cn)
			}
			if slices.Contains(t.key, i) {
				return fmt.Errorf("foreign key %s: column %s.%s is part of the key", e.fk.name, t.name, cn)
			}
			t.cols[i].deferred = true
		}
		e.removed = true
		return nil
	}
	for _, e := range edges {
		if e.fk.child == e.fk.parent {
			if err := deferFK(e); err != nil {
				return nil, fmt.Errorf("cannot order rows of %s: %w", e.fk.child, err)
			}
		}
	}
	done := map[string]bool{}
	var out []*table
	for len(out) < len(tables) {
		var ready []*table
		for _, t := range tables {
			if done[t.name] {
				continue
			}
			blocked := slices.ContainsFunc(edges, func(e *edge) bool {
				return !e.removed && e.fk.child == t.name && !done[e.fk.parent]
			})
			if !blocked {
				ready = append(ready, t)
			}
		}
		if len(ready) > 0 {
			slices.SortFunc(ready, func(a, b *table) int { return cmp.Compare(a.name, b.name) })
			for _, t := range ready {
				done[t.name] = true
				out = append(out, t)
			}
			continue
		}
		// Every table left waits on another: a cycle. Defer the cheapest
		// nullable foreign key among the remaining tables (see deferCost).
		// dependsOn reports whether table a waits, through live foreign
		// keys, on table b.
		dependsOn := func(a, b string) bool {
			seen := map[string]bool{a: true}
			stack := []string{a}
			for len(stack) > 0 {
				n := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for _, e := range edges {
					if e.removed || e.fk.child != n || done[e.fk.parent] {
						continue
					}
					if e.fk.parent == b {
						return true
					}
					if !seen[e.fk.parent] {
						seen[e.fk.parent] = true
						stack = append(stack, e.fk.parent)
					}
				}
			}
			return false
		}
		var best *edge
		for _, e := range edges {
			if e.removed || done[e.fk.child] || done[e.fk.parent] || !dependsOn(e.fk.parent, e.fk.child) {
				continue // only an edge on a cycle helps
			}
			t := byName[e.fk.child]
			if !allNullable(t, e.fk.cols) {
				continue
			}
			if best == nil || deferCost(t) < deferCost(byName[best.fk.child]) ||
				(deferCost(t) == deferCost(byName[best.fk.child]) && e.fk.name < best.fk.name) {
				best = e
			}
		}
		if best == nil {
			var left []string
			for _, t := range tables {
				if !done[t.name] {
					left = append(left, t.name)
				}
			}
			return nil, fmt.Errorf("foreign keys between %s form a cycle with no nullable column to break it", strings.Join(left, ", "))
		}
		if err := deferFK(best); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// deferCost estimates the final pass over t: rows times columns, since
// PostgreSQL rewrites the whole row on UPDATE (a document's text included).
func deferCost(t *table) int64 { return t.srcRows * int64(len(t.cols)) }

func allNullable(t *table, cols []string) bool {
	for _, cn := range cols {
		i := slices.IndexFunc(t.cols, func(c column) bool { return c.name == cn })
		if i < 0 || !t.cols[i].nullable || slices.Contains(t.key, i) {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// quoted returns a double-quoted identifier for either database.
func quoted(name string) string { return pgx.Identifier{name}.Sanitize() }
