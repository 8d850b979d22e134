package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// addBob creates a second account and returns its API token.
func addBob(t *testing.T, st newstrace.Store) (newstrace.User, string) {
	t.Helper()
	hash, err := HashPassword("bob-password")
	if err != nil {
		t.Fatal(err)
	}
	u := newstrace.User{Name: "bob", PasswordHash: hash}
	if err := st.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	tok, _ := NewToken()
	if err := st.CreateToken(context.Background(), &newstrace.Token{UserID: u.ID, Name: "t", Hash: HashToken(tok)}); err != nil {
		t.Fatal(err)
	}
	return u, tok
}

func (e *testEnv) callAPI(method, path, token, body string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.do(req)
}

func TestReaderForms(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	addUser(t, st)
	e := newEnv(t, st, envOpts{})
	e.login()
	doc := fmt.Sprintf("/documents/%d", ids.DocA)
	ctx := context.Background()
	alice, _ := st.UserByName(ctx, testUser)

	page := e.get(doc)
	for _, want := range []string{`value="read"`, "☆ Star", "Your tags", "Team notes", "No notes yet."} {
		if !strings.Contains(page.body, want) {
			t.Errorf("document page lacks %q", want)
		}
	}
	csrf := e.csrf(doc)
	steps := []struct {
		name  string
		path  string
		form  url.Values
		where string // redirect target
		check func() error
	}{
		{"star", doc + "/state", url.Values{"action": {"star"}, "next": {doc}}, doc, func() error {
			s, _ := st.DocumentStates(ctx, alice.ID, []int64{ids.DocA})
			if s[0].StarredAt.IsZero() {
				return fmt.Errorf("not starred: %+v", s)
			}
			return nil
		}},
		{"read, back to the list", doc + "/state", url.Values{"action": {"read"}, "next": {"/?page=1"}}, "/?page=1", func() error {
			s, _ := st.DocumentStates(ctx, alice.ID, []int64{ids.DocA})
			if s[0].ReadAt.IsZero() {
				return fmt.Errorf("not read: %+v", s)
			}
			return nil
		}},
		{"offsite next is ignored", doc + "/state", url.Values{"action": {"unstar"}, "next": {"//evil.example/"}}, doc, nil},
		{"tag", doc + "/tags", url.Values{"action": {"add"}, "tag": {"verify"}}, doc + "#tags", nil},
		{"note", doc + "/note", url.Values{"text": {"Photo is from 2019 <b>check</b>"}}, doc + "#notes", nil},
		{"story note", fmt.Sprintf("/stories/%d/note", ids.StoryA), url.Values{"text": {"Wire origin confirmed"}}, fmt.Sprintf("/stories/%d#notes", ids.StoryA), nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.form.Set("csrf", csrf)
			r := e.postForm(s.path, s.form)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != s.where {
				t.Fatalf("status %d to %q, want 303 to %q: %s", r.status, r.header.Get("Location"), s.where, r.body)
			}
			if s.check != nil {
				if err := s.check(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	page = e.get(doc)
	for _, want := range []string{`value="unread"`, ">Read<", "☆ Star", `<span>verify</span>`, "<strong>alice</strong>",
		"Photo is from 2019 &lt;b&gt;check&lt;/b&gt;"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("document page after the forms lacks %q", want)
		}
	}
	if story := e.get(fmt.Sprintf("/stories/%d", ids.StoryA)); !strings.Contains(story.body, "Wire origin confirmed") {
		t.Errorf("story page lacks its note")
	}
	if r := e.postForm(doc+"/state", url.Values{"action": {"star"}}); r.status != http.StatusForbidden {
		t.Errorf("a form without CSRF: status %d, want 403", r.status)
	}

	// Mark all read on the story list: every root copy shows read after.
	list := e.get("/")
	if !strings.Contains(list.body, `data-read="false"`) || !strings.Contains(list.body, "Mark all read") {
		t.Fatalf("story list shows no unread items or no mark-all-read button")
	}
	r := e.postForm("/mark-all-read", url.Values{"csrf": {csrf}, "before": {testNow.Add(time.Second).Format(time.RFC3339Nano)}, "next": {"/"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("mark all read: %d", r.status)
	}
	if list = e.get("/"); strings.Contains(list.body, `data-read="false"`) || !strings.Contains(list.body, `data-read="true"`) {
		t.Errorf("after mark all read the list still shows unread items")
	}
}

// TestReaderTeam: notes are the team's; stars, read state and tags are not.
func TestReaderTeam(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	aliceTok := addUser(t, st)
	_, bobTok := addBob(t, st)
	e := newEnv(t, st, envOpts{})
	art := fmt.Sprintf("/api/v1/articles/%d", ids.DocA)

	type stateBody struct {
		Read, Starred bool
		Tags          []string
	}
	decode := func(r response) stateBody {
		t.Helper()
		var s stateBody
		if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &s) != nil {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		return s
	}
	if s := decode(e.callAPI("POST", art+"/star", aliceTok, "{}")); !s.Starred || s.Read {
		t.Errorf("alice star = %+v", s)
	}
	decode(e.callAPI("POST", art+"/read", aliceTok, "{}"))
	decode(e.callAPI("POST", art+"/tags", aliceTok, `{"add":["leads"]}`))
	if r := e.callAPI("PUT", art+"/note", aliceTok, `{"text":"check the byline"}`); r.status != http.StatusOK || !strings.Contains(r.body, `"author": "alice"`) {
		t.Errorf("alice note: %d %s", r.status, r.body)
	}

	tests := []struct {
		name string
		do   func() response
		want func(r response) error
	}{
		{"bob sees none of alice's state", func() response { return e.callAPI("GET", art+"/state", bobTok, "") }, func(r response) error {
			if s := decode(r); s.Starred || s.Read || len(s.Tags) != 0 {
				return fmt.Errorf("bob's state = %+v", s)
			}
			return nil
		}},
		{"bob's unstar leaves alice starred", func() response { return e.callAPI("POST", art+"/unstar", bobTok, "{}") }, func(response) error {
			if s := decode(e.callAPI("GET", art+"/state", aliceTok, "")); !s.Starred || !s.Read || len(s.Tags) != 1 {
				return fmt.Errorf("alice's state = %+v", s)
			}
			return nil
		}},
		{"bob sees alice's note", func() response {
			return e.callAPI("GET", fmt.Sprintf("/api/v1/notes?article_id=%d", ids.DocA), bobTok, "")
		}, func(r response) error {
			if !strings.Contains(r.body, "check the byline") || !strings.Contains(r.body, `"author": "alice"`) {
				return fmt.Errorf("notes = %s", r.body)
			}
			return nil
		}},
		{"bob's note is his own", func() response { return e.callAPI("PUT", art+"/note", bobTok, `{"text":"agree"}`) }, func(response) error {
			r := e.callAPI("GET", "/api/v1/notes", aliceTok, "")
			if !strings.Contains(r.body, "check the byline") || !strings.Contains(r.body, "agree") {
				return fmt.Errorf("notes = %s", r.body)
			}
			return nil
		}},
		{"body-less POST needs the JSON type", func() response { return e.callAPI("POST", art+"/star", bobTok, "") }, func(r response) error {
			if r.status != http.StatusBadRequest {
				return fmt.Errorf("status %d, want 400", r.status)
			}
			return nil
		}},
		{"no token", func() response { return e.callAPI("POST", art+"/star", "", "{}") }, func(r response) error {
			if r.status != http.StatusUnauthorized {
				return fmt.Errorf("status %d, want 401", r.status)
			}
			return nil
		}},
		{"unknown article", func() response { return e.callAPI("POST", "/api/v1/articles/99999/star", bobTok, "{}") }, func(r response) error {
			if r.status != http.StatusNotFound {
				return fmt.Errorf("status %d, want 404", r.status)
			}
			return nil
		}},
		{"bob marks all read, alone", func() response { return e.callAPI("POST", "/api/v1/mark-all-read", bobTok, `{}`) }, func(r response) error {
			if !strings.Contains(r.body, `"marked": 2`) {
				return fmt.Errorf("bob marked %s, want the 2 feed items", r.body)
			}
			if s := decode(e.callAPI("GET", fmt.Sprintf("/api/v1/articles/%d/state", ids.DocB), aliceTok, "")); s.Read {
				return fmt.Errorf("bob's mark-all-read reached alice")
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.want(tt.do()); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestReaderDesktopMode: with no account the controls are hidden and the
// routes say why instead of failing on a missing user.
func TestReaderDesktopMode(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	e := newEnv(t, st, envOpts{})
	page := e.get(fmt.Sprintf("/documents/%d", ids.DocA))
	if strings.Contains(page.body, `name="action"`) || strings.Contains(page.body, "note-form") {
		t.Errorf("desktop mode shows per-account controls")
	}
	r := e.callAPI("POST", fmt.Sprintf("/api/v1/articles/%d/star", ids.DocA), "", "{}")
	assertAPIError(t, r, newstrace.EFORBIDDEN)
}

// TestMount: Config.Mount routes reach their handlers through the server.
func TestMount(t *testing.T) {
	st := openStore(t)
	hit := ""
	srv, err := New(Config{
		Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Loopback: true,
		SessionKey: []byte("0123456789abcdef0123456789abcdef"),
		Mount: map[string]http.Handler{
			"/fever/":        http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = "fever " + r.URL.Path }),
			"/reader/api/0/": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = "greader " + r.URL.Path }),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{"/fever/?api", "fever /fever/"},
		{"/reader/api/0/user-info", "greader /reader/api/0/user-info"},
	} {
		hit = ""
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("POST", tt.path, nil))
		if hit != tt.want {
			t.Errorf("%s reached %q, want %q", tt.path, hit, tt.want)
		}
	}
}
