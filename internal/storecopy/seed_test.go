package storecopy_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/postgres"
	"github.com/newstrace/newstrace/internal/sqlite"
)

// testDSN is the PostgreSQL URL from NEWSTRACE_TEST_POSTGRES, or a skip.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("NEWSTRACE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("set NEWSTRACE_TEST_POSTGRES=postgres://user@127.0.0.1:5432/db to run the copy tests")
	}
	return dsn
}

// openDest opens a migrated PostgreSQL store in a fresh schema, dropped
// when the test ends.
func openDest(t testing.TB) *postgres.DB {
	t.Helper()
	dsn := testDSN(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "newstrace_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema, Migrate: true, MaxConns: 4})
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer pool.Close()
		if _, err := pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return db
}

// base is a fixed instant with nanoseconds, so truncation anywhere shows.
var base = time.Date(2024, 5, 14, 9, 30, 0, 123456789, time.UTC)

// clock ticks by an uneven step with nanoseconds on every call.
func clock() func() time.Time {
	var mu sync.Mutex
	now := base
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(1234567891 * time.Nanosecond)
		return now
	}
}

// world is what seed built, for the comparisons.
type world struct {
	users     []newstrace.User
	tokens    []string // token hashes
	docIDs    []int64
	sourceIDs []int64
	bands     [][]uint64
}

// seedSQLite builds a SQLite store at path with docs documents and every
// kind of row a store holds, through the Store API.
func seedSQLite(t testing.TB, path string, docs int) world {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	defer db.Close()
	db.Now = clock()
	return seed(t, db, docs)
}

var words = strings.Fields(`the minister said on tuesday that talks would resume after
	the summit in Zürich, où les délégués — 代表 — met with observers; flooding in the
	valley displaced thousands and the central bank held rates while markets fell 🌧`)

