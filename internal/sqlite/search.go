package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/search"
)

// SearchCandidates bounds how many matching documents one search ranks: the
// newest ones by storage order. FTS5 can stop reading a doclist in rowid
// order, but ranking every match of a common word means scoring hundreds of
// thousands of rows; past this many the newest matches win. Negative ranks
// every match (used by the benchmark to show the difference).
var SearchCandidates = 500

// searchWeights are the BM25 column weights, title then text: a title match
// counts as five body matches.
const searchWeights = `5.0, 1.0`

// searchRank is the score expression: BM25 as FTS5's bm25() computes it,
// with the phrases' document frequencies as arguments (rank.go).
func searchRank(phrases int) string {
	return rankFunction + `(documents_fts, ` + searchWeights + strings.Repeat(", ?", phrases) + `)`
}

// snippetTokens is the snippet length in tokens (FTS5 allows at most 64).
const snippetTokens = 32

// Search runs q: candidates (id, score, story), grouped by story
// in Go, then titles and snippets for the one page of best hits.
func (db *DB) Search(ctx context.Context, q newstrace.SearchQuery) (newstrace.SearchResult, error) {
	res := newstrace.SearchResult{Hits: []newstrace.SearchHit{}, Limit: q.Limit, Offset: max(q.Offset, 0)}
	if res.Limit <= 0 {
		res.Limit = newstrace.SearchDefaultLimit
	}
	res.Limit = min(res.Limit, newstrace.SearchMaxLimit)
	if len(q.Clauses) == 0 && !hasSearchFilter(q) {
		return res, newstrace.Errorf(newstrace.EINVALID, "the query is empty: type a word to search for")
	}
	fq := matchExpr(q.Clauses)
	match := fq.match
	err := db.read(ctx, func(tx *sql.Tx) error {
		cands, density, err := db.searchCandidates(ctx, tx, q, fq)
		if err != nil {
			return err
		}
		groups := search.GroupByStory(cands, match != "")
		res.Documents, res.Stories = len(cands), len(groups)
		res.Capped = SearchCandidates >= 0 && len(cands) >= SearchCandidates
		if res.Offset >= len(groups) {
			return nil
		}
		page := groups[res.Offset:min(len(groups), res.Offset+res.Limit)]
		res.Hits, err = searchHits(ctx, tx, page, fq.positive, density)
		return err
	})
	if err != nil {
		return newstrace.SearchResult{}, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

func hasSearchFilter(q newstrace.SearchQuery) bool {
	return len(q.Sources) > 0 || len(q.Langs) > 0 || len(q.Authors) > 0 || q.After != nil || q.Before != nil ||
		q.Starred != nil || q.Unread != nil || q.StoryID != 0
}

// ftsString quotes s as one FTS5 string: inside double quotes every
// character is text for the tokenizer (operators, column filters, NEAR, ^
// and * included), and a double quote is written twice. NUL would end the
// expression early in the C parser, so it becomes a space.
func ftsString(s string) string {
	s = strings.ReplaceAll(s, "\x00", " ")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func ftsTerm(t newstrace.SearchTerm) string {
	s := ftsString(t.Text)
	if t.Prefix {
		s += "*"
	}
	return s
}

// searchFTS is the FTS5 side of a search.
type searchFTS struct {
	// match is the expression for the positive clauses, with the exclusions
	// folded in with NOT; exclude holds the excluded terms when there is no
	// positive clause (match is then "").
	match, exclude string
	// phrases lists match's phrases in FTS5's numbering (the order they
	// appear in the expression), each as a one-phrase expression; "" for an
	// excluded one, which has no hits in a matching row.
	phrases []string
	// clauses lists, per positive clause, its phrases' indexes in phrases.
	clauses [][]int
	// positive is match without the NOT part: a matching row has no hits of
	// an excluded phrase, so it marks the same words, at a fraction of the
	// cost of testing a common excluded word again.
	positive string
	// excludes reports whether match has a NOT part.
	excludes bool
}

// matchExpr turns the clauses into the FTS5 expressions of a search.
func matchExpr(clauses []newstrace.SearchClause) searchFTS {
	var pos, neg, posPhrases []string
	var groups [][]int
	for _, c := range clauses {
		var alts []string
		for _, t := range c.Any {
			// A term of punctuation alone has no token: it searches for nothing.
			if strings.IndexFunc(t.Text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
				alts = append(alts, ftsTerm(t))
			}
		}
		if len(alts) == 0 {
			continue
		}
		if c.Negated {
			neg = append(neg, alts...)
			continue
		}
		pos = append(pos, "("+strings.Join(alts, " OR ")+")")
		var idx []int
		for range alts {
			idx = append(idx, len(posPhrases))
			posPhrases = append(posPhrases, alts[len(idx)-1])
		}
		groups = append(groups, idx)
	}
	if len(neg) == 0 {
		m := strings.Join(pos, " AND ")
		return searchFTS{match: m, phrases: posPhrases, clauses: groups, positive: m}
	}
	excluded := "(" + strings.Join(neg, " OR ") + ")"
	if len(pos) == 0 {
		return searchFTS{exclude: excluded}
	}
	return searchFTS{
		match:    "(" + strings.Join(pos, " AND ") + ") NOT " + excluded,
		phrases:  append(posPhrases, make([]string, len(neg))...),
		clauses:  groups,
		positive: strings.Join(pos, " AND "),
		excludes: true,
	}
}

// searchFilter is one of a search's filters: a condition on documents d,
// and, when indexes can list the documents it admits in id order, that list
// as SELECTs of ids (arms, any of them), which give the same documents as cond.
type searchFilter struct {
	cond    string
	args    []any
	arms    []idArm
	rowCost float64 // cost of testing cond on a row, relative to reading the row
}

// idArm is a SELECT of document ids whose index reads them in id order for
// one value, so that "col BETWEEN lo AND hi" appended to it is a range seek.
type idArm struct {
	sql  string
	col  string
	args []any
}

// idsSQL is f's list of documents, within [lo, hi] unless hi is 0.
func (f searchFilter) idsSQL(lo, hi int64) (string, []any) {
	var parts []string
	var args []any
	for _, a := range f.arms {
		part := a.sql
		args = append(args, a.args...)
		if hi > 0 {
			part += " AND " + a.col + " BETWEEN ? AND ?"
			args = append(args, lo, hi)
		}
		parts = append(parts, part)
	}
	// UNION ALL: a document listed twice is harmless in IN (...), while
	// UNION would build a second ephemeral index to drop it.
	return strings.Join(parts, " UNION ALL "), args
}

// filterSQL renders q's filters.
func filterSQL(q newstrace.SearchQuery) []searchFilter {
	var fs []searchFilter
	if len(q.Sources) > 0 {
		// The condition is three tests, two of them probes into subquery
		// results: about twice a row's read, as measured at 1M documents.
		f := searchFilter{rowCost: 2}
		var or []string
		for _, name := range q.Sources {
			// The source that first brought it, any source that sighted it, or
			// the site name an ingested file gave.
			or = append(or, `d.site_name = ? COLLATE NOCASE`,
				`d.id IN (SELECT g.document_id FROM sightings g JOIN sources s ON s.id = g.source_id WHERE s.name = ? COLLATE NOCASE)`,
				`d.source_id IN (SELECT id FROM sources WHERE name = ? COLLATE NOCASE)`)
			f.args = append(f.args, name, name, name)
			f.arms = append(f.arms,
				idArm{`SELECT id FROM documents INDEXED BY documents_site_name WHERE site_name = ? COLLATE NOCASE`, "id", []any{name}},
				idArm{`SELECT g.document_id FROM sightings g INDEXED BY sightings_source JOIN sources s ON s.id = g.source_id WHERE s.name = ? COLLATE NOCASE`, "g.document_id", []any{name}},
				idArm{`SELECT id FROM documents INDEXED BY documents_source_id WHERE source_id IN (SELECT id FROM sources WHERE name = ? COLLATE NOCASE)`, "id", []any{name}})
		}
		f.cond = "(" + strings.Join(or, " OR ") + ")"
		fs = append(fs, f)
	}
	if len(q.Langs) > 0 {
		var args []any
		for _, l := range q.Langs {
			args = append(args, strings.ToLower(l))
		}
		// documents_language is in time order: the id range is tested on each
		// entry, which pays only for a language with few documents.
		fs = append(fs, searchFilter{cond: "d.language IN (" + placeholders(len(q.Langs)) + ")", args: args, rowCost: 1,
			arms: []idArm{{"SELECT id FROM documents INDEXED BY documents_language WHERE language IN (" + placeholders(len(q.Langs)) + ")", "id", args}}})
	}
	if len(q.Authors) > 0 {
		f := searchFilter{rowCost: 2}
		var or, names []string
		for _, a := range q.Authors {
			or = append(or, `EXISTS (SELECT 1 FROM json_each(d.authors) a WHERE a.value LIKE ? ESCAPE '\')`)
			names = append(names, `a.name LIKE ? ESCAPE '\'`)
			f.args = append(f.args, "%"+likeEscape(a)+"%")
		}
		f.cond = "(" + strings.Join(or, " OR ") + ")"
		// document_authors mirrors the authors column (migration 0012). IN, not
		// a join: the planner would scan document_authors and look up each name.
		f.arms = []idArm{{`SELECT document_id FROM document_authors WHERE author_id IN (SELECT a.id FROM search_authors a WHERE ` +
			strings.Join(names, " OR ") + `)`, "document_id", f.args}}
		fs = append(fs, f)
	}
	if q.After != nil {
		fs = append(fs, searchFilter{cond: documentSort + " >= ?", args: []any{formatTime(*q.After)}})
	}
	if q.Before != nil {
		fs = append(fs, searchFilter{cond: documentSort + " < ?", args: []any{formatTime(*q.Before)}})
	}
	if q.Starred != nil {
		c := `EXISTS (SELECT 1 FROM user_documents u WHERE u.user_id = ? AND u.document_id = d.id AND u.starred_at IS NOT NULL)`
		f := searchFilter{cond: c, args: []any{q.UserID}, rowCost: 1}
		if *q.Starred {
			f.arms = []idArm{{`SELECT document_id FROM user_documents WHERE user_id = ? AND starred_at IS NOT NULL`, "document_id", f.args}}
		} else {
			f.cond = "NOT " + c
		}
		fs = append(fs, f)
	}
	if q.Unread != nil {
		c := `EXISTS (SELECT 1 FROM user_documents u WHERE u.user_id = ? AND u.document_id = d.id AND u.read_at IS NOT NULL)`
		if *q.Unread {
			c = "NOT " + c
		}
		fs = append(fs, searchFilter{cond: c, args: []any{q.UserID}})
	}
	if q.StoryID != 0 {
		fs = append(fs, searchFilter{cond: "d.story_id = ?", args: []any{q.StoryID}, rowCost: 1,
			arms: []idArm{{"SELECT id FROM documents INDEXED BY documents_story WHERE story_id = ?", "id", []any{q.StoryID}}}})
	}
	return fs
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// searchCandidates lists matching documents: with a match expression FTS5
// drives in descending rowid order (newest stored first) and stops at the
// cap; without one the documents index does, newest published first.
//
// density is the expected number of matches of the words per document id,
// for searchHits.
func (db *DB) searchCandidates(ctx context.Context, tx *sql.Tx, q newstrace.SearchQuery, fq searchFTS) (cands []search.Candidate, density float64, err error) {
	match, exclude := fq.match, fq.exclude
	filters := filterSQL(q)
	var conds []string
	var args []any
	if match == "" {
		for _, f := range filters {
			conds, args = append(conds, f.cond), append(args, f.args...)
		}
		var b strings.Builder
		b.WriteString(`SELECT d.id, 0, COALESCE(d.story_id, -d.id) FROM documents d WHERE 1`)
		if exclude != "" {
			conds = append(conds, `d.id NOT IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)`)
			args = append(args, exclude)
		}
		for _, c := range conds {
			b.WriteString(" AND " + c)
		}
		b.WriteString(" ORDER BY " + documentSort + " DESC, d.id DESC LIMIT ?")
		cands, err := scanCandidates(ctx, tx, b.String(), append(args, SearchCandidates)...)
		return cands, 0, err
	}

	stats, err := db.docFreqs(ctx, tx, fq.phrases)
	if err != nil {
		return nil, 0, err
	}
	// walk estimates how many matches FTS5 may step through: at most the
	// rarest positive clause's documents.
	walk := stats.maxID
	for _, clause := range fq.clauses {
		var n int64
		for _, i := range clause {
			n += stats.dfs[i]
		}
		walk = min(walk, n)
	}
	var window struct{ lo, hi int64 } // bounds on the FTS5 walk; hi 0 for none
	if q.After != nil && q.Before != nil {
		// A date window: FTS5 walks matches newest first, so a window far back
		// would be reached only after every newer match (most of a common
		// word's doclist). The ids of the window's documents bound the walk to
		// a rowid range; one scan of documents_sort over the window finds them.
		var lo, hi sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT min(d.id), max(d.id) FROM documents d WHERE `+documentSort+` >= ? AND `+documentSort+` < ?`,
			formatTime(*q.After), formatTime(*q.Before)).Scan(&lo, &hi)
		if err != nil {
			return nil, 0, fmt.Errorf("date window: %w", err)
		}
		if !lo.Valid {
			return nil, 0, nil
		}
		window.lo, window.hi = lo.Int64, hi.Int64
		if stats.maxID > 0 {
			walk = walk * (hi.Int64 - lo.Int64 + 1) / stats.maxID
		}
	}
	// Each filter is tested on the rows of the matches walked, or, when
	// that is dearer, applied as the list of its documents (see useFilterIDs).
	var lists []searchFilter
	density = float64(walk) / float64(max(stats.maxID, 1))
	wanted := density // matches that pass the listed filters, per document id
	for _, f := range filters {
		useIDs, n, err := db.useFilterIDs(ctx, tx, f, walk, stats)
		if err != nil {
			return nil, 0, err
		}
		if useIDs {
			lists = append(lists, f)
			wanted *= float64(n) / float64(max(stats.maxID, 1))
		} else {
			conds, args = append(conds, f.cond), append(args, f.args...)
		}
	}
	head := make([]any, 0, len(stats.dfs)+1)
	for _, df := range stats.dfs {
		head = append(head, df)
	}
	head = append(head, match)
	query := func(lo, hi int64, limit int, asc bool) ([]search.Candidate, error) {
		var b strings.Builder
		b.WriteString(`SELECT f.rowid, -` + searchRank(len(stats.dfs)) + `, COALESCE(d.story_id, -d.id)
			FROM documents_fts f JOIN documents d INDEXED BY documents_search ON d.id = f.rowid WHERE documents_fts MATCH ?`)
		qargs := append(slices.Clone(head), args...)
		for _, c := range conds {
			b.WriteString(" AND " + c)
		}
		if hi > 0 {
			b.WriteString(" AND f.rowid >= ? AND f.rowid <= ?")
			qargs = append(qargs, lo, hi)
		}
		for _, f := range lists {
			// Unary + keeps FTS5 from taking the list as rowid lookups (each
			// sets up the whole expression again, ~1.6 ms at 100k documents):
			// the list is built once and each match walked is looked up in it
			// before its documents row is read.
			ids, idsArgs := f.idsSQL(lo, hi)
			b.WriteString(" AND +f.rowid IN (" + ids + ")")
			qargs = append(qargs, idsArgs...)
		}
		if asc {
			// The whole window, oldest first; the caller keeps the newest.
			b.WriteString(" ORDER BY f.rowid")
			got, err := scanCandidates(ctx, tx, b.String(), qargs...)
			slices.Reverse(got)
			return got, err
		}
		b.WriteString(" ORDER BY f.rowid DESC LIMIT ?")
		return scanCandidates(ctx, tx, b.String(), append(qargs, limit)...)
	}
	if lo, hi := window.lo, window.hi; (len(lists) == 0 && !fq.excludes) || SearchCandidates < 0 || singleWalk {
		cands, err := query(lo, hi, SearchCandidates, false)
		return cands, density, err
	}

	// With lists, or a NOT, the matches are taken newest first in windows of
	// document ids (as the PostgreSQL store does): only the part of each list
	// the cap needs is built, and FTS5 tests a NOT walking forward, twice as
	// fast as backward (FTS5 reads a doclist backward a page at a time), so a
	// NOT's windows are read whole, oldest first, the newest kept. A window
	// is sized to hold the cap at the expected rate of matches, then grown by
	// the rate seen.
	lo0, hi0 := max(window.lo, 1), window.hi
	if hi0 == 0 {
		hi0 = stats.maxID
	}
	if fq.excludes {
		wanted /= 2 // what an exclusion removes is not counted: guess half
	}
	span := int64(math.Min(float64(hi0-lo0+1), 1.5*float64(SearchCandidates)/max(wanted, 1e-12)))
	if windowSpan > 0 {
		span = windowSpan
	}
	var out []search.Candidate
	for hi := hi0; hi >= lo0 && len(out) < SearchCandidates; {
		lo := max(lo0, hi-max(span, 1)+1)
		got, err := query(lo, hi, SearchCandidates-len(out), fq.excludes)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, got...)
		grow := 8.0
		if len(got) > 0 {
			grow = min(grow, max(1, 1.5*float64(SearchCandidates-len(out))/float64(len(got))))
		}
		if windowSpan <= 0 {
			span = int64(float64(span) * grow)
		}
		hi = lo - 1
	}
	if len(out) > SearchCandidates {
		out = out[:SearchCandidates]
	}
	return out, density, nil
}

// Plan choice for a filter that can list its documents. Measured with
// modernc at 100k documents: reading a walked match's documents row costs
// ~1 µs (author's json_each doubles it), building a list ~1 µs per listed
// document (an ephemeral index), testing a match against it and counting
// a list ~0.1 µs. With n documents listed, M matches of the words and N
// documents, the walk reads min(M, cap·N/n) rows; the list, taken in id
// windows, builds min(n, cap·N/M) entries. Listing loses whenever n ≥ rowCost·M,
// so the count stops there.
const filterIDsMinWalk = 2000 // below this many matches the walk is cheap whatever the filter

// Plan overrides for tests: filterPlan 1 lists every filter's documents
// that can be listed, -1 none, 0 chooses; windowSpan, when positive, fixes
// the id windows' size; singleWalk takes every match in one walk, newest
// first, the reference the others must agree with.
var (
	filterPlan = 0
	windowSpan int64
	singleWalk bool
)

// useFilterIDs reports whether f should be applied as a list of document
// ids, and how many documents it lists (as far as it counted). The count
// is kept in the document-frequency cache (rank_df.go): counting a large
// filter reads thousands of index entries, and filters repeat.
func (db *DB) useFilterIDs(ctx context.Context, tx *sql.Tx, f searchFilter, walk int64, st searchStats) (bool, int64, error) {
	if len(f.arms) == 0 || filterPlan < 0 || (filterPlan == 0 && walk < filterIDsMinWalk) {
		return false, 0, nil
	}
	docs := st.maxID
	limit := int64(f.rowCost*float64(walk)) + 1
	ids, args := f.idsSQL(0, 0)
	// The count stops at limit; a cached count that stopped at a lower one
	// says too little, so the key holds the limit's order of magnitude and
	// counts go to the top of it.
	limit = int64(math.Pow(2, math.Ceil(math.Log2(float64(limit)))))
	key := fmt.Sprintf("\x00filter %d %s %v", limit, ids, args)
	n, err := db.cachedCount(key, st, func() (int64, error) {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+ids+` LIMIT ?)`, append(args, limit)...).Scan(&n); err != nil {
			return 0, fmt.Errorf("count filter documents: %w", err)
		}
		return n, nil
	})
	if err != nil {
		return false, 0, err
	}
	if filterPlan > 0 {
		return true, n, nil
	}
	cap := float64(max(SearchCandidates, 1))
	list := min(float64(n), cap*float64(docs)/float64(max(walk, 1)))
	row := f.rowCost * min(float64(walk), cap*float64(docs)/float64(max(n, 1)))
	return n < limit && list < row, n, nil
}

func scanCandidates(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]search.Candidate, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find matches: %w", err)
	}
	defer rows.Close()
	var out []search.Candidate
	for rows.Next() {
		var c search.Candidate
		if err := rows.Scan(&c.ID, &c.Score, &c.Story); err != nil {
			return nil, fmt.Errorf("scan match: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find matches: %w", err)
	}
	return out, nil
}

// searchHits loads the page's documents with marked titles and snippets,
// then puts them in the page's order. highlight and snippet run only for the
// page's rows. FTS5 finds them by walking the matches between neighbouring
// page ids, each looked up in the page's ids (unary + keeps "rowid IN (...)"
// from reaching FTS5 as one seek per id, each of which sets up the whole
// expression again); ids further apart than hitsSeekMatches expected
// matches get a query of their own, a seek (0.13 ms at 1M documents, the
// cost of walking ~1,000 matches).
func searchHits(ctx context.Context, tx *sql.Tx, page []search.Group, match string, density float64) ([]newstrace.SearchHit, error) {
	byID := make(map[int64]newstrace.SearchHit, len(page))
	ids := search.PageIDs(page)
	slices.Sort(ids)
	for start := 0; start < len(ids); {
		end := start + 1
		for end < len(ids) && (match == "" || float64(ids[end]-ids[end-1])*density < hitsSeekMatches) {
			end++
		}
		if err := loadHits(ctx, tx, ids[start:end], match, byID); err != nil {
			return nil, err
		}
		start = end
	}
	hits, missing, ok := search.InPageOrder(page, byID)
	if !ok {
		return nil, fmt.Errorf("load hit %d: %w", missing, sql.ErrNoRows)
	}
	return hits, nil
}

const hitsSeekMatches = 1000

// loadHits loads the documents ids (ascending with a match) into byID.
func loadHits(ctx context.Context, tx *sql.Tx, ids []int64, match string, byID map[int64]newstrace.SearchHit) error {
	const cols = `d.id, COALESCE(d.story_id, 0), d.title, d.url, COALESCE(s.name, ''), d.site_name, d.language, d.published, d.first_seen`
	args := make([]any, 0, len(ids)+8)
	var query string
	if match != "" {
		query = `SELECT ` + cols + `, highlight(documents_fts, 0, ?, ?), snippet(documents_fts, 1, ?, ?, '…', ?)
			FROM documents_fts f JOIN documents d ON d.id = f.rowid LEFT JOIN sources s ON s.id = d.source_id
			WHERE documents_fts MATCH ? AND f.rowid >= ? AND f.rowid <= ? AND +f.rowid IN (` + placeholders(len(ids)) + `)`
		args = append(args, newstrace.SnippetStart, newstrace.SnippetEnd, newstrace.SnippetStart, newstrace.SnippetEnd, snippetTokens,
			match, ids[0], ids[len(ids)-1])
	} else {
		query = `SELECT ` + cols + `, d.title, substr(d.text, 1, 400)
			FROM documents d LEFT JOIN sources s ON s.id = d.source_id WHERE d.id IN (` + placeholders(len(ids)) + `)`
	}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("load hits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h newstrace.SearchHit
		var site, firstSeen string
		var published sql.NullString
		if err := rows.Scan(&h.DocumentID, &h.StoryID, &h.Title, &h.URL, &h.Source, &site, &h.Language,
			&published, &firstSeen, &h.TitleMarked, &h.Snippet); err != nil {
			return fmt.Errorf("load hits: %w", err)
		}
		if h.Source == "" {
			h.Source = site
		}
		if published.Valid {
			t, err := parseTime(published.String)
			if err != nil {
				return err
			}
			h.Published = &t
		}
		if h.FirstSeen, err = parseTime(firstSeen); err != nil {
			return err
		}
		if match == "" {
			h.Snippet = openingWords(h.Snippet, 200)
		}
		byID[h.DocumentID] = h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load hits: %w", err)
	}
	return nil
}

// openingWords returns the start of text up to about n bytes, cut at a space,
// on one line, with an ellipsis when cut.
func openingWords(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if len(text) <= n {
		return text
	}
	cut := strings.LastIndexByte(text[:n], ' ')
	if cut <= 0 {
		cut = n
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
	}
	return text[:cut] + "…"
}
