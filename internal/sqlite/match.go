package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/newstrace/newstrace"
)

// Band keys are uint64 hashes; SQLite INTEGER is int64 and database/sql
// refuses uint64 values above 2^63, so keys are stored bit-cast to int64.

// maxParams bounds the host parameters of one IN list (SQLite allows 32766).
const maxParams = 500

func inList(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
}

func encodeBands(bands []uint64) []byte {
	b := make([]byte, 0, 8*len(bands))
	for _, k := range bands {
		b = binary.LittleEndian.AppendUint64(b, k)
	}
	return b
}

func decodeBands(b []byte) []uint64 { return appendBands(make([]uint64, 0, len(b)/8), b) }

// appendBands appends the keys encoded in b (encodeBands) to dst.
func appendBands(dst []uint64, b []byte) []uint64 {
	for ; len(b) >= 8; b = b[8:] {
		dst = append(dst, binary.LittleEndian.Uint64(b))
	}
	return dst
}

// SaveFingerprint stores docID's fingerprint and replaces its postings.
// The row gets the next seq, which tells every process's band filter
// (band.go) to read its keys.
func (db *DB) SaveFingerprint(ctx context.Context, docID int64, fp []byte, bands []uint64) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM documents WHERE id = ?`, docID, "document"); err != nil {
			return err
		}
		var old []byte
		err := tx.QueryRowContext(ctx, `SELECT bands FROM fingerprints WHERE document_id = ?`, docID).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		for _, k := range decodeBands(old) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM lsh_bands WHERE band_key = ? AND document_id = ?`, int64(k), docID); err != nil {
				return fmt.Errorf("remove old posting: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO fingerprints (document_id, data, bands, seq)
			VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM fingerprints))
			ON CONFLICT (document_id) DO UPDATE SET data = excluded.data, bands = excluded.bands, seq = excluded.seq`,
			docID, fp, encodeBands(bands)); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO lsh_bands (band_key, document_id) VALUES (?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, k := range bands {
			if _, err := stmt.ExecContext(ctx, int64(k), docID); err != nil {
				return fmt.Errorf("file posting: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save fingerprint of document %d: %w", docID, err)
	}
	return nil
}

// Fingerprint returns docID's stored fingerprint.
func (db *DB) Fingerprint(ctx context.Context, docID int64) ([]byte, error) {
	var fp []byte
	err := db.reader.QueryRowContext(ctx, `SELECT data FROM fingerprints WHERE document_id = ?`, docID).Scan(&fp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, newstrace.Errorf(newstrace.ENOTFOUND, "fingerprint of document %d not found", docID)
	} else if err != nil {
		return nil, fmt.Errorf("get fingerprint of document %d: %w", docID, err)
	}
	return fp, nil
}

// nearWidth is the number of keys one lookup statement takes: one
// document's band keys at the default parameters. Longer lists run in
// chunks of nearWidth.
const nearWidth = 32

// Prepared statements of the lookup: parsing and planning a 32-key
// query costs as much as running it (measured: 107 µs CPU ad hoc, 56 µs
// prepared, at 10k documents). Statement n (1 ≤ n ≤ nearWidth) looks up n
// distinct keys, given in ascending order; syncedStmt+n does the same and
// also reads the fingerprints saved after a seq, for the band filter
// (band.go): one statement, one read transaction, where two would cost a
// third more; syncStmt only reads them.
//
// The keys are a chain of UNION ALL equality seeks, not band_key IN (...):
// an IN list is first copied into a temporary B-tree, which cost more
// than the seeks (measured: 30 µs against 21 µs for the ~6 keys an edited
// copy passes through the filter). Both read the keys in ascending order
// and each key's postings in document order, and LIMIT caps the whole
// chain, so they return the same rows.
const (
	syncStmt   = 0
	syncedStmt = nearWidth
	nearStmts  = 2*nearWidth + 1
)

// nearStmt holds the prepared lookups and the band filter (band.go).
type nearStmt struct {
	mu    sync.Mutex
	stmts [nearStmts]*sql.Stmt
	cache bandCache
}

const (
	qNewBands = `SELECT seq, bands, NULL FROM fingerprints WHERE seq > ?`
	qNear     = `SELECT document_id FROM lsh_bands WHERE band_key = ?`
	qNearRow  = `SELECT NULL, NULL, document_id FROM lsh_bands WHERE band_key = ?`
)

// chain is n copies of q joined by UNION ALL.
func chain(q string, n int) string {
	return strings.TrimSuffix(strings.Repeat(q+" UNION ALL ", n), " UNION ALL ")
}

func (db *DB) nearStatement(ctx context.Context, i int) (*sql.Stmt, error) {
	db.near.mu.Lock()
	defer db.near.mu.Unlock()
	if db.near.stmts[i] == nil {
		var q string
		switch {
		case i == syncStmt:
			q = qNewBands
		case i <= nearWidth:
			q = chain(qNear, i) + ` LIMIT ?`
		default:
			q = qNewBands + ` UNION ALL SELECT * FROM (` + chain(qNearRow, i-syncedStmt) + ` LIMIT ?)`
		}
		st, err := db.reader.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		db.near.stmts[i] = st
	}
	return db.near.stmts[i], nil
}

// NearCandidates looks up the postings of bands: one index seek per key
// the band filter may hold. DISTINCT and ORDER BY are done here, not in
// SQL, where they would build temporary B-trees for a few dozen rows.
//
// Each chunk of nearWidth keys reads at most 4·limit postings, in key
// order; keys absent from the store add none, so leaving them out returns
// what seeking all of them would.
func (db *DB) NearCandidates(ctx context.Context, bands []uint64, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 1000
	}
	if len(bands) == 0 {
		return nil, nil
	}
	f, from := db.bandFilter()
	var fresh *newBands // read with the first chunk: keys f did not have
	var out []int64
	var keys [nearWidth]int64
	for start := 0; start < len(bands); start += nearWidth {
		chunk := bands[start:min(start+nearWidth, len(bands))]
		n := 0
		var left uint32 // chunk[i] left out
		for i, k := range chunk {
			if f == nil || f.MayContain(k) || fresh != nil && fresh.has(k) {
				keys[n] = int64(k)
				n++
			} else {
				left |= 1 << i
			}
		}
		// In ascending order and distinct, as band_key IN (...) reads them.
		ks := keys[:n]
		slices.Sort(ks)
		ks = slices.Compact(ks)
		var err error
		if f != nil && fresh == nil {
			var ids []int64
			if ids, fresh, err = db.nearSynced(ctx, ks, limit*4, from); err != nil {
				return nil, fmt.Errorf("near candidates: %w", err)
			}
			db.applyBands(from, fresh)
			for i, k := range chunk {
				if left&(1<<i) != 0 && fresh.has(k) {
					// Filed after all, by a save since the filter's seq:
					// seek the chunk again with it.
					start -= nearWidth
					break
				}
			}
			if start >= 0 {
				out = append(out, ids...)
			}
			continue
		}
		if n == 0 {
			continue
		}
		if out, err = db.nearChunk(ctx, ks, limit*4, out); err != nil {
			return nil, fmt.Errorf("near candidates: %w", err)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// nearArgs appends keys and then limit to args.
func nearArgs(args []any, keys []int64, limit int) []any {
	for _, k := range keys {
		args = append(args, k)
	}
	return append(args, limit)
}

// nearChunk appends to out the first limit postings of keys (1 to
// nearWidth of them, ascending and distinct).
func (db *DB) nearChunk(ctx context.Context, keys []int64, limit int, out []int64) ([]int64, error) {
	stmt, err := db.nearStatement(ctx, len(keys))
	if err != nil {
		return out, err
	}
	rows, err := stmt.QueryContext(ctx, nearArgs(make([]any, 0, len(keys)+1), keys, limit)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	var id int64
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return out, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// nearSynced is nearChunk (keys may be none) that also reads, in the same
// statement and snapshot, the band keys of fingerprints saved after seq.
func (db *DB) nearSynced(ctx context.Context, keys []int64, limit int, seq int64) ([]int64, *newBands, error) {
	sc := nearScans.Get().(*nearScan)
	defer sc.release()
	i, args := syncStmt, append(sc.args[:0], seq)
	if len(keys) > 0 {
		i, args = syncedStmt+len(keys), nearArgs(args, keys, limit)
	}
	sc.args = args
	stmt, err := db.nearStatement(ctx, i)
	if err != nil {
		return nil, nil, err
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	fresh := &newBands{last: seq}
	var ids []int64
	for rows.Next() {
		if err := rows.Scan(sc.dest[:]...); err != nil {
			return nil, nil, err
		}
		if sc.id.Valid {
			ids = append(ids, sc.id.Int64)
			continue
		}
		fresh.last = max(fresh.last, sc.seq.Int64)
		fresh.keys = appendBands(fresh.keys, sc.bands)
	}
	return ids, fresh, rows.Err()
}

// nearScan holds what a synced lookup binds and scans into, reused: each
// would otherwise be allocated per call (the arguments) or per row (the
// destinations, which escape through Scan).
type nearScan struct {
	seq, id sql.NullInt64
	bands   sql.RawBytes
	dest    [3]any
	args    []any
}

var nearScans = sync.Pool{New: func() any {
	sc := &nearScan{args: make([]any, 0, nearWidth+2)}
	sc.dest = [3]any{&sc.seq, &sc.bands, &sc.id}
	return sc
}}

// release drops the references sc holds and returns it to the pool.
func (sc *nearScan) release() {
	clear(sc.args)
	sc.args, sc.bands = sc.args[:0], nil
	nearScans.Put(sc)
}

// ftsQuery turns terms into an FTS5 query matching any of them, each
// quoted so that no term is read as query syntax.
func ftsQuery(terms []string) string {
	var parts []string
	for _, t := range terms {
		if t = strings.TrimSpace(t); t != "" {
			parts = append(parts, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
		}
	}
	return strings.Join(parts, " OR ")
}

// TermCandidates queries the full-text index for any of terms, within the
// time window, best BM25 rank first.
func (db *DB) TermCandidates(ctx context.Context, terms []string, around time.Time, window time.Duration, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 100
	}
	q := ftsQuery(terms)
	if q == "" {
		return nil, nil
	}
	query := `SELECT d.id FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid
		WHERE documents_fts MATCH ?`
	args := []any{q}
	if window > 0 {
		query += ` AND COALESCE(d.published, d.first_seen) BETWEEN ? AND ?`
		args = append(args, formatTime(around.Add(-window)), formatTime(around.Add(window)))
	}
	query += ` ORDER BY documents_fts.rank LIMIT ?`
	ids, err := queryIDs(ctx, db.reader, query, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("term candidates: %w", err)
	}
	return ids, nil
}

// TermDocFreq reads per-term document counts from the fts5vocab table. The
// full-text index folds case (and diacritics), so terms are looked up
// lower-cased. The total is the highest document id: exact until documents
// are deleted, and O(1) where COUNT(*) would scan.
func (db *DB) TermDocFreq(ctx context.Context, terms []string) (map[string]int, int, error) {
	df := make(map[string]int, len(terms))
	var total int
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM documents`).Scan(&total); err != nil {
			return err
		}
		byLower := make(map[string][]string, len(terms))
		var lower []string
		for _, t := range terms {
			l := strings.ToLower(t)
			if _, ok := byLower[l]; !ok {
				lower = append(lower, l)
			}
			byLower[l] = append(byLower[l], t)
		}
		for start := 0; start < len(lower); start += maxParams {
			chunk := lower[start:min(start+maxParams, len(lower))]
			args := make([]any, len(chunk))
			for i, t := range chunk {
				args[i] = t
			}
			rows, err := tx.QueryContext(ctx, `SELECT term, doc FROM documents_fts_terms WHERE term IN `+inList(len(chunk)), args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var term string
				var n int
				if err := rows.Scan(&term, &n); err != nil {
					rows.Close()
					return err
				}
				for _, orig := range byLower[term] {
					df[orig] = n
				}
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("term document frequencies: %w", err)
	}
	return df, total, nil
}