func seed(t testing.TB, s newstrace.Store, docs int) world {
	t.Helper()
	ctx := context.Background()
	r := mrand.New(mrand.NewPCG(7, 11))
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	var w world
	text := func(n int) string {
		var paras []string
		for p := 0; p < 2+r.IntN(4); p++ {
			ws := make([]string, 20+r.IntN(60))
			for i := range ws {
				ws[i] = words[r.IntN(len(words))]
			}
			paras = append(paras, strings.Join(ws, " ")+fmt.Sprintf(" (%d.%d)", n, p))
		}
		return strings.Join(paras, "\n\n")
	}

	var sources []newstrace.Source
	for i, name := range []string{"Daily Planet", "Le Monde Diplo", "Wire Agency", "Ünïcode Times", "Blogspot Reposts"} {
		src, err := s.EnsureSource(ctx, newstrace.Source{Name: name, SiteURL: fmt.Sprintf("https://s%d.example/", i),
			Language: []string{"en", "fr", "en", "de", "en"}[i]})
		must("EnsureSource", err)
		sources = append(sources, src)
		w.sourceIDs = append(w.sourceIDs, src.ID)
	}
	var feeds []newstrace.Feed
	for i := range 9 {
		f := newstrace.Feed{SourceID: sources[i%len(sources)].ID, URL: fmt.Sprintf("https://s%d.example/feed/%d.xml", i%5, i),
			Title: fmt.Sprintf("Feed %d", i), SiteURL: fmt.Sprintf("https://s%d.example/", i%5),
			Folder: []string{"", "World", "Tech", "Wörld ünï", "World"}[i%5]}
		must("CreateFeed", s.CreateFeed(ctx, &f))
		if i%3 == 0 {
			f.ETag, f.LastModified = fmt.Sprintf(`"etag-%d"`, i), "Tue, 14 May 2024 09:30:00 GMT"
			f.LastPolledAt = base.Add(time.Duration(i) * time.Hour)
			f.NextPollAt = f.LastPolledAt.Add(17*time.Minute + 3*time.Nanosecond)
		}
		if i%4 == 1 {
			f.FailureCount, f.LastError, f.LastErrorAt = 3, "HTTP 503: try later", base.Add(time.Minute)
		}
		must("UpdateFeed", s.UpdateFeed(ctx, f))
		feeds = append(feeds, f)
	}

	for n := range docs {
		published := base.Add(time.Duration(n)*time.Minute + time.Duration(r.IntN(1e9)))
		d := newstrace.Document{
			URL:          fmt.Sprintf("https://s%d.example/a/%d?utm_source=x", n%5, n),
			CanonicalURL: fmt.Sprintf("https://s%d.example/a/%d", n%5, n),
			Title:        fmt.Sprintf("Story %d: talks résumé — 代表 %q", n, "quoted"),
			Authors:      []string{"Jane Doe", "José Ñúñez"}[:1+n%2],
			Published:    &published,
			FirstSeen:    base.Add(time.Duration(n)*time.Minute + 999*time.Nanosecond),
			Language:     []string{"en", "fr", "de"}[n%3],
			SiteName:     sources[n%5].Name,
			Text:         text(n),
			HTML:         fmt.Sprintf("<p>Paragraph &amp; one of %d.</p>", n),
			Removed:      []newstrace.Removed{{Kind: "social", Text: "Follow us on Facebook!"}, {Kind: "donation", Text: "Donate ♥"}},
			Provenance:   newstrace.Provenance{Outlet: sources[n%5].Name, OriginalSource: "Wire Agency", ViaURL: "https://t.co/x" + fmt.Sprint(n)},
			ContentHash:  fmt.Sprintf("%064x", n+1),
		}
		if n%7 == 0 {
			d.Published = nil
		}
		if n%11 == 0 {
			d.Authors, d.Removed = []string{}, []newstrace.Removed{}
		}
		f := feeds[n%len(feeds)]
		g := newstrace.Sighting{FeedID: f.ID, SourceID: f.SourceID, EntryKey: fmt.Sprintf("guid-%d", n), URL: d.URL,
			SeenAt: d.FirstSeen.Add(time.Second)}
		if n%10 == 9 { // an ingested file: no feed
			d.Path = fmt.Sprintf("/corpus/%d.html", n)
			g = newstrace.Sighting{EntryKey: "file:" + d.Path, SeenAt: d.FirstSeen}
		}
		res, err := s.SaveDocument(ctx, d, g)
		must("SaveDocument", err)
		w.docIDs = append(w.docIDs, res.Document.ID)
		if n%13 == 0 { // seen again in another feed: a second sighting
			f2 := feeds[(n+1)%len(feeds)]
			_, err := s.SaveDocument(ctx, d, newstrace.Sighting{FeedID: f2.ID, SourceID: f2.SourceID,
				EntryKey: fmt.Sprintf("guid-again-%d", n), URL: d.URL, SeenAt: d.FirstSeen.Add(time.Hour)})
			must("SaveDocument again", err)
		}
		fp := make([]byte, 64)
		for i := range fp {
			fp[i] = byte(r.UintN(256))
		}
		bands := []uint64{r.Uint64(), r.Uint64(), uint64(n % 17), 1<<63 + uint64(n%5)} // shared keys, high bit set
		must("SaveFingerprint", s.SaveFingerprint(ctx, res.Document.ID, fp, bands))
		w.bands = append(w.bands, bands)
		if es, ok := s.(newstrace.EmbeddingStore); ok && n%4 != 3 { // some documents have none
			vec := make([]float32, 16)
			for i := range vec {
				vec[i] = r.Float32()*2 - 1
			}
			must("SaveEmbedding", es.SaveEmbedding(ctx, res.Document.ID, []string{"model-a", "model-b"}[n%2], vec))
		}
	}

	// Stories: groups of three merged, with a provenance graph; an outlet
	// edge with no document of its own.
	for i := 0; i+2 < len(w.docIDs); i += 10 {
		a, b, c := w.docIDs[i], w.docIDs[i+1], w.docIDs[i+2]
		story, err := s.MergeStories(ctx, []int64{a, b, c})
		must("MergeStories", err)
		must("ReplaceStoryGraph", s.ReplaceStoryGraph(ctx, story, a, []newstrace.Edge{
			{FromID: a, ToID: b, Kind: newstrace.EdgeRepost, Confidence: 0.93, Evidence: "copied 91% of sentences"},
			{FromID: a, ToID: c, Kind: newstrace.EdgeSyndication, Confidence: 0.5},
			{FromOutlet: "Al Mayadeen", ToID: a, Kind: newstrace.EdgeTranslation, Confidence: 0.8, Evidence: "translated from"},
		}))
		if i%30 == 0 {
			must("AddEdge", s.AddEdge(ctx, story, newstrace.Edge{FromID: c, ToID: b, Kind: newstrace.EdgeCites, Confidence: 1.0 / 3}))
		}
	}

	for i, name := range []string{"alice", "bob", "Zoë"} {
		u := newstrace.User{Name: name, PasswordHash: fmt.Sprintf("$2a$10$hash-of-%d", i)}
		must("CreateUser", s.CreateUser(ctx, &u))
		w.users = append(w.users, u)
		for k := range 2 {
			hash := fmt.Sprintf("tokenhash-%d-%d", i, k)
			must("CreateToken", s.CreateToken(ctx, &newstrace.Token{UserID: u.ID, Name: fmt.Sprintf("token %d", k), Hash: hash}))
			w.tokens = append(w.tokens, hash)
		}
	}
	must("SetFeverKey", s.SetFeverKey(ctx, w.users[0].ID, "feverhash-alice"))
	ids := w.docIDs
	pick := func(from, step int) []int64 {
		var out []int64
		for i := from; i < len(ids); i += step {
			out = append(out, ids[i])
		}
		return out
	}
	alice, bob := w.users[0].ID, w.users[1].ID
	must("SetRead", s.SetRead(ctx, alice, pick(0, 2), true))
	must("SetRead", s.SetRead(ctx, bob, pick(1, 5), true))
	must("SetRead off", s.SetRead(ctx, alice, pick(0, 8), false))
	must("SetStarred", s.SetStarred(ctx, alice, pick(3, 9), true))
	must("SetStarred", s.SetStarred(ctx, bob, pick(0, 25), true))
	must("AddTag", s.AddTag(ctx, alice, pick(2, 7), "climate"))
	must("AddTag", s.AddTag(ctx, alice, pick(4, 11), "to read ✓"))
	must("AddTag", s.AddTag(ctx, bob, pick(5, 13), "climate"))
	for i := 0; i < len(ids); i += 17 {
		_, err := s.SetNote(ctx, newstrace.Note{DocumentID: ids[i], UserID: w.users[i%3].ID, Text: fmt.Sprintf("check the numbers in %d — «sic»", i)})
		must("SetNote document", err)
	}
	stories, err := s.Stories(ctx, newstrace.StoryFilter{Limit: 5})
	must("Stories", err)
	for i, st := range stories {
		_, err := s.SetNote(ctx, newstrace.Note{StoryID: st.ID, UserID: w.users[i%2].ID, Text: "follow up " + fmt.Sprint(i)})
		must("SetNote story", err)
	}
	for i, feed := range []string{"/feeds/stories", "/feeds/sources/1", "/feeds/folders/World"} {
		must("CreateFeedToken", s.CreateFeedToken(ctx, &newstrace.FeedToken{UserID: w.users[i%2].ID, Feed: feed, Hash: "feedtoken-" + fmt.Sprint(i)}))
	}
	must("CreateWebhook", s.CreateWebhook(ctx, &newstrace.Webhook{URL: "https://hooks.example/a", Event: newstrace.EventOutletAdded, Secret: "s3cret"}))
	must("CreateWebhook", s.CreateWebhook(ctx, &newstrace.Webhook{URL: "http://10.0.0.5/hook", Event: newstrace.EventSearchMatch,
		Query: `"central bank" -rumour`, Secret: "other", AllowPrivate: true}))
	for i, id := range ids {
		if i%5 != 0 {
			continue
		}
		lines := []newstrace.SourceLine{
			{Key: "k-footer", Norm: "all rights reserved", Text: "© All rights reserved."},
			{Key: fmt.Sprintf("k-body-%d", i), Norm: fmt.Sprintf("unique paragraph %d", i), Text: fmt.Sprintf("Unique paragraph %d.", i)},
		}
		if i%10 == 0 {
			lines = append(lines, newstrace.SourceLine{Key: "k-follow", Norm: "follow us", Text: "Follow us!"})
		}
		must("RecordLines", s.RecordLines(ctx, sources[0].ID, id, lines, 50))
	}
	return w
}

