package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/search"
)

func openRankTest(t *testing.T, docs []newstrace.Document) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "rank.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for i, d := range docs {
		if d.URL == "" {
			d.URL = fmt.Sprintf("https://rank.example/%d", i)
		}
		if _, err := db.SaveDocument(t.Context(), d, newstrace.Sighting{}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// With exact document frequencies, newstrace_bm25 scores every row as FTS5's
// bm25() does, for each kind of expression Search builds.
func TestRankMatchesBM25(t *testing.T) {
	var docs []newstrace.Document
	words := []string{"flood", "river", "storm", "city", "council", "bridge", "rain", "mayor"}
	for i := range 60 {
		title := words[i%len(words)] + " " + words[(i/3)%len(words)]
		text := ""
		for j := range 5 + i%7 {
			text += words[(i*j+j)%len(words)] + " " + words[(i+j*5)%len(words)] + " news. "
		}
		docs = append(docs, newstrace.Document{Title: title, Text: text})
	}
	db := openRankTest(t, docs)
	for _, in := range []string{`flood`, `flood river`, `flood OR mayor`, `"river flood"`, `brid*`, `rain -city`, `flood OR "city council" mayor -bridge`} {
		t.Run(in, func(t *testing.T) {
			q, err := search.Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			fq := matchExpr(q.Clauses)
			err = db.read(t.Context(), func(tx *sql.Tx) error {
				dfs := make([]any, len(fq.phrases))
				for i, p := range fq.phrases {
					var n int64
					if p != "" {
						if err := tx.QueryRowContext(t.Context(), `SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?`, p).Scan(&n); err != nil {
							return err
						}
					}
					dfs[i] = n
				}
				rows, err := tx.QueryContext(t.Context(), `SELECT rowid, bm25(documents_fts, `+searchWeights+`), `+searchRank(len(dfs))+`
					FROM documents_fts WHERE documents_fts MATCH ?`, append(dfs, fq.match)...)
				if err != nil {
					return err
				}
				defer rows.Close()
				n := 0
				for rows.Next() {
					var id int64
					var want, got float64
					if err := rows.Scan(&id, &want, &got); err != nil {
						return err
					}
					if math.Abs(want-got) > 1e-9*math.Abs(want) {
						t.Errorf("row %d: newstrace_bm25 %v, bm25 %v", id, got, want)
					}
					n++
				}
				if n == 0 {
					t.Errorf("no rows matched %s", fq.match)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A call with the wrong number of frequencies is an error, not a bad score.
func TestRankArgumentCount(t *testing.T) {
	db := openRankTest(t, []newstrace.Document{{Title: "flood", Text: "river"}})
	var score float64
	err := db.reader.QueryRowContext(context.Background(), `SELECT `+rankFunction+`(documents_fts, 5.0, 1.0)
		FROM documents_fts WHERE documents_fts MATCH 'flood'`).Scan(&score)
	if err == nil {
		t.Fatalf("no error, score %v", score)
	}
}

// Document frequencies come from the cache until the store grows by more
// than dfMaxChange; counts stop at half the rows, where BM25's IDF floors.
func TestDocFreqs(t *testing.T) {
	var docs []newstrace.Document
	for i := range 40 {
		text := "common words here"
		if i%10 == 0 {
			text += " rare"
		}
		docs = append(docs, newstrace.Document{Title: fmt.Sprint("doc ", i), Text: text})
	}
	db := openRankTest(t, docs)
	phrases := []string{`"rare"`, `"common"`, ""}
	get := func() []int64 {
		t.Helper()
		var out []int64
		err := db.read(t.Context(), func(tx *sql.Tx) error {
			st, err := db.docFreqs(t.Context(), tx, phrases)
			out = st.dfs
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got, want := get(), []int64{4, 20, 0}; !reflect.DeepEqual(got, want) {
		t.Fatalf("docFreqs = %v, want %v", got, want)
	}
	// One more document is 2.5% growth: the cached counts stand.
	if _, err := db.SaveDocument(t.Context(), newstrace.Document{URL: "https://rank.example/a", Title: "x", Text: "rare"}, newstrace.Sighting{}); err != nil {
		t.Fatal(err)
	}
	if got := get(); got[0] != 4 {
		t.Errorf("after 2.5%% growth df(rare) = %d, want the cached 4", got[0])
	}
	for _, u := range []string{"b", "c"} {
		if _, err := db.SaveDocument(t.Context(), newstrace.Document{URL: "https://rank.example/" + u, Title: "x", Text: "rare"}, newstrace.Sighting{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := get(); got[0] != 7 {
		t.Errorf("after 7.5%% growth df(rare) = %d, want a recount, 7", got[0])
	}
}
