package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/newstrace/newstrace"
)

// Band keys are uint64 hashes; PostgreSQL has no unsigned integers, so
// lsh_bands holds them bit-cast to bigint (int64(k)), and equality is all
// that is ever asked of them. fingerprints.bands keeps them as SQLite does,
// 8 bytes little-endian each (lsh_keys decodes them in SQL).

func encodeBands(keys []int64) []byte {
	b := make([]byte, 0, 8*len(keys))
	for _, k := range keys {
		b = binary.LittleEndian.AppendUint64(b, uint64(k))
	}
	return b
}

// bandKeys returns the distinct keys bit-cast to int64, never nil (a nil
// slice would be sent as NULL, and "= ANY (NULL)" matches nothing, not even
// under NOT).
func bandKeys(bands []uint64) []int64 {
	keys := make([]int64, 0, len(bands))
	for _, k := range bands {
		keys = append(keys, int64(k))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// SaveFingerprint stores docID's fingerprint and replaces its postings, in
// one round trip. A transaction-scoped advisory lock per document
// serialises two saves of the same document (the first fingerprint of a
// document has no row to lock), so the postings always match the stored
// bands.
func (db *DB) SaveFingerprint(ctx context.Context, docID int64, fp []byte, bands []uint64) error {
	keys := bandKeys(bands)
	if fp == nil {
		fp = []byte{}
	}
	err := db.write(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "fingerprint:"+strconv.FormatInt(docID, 10))
		// Old postings not among the new keys go; the rest stay.
		b.Queue(`DELETE FROM lsh_bands l USING fingerprints f
			WHERE f.document_id = $1 AND l.document_id = $1 AND l.band_key = ANY (lsh_keys(f.bands)) AND NOT l.band_key = ANY ($2)`,
			docID, keys)
		b.Queue(`INSERT INTO fingerprints (document_id, data, bands) VALUES ($1, $2, $3)
			ON CONFLICT (document_id) DO UPDATE SET data = excluded.data, bands = excluded.bands`, docID, fp, encodeBands(keys))
		b.Queue(`INSERT INTO lsh_bands (band_key, document_id) SELECT k, $2 FROM unnest($1::bigint[]) k
			ON CONFLICT DO NOTHING`, keys, docID)
		err := tx.SendBatch(ctx, b).Close()
		if isForeignKey(err) {
			return newstrace.Errorf(newstrace.ENOTFOUND, "document %d not found", docID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("save fingerprint of document %d: %w", docID, err)
	}
	return nil
}

// Fingerprint returns docID's stored fingerprint.
func (db *DB) Fingerprint(ctx context.Context, docID int64) ([]byte, error) {
	var fp []byte
	err := db.pool.QueryRow(ctx, `SELECT data FROM fingerprints WHERE document_id = $1`, docID).Scan(&fp)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, newstrace.Errorf(newstrace.ENOTFOUND, "fingerprint of document %d not found", docID)
	} else if err != nil {
		return nil, fmt.Errorf("get fingerprint of document %d: %w", docID, err)
	}
	return fp, nil
}

// NearCandidates looks up the postings of bands: one probe of the
// lsh_bands primary key per key, reading at most limit postings per key.
// So neither the store's size nor a key shared by half the store (the
// bands of a boilerplate text) makes it slow, and such a key cannot crowd
// out the postings of the others. When more than limit documents are
// found, those sharing the most keys (the likeliest near-copies) are kept.
func (db *DB) NearCandidates(ctx context.Context, bands []uint64, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 1000
	}
	if len(bands) == 0 {
		return nil, nil
	}
	rows, _ := db.pool.Query(ctx, `SELECT id FROM (
			SELECT p.document_id AS id FROM unnest($1::bigint[]) k,
				LATERAL (SELECT document_id FROM lsh_bands WHERE band_key = k LIMIT $2) p
			GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT $2
		) c ORDER BY 1`, bandKeys(bands), limit)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("near candidates: %w", err)
	}
	return ids, nil
}

