package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

func saveDocs(t testing.TB, db *DB, n int) []newstrace.Document {
	t.Helper()
	out := make([]newstrace.Document, n)
	for i := range out {
		res, err := db.SaveDocument(context.Background(), newstrace.Document{
			URL: fmt.Sprintf("https://merge.example/%d", i), Title: fmt.Sprintf("Story %d", i),
			Text: fmt.Sprintf("Text %d.", i), Language: "en", ContentHash: fmt.Sprintf("m%d", i),
		}, newstrace.Sighting{})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = res.Document
	}
	return out
}

// TestMergeStoriesAcrossProcesses: 8 workers, each with its own pool (as
// separate processes, openProcesses), merge overlapping sets of 40 documents and rewrite
// the graphs of the stories they produce, all at once. The pairs (i, i+1)
// are all among the merges, so everything ends in the oldest story; no
// edge may be left filed under a story its documents are not in.
func TestMergeStoriesAcrossProcesses(t *testing.T) {
	db, dbs := openProcesses(t, processes)
	ctx := t.Context()
	ds := saveDocs(t, db, 40)
	errs := make(chan error, processes)
	race(processes, func(w int) {
		r := rand.New(rand.NewPCG(uint64(w), 1))
		st := dbs[w]
		for i := w; i+1 < len(ds); i += processes {
			set := []int64{ds[i+1].ID, ds[i].ID}
			for range r.IntN(3) { // and a few random others
				set = append(set, ds[r.IntN(len(ds))].ID)
			}
			into, err := st.MergeStories(ctx, set)
			if err != nil {
				errs <- err
				return
			}
			s, err := st.Story(ctx, into)
			if newstrace.IsNotFound(err) {
				continue // merged away meanwhile
			} else if err != nil {
				errs <- err
				return
			}
			if len(s.Documents) == 0 {
				continue
			}
			var edges []newstrace.Edge
			for j := 1; j < len(s.Documents); j++ {
				edges = append(edges, newstrace.Edge{FromID: s.Documents[0].ID, ToID: s.Documents[j].ID, Kind: newstrace.EdgeRepost})
			}
			err = st.ReplaceStoryGraph(ctx, into, s.Documents[0].ID, edges)
			if code := newstrace.ErrorCode(err); err != nil && code != newstrace.ECONFLICT && code != newstrace.ENOTFOUND {
				errs <- err
				return
			}
		}
	})
	close(errs)
	for err := range errs {
		t.Fatalf("worker: %v", err)
	}
	var stories, strayEdges int
	err := db.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM stories), (SELECT count(*) FROM edges e
		JOIN documents t ON t.id = e.to_id LEFT JOIN documents f ON f.id = e.from_id
		WHERE t.story_id <> e.story_id OR f.story_id <> e.story_id)`).Scan(&stories, &strayEdges)
	if err != nil {
		t.Fatal(err)
	}
	if stories != 1 || strayEdges != 0 {
		t.Errorf("%d stories, %d edges outside their story; want 1 and 0", stories, strayEdges)
	}
	for _, d := range ds {
		got, err := db.Document(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.StoryID != ds[0].StoryID {
			t.Errorf("document %d in story %d, want the oldest %d", d.ID, got.StoryID, ds[0].StoryID)
		}
	}
}

// TestSaveFingerprintConcurrent: saves of one document racing from two
// pools leave exactly the postings of the fingerprint that won.
func TestSaveFingerprintConcurrent(t *testing.T) {
	db, dbs := openProcesses(t, 2)
	ctx := t.Context()
	doc := saveDocs(t, db, 1)[0]
	race(len(dbs), func(w int) {
		for i := range 20 {
			base := uint64(w*1000 + i*10)
			if err := dbs[w].SaveFingerprint(ctx, doc.ID, []byte{byte(w), byte(i)}, []uint64{base, base + 1, base + 2, 1 << 63}); err != nil {
				t.Error(err)
			}
		}
	})
	var stored, postings []int64
	if err := db.pool.QueryRow(ctx, `SELECT ARRAY(SELECT k FROM unnest(lsh_keys(bands)) k ORDER BY 1), ARRAY(SELECT band_key FROM lsh_bands WHERE document_id = $1 ORDER BY 1)
		FROM fingerprints WHERE document_id = $1`, doc.ID).Scan(&stored, &postings); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored, postings) {
		t.Errorf("postings %v, want the stored bands %v", postings, stored)
	}

	// Deleting the document drops its fingerprint and, by trigger, its postings.
	if _, err := db.pool.Exec(ctx, `DELETE FROM documents WHERE id = $1`, doc.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := db.NearCandidates(ctx, []uint64{1 << 63}, 0); err != nil || len(got) != 0 {
		t.Errorf("NearCandidates after delete = %v, %v; want none", got, err)
	}
	err := db.SaveFingerprint(ctx, doc.ID, []byte("x"), []uint64{1})
	if code := newstrace.ErrorCode(err); code != newstrace.ENOTFOUND {
		t.Errorf("SaveFingerprint(deleted) = %v, want ENOTFOUND", err)
	}
}

// TestTermDocFreqStatistics: past statsFrom documents, terms among
// ANALYZE's most common lexemes are estimated from their frequency, the
// rest counted (up to dfCap), and the total is the planner's estimate.
func TestTermDocFreqStatistics(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	docs := make([]corpusDoc, 400)
	for i := range docs {
		text := fmt.Sprintf("Everyone mentions kowloon. Document number w%d.", i)
		if i%4 == 0 {
			text += " Quarterly harbour report."
		}
		if i == 7 {
			text += " Zanzibar once."
		}
		docs[i] = corpusDoc{id: int64(i + 1), title: "Daily", text: text, lang: "en", published: time.Now()}
	}
	copyDocs(t, db, docs)
	if _, err := db.pool.Exec(ctx, `ANALYZE documents`); err != nil {
		t.Fatal(err)
	}
	terms := []string{"kowloon", "Harbour", "zanzibar", "w12", "nowhere"}
	exact, total, err := db.TermDocFreq(ctx, terms)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"kowloon": 400, "Harbour": 100, "zanzibar": 1, "w12": 1}
	if !mapsEqual(exact, want) || total != 400 {
		t.Errorf("exact TermDocFreq = %v, %d; want %v, 400", exact, total, want)
	}

	defer func(old, from int) { totalExactBelow, statsFrom = old, from }(totalExactBelow, statsFrom)
	totalExactBelow, statsFrom = 100, 100
	est, total, err := db.TermDocFreq(ctx, terms)
	if err != nil {
		t.Fatal(err)
	}
	if total < 360 || total > 440 {
		t.Errorf("estimated total %d, want about 400", total)
	}
	for term, n := range want {
		if got := est[term]; got < n*9/10 || got > n*11/10+1 {
			t.Errorf("estimated df[%s] = %d, want about %d", term, got, n)
		}
	}
	if _, ok := est["nowhere"]; ok {
		t.Errorf("df holds a term found nowhere: %v", est)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestNearCandidatesHotKey: a key shared by thousands of documents (the
// bands of a boilerplate text) neither costs a scan of its postings nor
// crowds out the document sharing most keys.
func TestNearCandidatesHotKey(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	copyDocs(t, db, []corpusDoc{{id: 900000, title: "Near", text: "copy", lang: "en", published: time.Now()}})
	hot := uint64(1) << 63
	var bands []uint64
	for k := range uint64(32) {
		bands = append(bands, 1000+k)
	}
	if err := db.SaveFingerprint(ctx, 900000, []byte("fp"), append(bands, hot)); err != nil {
		t.Fatal(err)
	}
	// Postings of documents that do not exist, as after deletes: allowed.
	if _, err := db.pool.Exec(ctx, `INSERT INTO lsh_bands SELECT $1, g FROM generate_series(1, 5000) g`, int64(hot)); err != nil {
		t.Fatal(err)
	}
	got, err := db.NearCandidates(ctx, append(bands[:20], hot), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 || !slices.IsSorted(got) || !slices.Contains(got, 900000) {
		t.Errorf("NearCandidates = %v, want 10 ids, ascending, with 900000", got)
	}
}