// same fails the test unless fn returns equal values (times compared at
// microseconds, PostgreSQL's precision) from both stores.
func same[T any](t *testing.T, what string, want, got newstrace.Store, fn func(newstrace.Store) (T, error)) T {
	t.Helper()
	a, err := fn(want)
	if err != nil {
		t.Fatalf("%s from SQLite: %v", what, err)
	}
	b, err := fn(got)
	if err != nil {
		t.Fatalf("%s from PostgreSQL: %v", what, err)
	}
	truncTimes(reflect.ValueOf(&a))
	truncTimes(reflect.ValueOf(&b))
	if !reflect.DeepEqual(a, b) {
		t.Errorf("%s differ:\nSQLite     %s\nPostgreSQL %s", what, short(a), short(b))
	}
	return a
}

func short(v any) string {
	s := fmt.Sprintf("%+v", v)
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return s
}

var timeType = reflect.TypeFor[time.Time]()

// truncTimes truncates every time.Time reachable from v to microseconds in UTC.
func truncTimes(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			truncTimes(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == timeType {
			if v.CanSet() {
				v.Set(reflect.ValueOf(v.Interface().(time.Time).Truncate(time.Microsecond).UTC()))
			}
			return
		}
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				truncTimes(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			truncTimes(v.Index(i))
		}
	}
}