// termQuery is the 'simple' tsquery matching any of $1's terms, each read
// as a phrase of its words (so no term is query syntax) and folded like
// fts_simple. NULL when no term has a word.
const termQuery = `(SELECT string_agg('(' || q::text || ')', ' | ')::tsquery
	FROM unnest($1::text[]) t, phraseto_tsquery('pg_catalog.simple', search_fold(t)) q WHERE numnode(q) > 0) AS x(q)`

// termWindowScan is the number of documents in the time window below which
// TermCandidates tests each of them rather than asking the GIN index.
const termWindowScan = 4000

// TermCandidates looks up any of terms in fts_simple within the window,
// best ts_rank first.
//
// Two plans, chosen by how many documents the window holds (a bounded
// count on documents_sort): a small window is read through documents_sort
// and each row's vector tested (ts_match_vq, the function behind @@, which
// no index answers); a big one (or no window) asks the GIN index, ANDed
// with the window's range. The planner cannot choose: the tsquery is built
// in the statement, and it does not cost reading vectors. Story terms
// include common title words, whose GIN postings run to a tenth of the
// store: 39k entries, 21 ms at 100k documents, against 2.5 ms to test the
// 824 documents of a 6-day window. ts_rank, not ts_rank_cd: a cover
// density over an OR of many terms cost 45 µs a row there, ts_rank 9.
func (db *DB) TermCandidates(ctx context.Context, terms []string, around time.Time, window time.Duration, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 100
	}
	terms = cleanTerms(terms)
	if len(terms) == 0 {
		return nil, nil
	}
	var a sqlArgs
	a.add(terms)
	match, where := `d.fts_simple @@ x.q`, ``
	if window > 0 {
		lo, hi := a.add(around.Add(-window)), a.add(around.Add(window))
		where = ` AND ` + documentSort + ` BETWEEN ` + lo + ` AND ` + hi
		var n int
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM documents d WHERE `+documentSort+` BETWEEN $1 AND $2 LIMIT $3) w`,
			around.Add(-window), around.Add(window), termWindowScan).Scan(&n); err != nil {
			return nil, fmt.Errorf("term candidates: %w", err)
		}
		if n < termWindowScan {
			match = `ts_match_vq(d.fts_simple, x.q)`
		}
	}
	query := `SELECT d.id FROM documents d, ` + termQuery + ` WHERE ` + match + where +
		` ORDER BY ts_rank(d.fts_simple, x.q) DESC, d.id DESC LIMIT ` + a.add(limit)
	rows, _ := db.pool.Query(ctx, query, a...)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("term candidates: %w", err)
	}
	return ids, nil
}

// cleanTerms drops empty terms and makes the rest valid text for
// PostgreSQL, which refuses NUL and invalid UTF-8 (both are separators to
// the parser anyway).
func cleanTerms(terms []string) []string {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		if t = searchString(t); strings.TrimSpace(t) != "" {
			out = append(out, t)
		}
	}
	return out
}

func searchString(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	return strings.ReplaceAll(s, "\x00", " ")
}

// TermDocFreq caps: a term is counted in at most dfCap documents, and the
// total is counted exactly only below totalExactBelow rows.
//
// Counting a common word exactly means visiting every row that holds it
// (GIN gives no counts): seconds for "the" in a store of millions, per
// document matched. So the counts come from two places:
//   - ANALYZE's statistics of fts_simple (pg_stats.most_common_elems): the
//     most common lexemes of a sample of the table with their frequencies,
//     10,000 of them (statistics target 1000, migration 0002); at 100k
//     generated documents the least common is in 0.19% of the rows. A term
//     among them gets frequency*total: no scan at all, and these are
//     exactly the terms too expensive to count.
//   - Any other term is counted, stopping at dfCap rows (a LIMIT inside the
//     count): one GIN lookup and a heap visit per document found, in one
//     batch for all terms. Such terms are in fewer documents than the
//     statistics' least common lexeme, so the cap binds only in stores of
//     millions, where those terms' IDF saturates at ln(total/dfCap)+1,
//     already a common word's weight.
//
// At 100k documents, one document's 140 distinct tokens took 90-220 ms
// with the default statistics (about 60 terms left to count, 50k heap
// visits) and 7-15 ms with these. Without statistics yet (a new or small
// store) every term is counted.
//
// With statistics, a term not among them is rarer than the least common
// one listed (ANALYZE reads every row of a table under 300,000 rows, and
// samples bigger ones), so its count stops at twice that bound: in the
// feed-farm benchmark (a few thousand documents built from the same 136
// pages) counting every term in full cost 257 ms of PostgreSQL CPU per
// stored article.
const dfCap = 5000

// totalExactBelow and statsFrom are vars for the tests. Statistics serve
// from statsFrom documents on: below that counting is cheap anyway, and a
// store that small may not have been analysed since it began.
var (
	totalExactBelow = 20000
	statsFrom       = 1000
)

// TermDocFreq returns per-term document counts over fts_simple (see dfCap)
// and the number of documents: the planner's estimate (pg_class.reltuples
// scaled to the table's current size, as the planner does) for a big
// table, an exact count for a small one. Not max(id), as SQLite uses:
// identities skip the values of rolled-back inserts, and a copied store
// may start anywhere.
func (db *DB) TermDocFreq(ctx context.Context, terms []string) (map[string]int, int, error) {
	df := make(map[string]int, len(terms))
	var total int
	err := db.read(ctx, func(tx pgx.Tx) error {
		// Every count is a GIN lookup: with sequential scans off no plan,
		// generic or not, walks the table testing rows (which, for a term
		// the planner thinks common, it would prefer under the LIMIT).
		if _, err := tx.Exec(ctx, `SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)`); err != nil {
			return err
		}
		var elems []string
		var freqs []float64
		if err := tx.QueryRow(ctx, `SELECT CASE WHEN c.reltuples >= $1 AND c.relpages > 0
				THEN (c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int))::bigint
				ELSE (SELECT count(*) FROM documents) END,
				(SELECT most_common_elems::text::text[] FROM pg_stats
					WHERE schemaname = current_schema() AND tablename = 'documents' AND attname = 'fts_simple'),
				(SELECT most_common_elem_freqs FROM pg_stats
					WHERE schemaname = current_schema() AND tablename = 'documents' AND attname = 'fts_simple')
			FROM pg_class c WHERE c.oid = 'documents'::regclass`, totalExactBelow).Scan(&total, &elems, &freqs); err != nil {
			return fmt.Errorf("read statistics: %w", err)
		}
		freq := make(map[string]float64, len(elems))
		for i, e := range elems {
			if i < len(freqs) {
				freq[e] = freqs[i]
			}
		}
		// most_common_elem_freqs ends with the least and greatest element
		// frequency and the null frequency, after one entry per element.
		useStats := total >= statsFrom && len(elems) > 0 && len(freqs) > len(elems)
		countCap := dfCap
		if useStats {
			countCap = min(dfCap, int(math.Ceil(2*freqs[len(elems)]*float64(total)))+10)
		}

		// Each term's lexemes as fts_simple holds them.
		clean := cleanTerms(terms)
		rows, _ := tx.Query(ctx, `SELECT t, q::text, numnode(q) = 1
			FROM unnest($1::text[]) t, phraseto_tsquery('pg_catalog.simple', search_fold(t)) q WHERE numnode(q) > 0`, clean)
		type termQ struct {
			term, query string
			single      bool
		}
		qs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (termQ, error) {
			var q termQ
			err := r.Scan(&q.term, &q.query, &q.single)
			return q, err
		})
		if err != nil {
			return fmt.Errorf("parse terms: %w", err)
		}
		counts := map[string]int{} // by tsquery: terms folding alike count once
		b := &pgx.Batch{}
		for _, q := range qs {
			if _, ok := counts[q.query]; ok {
				continue
			}
			if f, ok := freq[lexemeOf(q.query)]; ok && q.single && useStats {
				counts[q.query] = int(math.Round(f * float64(total)))
				continue
			}
			counts[q.query] = 0
			b.Queue(`SELECT count(*) FROM (SELECT 1 FROM documents WHERE fts_simple @@ $1::tsquery LIMIT $2) x`,
				q.query, countCap).QueryRow(func(r pgx.Row) error {
				var n int
				if err := r.Scan(&n); err != nil {
					return err
				}
				counts[q.query] = n
				return nil
			})
		}
		if b.Len() > 0 {
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return fmt.Errorf("count terms: %w", err)
			}
		}
		byClean := make(map[string]string, len(qs))
		for _, q := range qs {
			byClean[q.term] = q.query
		}
		for _, t := range terms {
			if n := counts[byClean[searchString(t)]]; n > 0 {
				df[t] = n
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("term document frequencies: %w", err)
	}
	return df, total, nil
}

// lexemeOf returns the lexeme of a one-lexeme tsquery's text ('word', with
// quotes doubled inside).
func lexemeOf(q string) string {
	if len(q) < 2 || q[0] != '\'' || q[len(q)-1] != '\'' {
		return ""
	}
	return strings.ReplaceAll(q[1:len(q)-1], "''", "'")
}

// DocumentsByID loads documents by id, ascending; unknown ids are skipped.
func (db *DB) DocumentsByID(ctx context.Context, ids []int64) ([]newstrace.Document, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ds, err := queryDocuments(ctx, db.pool, `SELECT `+documentColumns+documentFrom+`WHERE d.id = ANY ($1) ORDER BY d.id`, ids)
	if err != nil {
		return nil, fmt.Errorf("get documents by id: %w", err)
	}
	return ds, nil
}

// DocumentIDs pages through document ids.
func (db *DB) DocumentIDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, _ := db.pool.Query(ctx, `SELECT id FROM documents WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("list document ids after %d: %w", after, err)
	}
	return ids, nil
}

