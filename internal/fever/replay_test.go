package fever

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
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type world struct {
	store        *sqlite.DB
	alice, bob   newstrace.User
	feedA, feedB newstrace.Feed
	docs         []int64 // docs[1..4] are items; docs[5] is ingested
	srv          *httptest.Server
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "fever.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return testNow }
	t.Cleanup(func() { db.Close() })
	w := &world{store: db, docs: make([]int64, 6)}
	for _, u := range []*newstrace.User{&w.alice, &w.bob} {
		*u = newstrace.User{Name: map[*newstrace.User]string{&w.alice: "alice", &w.bob: "bob"}[u], PasswordHash: "bcrypt"}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := db.SetFeverKey(ctx, u.ID, KeyHash(APIKey(u.Name, "pw-"+u.Name))); err != nil {
			t.Fatal(err)
		}
	}
	w.feedA = newstrace.Feed{URL: "https://planet.example/feed.xml", Title: "Daily Planet", SiteURL: "https://planet.example/",
		Folder: "World", LastPolledAt: testNow.Add(-time.Hour)}
	w.feedB = newstrace.Feed{URL: "https://tech.example/rss", Title: "Tech Wire", Folder: "Tech", LastPolledAt: testNow.Add(-2 * time.Hour)}
	for _, f := range []*newstrace.Feed{&w.feedA, &w.feedB} {
		if err := db.CreateFeed(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 5; i++ {
		pub := testNow.Add(-time.Duration(10-i) * time.Hour)
		d := newstrace.Document{URL: fmt.Sprintf("https://planet.example/a/%d", i), Title: fmt.Sprintf("Article %d", i),
			Authors: []string{"Lois Lane", "Clark Kent"}, Published: &pub, Text: fmt.Sprintf("Body %d.", i), ContentHash: fmt.Sprintf("h%d", i)}
		g := newstrace.Sighting{FeedID: w.feedA.ID, EntryKey: fmt.Sprint(i), SeenAt: pub}
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
	h, err := New(Config{Store: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/fever/", h)
	w.srv = httptest.NewServer(mux)
	t.Cleanup(w.srv.Close)
	return w
}

func (w *world) vars(t *testing.T, user string) map[string]string {
	v := map[string]string{
		"api_key": APIKey(user, "pw-"+user), "feedA": strconv.FormatInt(w.feedA.ID, 10),
		"before": strconv.FormatInt(testNow.Unix()+1, 10),
	}
	for i := 1; i <= 5; i++ {
		v[fmt.Sprint("doc", i)] = strconv.FormatInt(w.docs[i], 10)
	}
	folders, err := w.store.Folders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		v["group"+f.Name] = strconv.FormatInt(f.ID, 10)
	}
	return v
}

type step struct {
	name, method, target, body string
	header                     [][2]string
}

// loadSteps reads a fixture: "## name", request line, headers, blank line, body.
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
		s.method, s.target, _ = strings.Cut(lines[1], " ")
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

// answer is a decoded Fever response.
type answer struct {
	status int
	m      map[string]any
}

func replay(t *testing.T, w *world, path string, vars map[string]string, checks map[string]func(t *testing.T, a answer)) {
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
		t.Run(s.name, func(t *testing.T) {
			sub := func(x string) string {
				for k, v := range vars {
					x = strings.ReplaceAll(x, "{{"+k+"}}", v)
				}
				return x
			}
			req, _ := http.NewRequest(s.method, w.srv.URL+sub(s.target), strings.NewReader(sub(s.body)))
			for _, h := range s.header {
				req.Header.Set(h[0], sub(h[1]))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
			var m map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
				t.Fatalf("not a JSON object: %v", err)
			}
			if m["api_version"] != float64(3) {
				t.Errorf("api_version = %v, want 3", m["api_version"])
			}
			check(t, answer{status: resp.StatusCode, m: m})
		})
	}
}

// authed checks the base members of an authenticated answer.
func authed(t *testing.T, a answer) {
	t.Helper()
	if a.status != http.StatusOK || a.m["auth"] != float64(1) {
		t.Fatalf("status %d auth %v, want 200 and auth 1", a.status, a.m["auth"])
	}
	if lr, ok := a.m["last_refreshed_on_time"].(float64); !ok || int64(lr) != testNow.Add(-time.Hour).Unix() {
		t.Errorf("last_refreshed_on_time = %v, want the latest poll %d", a.m["last_refreshed_on_time"], testNow.Add(-time.Hour).Unix())
	}
}

// idString reads a comma-separated id member, which must be a string.
func idString(t *testing.T, a answer, key string) []int64 {
	t.Helper()
	authed(t, a)
	s, ok := a.m[key].(string)
	if !ok {
		t.Fatalf("%s is %T, want a string (Fluent Reader checks typeof)", key, a.m[key])
	}
	var ids []int64
	for p := range strings.SplitSeq(s, ",") {
		if p == "" {
			continue
		}
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			t.Fatalf("%s has %q", key, p)
		}
		ids = append(ids, id)
	}
	return ids
}

// items checks item shapes and returns ids in order.
func items(t *testing.T, a answer) ([]int64, []map[string]any) {
	t.Helper()
	authed(t, a)
	raw, ok := a.m["items"].([]any)
	if !ok {
		t.Fatalf("items is %T", a.m["items"])
	}
	if _, ok := a.m["total_items"].(float64); !ok {
		t.Errorf("total_items is %T, want a number", a.m["total_items"])
	}
	var ids []int64
	var out []map[string]any
	for _, x := range raw {
		it := x.(map[string]any)
		for _, k := range []string{"id", "feed_id", "is_saved", "is_read", "created_on_time"} {
			if _, ok := it[k].(float64); !ok {
				t.Errorf("item %v: %s is %T, want a number", it["id"], k, it[k])
			}
		}
		for _, k := range []string{"title", "author", "html", "url"} {
			if _, ok := it[k].(string); !ok {
				t.Errorf("item %v: %s is %T, want a string", it["id"], k, it[k])
			}
		}
		ids = append(ids, int64(it["id"].(float64)))
		out = append(out, it)
	}
	return ids, out
}

func TestReplayFluentReader(t *testing.T) {
	w := newWorld(t)
	v := w.vars(t, "alice")
	d := w.docs
	replay(t, w, "testdata/fluentreader.http", v, map[string]func(*testing.T, answer){
		"auth": authed,
		"feeds": func(t *testing.T, a answer) {
			authed(t, a)
			feeds := a.m["feeds"].([]any)
			if len(feeds) != 2 || a.m["feeds_groups"] == nil {
				t.Fatalf("feeds = %v, feeds_groups = %v", feeds, a.m["feeds_groups"])
			}
			for _, x := range feeds {
				f := x.(map[string]any)
				if f["id"] == float64(w.feedA.ID) && (f["title"] != "Daily Planet" || f["url"] != w.feedA.URL || f["site_url"] != w.feedA.SiteURL ||
					f["is_spark"] != float64(0) || f["favicon_id"] != float64(0) || f["last_updated_on_time"] != float64(testNow.Add(-time.Hour).Unix())) {
					t.Errorf("feed A = %v", f)
				}
			}
		},
		"groups": func(t *testing.T, a answer) {
			authed(t, a)
			var titles []string
			for _, g := range a.m["groups"].([]any) {
				titles = append(titles, g.(map[string]any)["title"].(string))
			}
			if !slices.Equal(titles, []string{"Tech", "World"}) {
				t.Errorf("groups = %q", titles)
			}
			fg := map[string]string{}
			for _, x := range a.m["feeds_groups"].([]any) {
				g := x.(map[string]any)
				fg[strconv.FormatFloat(g["group_id"].(float64), 'f', 0, 64)] = g["feed_ids"].(string)
			}
			if fg[v["groupWorld"]] != v["feedA"] || fg[v["groupTech"]] != strconv.FormatInt(w.feedB.ID, 10) {
				t.Errorf("feeds_groups = %v", fg)
			}
		},
		"items-newest": func(t *testing.T, a answer) {
			ids, its := items(t, a)
			if want := []int64{d[4], d[3], d[2], d[1]}; !slices.Equal(ids, want) {
				t.Errorf("items = %v, want %v (ingested %d excluded)", ids, want, d[5])
			}
			if its[0]["feed_id"] != float64(w.feedB.ID) || its[0]["author"] != "Lois Lane, Clark Kent" || its[0]["html"] != "<p>Body 4.</p>" || its[0]["is_read"] != float64(0) {
				t.Errorf("item 4 = %v", its[0])
			}
			if a.m["total_items"] != float64(4) {
				t.Errorf("total_items = %v", a.m["total_items"])
			}
		},
		"items-older": func(t *testing.T, a answer) {
			if ids, _ := items(t, a); !slices.Equal(ids, []int64{d[2], d[1]}) {
				t.Errorf("items below %d = %v", d[3], ids)
			}
		},
		"unread": func(t *testing.T, a answer) {
			if ids := idString(t, a, "unread_item_ids"); !slices.Equal(ids, []int64{d[1], d[2], d[3], d[4]}) {
				t.Errorf("unread = %v", ids)
			}
		},
		"saved": func(t *testing.T, a answer) {
			if ids := idString(t, a, "saved_item_ids"); len(ids) != 0 {
				t.Errorf("saved = %v", ids)
			}
		},
		"mark-read": func(t *testing.T, a answer) {
			if ids := idString(t, a, "unread_item_ids"); slices.Contains(ids, d[1]) || len(ids) != 3 {
				t.Errorf("unread after mark read = %v", ids)
			}
		},
		"star": func(t *testing.T, a answer) {
			if ids := idString(t, a, "saved_item_ids"); !slices.Equal(ids, []int64{d[2]}) {
				t.Errorf("saved after star = %v", ids)
			}
		},
		"mark-feed-read": func(t *testing.T, a answer) {
			if ids := idString(t, a, "unread_item_ids"); !slices.Equal(ids, []int64{d[4]}) {
				t.Errorf("after marking feed A read, unread = %v, want only feed B's %d", ids, d[4])
			}
		},
		"unread-after": func(t *testing.T, a answer) {
			if ids := idString(t, a, "unread_item_ids"); !slices.Equal(ids, []int64{d[4]}) {
				t.Errorf("unread = %v", ids)
			}
		},
		"wrong-key": func(t *testing.T, a answer) {
			if a.m["auth"] != float64(0) || a.m["items"] != nil || a.m["last_refreshed_on_time"] != nil {
				t.Errorf("wrong key answer = %v, want only api_version and auth 0", a.m)
			}
		},
	})
}

func TestReplayReeder(t *testing.T) {
	w := newWorld(t)
	v := w.vars(t, "alice")
	d := w.docs
	replay(t, w, "testdata/reeder.http", v, map[string]func(*testing.T, answer){
		"api": func(t *testing.T, a answer) {
			authed(t, a)
			if len(a.m) != 3 {
				t.Errorf("plain ?api answered %v, want only the base members", a.m)
			}
		},
		"groups": func(t *testing.T, a answer) {
			authed(t, a)
			if g, ok := a.m["groups"].([]any); !ok || len(g) != 2 || a.m["feeds"] != nil {
				t.Errorf("groups = %v, feeds = %v", a.m["groups"], a.m["feeds"])
			}
		},
		"feeds": func(t *testing.T, a answer) {
			authed(t, a)
			if f, ok := a.m["feeds"].([]any); !ok || len(f) != 2 {
				t.Errorf("feeds = %v", a.m["feeds"])
			}
		},
		"favicons": func(t *testing.T, a answer) {
			authed(t, a)
			if f, ok := a.m["favicons"].([]any); !ok || len(f) != 0 {
				t.Errorf("favicons = %v, want an empty list", a.m["favicons"])
			}
		},
		"links": func(t *testing.T, a answer) {
			authed(t, a)
			if l, ok := a.m["links"].([]any); !ok || len(l) != 0 {
				t.Errorf("links = %v, want an empty list", a.m["links"])
			}
		},
		"unread": func(t *testing.T, a answer) {
			if ids := idString(t, a, "unread_item_ids"); len(ids) != 4 {
				t.Errorf("unread = %v", ids)
			}
		},
		"saved": func(t *testing.T, a answer) { idString(t, a, "saved_item_ids") },
		"items-with-ids": func(t *testing.T, a answer) {
			if ids, _ := items(t, a); !slices.Equal(ids, []int64{d[1], d[4]}) {
				t.Errorf("with_ids = %v, want %v (the ingested one is not an item)", ids, []int64{d[1], d[4]})
			}
		},
		"items-since": func(t *testing.T, a answer) {
			if ids, _ := items(t, a); !slices.Equal(ids, []int64{d[3], d[4]}) {
				t.Errorf("since %d = %v, want ascending %v", d[2], ids, []int64{d[3], d[4]})
			}
		},
		"mark-saved": func(t *testing.T, a answer) {
			if ids := idString(t, a, "saved_item_ids"); !slices.Equal(ids, []int64{d[4]}) {
				t.Errorf("saved = %v", ids)
			}
		},
		"mark-unsaved": func(t *testing.T, a answer) {
			if ids := idString(t, a, "saved_item_ids"); len(ids) != 0 {
				t.Errorf("saved = %v", ids)
			}
		},
		"mark-group-read": func(t *testing.T, a answer) {
			if ids := idString(t, a, "unread_item_ids"); !slices.Equal(ids, []int64{d[1], d[2], d[3]}) {
				t.Errorf("after the Tech group read, unread = %v", ids)
			}
		},
		"mark-unread": func(t *testing.T, a answer) {
			if ids := idString(t, a, "unread_item_ids"); !slices.Contains(ids, d[4]) {
				t.Errorf("unread after mark unread = %v", ids)
			}
		},
		"mark-kindling-read": func(t *testing.T, a answer) {
			if ids := idString(t, a, "unread_item_ids"); len(ids) != 0 {
				t.Errorf("group 0 (all) read, unread = %v", ids)
			}
		},
		"unread-after": func(t *testing.T, a answer) {
			idString(t, a, "unread_item_ids")
			// Bob's state is his own.
			if n, _ := w.store.CountItems(context.Background(), newstrace.ItemFilter{UserID: w.bob.ID, State: newstrace.UnreadItems}); n != 4 {
				t.Errorf("bob has %d unread, want 4", n)
			}
		},
	})
}

// TestUsersAreSeparate: Bob's key answers with Bob's state only, and his
// marks never reach Alice.
func TestUsersAreSeparate(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	d := w.docs
	if err := w.store.SetStarred(ctx, w.alice.ID, []int64{d[2]}, true); err != nil {
		t.Fatal(err)
	}
	if err := w.store.SetRead(ctx, w.alice.ID, []int64{d[1]}, true); err != nil {
		t.Fatal(err)
	}
	bobKey := APIKey("bob", "pw-bob")
	post := func(query string, form url.Values) map[string]any {
		form.Set("api_key", bobKey)
		resp, err := http.PostForm(w.srv.URL+"/fever/?api"+query, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || m["auth"] != float64(1) {
			t.Fatalf("bob's call %s: %v %v", query, m, err)
		}
		return m
	}
	tests := []struct {
		name  string
		query string
		form  url.Values
		check func(m map[string]any) bool
	}{
		{"saved ids", "&saved_item_ids", url.Values{}, func(m map[string]any) bool { return m["saved_item_ids"] == "" }},
		{"unread ids", "&unread_item_ids", url.Values{}, func(m map[string]any) bool { return strings.Count(m["unread_item_ids"].(string), ",") == 3 }},
		{"items flags", "&items&with_ids=" + fmt.Sprint(d[1], ",", d[2]), url.Values{}, func(m map[string]any) bool {
			for _, x := range m["items"].([]any) {
				if it := x.(map[string]any); it["is_read"] != float64(0) || it["is_saved"] != float64(0) {
					return false
				}
			}
			return true
		}},
		{"unsave alice's star", "", url.Values{"mark": {"item"}, "as": {"unsaved"}, "id": {fmt.Sprint(d[2])}}, nil},
		{"unread alice's read", "", url.Values{"mark": {"item"}, "as": {"unread"}, "id": {fmt.Sprint(d[1])}}, nil},
		{"mark all read", "", url.Values{"mark": {"group"}, "as": {"read"}, "id": {"0"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := post(tt.query, tt.form)
			if tt.check != nil && !tt.check(m) {
				t.Errorf("bob sees alice's state: %v", m)
			}
			st, _ := w.store.DocumentStates(ctx, w.alice.ID, []int64{d[1], d[2], d[3]})
			if st[0].ReadAt.IsZero() || st[1].StarredAt.IsZero() || !st[2].ReadAt.IsZero() {
				t.Errorf("alice's state changed: %+v", st)
			}
		})
	}
	// A key is md5(name:password): alice's name with bob's password fails.
	resp, _ := http.PostForm(w.srv.URL+"/fever/?api&saved_item_ids", url.Values{"api_key": {APIKey("alice", "pw-bob")}})
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if m["auth"] != float64(0) || m["saved_item_ids"] != nil {
		t.Errorf("mixed key answered %v", m)
	}
}

func TestAPIKey(t *testing.T) {
	// md5("alice:secret"), as a client computes it (e.g. `echo -n alice:secret | md5sum`).
	if got := APIKey("alice", "secret"); got != "6f622058968bb90757e6c6ed79e5df81" {
		t.Errorf("APIKey = %q", got)
	}
	if KeyHash("ABCDEF") != KeyHash("abcdef") {
		t.Errorf("KeyHash must ignore hex case")
	}
}
