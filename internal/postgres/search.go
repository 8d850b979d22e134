package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/search"
)

// Full-text search runs on the stored vector fts of migration 0002: the
// stems of the document's language and every word folded, title weight A
// and text B, behind a GIN index.
//
// A term (word or "phrase", each read as a phrase of its words, so nothing
// a user types is query syntax) becomes the OR of its stems under the
// configuration of each language the store holds (or of the lang: filter)
// and of its folded words. So "floods" finds "flood" in English, "and" (an
// English stop word) is still a word, and a word of any language is found
// whatever the document's language. A prefix* term looks up the words as
// written only. The whole query is one tsquery, clauses ANDed and
// exclusions NOTed (as SQLite's FTS5 expression), which the GIN index
// answers alone: no document's vector is read to find the matches, except
// to check a phrase's word order.

// SearchCandidates bounds how many matching documents one search ranks: the
// newest stored ones (highest ids). Negative ranks every match.
var SearchCandidates = 500

// Headline settings: ts_headline parses the whole text it is given, so it
// runs on the page's hits only and reads at most headlineChars of each.
// A noncharacter stands for '<' and '>' there (the parser would drop
// "<tag>" words, and the snippet must keep them verbatim), two more mark
// the match, as control characters cannot be ts_headline delimiters.
const (
	headlineChars = 20000
	snippetWords  = 32
	markStart     = "\uFDD2"
	markEnd       = "\uFDD3"
	headlineTags  = "\uFDD0\uFDD1"
)

var (
	headlineOpts = fmt.Sprintf("StartSel=%s, StopSel=%s, MaxWords=%d, MinWords=%d, MaxFragments=1, ShortWord=0",
		markStart, markEnd, snippetWords, snippetWords/2)
	titleOpts    = fmt.Sprintf("StartSel=%s, StopSel=%s, HighlightAll=true", markStart, markEnd)
	fromHeadline = strings.NewReplacer("\uFDD0", "<", "\uFDD1", ">", markStart, newstrace.SnippetStart, markEnd, newstrace.SnippetEnd)
)

