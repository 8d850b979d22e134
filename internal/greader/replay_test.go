package greader

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/sqlite"
	"golang.org/x/crypto/bcrypt"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	// Spaces: NetNewsWire sends them raw, Fluent Reader as '+'.
	alicePass = "correct horse battery"
	bobPass   = "tr0ub4dor&3"
)

// world is a real SQLite store with two users, two feeds and four items.
type world struct {
	store        *sqlite.DB
	alice, bob   newstrace.User
	feedA, feedB newstrace.Feed
	docs         []int64 // docs[1..4]; docs[5] is ingested (not an item)
	added        []int64
	srv          *httptest.Server
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "greader.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return testNow }
	t.Cleanup(func() { db.Close() })
	w := &world{store: db, docs: make([]int64, 6)}
	for _, u := range []struct {
		dst      *newstrace.User
		name, pw string
	}{{&w.alice, "alice", alicePass}, {&w.bob, "bob", bobPass}} {
		h, err := bcrypt.GenerateFromPassword([]byte(u.pw), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		*u.dst = newstrace.User{Name: u.name, PasswordHash: string(h)}
		if err := db.CreateUser(ctx, u.dst); err != nil {
			t.Fatal(err)
		}
	}
	w.feedA = newstrace.Feed{URL: "https://planet.example/feed.xml", Title: "Daily Planet", SiteURL: "https://planet.example/", Folder: "World"}
	w.feedB = newstrace.Feed{URL: "https://tech.example/rss", Title: "Tech Wire", Folder: "Tech"}
	for _, f := range []*newstrace.Feed{&w.feedA, &w.feedB} {
		if err := db.CreateFeed(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 5; i++ {
		pub := testNow.Add(-time.Duration(10-i) * time.Hour)
		d := newstrace.Document{
			URL: fmt.Sprintf("https://planet.example/a/%d", i), Title: fmt.Sprintf("Article %d", i),
			Authors: []string{"Lois Lane"}, Published: &pub, Text: fmt.Sprintf("Body <%d>.", i),
			ContentHash: fmt.Sprintf("h%d", i),
		}
		if i == 1 {
			d.HTML = `<p onclick="x()">Body <b>1</b>.</p><script>alert(1)</script>`
		}
		g := newstrace.Sighting{FeedID: w.feedA.ID, EntryKey: fmt.Sprint(i), SeenAt: testNow.Add(-time.Duration(10-i) * time.Hour)}
		switch i {
		case 4:
			g.FeedID = w.feedB.ID
		case 5:
			g = newstrace.Sighting{SeenAt: testNow}
		}
		res, err := db.SaveDocument(ctx, d, g)
		if err != nil {
			t.Fatal(err)
		}
		w.docs[i] = res.Document.ID
	}
	h, err := New(Config{Store: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return testNow },
		Key: []byte("0123456789abcdef0123456789abcdef"), OnFeedAdded: func(_ context.Context, id int64) { w.added = append(w.added, id) }})
	if err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(h)
	t.Cleanup(w.srv.Close)
	return w
}

// step is one request of a fixture: "## name", request line, headers, blank, body.
type step struct {
	name, method, target, body string
	header                     [][2]string
}

func loadSteps(t *testing.T, path string) []step {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var steps []step
	for _, block := range strings.Split(string(b), "\n## ")[1:] {
		lines := strings.Split(strings.TrimRight(block, "\n"), "\n")
		s := step{name: strings.TrimSpace(lines[0])}
		method, target, ok := strings.Cut(lines[1], " ")
		if !ok {
			t.Fatalf("%s: step %s: bad request line %q", path, s.name, lines[1])
		}
		s.method, s.target = method, target
		i := 2
		for ; i < len(lines) && lines[i] != ""; i++ {
			k, v, _ := strings.Cut(lines[i], ": ")
			s.header = append(s.header, [2]string{k, v})
		}
		if i < len(lines) {
			s.body = strings.Join(lines[i+1:], "\n")
		}
		steps = append(steps, s)
	}
	return steps
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body %s", ct, r.body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// replay runs the fixture's steps in order, each checked by checks[name];
// every step must have a check so fixture and test stay in step.
func replay(t *testing.T, w *world, path string, vars map[string]string, checks map[string]func(t *testing.T, r reply)) {
	t.Helper()
	steps := loadSteps(t, path)
	if len(steps) != len(checks) {
		t.Errorf("%s has %d steps, the test checks %d", path, len(steps), len(checks))
	}
	for _, s := range steps {
		check, ok := checks[s.name]
		if !ok {
			t.Fatalf("no check for step %q", s.name)
		}
		ok = t.Run(s.name, func(t *testing.T) {
			sub := func(x string) string {
				for k, v := range vars {
					x = strings.ReplaceAll(x, "{{"+k+"}}", v)
				}
				return x
			}
			req, err := http.NewRequest(s.method, w.srv.URL+sub(s.target), strings.NewReader(sub(s.body)))
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range s.header {
				req.Header.Set(h[0], sub(h[1]))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			check(t, reply{status: resp.StatusCode, header: resp.Header, body: string(b)})
		})
		if !ok && s.name == "login" {
			t.FailNow()
		}
	}
}

func (w *world) vars(user, pass string) map[string]string {
	v := map[string]string{
		"user": user, "password": pass, "password_enc": url.QueryEscape(pass),
		"feedA": strconv.FormatInt(w.feedA.ID, 10), "feedB": strconv.FormatInt(w.feedB.ID, 10),
		"since_float": fmt.Sprintf("%.6f", float64(testNow.Add(-90*24*time.Hour).UnixMicro())/1e6),
	}
	for i := 1; i <= 5; i++ {
		v[fmt.Sprintf("doc%d_hex", i)] = strconv.FormatInt(w.docs[i], 16)
		v[fmt.Sprintf("doc%d_hex16", i)] = fmt.Sprintf("%016x", w.docs[i])
	}
	return v
}

func wantStatus(t *testing.T, r reply, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
}

func wantOK(t *testing.T, r reply) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if r.body != "OK" {
		t.Errorf("body %q, want OK", r.body)
	}
}

// refIDs reads itemRefs[].id (decimal strings) and checks each ref's shape.
func refIDs(t *testing.T, r reply) []int64 {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	m := r.json(t)
	refs, ok := m["itemRefs"].([]any)
	if !ok {
		t.Fatalf("itemRefs is %T, want an array: %s", m["itemRefs"], r.body)
	}
	var ids []int64
	for _, x := range refs {
		ref := x.(map[string]any)
		s, ok := ref["id"].(string)
		id, err := strconv.ParseInt(s, 10, 64)
		if !ok || err != nil {
			t.Fatalf("itemRef id %v is not a decimal string", ref["id"])
		}
		if ts, ok := ref["timestampUsec"].(string); !ok || ts == "" {
			t.Errorf("itemRef %s timestampUsec = %v", s, ref["timestampUsec"])
		}
		ids = append(ids, id)
	}
	return ids
}

// contentItems checks stream contents' shape and returns items by id.
func contentItems(t *testing.T, r reply) (map[int64]map[string]any, []int64, map[string]any) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	m := r.json(t)
	items, ok := m["items"].([]any)
	if !ok {
		t.Fatalf("items is %T: %s", m["items"], r.body)
	}
	out := map[int64]map[string]any{}
	var order []int64
	for _, x := range items {
		it := x.(map[string]any)
		id, err := ParseItemID(it["id"].(string))
		if err != nil || !strings.HasPrefix(it["id"].(string), longPrefix) || len(it["id"].(string)) != len(longPrefix)+16 {
			t.Errorf("item id %v is not the padded long form", it["id"])
		}
		for _, k := range []string{"crawlTimeMsec", "timestampUsec", "title"} {
			if _, ok := it[k].(string); !ok {
				t.Errorf("item %d: %s is %T, want a string", id, k, it[k])
			}
		}
		if _, ok := it["published"].(float64); !ok {
			t.Errorf("item %d: published is %T, want a number", id, it["published"])
		}
		if s, ok := it["summary"].(map[string]any); !ok || s["content"] == nil {
			t.Errorf("item %d: summary = %v", id, it["summary"])
		}
		if o, ok := it["origin"].(map[string]any); !ok || !strings.HasPrefix(o["streamId"].(string), "feed/") {
			t.Errorf("item %d: origin = %v", id, it["origin"])
		}
		if c, ok := it["canonical"].([]any); !ok || len(c) != 1 {
			t.Errorf("item %d: canonical = %v", id, it["canonical"])
		}
		out[id] = it
		order = append(order, id)
	}
	return out, order, m
}

func categories(it map[string]any) []string {
	var out []string
	for _, c := range it["categories"].([]any) {
		out = append(out, c.(string))
	}
	return out
}

func TestReplayNetNewsWire(t *testing.T) {
	w := newWorld(t)
	v := w.vars("alice", alicePass)
	d := w.docs
	replay(t, w, "testdata/netnewswire.http", v, map[string]func(*testing.T, reply){
		"login": func(t *testing.T, r reply) {
			wantStatus(t, r, http.StatusOK)
			lines := strings.Split(strings.TrimSpace(r.body), "\n")
			if len(lines) != 3 || !strings.HasPrefix(lines[0], "SID=") || !strings.HasPrefix(lines[1], "LSID=") || !strings.HasPrefix(lines[2], "Auth=") {
				t.Fatalf("ClientLogin body %q", r.body)
			}
			v["auth"] = strings.TrimPrefix(lines[2], "Auth=")
		},
		"tags": func(t *testing.T, r reply) {
			wantStatus(t, r, http.StatusOK)
			var got []string
			for _, x := range r.json(t)["tags"].([]any) {
				tag := x.(map[string]any)
				got = append(got, fmt.Sprint(tag["id"], "|", tag["type"]))
			}
			want := []string{"user/-/state/com.google/starred|<nil>", "user/-/label/Tech|folder", "user/-/label/World|folder"}
			if !slices.Equal(got, want) {
				t.Errorf("tags = %q, want %q", got, want)
			}
		},
		"subscriptions": func(t *testing.T, r reply) {
			wantStatus(t, r, http.StatusOK)
			subs := r.json(t)["subscriptions"].([]any)
			if len(subs) != 2 {
				t.Fatalf("subscriptions = %v", subs)
			}
			var s map[string]any
			for _, x := range subs {
				if x.(map[string]any)["id"] == "feed/"+v["feedA"] {
					s = x.(map[string]any)
				}
			}
			cats := s["categories"].([]any)
			if s["id"] != "feed/"+v["feedA"] || s["title"] != "Daily Planet" || s["url"] != w.feedA.URL || s["htmlUrl"] != w.feedA.SiteURL ||
				len(cats) != 1 || cats[0].(map[string]any)["label"] != "World" || cats[0].(map[string]any)["id"] != "user/-/label/World" {
				t.Errorf("feed A's subscription = %v", s)
			}
		},
		"unread-ids-since": func(t *testing.T, r reply) {
			if got, want := refIDs(t, r), []int64{d[4], d[3], d[2], d[1]}; !slices.Equal(got, want) {
				t.Errorf("unread ids = %v, want %v (newest first, ingested doc %d excluded)", got, want, d[5])
			}
		},
		"token": func(t *testing.T, r reply) {
			wantStatus(t, r, http.StatusOK)
			if len(r.body) < 20 || strings.ContainsAny(r.body, " \n") {
				t.Fatalf("token %q", r.body)
			}
			v["T"] = r.body
		},
		"contents": func(t *testing.T, r reply) {
			items, _, _ := contentItems(t, r)
			if len(items) != 3 || items[d[1]] == nil || items[d[3]] == nil {
				t.Fatalf("contents for docs 1-3 returned %v", items)
			}
			body := items[d[1]]["summary"].(map[string]any)["content"].(string)
			if strings.Contains(body, "<script") || strings.Contains(body, "onclick") || !strings.Contains(body, "<b>1</b>") {
				t.Errorf("item body not sanitized: %q", body)
			}
			if got := items[d[2]]["summary"].(map[string]any)["content"]; got != "<p>Body &lt;2&gt;.</p>" {
				t.Errorf("text-only body = %q, want escaped paragraphs", got)
			}
			if cats := categories(items[d[1]]); !slices.Contains(cats, "user/-/state/com.google/reading-list") || !slices.Contains(cats, "user/-/label/World") || slices.Contains(cats, stateRead) {
				t.Errorf("categories = %q", cats)
			}
		},
		"mark-read": wantOK,
		"star":      wantOK,
		"unread-ids": func(t *testing.T, r reply) {
			if got, want := refIDs(t, r), []int64{d[4], d[3]}; !slices.Equal(got, want) {
				t.Errorf("after edit-tag read, unread ids = %v, want %v", got, want)
			}
		},
		"starred-ids": func(t *testing.T, r reply) {
			if got, want := refIDs(t, r), []int64{d[3]}; !slices.Equal(got, want) {
				t.Errorf("starred ids = %v, want %v", got, want)
			}
			// Bob shares nothing of it.
			if items, _ := w.store.Items(context.Background(), newstrace.ItemFilter{UserID: w.bob.ID, Starred: true}); len(items) != 0 {
				t.Errorf("bob sees alice's star: %v", items)
			}
		},
		"mark-unread": func(t *testing.T, r reply) {
			wantOK(t, r)
			st, _ := w.store.DocumentStates(context.Background(), w.alice.ID, []int64{d[1], d[2]})
			if st[0].ReadAt.IsZero() || !st[1].ReadAt.IsZero() {
				t.Errorf("states after r=read on doc 2: %+v", st)
			}
		},
		"subscribe": func(t *testing.T, r reply) {
			wantOK(t, r)
			f, err := w.store.FeedByURL(context.Background(), "https://wire.example/rss")
			if err != nil || f.Title != "Valley Wire" || f.Folder != "Wires" {
				t.Fatalf("subscribed feed = %+v, %v", f, err)
			}
			if !slices.Equal(w.added, []int64{f.ID}) {
				t.Errorf("OnFeedAdded got %v, want [%d]", w.added, f.ID)
			}
		},
		"rename": func(t *testing.T, r reply) {
			wantOK(t, r)
			if f, _ := w.store.Feed(context.Background(), w.feedB.ID); f.Title != "Tech Daily" || f.Folder != "Tech" {
				t.Errorf("renamed feed = %+v", f)
			}
		},
		"move-to-folder": func(t *testing.T, r reply) {
			wantOK(t, r)
			if f, _ := w.store.Feed(context.Background(), w.feedB.ID); f.Folder != "World" {
				t.Errorf("moved feed folder = %q", f.Folder)
			}
		},
		"unsubscribe": wantOK,
		"subscriptions-after": func(t *testing.T, r reply) {
			wantStatus(t, r, http.StatusOK)
			var urls []string
			for _, s := range r.json(t)["subscriptions"].([]any) {
				urls = append(urls, s.(map[string]any)["url"].(string))
			}
			slices.Sort(urls)
			if want := []string{w.feedA.URL, "https://wire.example/rss"}; !slices.Equal(urls, want) {
				t.Errorf("subscriptions = %q, want %q", urls, want)
			}
		},
		"stale-T": func(t *testing.T, r reply) {
			wantStatus(t, r, http.StatusUnauthorized)
			if r.header.Get("X-Reader-Google-Bad-Token") != "true" {
				t.Errorf("no X-Reader-Google-Bad-Token header")
			}
		},
	})
}

func TestReplayFluentReader(t *testing.T) {
	w := newWorld(t)
	v := w.vars("alice", alicePass)
	d := w.docs
	replay(t, w, "testdata/fluentreader.http", v, map[string]func(*testing.T, reply){
		"login": func(t *testing.T, r reply) {
			wantStatus(t, r, http.StatusOK)
			_, auth, ok := strings.Cut(r.body, "Auth=")
			if !ok {
				t.Fatalf("no Auth= in %q", r.body)
			}
			v["auth"] = strings.TrimSpace(auth)
		},
		"authenticate": func(t *testing.T, r reply) {
			wantStatus(t, r, http.StatusOK)
			m := r.json(t)
			if m["userName"] != "alice" || m["userId"] != strconv.FormatInt(w.alice.ID, 10) {
				t.Errorf("user-info = %v", m)
			}
		},
		"sources": func(t *testing.T, r reply) {
			wantStatus(t, r, http.StatusOK)
			if subs := r.json(t)["subscriptions"].([]any); len(subs) != 2 {
				t.Errorf("subscriptions = %v", subs)
			}
		},
		"sync-unread": func(t *testing.T, r reply) {
			if got := refIDs(t, r); len(got) != 4 {
				t.Errorf("unread = %v", got)
			}
			if strings.Contains(r.body, "continuation") {
				t.Errorf("one page, yet a continuation: %s", r.body)
			}
		},
		"sync-starred": func(t *testing.T, r reply) {
			if got := refIDs(t, r); len(got) != 0 {
				t.Errorf("starred = %v", got)
			}
		},
		"fetch": func(t *testing.T, r reply) {
			_, order, m := contentItems(t, r)
			if !slices.Equal(order, []int64{d[4], d[3]}) || m["continuation"] != "2" || m["id"] != stateReadingList {
				t.Fatalf("page 1 = %v, continuation %v, id %v", order, m["continuation"], m["id"])
			}
			v["continuation"] = m["continuation"].(string)
		},
		"fetch-more": func(t *testing.T, r reply) {
			_, order, m := contentItems(t, r)
			if !slices.Equal(order, []int64{d[2], d[1]}) || m["continuation"] != nil {
				t.Errorf("page 2 = %v, continuation %v", order, m["continuation"])
			}
		},
		"mark-read": wantOK,
		"star":      wantOK,
		"unstar": func(t *testing.T, r reply) {
			wantOK(t, r)
			st, _ := w.store.DocumentStates(context.Background(), w.alice.ID, []int64{d[4]})
			if st[0].ReadAt.IsZero() || !st[0].StarredAt.IsZero() {
				t.Errorf("doc 4 state = %+v, want read and not starred", st[0])
			}
		},
		"mark-feed-read": wantOK,
		"sync-unread-after": func(t *testing.T, r reply) {
			if got := refIDs(t, r); len(got) != 0 {
				t.Errorf("after reading doc 4 and marking feed A read, unread = %v", got)
			}
			if n, _ := w.store.CountItems(context.Background(), newstrace.ItemFilter{UserID: w.bob.ID, State: newstrace.UnreadItems}); n != 4 {
				t.Errorf("bob's unread count = %d, want 4: alice's marks leaked", n)
			}
		},
	})
}