// DocumentsByID loads documents by id, ascending; unknown ids are skipped.
func (db *DB) DocumentsByID(ctx context.Context, ids []int64) ([]newstrace.Document, error) {
	var out []newstrace.Document
	err := db.read(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(ids); start += maxParams {
			chunk := ids[start:min(start+maxParams, len(ids))]
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			ds, err := queryDocuments(ctx, tx, `SELECT `+documentColumns+documentFrom+`WHERE d.id IN `+inList(len(chunk)), args...)
			if err != nil {
				return err
			}
			out = append(out, ds...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get documents by id: %w", err)
	}
	slices.SortFunc(out, func(a, b newstrace.Document) int { return cmpInt64(a.ID, b.ID) })
	out = slices.CompactFunc(out, func(a, b newstrace.Document) bool { return a.ID == b.ID })
	return out, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// DocumentIDs pages through document ids.
func (db *DB) DocumentIDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 1000
	}
	ids, err := queryIDs(ctx, db.reader, `SELECT id FROM documents WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list document ids after %d: %w", after, err)
	}
	return ids, nil
}

// MergeStories moves every document of the stories of docIDs into the
// lowest of those story ids, inside one write transaction.
func (db *DB) MergeStories(ctx context.Context, docIDs []int64) (int64, error) {
	var into int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var stories []int64
		for start := 0; start < len(docIDs); start += maxParams {
			chunk := docIDs[start:min(start+maxParams, len(docIDs))]
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			ids, err := queryIDs(ctx, tx, `SELECT DISTINCT story_id FROM documents WHERE story_id IS NOT NULL AND id IN `+
				inList(len(chunk)), args...)
			if err != nil {
				return err
			}
			stories = append(stories, ids...)
		}
		if len(stories) == 0 {
			return newstrace.Errorf(newstrace.ENOTFOUND, "no story for documents %v", docIDs)
		}
		slices.Sort(stories)
		stories = slices.Compact(stories)
		into = stories[0]
		now := formatTime(db.now())
		for _, from := range stories[1:] {
			if _, err := tx.ExecContext(ctx, `UPDATE documents SET story_id = ? WHERE story_id = ?`, into, from); err != nil {
				return fmt.Errorf("move documents of story %d: %w", from, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE edges SET story_id = ? WHERE story_id = ?`, into, from); err != nil {
				return fmt.Errorf("move edges of story %d: %w", from, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM stories WHERE id = ?`, from); err != nil {
				return fmt.Errorf("delete story %d: %w", from, err)
			}
		}
		if len(stories) > 1 {
			_, err := tx.ExecContext(ctx, `UPDATE stories SET updated_at = ? WHERE id = ?`, now, into)
			return err
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("merge stories of documents %v: %w", docIDs, err)
	}
	return into, nil
}

// ReplaceStoryGraph sets root, title and edges of a story in one transaction.
func (db *DB) ReplaceStoryGraph(ctx context.Context, storyID, root int64, edges []newstrace.Edge) error {
	edges, docs, err := newstrace.GraphEdges(root, edges)
	if err != nil {
		return fmt.Errorf("replace graph of story %d: %w", storyID, err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM stories WHERE id = ?`, storyID, "story"); err != nil {
			return err
		}
		args := []any{storyID}
		for _, id := range docs {
			args = append(args, id)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM documents WHERE story_id = ? AND id IN `+
			inList(len(docs)), args...).Scan(&n); err != nil {
			return err
		}
		if n != len(docs) {
			return newstrace.Errorf(newstrace.ECONFLICT, "documents %v are not all in story %d", docs, storyID)
		}
		// Edges into this story's documents are this story's, whatever
		// story they were filed under before a merge.
		if _, err := tx.ExecContext(ctx, `DELETE FROM edges WHERE story_id = ?
			OR to_id IN (SELECT id FROM documents WHERE story_id = ?)`, storyID, storyID); err != nil {
			return fmt.Errorf("clear edges: %w", err)
		}
		now := formatTime(db.now())
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO edges (story_id, from_id, from_outlet, to_id, kind, confidence, evidence, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range edges {
			outlet := e.FromOutlet
			if e.FromID != 0 {
				outlet = "" // a document edge is keyed by its document
			}
			if _, err := stmt.ExecContext(ctx, storyID, nullID(e.FromID), outlet, e.ToID, string(e.Kind),
				e.Confidence, e.Evidence, now); err != nil {
				return fmt.Errorf("insert edge %d->%d: %w", e.FromID, e.ToID, err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE stories SET root_document_id = ?, updated_at = ?,
			title = (SELECT title FROM documents WHERE id = ?) WHERE id = ?`, root, now, root, storyID)
		return err
	})
	if err != nil {
		return fmt.Errorf("replace graph of story %d: %w", storyID, err)
	}
	return nil
}

// queryIDs runs a query returning one integer column.
func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
