package greader

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/newstrace/newstrace"
)

func login(t *testing.T, w *world, name, pass string) string {
	t.Helper()
	resp, err := http.PostForm(w.srv.URL+"/accounts/ClientLogin", url.Values{"Email": {name}, "Passwd": {pass}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = fmt.Fprint(&b, readAll(resp))
	_, auth, ok := strings.Cut(b.String(), "Auth=")
	if resp.StatusCode != http.StatusOK || !ok {
		t.Fatalf("login %s: %d %s", name, resp.StatusCode, b.String())
	}
	return strings.TrimSpace(auth)
}

func readAll(resp *http.Response) string {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

func call(t *testing.T, w *world, auth, method, path string, form url.Values) reply {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, w.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if auth != "" {
		req.Header.Set("Authorization", "GoogleLogin auth="+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return reply{status: resp.StatusCode, header: resp.Header, body: readAll(resp)}
}

// TestUsersAreSeparate: on every route, one user neither sees nor changes
// another's read, starred or tag state, and no token stands for another user.
func TestUsersAreSeparate(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	d := w.docs
	// Alice reads doc 1, stars doc 2, tags doc 3.
	if err := w.store.SetRead(ctx, w.alice.ID, []int64{d[1]}, true); err != nil {
		t.Fatal(err)
	}
	if err := w.store.SetStarred(ctx, w.alice.ID, []int64{d[2]}, true); err != nil {
		t.Fatal(err)
	}
	if err := w.store.AddTag(ctx, w.alice.ID, []int64{d[3]}, "alice-secret"); err != nil {
		t.Fatal(err)
	}
	aliceAuth := login(t, w, "alice", alicePass)
	bob := login(t, w, "bob", bobPass)
	bobID, _, _ := strings.Cut(bob, "/")
	_, bobSig, _ := strings.Cut(bob, "/")

	reads := []struct {
		name, path string
		leak       string // must not appear in bob's answer
	}{
		{"starred ids", "/reader/api/0/stream/items/ids?s=user/-/state/com.google/starred&n=100", fmt.Sprintf(`"id":"%d"`, d[2])},
		{"read ids", "/reader/api/0/stream/items/ids?s=user/-/state/com.google/read&n=100", fmt.Sprintf(`"id":"%d"`, d[1])},
		{"starred via another user's id in the stream", fmt.Sprintf("/reader/api/0/stream/contents/user/%d/state/com.google/starred", w.alice.ID), "Article 2"},
		{"tag list", "/reader/api/0/tag/list", "alice-secret"},
		{"label stream", "/reader/api/0/stream/contents/user/-/label/alice-secret", "Article 3"},
		{"contents categories", fmt.Sprintf("/reader/api/0/stream/items/contents?i=%d&i=%d", d[1], d[2]), "com.google/read\""},
		{"contents starred category", fmt.Sprintf("/reader/api/0/stream/items/contents?i=%d", d[2]), "com.google/starred"},
		{"user-info", "/reader/api/0/user-info", `"alice"`},
	}
	for _, tt := range reads {
		t.Run("bob reads "+tt.name, func(t *testing.T) {
			r := call(t, w, bob, http.MethodGet, tt.path, nil)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if strings.Contains(r.body, tt.leak) {
				t.Errorf("bob's answer holds alice's %q: %s", tt.leak, r.body)
			}
		})
	}
	if r := call(t, w, bob, http.MethodGet, "/reader/api/0/unread-count", nil); !strings.Contains(r.body, `"count":4`) {
		t.Errorf("bob's unread count should not see alice's read: %s", r.body)
	}

	writes := []struct {
		name string
		path string
		form url.Values
	}{
		{"unstar", "/reader/api/0/edit-tag", url.Values{"i": {fmt.Sprint(d[2])}, "r": {stateStarred}}},
		{"unread", "/reader/api/0/edit-tag", url.Values{"i": {fmt.Sprint(d[1])}, "r": {stateRead}}},
		{"untag", "/reader/api/0/edit-tag", url.Values{"i": {fmt.Sprint(d[3])}, "r": {"user/-/label/alice-secret"}}},
		{"mark all read", "/reader/api/0/mark-all-as-read", url.Values{"s": {stateReadingList}}},
		{"alice's T token", "/reader/api/0/edit-tag", url.Values{"T": {mustToken(t, w, aliceAuth)}, "i": {fmt.Sprint(d[4])}, "a": {stateStarred}}},
	}
	for _, tt := range writes {
		t.Run("bob writes "+tt.name, func(t *testing.T) {
			call(t, w, bob, http.MethodPost, tt.path, tt.form)
			st, _ := w.store.DocumentStates(ctx, w.alice.ID, []int64{d[1], d[2], d[3], d[4]})
			if st[0].ReadAt.IsZero() || st[1].StarredAt.IsZero() || len(st[2].Tags) != 1 || !st[3].StarredAt.IsZero() || !st[3].ReadAt.IsZero() {
				t.Errorf("alice's state changed by bob: %+v", st)
			}
		})
	}
	if r := call(t, w, bob, http.MethodPost, "/reader/api/0/edit-tag", url.Values{"T": {mustToken(t, w, aliceAuth)}, "i": {fmt.Sprint(d[4])}, "a": {stateStarred}}); r.status != http.StatusUnauthorized {
		t.Errorf("bob with alice's T token: %d, want 401", r.status)
	}

	auths := []struct {
		name, auth string
	}{
		{"none", ""},
		{"alice's id with bob's signature", fmt.Sprintf("%d/%s", w.alice.ID, bobSig)},
		{"bob's id, bad signature", bobID + "/00"},
		{"garbage", "x"},
	}
	for _, tt := range auths {
		for _, path := range []string{"/reader/api/0/user-info", "/reader/api/0/stream/items/ids?s=" + stateStarred, "/reader/api/0/subscription/list", "/reader/api/0/token"} {
			t.Run("auth "+tt.name+" "+path, func(t *testing.T) {
				if r := call(t, w, tt.auth, http.MethodGet, path, nil); r.status != http.StatusUnauthorized {
					t.Errorf("status %d, want 401: %s", r.status, r.body)
				}
			})
		}
	}
	if items, _ := w.store.Items(ctx, newstrace.ItemFilter{UserID: w.bob.ID, Starred: true}); len(items) != 0 {
		t.Errorf("bob starred something through a bad token: %v", items)
	}
}

func mustToken(t *testing.T, w *world, auth string) string {
	t.Helper()
	r := call(t, w, auth, http.MethodGet, "/reader/api/0/token", nil)
	if r.status != http.StatusOK {
		t.Fatalf("token: %d", r.status)
	}
	return r.body
}

func TestClientLoginFailures(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		form url.Values
	}{
		{"wrong password", url.Values{"Email": {"alice"}, "Passwd": {"nope"}}},
		{"unknown user", url.Values{"Email": {"mallory"}, "Passwd": {alicePass}}},
		{"empty", url.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.PostForm(w.srv.URL+"/accounts/ClientLogin", tt.form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", resp.StatusCode)
			}
		})
	}
	// After ten failures the address is refused, even with the right password.
	for range 10 {
		resp, _ := http.PostForm(w.srv.URL+"/accounts/ClientLogin", url.Values{"Email": {"alice"}, "Passwd": {"guess"}})
		resp.Body.Close()
	}
	resp, _ := http.PostForm(w.srv.URL+"/accounts/ClientLogin", url.Values{"Email": {"alice"}, "Passwd": {alicePass}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after 13 failures: status %d, want 429", resp.StatusCode)
	}
}