// mergeAttempts bounds MergeStories' retries: after a concurrent merge
// moved one of the documents between reading its story and locking it, or
// after a deadlock with another writer (which PostgreSQL breaks by failing
// one side).
const mergeAttempts = 20

// errMergeMoved asks MergeStories to start over.
var errMergeMoved = errors.New("a document changed story while merging")

// MergeStories moves every document of the stories of docIDs into the
// lowest of those story ids, inside one READ COMMITTED write transaction
// that locks the stories involved.
//
// Locking: the current stories of docIDs are read, then locked with
// SELECT ... ORDER BY id FOR UPDATE (always ascending, so two merges never
// wait on each other in a cycle), then read again. A concurrent merge that
// committed in between may have moved a document into a story not yet
// locked; then the transaction rolls back and starts over, which also
// releases its locks before it takes a lower one. Once the second read
// matches, no one can move documents into or out of those stories (moving
// needs the same locks), rewrite their graphs (ReplaceStoryGraph locks its
// story) or add a document to one (the story trigger's UPDATE waits, and
// the foreign key check at commit then fails on a deleted story rather
// than strand the document), so the merge is exact. Row locks rather than
// one global advisory lock: merges of unrelated stories, the common case
// with several workers, run in parallel.
func (db *DB) MergeStories(ctx context.Context, docIDs []int64) (int64, error) {
	ids := sortedIDs(docIDs)
	var into int64
	var err error
	for attempt := 1; ; attempt++ {
		into, err = db.mergeOnce(ctx, ids)
		if err == nil || attempt >= mergeAttempts || !(errors.Is(err, errMergeMoved) || isDeadlock(err)) {
			break
		}
	}
	if errors.Is(err, errMergeMoved) {
		err = newstrace.Errorf(newstrace.ECONFLICT, "documents %v keep moving between stories", docIDs)
	}
	if err != nil {
		return 0, fmt.Errorf("merge stories of documents %v: %w", docIDs, err)
	}
	return into, nil
}