// Search runs q: the tsqueries in one query, candidates (id, score, story)
// in a second, grouped by story in Go, then titles and snippets for the one
// page of best hits in a third, all in one snapshot.
func (db *DB) Search(ctx context.Context, q newstrace.SearchQuery) (newstrace.SearchResult, error) {
	res := newstrace.SearchResult{Hits: []newstrace.SearchHit{}, Limit: q.Limit, Offset: max(q.Offset, 0)}
	if res.Limit <= 0 {
		res.Limit = newstrace.SearchDefaultLimit
	}
	res.Limit = min(res.Limit, newstrace.SearchMaxLimit)
	if len(q.Clauses) == 0 && !hasSearchFilter(q) {
		return res, newstrace.Errorf(newstrace.EINVALID, "the query is empty: type a word to search for")
	}
	err := db.read(ctx, func(tx pgx.Tx) error {
		plan, err := planSearch(ctx, tx, q)
		if err != nil {
			return err
		}
		values, err := resolveFilters(ctx, tx, q)
		if err != nil {
			return err
		}
		cands, err := searchCandidates(ctx, tx, q, plan, values)
		if err != nil {
			return err
		}
		ranked := plan.match != ""
		groups := search.GroupByStory(cands, ranked)
		res.Documents, res.Stories = len(cands), len(groups)
		res.Capped = SearchCandidates >= 0 && len(cands) >= SearchCandidates
		if res.Offset >= len(groups) {
			return nil
		}
		page := groups[res.Offset:min(len(groups), res.Offset+res.Limit)]
		res.Hits, err = searchHits(ctx, tx, page, plan.mark)
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

// searchPlan is q's clauses as tsquery texts on fts.
type searchPlan struct {
	// match has the positive clauses ANDed (each an OR of its terms, a term
	// an OR of its stems and its folded words) and the excluded terms
	// NOTed; "" without positive clauses.
	match string
	// exclude is the excluded terms ORed when there is no positive clause
	// (a filter on the rows walked), else "".
	exclude string
	// rank is every positive term ORed: ts_rank_cd then counts every
	// match, where the AND of match would score a document by its one
	// densest stretch holding all clauses.
	rank string
	// mark is every form of every positive term, ORed, for ts_headline.
	mark string
}

// orQuery joins tsquery texts with OR, skipping empty ones and repeats.
func orQuery(qs ...string) string {
	var parts []string
	for _, q := range qs {
		if q != "" && !slices.Contains(parts, "("+q+")") {
			parts = append(parts, "("+q+")")
		}
	}
	return strings.Join(parts, " | ")
}

// qTerms turns terms ($1, prefix flags $2) into tsquery texts, rows of
// (term number, kind, query):
//
//	lang    the term's stems (phraseto_tsquery) under one configuration,
//	        one row per distinct result; for a prefix they end in :* and
//	        only mark matches (a prefix looks up words as written);
//	simple  the folded words (a prefix marks its last word :*);
//	mark    the words as written, for ts_headline.
//
// The configurations are those of the languages $3, or when $3 is NULL of
// every language the store holds documents in: stemming a word by the rules
// of languages no document is written in would only add lookups and false
// matches. A term without a word (punctuation alone) has no row.
const qTerms = `WITH RECURSIVE present AS (
	-- the distinct languages of the documents: a loose index scan of
	-- documents_language, one probe per language.
	(SELECT language FROM documents WHERE $3::text[] IS NULL ORDER BY language LIMIT 1)
	UNION ALL
	SELECT (SELECT d.language FROM documents d WHERE d.language > p.language ORDER BY d.language LIMIT 1)
	FROM present p WHERE p.language IS NOT NULL
), cfg AS (
	SELECT DISTINCT search_config(l) AS c FROM unnest($3::text[]) l WHERE $3 IS NOT NULL
	UNION
	SELECT search_config(language) FROM present WHERE language IS NOT NULL
), t AS (
	SELECT * FROM unnest($1::text[], $2::bool[]) WITH ORDINALITY AS x(t, p, n)
)
SELECT DISTINCT t.n, 'lang', q::text || CASE WHEN t.p THEN ':*' ELSE '' END
	FROM t, cfg, phraseto_tsquery(cfg.c, search_text(t.t)) q
	WHERE cfg.c <> 'pg_catalog.simple'::regconfig AND numnode(q) > 0
UNION ALL
SELECT t.n, 'simple', q::text || CASE WHEN t.p THEN ':*' ELSE '' END
	FROM t, phraseto_tsquery('pg_catalog.simple', search_fold(t.t)) q WHERE numnode(q) > 0
UNION ALL
SELECT t.n, 'mark', q::text || CASE WHEN t.p THEN ':*' ELSE '' END
	FROM t, phraseto_tsquery('pg_catalog.simple', search_text(t.t)) q WHERE numnode(q) > 0`

// planSearch builds q's tsqueries in one round trip.
func planSearch(ctx context.Context, tx pgx.Tx, q newstrace.SearchQuery) (searchPlan, error) {
	var texts []string
	var prefix []bool
	for _, c := range q.Clauses {
		for _, t := range c.Any {
			texts, prefix = append(texts, searchString(t.Text)), append(prefix, t.Prefix)
		}
	}
	var plan searchPlan
	if len(texts) == 0 {
		return plan, nil
	}
	var langs []string // nil: the languages of the store
	for _, l := range q.Langs {
		langs = append(langs, strings.ToLower(searchString(l)))
	}
	type term struct {
		forms []string // what finds it: stems and folded words
		marks []string
	}
	terms := make([]term, len(texts))
	rows, _ := tx.Query(ctx, qTerms, texts, prefix, langs)
	var n int
	var kind, query string
	_, err := pgx.ForEachRow(rows, []any{&n, &kind, &query}, func() error {
		if n < 1 || n > len(terms) {
			return fmt.Errorf("term %d of %d", n, len(terms))
		}
		t := &terms[n-1]
		if kind == "simple" || kind == "lang" && !prefix[n-1] {
			t.forms = append(t.forms, query)
		}
		t.marks = append(t.marks, query)
		return nil
	})
	if err != nil {
		return plan, fmt.Errorf("parse terms: %w", err)
	}
	var pos, neg, rank, marks []string
	i := 0
	for _, c := range q.Clauses {
		var alts []string
		for range c.Any {
			t := terms[i]
			i++
			// A term of punctuation alone has no word: it searches for nothing.
			if len(t.forms) == 0 {
				continue
			}
			alts = append(alts, orQuery(t.forms...))
			if !c.Negated {
				marks = append(marks, t.marks...)
			}
		}
		if len(alts) == 0 {
			continue
		}
		if c.Negated {
			neg = append(neg, alts...)
			continue
		}
		pos, rank = append(pos, orQuery(alts...)), append(rank, alts...)
	}
	switch {
	case len(pos) == 0:
		plan.exclude = orQuery(neg...)
	case len(neg) == 0:
		plan.match = "(" + strings.Join(pos, ") & (") + ")"
	default:
		plan.match = "(" + strings.Join(pos, ") & (") + ") & !(" + orQuery(neg...) + ")"
	}
	plan.rank, plan.mark = orQuery(rank...), orQuery(marks...)
	return plan, nil
}

// filterValues are what q's source: and author: filters name, looked up
// before the search: the sources so named and the authors' names that
// match. As constants in the query the planner sees how many documents
// they admit (from the statistics of each index) and ANDs their bitmaps
// with the words'; as subqueries it could only guess.
type filterValues struct {
	sites   []string // the source: names lower-cased, for site_name
	sources []int64
	authors []string
}

// resolveFilters looks up q's filter values in one round trip.
func resolveFilters(ctx context.Context, tx pgx.Tx, q newstrace.SearchQuery) (filterValues, error) {
	var v filterValues
	if len(q.Sources) == 0 && len(q.Authors) == 0 {
		return v, nil
	}
	names := make([]string, len(q.Sources))
	for i, n := range q.Sources {
		names[i] = searchString(n)
	}
	pats := make([]string, len(q.Authors))
	for i, au := range q.Authors {
		pats[i] = "%" + likeEscape(searchString(au)) + "%"
	}
	err := tx.QueryRow(ctx, `SELECT ARRAY(SELECT lower(n) FROM unnest($1::text[]) n),
		ARRAY(SELECT s.id FROM sources s WHERE lower(s.name) IN (SELECT lower(n) FROM unnest($1::text[]) n) ORDER BY s.id),
		ARRAY(SELECT n.name FROM author_names n WHERE n.name ILIKE ANY ($2) ORDER BY n.name)`, names, pats).Scan(&v.sites, &v.sources, &v.authors)
	if err != nil {
		return v, fmt.Errorf("look up filters: %w", err)
	}
	return v, nil
}

// filterSQL renders q's filters as conditions on documents d.
func filterSQL(a *sqlArgs, q newstrace.SearchQuery, v filterValues) []string {
	var conds []string
	// Each filter is a disjunction of index conditions (migration 0006), so
	// the planner can AND its bitmap with the words' instead of testing it
	// on the heap row of every match.
	if len(q.Sources) > 0 {
		// The source that first brought it, any other source that sighted
		// it, or the site name an ingested file gave; names compare
		// case-insensitively.
		cond := `(d.site_name <> '' AND lower(d.site_name) = ANY (` + a.add(v.sites) + `::text[]))`
		if len(v.sources) > 0 {
			ids := a.add(v.sources) + `::bigint[]`
			cond += ` OR d.source_id = ANY (` + ids + `) OR (d.other_sources <> '{}' AND d.other_sources && ` + ids + `)`
		}
		conds = append(conds, "("+cond+")")
	}
	if len(q.Langs) > 0 {
		langs := make([]string, len(q.Langs))
		for i, l := range q.Langs {
			langs[i] = strings.ToLower(searchString(l))
		}
		conds = append(conds, `d.language = ANY (`+a.add(langs)+`)`)
	}
	if len(q.Authors) > 0 {
		conds = append(conds, `search_author_names(d.authors) && `+a.add(v.authors)+`::text[]`)
	}
	if q.After != nil {
		conds = append(conds, documentSort+` >= `+a.add(*q.After))
	}
	if q.Before != nil {
		conds = append(conds, documentSort+` < `+a.add(*q.Before))
	}
	if q.Starred != nil {
		if *q.Starred { // a reader's stars are few: a list of ids
			conds = append(conds, `d.id = ANY (ARRAY(SELECT u.document_id FROM user_documents u WHERE u.user_id = `+
				a.add(q.UserID)+` AND u.starred_at IS NOT NULL))`)
		} else {
			conds = append(conds, `NOT EXISTS (SELECT 1 FROM user_documents u WHERE u.user_id = `+a.add(q.UserID)+
				` AND u.document_id = d.id AND u.starred_at IS NOT NULL)`)
		}
	}
	if q.Unread != nil {
		c := `EXISTS (SELECT 1 FROM user_documents u WHERE u.user_id = ` + a.add(q.UserID) +
			` AND u.document_id = d.id AND u.read_at IS NOT NULL)`
		if *q.Unread {
			c = "NOT " + c
		}
		conds = append(conds, c)
	}
	if q.StoryID != 0 {
		conds = append(conds, `d.story_id = `+a.add(q.StoryID))
	}
	return conds
}

// likeEscape escapes LIKE's wildcards (backslash is ILIKE's escape).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Window planning. The newest matches are found in windows of document
// ids, newest first, one of two ways:
//
//	walk  the primary key read backwards from the window's top, each row's
//	      vector and filters tested, stopping at the candidates wanted:
//	      its cost grows with the rows read until then (about walkRowCost
//	      each at a million documents, the rows mostly outside
//	      shared_buffers), so it suits words most documents hold;
//	gin   the GIN index's bitmap of every document holding the words,
//	      ANDed with the window's and the filters' bitmaps: its cost grows
//	      with the words' documents in the whole store (ginTidCost each;
//	      440,000 for "for & you" at 1M took 55 ms for a window of 2,000
//	      ids; a prefix merges many lexemes' lists, ginPrefixCost each),
//	      then with the rows of the window that hold them all.
//
// The planner costs GIN bitmaps as nearly free and cannot see where a walk
// would stop, so the search chooses, from the planner's estimates of how
// many documents the words match and how many pass the filters too (the
// statistics of fts's most common lexemes and of each filter's column). A
// walk reads at most walkWindow ids, then gin windows go on below it: an
// estimate can be far off (a phrase of two common words is estimated as
// both words anywhere).
var (
	ginTidCost    = 0.12 // µs per document a GIN bitmap lists
	ginPrefixCost = 0.45 // the same for a query with a prefix
	walkRowCost   = 5.0  // µs per row a walk reads
	walkMaxRows   = int64(30000)
	walkWindow    = walkMaxRows // the ids a walk reads at most
)

// windowGrowth bounds how much a gin window widens at once; maxFirstSpan
// bounds the first gin window of a phrase, in multiples of
// SearchCandidates, however rare the estimate says it is: the GIN index
// lists the documents holding its words, each read and rechecked for their
// order, and a low estimate would have every one of them read.
//
// A gin window is sized to hold ginOvershoot times the matches wanted at
// the estimated rate: each window lists the words' documents again (15 ms
// for 128,000 at 1M), while a match more costs a heap row (a few µs), and
// estimates of words and filters together run 2-3 times high. A phrase's
// windows hold 1.5 times: every document with its words is read and
// rechecked (30-40 µs each at 1M, out of shared_buffers), matching or not.
const (
	windowGrowth       = 16
	maxFirstSpan       = 64
	ginOvershoot       = 4.0
	ginPhraseOvershoot = 1.5
)

// windowPlan is how searchCandidates looks for the matches.
type windowPlan struct {
	walk      bool
	span      int64   // the first gin window, in ids
	overshoot float64 // ginOvershoot or ginPhraseOvershoot
}

// planWindows estimates, in one or two round trips, the share of documents
// the words match and the share that also pass the filters. Date filters
// are left out: the windows start at the newest document in the range.
func planWindows(ctx context.Context, tx pgx.Tx, q newstrace.SearchQuery, plan searchPlan, v filterValues, docs float64) (windowPlan, error) {
	estimate := func(where string, args sqlArgs) (float64, error) {
		var out []struct {
			Plan struct {
				Rows float64 `json:"Plan Rows"`
			} `json:"Plan"`
		}
		// Simple protocol: the values are sent inline (escaped by pgx),
		// so the planner estimates with them, not with a generic $1.
		err := tx.QueryRow(ctx, `EXPLAIN (FORMAT JSON) SELECT 1 FROM documents d WHERE `+where,
			append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...).Scan(&out)
		if err != nil || len(out) == 0 {
			return 0, fmt.Errorf("estimate matches: %w", err)
		}
		return out[0].Plan.Rows, nil
	}
	var a sqlArgs
	words := `d.fts @@ ` + a.add(plan.match) + `::tsquery`
	n, err := estimate(words, a)
	if err != nil {
		return windowPlan{}, err
	}
	docs = max(docs, 1)
	density := min(max(n/docs, 1/docs), 1)
	rate := density
	undated := q
	undated.After, undated.Before = nil, nil
	if conds := filterSQL(&a, undated, v); len(conds) > 0 {
		m, err := estimate(words+" AND "+strings.Join(conds, " AND "), a)
		if err != nil {
			return windowPlan{}, err
		}
		rate = min(max(m/docs, 1/docs), density)
	}
	need := float64(SearchCandidates)
	w := windowPlan{overshoot: ginOvershoot}
	phrase := strings.Contains(plan.match, "<") // <-> or <N>
	if phrase {
		w.overshoot = ginPhraseOvershoot
	}
	w.span = int64(min(w.overshoot*need/rate, docs+1))
	if phrase {
		w.span = min(w.span, int64(maxFirstSpan*SearchCandidates))
	}
	w.span = max(w.span, int64(SearchCandidates))
	tid := ginTidCost
	if strings.Contains(plan.match, ":*") {
		tid = ginPrefixCost
	}
	walked := 1.5 * need / rate // rows read until enough match, with a margin
	w.walk = walked <= float64(walkMaxRows) && walked*walkRowCost < docs*density*tid
	return w, nil
}

// searchCandidates lists matching documents.
//
// With words, the newest SearchCandidates matches by id are kept, and only
// those are ranked: ts_rank_cd reads the vector, so it runs in the outer
// query, reading each kept row's back by id. FTS5 walks its doclists newest
// first and stops; GIN has no order, so the equivalent is windows of ids,
// newest first (see planWindows): a walk over the newest walkWindow, or
// gin windows sized to hold w.overshoot times the candidates wanted at
// the estimated rate, each next one below the last, sized by the density
// of matches seen, until SearchCandidates match or no document is left.
//
// Plain index scans are off for gin windows: the planner would walk the
// primary key backwards testing every row's vector where its tsquery
// estimates are off (ORs of stems, phrases: 109 ms for a rare phrase at
// 20k documents against 2 by bitmap). Bitmap scans are off for walks.
//
// Without words: newest first by published (documents_sort or
// documents_language), excluded words tested on the rows walked.
func searchCandidates(ctx context.Context, tx pgx.Tx, q newstrace.SearchQuery, plan searchPlan, v filterValues) ([]search.Candidate, error) {
	var cands []search.Candidate
	// find appends the matches of ids (lo, hi] to cands, up to the cap.
	find := func(lo, hi int64, how findBy) error {
		query, args := candidateSQL(q, plan, v, lo, hi, SearchCandidates-len(cands), how)
		rows, _ := tx.Query(ctx, query, args...)
		var err error
		cands, err = pgx.AppendRows(cands, rows, func(r pgx.CollectableRow) (search.Candidate, error) {
			var c search.Candidate
			err := r.Scan(&c.ID, &c.Score, &c.Story)
			return c, err
		})
		if err != nil {
			return fmt.Errorf("find matches: %w", err)
		}
		return nil
	}
	if plan.match == "" || SearchCandidates <= 0 {
		return cands, find(0, 0, byGIN)
	}
	var newest, top int64
	var docs float64
	// The rows the planner assumes (its estimates below are shares of
	// them): the last ANALYZE's rows per page times the pages now.
	if err := tx.QueryRow(ctx, `SELECT COALESCE(max(id), 0), (SELECT CASE WHEN c.relpages > 0 AND c.reltuples > 0
			THEN c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int) ELSE -1 END
			FROM pg_class c WHERE c.oid = 'documents'::regclass)
		FROM documents`).Scan(&newest, &docs); err != nil {
		return nil, fmt.Errorf("find matches: %w", err)
	}
	if docs <= 0 { // never analyzed
		docs = float64(newest)
	}
	top = newest
	// The windows run down from the newest id, or with a before: date from
	// the id of the newest document dated in range: documents are mostly
	// stored in the order they were published, so a range far back would
	// otherwise be reached only after windows holding none of it. The ids
	// above it are looked at first, by the date index (a document stored
	// late with an old date); the date conditions pick the range's
	// documents in every window.
	if q.Before != nil {
		after := time.Time{}
		if q.After != nil {
			after = *q.After
		}
		err := tx.QueryRow(ctx, `SELECT d.id FROM documents d WHERE `+documentSort+` < $1 AND `+documentSort+` >= $2
			ORDER BY `+documentSort+` DESC, d.id DESC LIMIT 1`, *q.Before, after).Scan(&top)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("date range: %w", err)
		}
	}
	w, err := planWindows(ctx, tx, q, plan, v, docs)
	if err != nil {
		return nil, err
	}
	// For the rest of this read-only transaction, whose one other query
	// (the page's hits, by id) needs no scan but the primary key's. JIT
	// off: the switched-off scans' penalty costs would trigger it, and
	// compiling takes hundreds of milliseconds; no parallel workers, whose
	// start costs more than the few thousand rows they would share. Custom
	// plans: the statement cache prepares each query shape, and after five
	// runs PostgreSQL may keep a generic plan, which guesses 500 rows for
	// any tsquery and so tests a lang: filter on the heap row of every
	// match (12,000 blocks at 100k documents) instead of ANDing its index;
	// planning costs about 1 ms. work_mem for bitmaps of a million
	// documents' words that stay exact (lossy pages recheck every row).
	// Sent before the first query and again only when a walk or GIN
	// windows need the other scans.
	var sent *bool
	scans := func(walk bool) error {
		if sent != nil && *sent == walk {
			return nil
		}
		sent = &walk
		index, bitmap := "off", "on"
		if walk {
			index, bitmap = "on", "off"
		}
		_, err := tx.Exec(ctx, `SELECT set_config('enable_indexscan', $1, true), set_config('enable_bitmapscan', $2, true),
			set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true),
			set_config('plan_cache_mode', 'force_custom_plan', true), set_config('max_parallel_workers_per_gather', '0', true),
			set_config('work_mem', '64MB', true)`, index, bitmap)
		if err != nil {
			return fmt.Errorf("find matches: %w", err)
		}
		return nil
	}
	if top < newest {
		if err := scans(false); err != nil {
			return nil, err
		}
		if err := find(top, 0, byFilters); err != nil || len(cands) >= SearchCandidates {
			return cands, err
		}
	}
	var scanned float64 // ids looked at below top, for the density seen
	if w.walk {
		lo := max(top-walkWindow, 0)
		if err := scans(true); err != nil {
			return nil, err
		}
		if err := find(lo, top, byWalk); err != nil || lo <= 0 || len(cands) >= SearchCandidates {
			return cands, err
		}
		scanned, top = float64(top-lo), lo
	}
	if err := scans(false); err != nil {
		return nil, err
	}
	span := w.span
	for {
		lo := max(top-span, 0)
		if err := find(lo, top, byGIN); err != nil || lo <= 0 || len(cands) >= SearchCandidates {
			return cands, err
		}
		// The next window holds, at the density seen so far, w.overshoot
		// times the matches still needed: 1 to windowGrowth times this one.
		scanned += float64(top - lo)
		next := int64(windowGrowth) * span
		if len(cands) > 0 {
			next = int64(w.overshoot * float64(SearchCandidates-len(cands)) * scanned / float64(len(cands)))
		}
		top, span = lo, min(max(next, span), windowGrowth*span)
	}
}

// findBy is how a candidates query finds a window's matches. "IS TRUE"
// around a condition keeps the planner from using an index for it.
type findBy int

const (
	byGIN     findBy = iota // words and filters by their indexes' bitmaps
	byWalk                  // the primary key backwards, words and filters tested on each row
	byFilters               // the filters' indexes, words tested on each row: the ids above a date range's newest
)

// candidateSQL is the candidates query for documents with ids in (lo, hi]
// (0: no bound), at most limit of them (negative: all). byWalk stops at the
// limit (an index on a filter would list the window's rows out of id
// order, all to be read and sorted).
func candidateSQL(q newstrace.SearchQuery, plan searchPlan, v filterValues, lo, hi int64, limit int, how findBy) (string, sqlArgs) {
	var a sqlArgs
	var conds []string
	if plan.match != "" {
		c := `d.fts @@ ` + a.add(plan.match) + `::tsquery`
		if how == byFilters {
			c = "(" + c + ") IS TRUE"
		}
		conds = append(conds, c)
	}
	if plan.exclude != "" {
		conds = append(conds, `NOT d.fts @@ `+a.add(plan.exclude)+`::tsquery`)
	}
	conds = append(conds, filterSQL(&a, q, v)...)
	if how == byWalk && len(conds) > 0 {
		conds = []string{"(" + strings.Join(conds, " AND ") + ") IS TRUE"}
	}
	if lo > 0 {
		conds = append(conds, `d.id > `+a.add(lo))
	}
	if hi > 0 {
		conds = append(conds, `d.id <= `+a.add(hi))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var lim any // LIMIT NULL: every match
	if limit >= 0 {
		lim = limit
	}
	if plan.match == "" {
		return `SELECT d.id, 0::float8, COALESCE(d.story_id, -d.id) FROM documents d` + where +
			` ORDER BY ` + documentSort + ` DESC, d.id DESC LIMIT ` + a.add(lim), a
	}
	// Title 1.0, text 0.4 (weights A and B); normalisation 1 divides by
	// 1 + log(length), so long texts do not win by length alone.
	// The vector is read back by id for the kept rows only: carried
	// through the sort, every match's would be copied.
	return `SELECT c.id, ts_rank_cd(r.fts, ` + a.add(plan.rank) + `::tsquery, 1), COALESCE(c.story_id, -c.id) FROM (
		SELECT d.id, d.story_id FROM documents d` + where +
		` ORDER BY d.id DESC LIMIT ` + a.add(lim) + `) c JOIN documents r ON r.id = c.id`, a
}

// searchHits loads the page's documents with marked titles and snippets in
// one query, then puts them in the page's order. ts_headline, in the
// document's own configuration, runs for these rows only. Without words
// the snippet is the opening of the text.
func searchHits(ctx context.Context, tx pgx.Tx, page []search.Group, mark string) ([]newstrace.SearchHit, error) {
	ids := search.PageIDs(page)
	var query string
	var args []any
	const cols = `d.id, COALESCE(d.story_id, 0) AS story_id, d.title AS title_plain, d.url, COALESCE(s.name, '') AS source,
		d.site_name, d.language, d.published, d.first_seen`
	if mark != "" {
		// h.body is the text as ts_headline reads it, x.pos where the
		// snippet (unmarked) is found in it. ts_headline starts and ends a
		// fragment at a word, so punctuation before the first word or after
		// the last ("<script>" opening the text) is added back, when short.
		// The snippet is the whole text at that end otherwise. MATERIALIZED
		// and OFFSET 0 keep each ts_headline to one call per row: inlined,
		// every reference to snip would run it again.
		query = `WITH h AS MATERIALIZED (
				SELECT ` + cols + `, length(d.text) AS len, b.body,
					ts_headline(search_config(d.language), translate(d.title, '<>', $2), $3::tsquery, $5) AS title,
					ts_headline(search_config(d.language), b.body, $3::tsquery, $4) AS snip
				FROM documents d LEFT JOIN sources s ON s.id = d.source_id,
					LATERAL (SELECT translate(left(d.text, $7), '<>', $2) AS body OFFSET 0) b
				WHERE d.id = ANY ($1)
			)
			SELECT h.id, h.story_id, h.title_plain, h.url, h.source, h.site_name, h.language, h.published, h.first_seen, h.title, h.snip,
				CASE WHEN x.pos BETWEEN 2 AND 41 AND left(h.body, x.pos - 1) !~ '[[:alnum:]]' THEN left(h.body, x.pos - 1) END,
				CASE WHEN x.pos > 0 AND length(h.body) - x.pos - x.len < 40 AND substr(h.body, x.pos + x.len) !~ '[[:alnum:]]'
					THEN substr(h.body, x.pos + x.len) END,
				x.pos = 1, x.pos > 0 AND length(h.body) + 1 = x.pos + x.len, h.len > $7
			FROM h, LATERAL (SELECT strpos(h.body, translate(h.snip, $6, '')) AS pos,
				length(translate(h.snip, $6, '')) AS len OFFSET 0) x`
		args = []any{ids, headlineTags, mark, headlineOpts, titleOpts, markStart + markEnd, headlineChars}
	} else {
		query = `SELECT ` + cols + `, d.title, left(d.text, 400), NULL, NULL, true, true, false
			FROM documents d LEFT JOIN sources s ON s.id = d.source_id WHERE d.id = ANY ($1)`
		args = []any{ids}
	}
	rows, _ := tx.Query(ctx, query, args...)
	hits, err := scanAll(rows, func(r pgx.Row) (newstrace.SearchHit, error) {
		var h newstrace.SearchHit
		var site string
		var lead, tail *string
		var atStart, atEnd, cut bool // the snippet starts (ends) the text as read; the text was cut
		err := r.Scan(&h.DocumentID, &h.StoryID, &h.Title, &h.URL, &h.Source, &site, &h.Language,
			&h.Published, &h.FirstSeen, &h.TitleMarked, &h.Snippet, &lead, &tail, &atStart, &atEnd, &cut)
		if err != nil {
			return h, err
		}
		if h.Source == "" {
			h.Source = site
		}
		if h.Published != nil {
			p := h.Published.UTC()
			h.Published = &p
		}
		h.FirstSeen = h.FirstSeen.UTC()
		if mark == "" {
			h.Snippet = openingWords(h.Snippet, 200)
			return h, nil
		}
		h.TitleMarked = fromHeadline.Replace(h.TitleMarked)
		if lead != nil {
			h.Snippet, atStart = *lead+h.Snippet, true
		}
		if tail != nil {
			h.Snippet, atEnd = h.Snippet+*tail, true
		}
		atEnd = atEnd && !cut
		h.Snippet = strings.Join(strings.Fields(fromHeadline.Replace(h.Snippet)), " ")
		if !atStart && h.Snippet != "" {
			h.Snippet = "…" + h.Snippet
		}
		if !atEnd && h.Snippet != "" {
			h.Snippet += "…"
		}
		return h, nil
	})
	if err != nil {
		return nil, fmt.Errorf("load hits: %w", err)
	}
	byID := make(map[int64]newstrace.SearchHit, len(hits))
	for _, h := range hits {
		byID[h.DocumentID] = h
	}
	out, missing, ok := search.InPageOrder(page, byID)
	if !ok {
		// Deleted since the candidates were read? Not in this snapshot.
		return nil, fmt.Errorf("load hit %d: %w", missing, pgx.ErrNoRows)
	}
	return out, nil
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
