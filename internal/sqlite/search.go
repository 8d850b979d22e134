package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newstrace/newstrace"
)

// SearchCandidates bounds how many matching documents one search ranks: the
// newest ones by storage order. FTS5 can stop reading a doclist in rowid
// order, but ranking every match of a common word means scoring hundreds of
// thousands of rows; past this many the newest matches win. Negative ranks
// every match (used by the benchmark to show the difference).
var SearchCandidates = 500

// Title matches weigh more than body matches (bm25 column weights: title, text).
const searchRank = `bm25(documents_fts, 5.0, 1.0)`

// snippetTokens is the snippet length in tokens (FTS5 allows at most 64).
const snippetTokens = 32

// Search runs q: candidates (id, score, story) in one query, grouped by story
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
	match, exclude := matchExpr(q.Clauses)
	err := db.read(ctx, func(tx *sql.Tx) error {
		cands, err := searchCandidates(ctx, tx, q, match, exclude)
		if err != nil {
			return err
		}
		groups := groupByStory(cands, match != "")
		res.Documents, res.Stories = len(cands), len(groups)
		res.Capped = SearchCandidates >= 0 && len(cands) >= SearchCandidates
		if res.Offset >= len(groups) {
			return nil
		}
		page := groups[res.Offset:min(len(groups), res.Offset+res.Limit)]
		res.Hits, err = searchHits(ctx, tx, page, match)
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

// matchExpr turns the clauses into an FTS5 expression for the positive
// clauses (match) and one for the excluded terms (exclude). With positive
// clauses the exclusions are folded into match with NOT and exclude is "".
func matchExpr(clauses []newstrace.SearchClause) (match, exclude string) {
	var pos, neg []string
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
	}
	if len(neg) == 0 {
		return strings.Join(pos, " AND "), ""
	}
	excluded := "(" + strings.Join(neg, " OR ") + ")"
	if len(pos) == 0 {
		return "", excluded
	}
	return "(" + strings.Join(pos, " AND ") + ") NOT " + excluded, ""
}

// filterSQL renders q's filters as conditions on documents d.
func filterSQL(q newstrace.SearchQuery) (conds []string, args []any) {
	if len(q.Sources) > 0 {
		var or []string
		for _, name := range q.Sources {
			// The source that first brought it, any source that sighted it, or
			// the site name an ingested file gave.
			or = append(or, `d.site_name = ? COLLATE NOCASE`,
				`d.id IN (SELECT g.document_id FROM sightings g JOIN sources s ON s.id = g.source_id WHERE s.name = ? COLLATE NOCASE)`,
				`d.source_id IN (SELECT id FROM sources WHERE name = ? COLLATE NOCASE)`)
			args = append(args, name, name, name)
		}
		conds = append(conds, "("+strings.Join(or, " OR ")+")")
	}
	if len(q.Langs) > 0 {
		conds = append(conds, "d.language IN ("+placeholders(len(q.Langs))+")")
		for _, l := range q.Langs {
			args = append(args, strings.ToLower(l))
		}
	}
	if len(q.Authors) > 0 {
		var or []string
		for _, a := range q.Authors {
			or = append(or, `EXISTS (SELECT 1 FROM json_each(d.authors) a WHERE a.value LIKE ? ESCAPE '\')`)
			args = append(args, "%"+likeEscape(a)+"%")
		}
		conds = append(conds, "("+strings.Join(or, " OR ")+")")
	}
	if q.After != nil {
		conds, args = append(conds, documentSort+" >= ?"), append(args, formatTime(*q.After))
	}
	if q.Before != nil {
		conds, args = append(conds, documentSort+" < ?"), append(args, formatTime(*q.Before))
	}
	if q.Starred != nil {
		c := `EXISTS (SELECT 1 FROM user_documents u WHERE u.user_id = ? AND u.document_id = d.id AND u.starred_at IS NOT NULL)`
		if !*q.Starred {
			c = "NOT " + c
		}
		conds, args = append(conds, c), append(args, q.UserID)
	}
	if q.Unread != nil {
		c := `EXISTS (SELECT 1 FROM user_documents u WHERE u.user_id = ? AND u.document_id = d.id AND u.read_at IS NOT NULL)`
		if *q.Unread {
			c = "NOT " + c
		}
		conds, args = append(conds, c), append(args, q.UserID)
	}
	if q.StoryID != 0 {
		conds, args = append(conds, "d.story_id = ?"), append(args, q.StoryID)
	}
	return conds, args
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// candidate is one matching document.
type candidate struct {
	id, story int64 // story is -id for a document without one, so it groups alone
	score     float64
}

// searchCandidates lists matching documents: with a match expression FTS5
// drives in descending rowid order (newest stored first) and stops at the
// cap; without one the documents index does, newest published first.
func searchCandidates(ctx context.Context, tx *sql.Tx, q newstrace.SearchQuery, match, exclude string) ([]candidate, error) {
	conds, args := filterSQL(q)
	if match != "" && q.After != nil && q.Before != nil {
		// A date window: FTS5 walks matches newest first, so a window far back
		// would be reached only after every newer match (most of a common
		// word's doclist). The ids of the window's documents bound the walk to
		// a rowid range; one scan of documents_sort over the window finds them.
		var lo, hi sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT min(d.id), max(d.id) FROM documents d WHERE `+documentSort+` >= ? AND `+documentSort+` < ?`,
			formatTime(*q.After), formatTime(*q.Before)).Scan(&lo, &hi)
		if err != nil {
			return nil, fmt.Errorf("date window: %w", err)
		}
		if !lo.Valid {
			return nil, nil
		}
		conds, args = append(conds, "f.rowid >= ? AND f.rowid <= ?"), append(args, lo.Int64, hi.Int64)
	}
	var b strings.Builder
	if match != "" {
		b.WriteString(`SELECT f.rowid, -` + searchRank + `, COALESCE(d.story_id, -d.id)
			FROM documents_fts f JOIN documents d INDEXED BY documents_search ON d.id = f.rowid WHERE documents_fts MATCH ?`)
		args = append([]any{match}, args...)
	} else {
		b.WriteString(`SELECT d.id, 0, COALESCE(d.story_id, -d.id) FROM documents d WHERE 1`)
		if exclude != "" {
			conds = append(conds, `d.id NOT IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)`)
			args = append(args, exclude)
		}
	}
	for _, c := range conds {
		b.WriteString(" AND " + c)
	}
	if match != "" {
		b.WriteString(" ORDER BY f.rowid DESC")
	} else {
		b.WriteString(" ORDER BY " + documentSort + " DESC, d.id DESC")
	}
	b.WriteString(" LIMIT ?")
	args = append(args, SearchCandidates)

	rows, err := tx.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("find matches: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.score, &c.story); err != nil {
			return nil, fmt.Errorf("scan match: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find matches: %w", err)
	}
	return out, nil
}

// group is one story's best candidate and how many others matched.
type group struct {
	best candidate
	more int
}

// groupByStory keeps each story's best candidate, best stories first. When
// ranked, best means highest score (then newest id); otherwise the order the
// candidates came in.
func groupByStory(cands []candidate, ranked bool) []group {
	if ranked {
		slices.SortStableFunc(cands, func(a, b candidate) int {
			if a.score != b.score {
				if a.score > b.score {
					return -1
				}
				return 1
			}
			return -cmpInt(a.id, b.id)
		})
	}
	index := make(map[int64]int, len(cands))
	var groups []group
	for _, c := range cands {
		if i, ok := index[c.story]; ok {
			groups[i].more++
			continue
		}
		index[c.story] = len(groups)
		groups = append(groups, group{best: c})
	}
	return groups
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// searchHits loads the page's documents with marked titles and snippets in
// one query, then puts them in the page's order. highlight and snippet run
// only for the page's rows: "rowid IN (...)" reaches FTS5 as one rowid seek
// per id (plan "INDEX 0:=M"), and the rowid range keeps it inside the
// candidates' window should the planner ever scan instead.
func searchHits(ctx context.Context, tx *sql.Tx, page []group, match string) ([]newstrace.SearchHit, error) {
	const cols = `d.id, COALESCE(d.story_id, 0), d.title, d.url, COALESCE(s.name, ''), d.site_name, d.language, d.published, d.first_seen`
	ids := make([]any, len(page))
	lo, hi := page[0].best.id, page[0].best.id
	for i, g := range page {
		ids[i] = g.best.id
		lo, hi = min(lo, g.best.id), max(hi, g.best.id)
	}
	var query string
	var args []any
	if match != "" {
		query = `SELECT ` + cols + `, highlight(documents_fts, 0, ?, ?), snippet(documents_fts, 1, ?, ?, '…', ?)
			FROM documents_fts f JOIN documents d ON d.id = f.rowid LEFT JOIN sources s ON s.id = d.source_id
			WHERE documents_fts MATCH ? AND f.rowid >= ? AND f.rowid <= ? AND f.rowid IN (` + placeholders(len(ids)) + `)`
		args = append([]any{newstrace.SnippetStart, newstrace.SnippetEnd, newstrace.SnippetStart, newstrace.SnippetEnd, snippetTokens, match, lo, hi}, ids...)
	} else {
		query = `SELECT ` + cols + `, d.title, substr(d.text, 1, 400)
			FROM documents d LEFT JOIN sources s ON s.id = d.source_id WHERE d.id IN (` + placeholders(len(ids)) + `)`
		args = ids
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("load hits: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]newstrace.SearchHit, len(page))
	for rows.Next() {
		var h newstrace.SearchHit
		var site, firstSeen string
		var published sql.NullString
		if err := rows.Scan(&h.DocumentID, &h.StoryID, &h.Title, &h.URL, &h.Source, &site, &h.Language,
			&published, &firstSeen, &h.TitleMarked, &h.Snippet); err != nil {
			return nil, fmt.Errorf("load hits: %w", err)
		}
		if h.Source == "" {
			h.Source = site
		}
		if published.Valid {
			t, err := parseTime(published.String)
			if err != nil {
				return nil, err
			}
			h.Published = &t
		}
		if h.FirstSeen, err = parseTime(firstSeen); err != nil {
			return nil, err
		}
		if match == "" {
			h.Snippet = openingWords(h.Snippet, 200)
		}
		byID[h.DocumentID] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load hits: %w", err)
	}
	hits := make([]newstrace.SearchHit, 0, len(page))
	for _, g := range page {
		h, ok := byID[g.best.id]
		if !ok {
			return nil, fmt.Errorf("load hit %d: %w", g.best.id, sql.ErrNoRows)
		}
		h.Score, h.MoreInStory = g.best.score, g.more
		hits = append(hits, h)
	}
	return hits, nil
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