func (db *DB) mergeOnce(ctx context.Context, ids []int64) (int64, error) {
	var into int64
	err := db.write(ctx, func(tx pgx.Tx) error {
		const storiesOf = `SELECT DISTINCT story_id FROM documents WHERE id = ANY ($1) AND story_id IS NOT NULL ORDER BY 1`
		rows, _ := tx.Query(ctx, storiesOf, ids)
		want, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		if len(want) == 0 {
			return newstrace.Errorf(newstrace.ENOTFOUND, "no story for documents %v", ids)
		}
		rows, _ = tx.Query(ctx, `SELECT id FROM stories WHERE id = ANY ($1) ORDER BY id FOR UPDATE`, want)
		locked, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, storiesOf, ids)
		stories, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, id := range stories {
			if _, ok := slices.BinarySearch(locked, id); !ok {
				return errMergeMoved
			}
		}
		if len(stories) == 0 {
			return newstrace.Errorf(newstrace.ENOTFOUND, "no story for documents %v", ids)
		}
		into = stories[0]
		from := stories[1:]
		if len(from) == 0 {
			return nil
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE documents SET story_id = $1 WHERE story_id = ANY ($2)`, into, from)
		b.Queue(`UPDATE edges SET story_id = $1 WHERE story_id = ANY ($2)`, into, from)
		b.Queue(`DELETE FROM stories WHERE id = ANY ($1)`, from)
		b.Queue(`UPDATE stories SET updated_at = $1 WHERE id = $2`, db.now(), into)
		return tx.SendBatch(ctx, b).Close()
	})
	return into, err
}

// isDeadlock reports whether PostgreSQL broke a deadlock by failing this
// transaction (or, in SERIALIZABLE, a serialization failure): safe to retry.
func isDeadlock(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
}

// ReplaceStoryGraph sets root, title and edges of a story in one
// transaction. It locks the story row first (FOR NO KEY UPDATE: merges,
// which take FOR UPDATE, wait; saving a document into the story does not),
// so the documents it checks cannot leave the story before it commits.
func (db *DB) ReplaceStoryGraph(ctx context.Context, storyID, root int64, edges []newstrace.Edge) error {
	edges, docs, err := newstrace.GraphEdges(root, edges)
	if err != nil {
		return fmt.Errorf("replace graph of story %d: %w", storyID, err)
	}
	err = db.write(ctx, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM stories WHERE id = $1 FOR NO KEY UPDATE`, storyID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return newstrace.Errorf(newstrace.ENOTFOUND, "story %d not found", storyID)
		} else if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM documents WHERE story_id = $1 AND id = ANY ($2)`,
			storyID, docs).Scan(&n); err != nil {
			return err
		}
		if n != len(docs) {
			return newstrace.Errorf(newstrace.ECONFLICT, "documents %v are not all in story %d", docs, storyID)
		}
		var (
			from, to                []int64
			outlets, kinds, reasons []string
			conf                    []float64
		)
		for _, e := range edges {
			outlet := e.FromOutlet
			if e.FromID != 0 {
				outlet = "" // a document edge is keyed by its document
			}
			from, to = append(from, e.FromID), append(to, e.ToID)
			outlets, kinds, reasons = append(outlets, outlet), append(kinds, string(e.Kind)), append(reasons, e.Evidence)
			conf = append(conf, e.Confidence)
		}
		now := db.now()
		b := &pgx.Batch{}
		// Edges into this story's documents are this story's, whatever
		// story they were filed under before a merge.
		b.Queue(`DELETE FROM edges WHERE story_id = $1
			OR to_id IN (SELECT id FROM documents WHERE story_id = $1)`, storyID)
		if len(edges) > 0 {
			b.Queue(`INSERT INTO edges (story_id, from_id, from_outlet, to_id, kind, confidence, evidence, created_at)
				SELECT $1, NULLIF(f, 0), o, t, k, c, e, $2
				FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::float8[], $8::text[]) WITH ORDINALITY AS x(f, o, t, k, c, e, n)
				ORDER BY n`, storyID, now, from, outlets, to, kinds, conf, reasons)
		}
		b.Queue(`UPDATE stories SET root_document_id = $1, updated_at = $2,
			title = (SELECT title FROM documents WHERE id = $1) WHERE id = $3`, root, now, storyID)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("replace graph of story %d: %w", storyID, err)
	}
	return nil
}
