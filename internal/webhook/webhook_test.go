package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/sqlite"
)

func openStore(t *testing.T) newstrace.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "wh.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// receiver records deliveries and answers with the statuses given, then 200.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []delivery
	srv      *httptest.Server
}

type delivery struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, delivery{header: r.Header.Clone(), body: b})
		status := http.StatusOK
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

func newNotifier(t *testing.T, st newstrace.Store, allowPrivate bool) *Notifier {
	t.Helper()
	n, err := New(Config{Store: st, AllowPrivate: allowPrivate, BaseURL: "https://news.example/", Backoff: time.Millisecond, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSignVerify(t *testing.T) {
	body := []byte(`{"event":"story.outlet_added"}`)
	sig := Sign("s3cret", body)
	tests := []struct {
		name   string
		secret string
		body   []byte
		sig    string
		want   bool
	}{
		{"valid", "s3cret", body, sig, true},
		{"other secret", "other", body, sig, false},
		{"tampered body", "s3cret", []byte(`{"event":"search.match"}`), sig, false},
		{"empty signature", "s3cret", body, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Verify(tt.secret, tt.body, tt.sig); got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
	// Known answer: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
	if got := Sign("key", []byte("The quick brown fox jumps over the lazy dog")); got != "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8" {
		t.Errorf("Sign known answer = %s", got)
	}
}

func TestCheckTarget(t *testing.T) {
	tests := []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://hooks.example/x", false, true},
		{"http://127.0.0.1:9000/x", false, false},
		{"http://localhost/x", false, false},
		{"http://10.1.2.3/x", false, false},
		{"http://[::1]/x", false, false},
		{"http://169.254.169.254/latest", false, false},
		{"http://127.0.0.1:9000/x", true, true},
		{"ftp://hooks.example/x", true, false},
		{"not a url", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if err := CheckTarget(tt.url, tt.allowPrivate); (err == nil) != tt.ok {
				t.Errorf("CheckTarget(%q, %v) = %v, want ok %v", tt.url, tt.allowPrivate, err, tt.ok)
			}
		})
	}
}

func TestDeliver(t *testing.T) {
	tests := []struct {
		name         string
		statuses     []int
		allowPrivate bool // the webhook's own flag; the notifier refuses private targets
		wantErr      bool
		attempts     int
	}{
		{"first try", nil, true, false, 1},
		{"retries 5xx and 429", []int{503, 429}, true, false, 3},
		{"gives up", []int{500, 500, 500, 500, 500}, true, true, 4},
		{"4xx is final", []int{400}, true, true, 1},
		{"private target refused", nil, false, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, tt.statuses...)
			n := newNotifier(t, openStore(t), false)
			h := newstrace.Webhook{ID: 7, URL: rc.srv.URL + "/hook", Event: newstrace.EventOutletAdded, Secret: "s3cret", AllowPrivate: tt.allowPrivate}
			ev := Event{Event: h.Event, Delivery: "d-1", Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Story: EventStory{ID: 3, Title: "Floods"}}
			err := n.Deliver(context.Background(), h, ev)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Deliver = %v, want error %v", err, tt.wantErr)
			}
			got := rc.deliveries()
			if len(got) != tt.attempts {
				t.Fatalf("%d attempts, want %d", len(got), tt.attempts)
			}
			for _, d := range got {
				if !Verify("s3cret", d.body, d.header.Get(HeaderSignature)) {
					t.Errorf("signature %q does not verify", d.header.Get(HeaderSignature))
				}
				if d.header.Get(HeaderEvent) != newstrace.EventOutletAdded || d.header.Get(HeaderDelivery) != "d-1" ||
					d.header.Get("Content-Type") != "application/json" {
					t.Errorf("headers %v", d.header)
				}
				var back Event
				if err := json.Unmarshal(d.body, &back); err != nil || back.Story.ID != 3 || back.Event != h.Event {
					t.Errorf("body %s (%v)", d.body, err)
				}
			}
		})
	}
}