// compareStores reads everything a store serves from both and fails on any difference.
func compareStores(t *testing.T, want, got newstrace.Store, w world) {
	t.Helper()
	ctx := context.Background()
	same(t, "Sources", want, got, func(s newstrace.Store) ([]newstrace.Source, error) { return s.Sources(ctx) })
	same(t, "Feeds", want, got, func(s newstrace.Store) ([]newstrace.Feed, error) { return s.Feeds(ctx) })
	same(t, "Folders", want, got, func(s newstrace.Store) ([]newstrace.Folder, error) { return s.Folders(ctx) })
	docs := same(t, "Documents", want, got, func(s newstrace.Store) ([]newstrace.Document, error) {
		return s.Documents(ctx, newstrace.DocumentFilter{Limit: 1 << 20})
	})
	if len(docs) != len(w.docIDs) {
		t.Errorf("Documents: %d, seeded %d", len(docs), len(w.docIDs))
	}
	same(t, "Stories", want, got, func(s newstrace.Store) ([]newstrace.Story, error) {
		return s.Stories(ctx, newstrace.StoryFilter{Limit: -1})
	})
	same(t, "Sightings and fingerprints", want, got, func(s newstrace.Store) ([]any, error) {
		var out []any
		for _, id := range w.docIDs {
			sg, err := s.Sightings(ctx, id)
			if err != nil {
				return nil, err
			}
			fp, err := s.Fingerprint(ctx, id)
			if err != nil {
				return nil, err
			}
			out = append(out, sg, fp)
		}
		return out, nil
	})
	// A source: filter finds a document through any source that sighted it,
	// which PostgreSQL keeps in a column its sightings trigger fills as the
	// sightings are copied.
	same(t, "Documents by source", want, got, func(s newstrace.Store) ([][]int64, error) {
		srcs, err := s.Sources(ctx)
		if err != nil {
			return nil, err
		}
		var out [][]int64
		for _, src := range srcs {
			res, err := s.Search(ctx, newstrace.SearchQuery{Sources: []string{src.Name}, Limit: newstrace.SearchMaxLimit})
			if err != nil {
				return nil, err
			}
			var ids []int64
			for _, h := range res.Hits {
				ids = append(ids, h.DocumentID)
			}
			slices.Sort(ids)
			out = append(out, append(ids, int64(res.Documents)))
		}
		return out, nil
	})
	same(t, "Embeddings", want, got, func(s newstrace.Store) ([]any, error) {
		es, ok := s.(newstrace.EmbeddingStore)
		if !ok {
			return nil, fmt.Errorf("%T keeps no embeddings", s)
		}
		var out []any
		for _, id := range w.docIDs {
			model, vec, err := es.Embedding(ctx, id)
			if err != nil && !newstrace.IsNotFound(err) {
				return nil, err
			}
			out = append(out, model, vec)
		}
		for _, lang := range []string{"", "en"} {
			hits, err := es.EmbeddingCandidates(ctx, "model-a", base.Add(time.Hour), time.Hour, lang, 0)
			if err != nil {
				return nil, err
			}
			out = append(out, hits)
		}
		return out, nil
	})
	same(t, "NearCandidates", want, got, func(s newstrace.Store) ([][]int64, error) {
		var out [][]int64
		for i := 0; i < len(w.bands); i += 7 {
			ids, err := s.NearCandidates(ctx, w.bands[i], 0)
			if err != nil {
				return nil, err
			}
			out = append(out, ids)
		}
		return out, nil
	})
	same(t, "Users and tokens", want, got, func(s newstrace.Store) ([]newstrace.User, error) {
		var out []newstrace.User
		for _, u := range w.users {
			x, err := s.User(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		for _, h := range w.tokens {
			x, err := s.UserByTokenHash(ctx, h)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		x, err := s.UserByFeverKey(ctx, "feverhash-alice")
		return append(out, x), err
	})
	for _, u := range w.users {
		name := "user " + u.Name + ": "
		same(t, name+"DocumentStates", want, got, func(s newstrace.Store) ([]newstrace.DocumentState, error) {
			return s.DocumentStates(ctx, u.ID, w.docIDs)
		})
		same(t, name+"Tags", want, got, func(s newstrace.Store) ([]string, error) { return s.Tags(ctx, u.ID) })
		same(t, name+"Items", want, got, func(s newstrace.Store) ([]newstrace.Item, error) {
			return s.Items(ctx, newstrace.ItemFilter{UserID: u.ID, Limit: -1})
		})
		same(t, name+"starred Items", want, got, func(s newstrace.Store) ([]newstrace.Item, error) {
			return s.Items(ctx, newstrace.ItemFilter{UserID: u.ID, Starred: true, Limit: -1})
		})
		same(t, name+"UnreadCounts", want, got, func(s newstrace.Store) ([]newstrace.UnreadCount, error) {
			return s.UnreadCounts(ctx, u.ID)
		})
		same(t, name+"FeedTokens", want, got, func(s newstrace.Store) ([]newstrace.FeedToken, error) {
			return s.FeedTokens(ctx, u.ID)
		})
	}
	same(t, "Notes", want, got, func(s newstrace.Store) ([]newstrace.Note, error) {
		return s.Notes(ctx, newstrace.NoteFilter{Limit: -1})
	})
	same(t, "Webhooks", want, got, func(s newstrace.Store) ([]newstrace.Webhook, error) { return s.Webhooks(ctx) })
	same(t, "Counts", want, got, func(s newstrace.Store) (newstrace.StoreCounts, error) { return s.Counts(ctx) })
	same(t, "SourceLines", want, got, func(s newstrace.Store) ([]any, error) {
		var out []any
		for _, id := range w.sourceIDs {
			lines, n, err := s.SourceLines(ctx, id, 50, 1)
			if err != nil {
				return nil, err
			}
			out = append(out, lines, n)
		}
		return out, nil
	})
}

// sqlitePath is a fresh store file in a test directory.
func sqlitePath(t testing.TB) string { return filepath.Join(t.TempDir(), "newstrace.db") }