// TestStored: a story gaining a second outlet fires story.outlet_added; a
// saved search matching the story fires search.match; a new story alone
// fires neither outlet event nor a non-matching search.
func TestStored(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	rc := newReceiver(t)
	for _, w := range []newstrace.Webhook{
		{URL: rc.srv.URL + "/outlet", Event: newstrace.EventOutletAdded, Secret: "a", AllowPrivate: true},
		{URL: rc.srv.URL + "/floods", Event: newstrace.EventSearchMatch, Query: "floods", Secret: "b", AllowPrivate: true},
		{URL: rc.srv.URL + "/volcano", Event: newstrace.EventSearchMatch, Query: "volcano", Secret: "c", AllowPrivate: true},
	} {
		if err := st.CreateWebhook(ctx, &w); err != nil {
			t.Fatal(err)
		}
	}
	fa := newstrace.Feed{URL: "https://planet.example/feed", Title: "Daily Planet"}
	fb := newstrace.Feed{URL: "https://mirror.example/feed", Title: "Mirror"}
	for _, f := range []*newstrace.Feed{&fa, &fb} {
		if err := st.CreateFeed(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	save := func(f newstrace.Feed, url, hash string) newstrace.SaveResult {
		d := newstrace.Document{URL: url, Title: "Floods reach the valley", Text: "Floods reached the valley towns overnight.", ContentHash: hash, SourceID: f.SourceID}
		res, err := st.SaveDocument(ctx, d, newstrace.Sighting{FeedID: f.ID, SourceID: f.SourceID, EntryKey: url, URL: url, SeenAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	n := newNotifier(t, st, false)

	a := save(fa, "https://planet.example/floods", "h1")
	n.Stored(ctx, a)
	n.Wait()
	if got := paths(rc.deliveries()); got != "/floods" {
		t.Fatalf("after a new story: deliveries %q, want /floods only", got)
	}

	b := save(fb, "https://mirror.example/floods", "h2")
	if _, err := st.MergeStories(ctx, []int64{a.Document.ID, b.Document.ID}); err != nil {
		t.Fatal(err)
	}
	n.Stored(ctx, b)
	n.Wait()
	got := rc.deliveries()
	if p := paths(got); p != "/floods /floods /outlet" && p != "/floods /outlet /floods" {
		t.Fatalf("after a second outlet: deliveries %q", p)
	}
	for _, d := range got {
		if d.header.Get(HeaderEvent) != newstrace.EventOutletAdded {
			continue
		}
		var ev Event
		if err := json.Unmarshal(d.body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Document.ID != b.Document.ID || ev.Story.Outlets != 2 || ev.Story.Documents != 2 || ev.Story.URL == "" {
			t.Errorf("outlet event %+v", ev)
		}
		if !Verify("a", d.body, d.header.Get(HeaderSignature)) {
			t.Errorf("outlet event signature does not verify")
		}
	}

	// A sighting of a stored document is not news.
	n.Stored(ctx, newstrace.SaveResult{Document: b.Document, Created: false})
	n.Wait()
	if len(rc.deliveries()) != len(got) {
		t.Errorf("a repeated sighting delivered events")
	}
}

func paths(ds []delivery) string {
	var out []string
	for _, d := range ds {
		var ev Event
		_ = json.Unmarshal(d.body, &ev)
		switch {
		case ev.Event == newstrace.EventOutletAdded:
			out = append(out, "/outlet")
		case ev.Query == "floods":
			out = append(out, "/floods")
		default:
			out = append(out, "/"+ev.Query)
		}
	}
	return strings.Join(out, " ")
}

// TestPrivateAddressAtDial: a name that passes CheckTarget but resolves to a
// blocked address is refused when dialing (the fetch package's check).
func TestPrivateAddressAtDial(t *testing.T) {
	rc := newReceiver(t)
	var refused atomic.Bool
	n, err := New(Config{Store: openStore(t), Backoff: time.Millisecond, IPPolicy: func(a netip.Addr) string {
		if a.IsLoopback() {
			refused.Store(true)
			return "a loopback"
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := newstrace.Webhook{URL: rc.srv.URL, Event: newstrace.EventOutletAdded, Secret: "x"}
	if err := n.Deliver(context.Background(), h, Event{Event: h.Event}); err == nil || !refused.Load() || len(rc.deliveries()) != 0 {
		t.Errorf("Deliver = %v, refused %v, deliveries %d", err, refused.Load(), len(rc.deliveries()))
	}
}
