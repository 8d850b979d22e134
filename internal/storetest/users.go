package storetest

import (
	"testing"

	"github.com/newstrace/newstrace"
)

func testUsers(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers on an empty store = %d, %v; want 0", n, err)
	}
	u := &newstrace.User{Name: "ada", PasswordHash: "$argon2id$v=19$x"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.ID == 0 || u.CreatedAt.IsZero() {
		t.Fatalf("CreateUser left %+v, want ID and CreatedAt", u)
	}
	tests := []struct {
		name string
		user *newstrace.User
		code string
	}{
		{"second user", &newstrace.User{Name: "grace", PasswordHash: "h"}, ""},
		{"taken name", &newstrace.User{Name: "ada", PasswordHash: "other"}, newstrace.ECONFLICT},
		{"empty name", &newstrace.User{Name: ""}, newstrace.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, "CreateUser", s.CreateUser(ctx, tt.user), tt.code)
		})
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 2 {
		t.Errorf("CountUsers = %d, %v; want 2", n, err)
	}
	for _, get := range []struct {
		name string
		fn   func() (newstrace.User, error)
	}{
		{"UserByName", func() (newstrace.User, error) { return s.UserByName(ctx, "ada") }},
		{"User", func() (newstrace.User, error) { return s.User(ctx, u.ID) }},
	} {
		got, err := get.fn()
		if err != nil {
			t.Fatalf("%s: %v", get.name, err)
		}
		if got.ID != u.ID || got.Name != "ada" || got.PasswordHash != u.PasswordHash || !got.CreatedAt.Equal(u.CreatedAt) {
			t.Errorf("%s = %+v, want %+v", get.name, got, *u)
		}
	}
}

func testTokens(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	ada := &newstrace.User{Name: "ada", PasswordHash: "h1"}
	grace := &newstrace.User{Name: "grace", PasswordHash: "h2"}
	for _, u := range []*newstrace.User{ada, grace} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		token *newstrace.Token
		code  string
	}{
		{"ada cli", &newstrace.Token{UserID: ada.ID, Name: "cli", Hash: "sha256:aaa"}, ""},
		{"ada second", &newstrace.Token{UserID: ada.ID, Name: "reader", Hash: "sha256:bbb"}, ""},
		{"grace", &newstrace.Token{UserID: grace.ID, Name: "cli", Hash: "sha256:ccc"}, ""},
		{"same hash", &newstrace.Token{UserID: grace.ID, Name: "dup", Hash: "sha256:aaa"}, newstrace.ECONFLICT},
		{"unknown user", &newstrace.Token{UserID: grace.ID + 1000, Name: "x", Hash: "sha256:ddd"}, newstrace.ENOTFOUND},
		{"empty hash", &newstrace.Token{UserID: ada.ID, Name: "x"}, newstrace.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.CreateToken(ctx, tt.token)
			wantCode(t, "CreateToken", err, tt.code)
			if err == nil && (tt.token.ID == 0 || tt.token.CreatedAt.IsZero()) {
				t.Errorf("CreateToken left %+v, want ID and CreatedAt", tt.token)
			}
		})
	}
	lookups := []struct {
		name string
		hash string
		want int64
	}{
		{"first", "sha256:aaa", ada.ID},
		{"second", "sha256:bbb", ada.ID},
		{"other user", "sha256:ccc", grace.ID},
	}
	for _, tt := range lookups {
		t.Run("UserByTokenHash "+tt.name, func(t *testing.T) {
			u, err := s.UserByTokenHash(ctx, tt.hash)
			if err != nil {
				t.Fatalf("UserByTokenHash: %v", err)
			}
			if u.ID != tt.want {
				t.Errorf("UserByTokenHash(%s) = user %d, want %d", tt.hash, u.ID, tt.want)
			}
		})
	}
}

// testNotFound checks that every getter reports ENOTFOUND, never a zero value.
func testNotFound(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	const missing = 4242
	tests := []struct {
		name string
		call func() error
	}{
		{"Source", func() error { _, err := s.Source(ctx, missing); return err }},
		{"Feed", func() error { _, err := s.Feed(ctx, missing); return err }},
		{"FeedByURL", func() error { _, err := s.FeedByURL(ctx, "https://none.example/rss"); return err }},
		{"UpdateFeed", func() error { return s.UpdateFeed(ctx, newstrace.Feed{ID: missing, URL: "https://x.example/"}) }},
		{"DeleteFeed", func() error { return s.DeleteFeed(ctx, missing) }},
		{"Document", func() error { _, err := s.Document(ctx, missing); return err }},
		{"DocumentByURL", func() error { _, err := s.DocumentByURL(ctx, "https://none.example/a"); return err }},
		{"DocumentByURL empty", func() error { _, err := s.DocumentByURL(ctx, ""); return err }},
		{"Sightings", func() error { _, err := s.Sightings(ctx, missing); return err }},
		{"SaveDocument unknown feed", func() error {
			_, err := s.SaveDocument(ctx, doc(1, nil), newstrace.Sighting{FeedID: missing, EntryKey: "k"})
			return err
		}},
		{"Story", func() error { _, err := s.Story(ctx, missing); return err }},
		{"AddEdge", func() error {
			return s.AddEdge(ctx, missing, newstrace.Edge{FromID: 1, ToID: 2, Kind: newstrace.EdgeCites})
		}},
		{"User", func() error { _, err := s.User(ctx, missing); return err }},
		{"UserByName", func() error { _, err := s.UserByName(ctx, "nobody"); return err }},
		{"UserByTokenHash", func() error { _, err := s.UserByTokenHash(ctx, "sha256:none"); return err }},
		{"UserByTokenHash empty", func() error { _, err := s.UserByTokenHash(ctx, ""); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			wantCode(t, tt.name, err, newstrace.ENOTFOUND)
			if !newstrace.IsNotFound(err) {
				return
			}
			if newstrace.ErrorMessage(err) == "internal error" {
				t.Errorf("%s: not-found error %v carries no message", tt.name, err)
			}
		})
	}
	if n, err := s.CountDocuments(ctx); err != nil || n != 0 {
		t.Errorf("a failed SaveDocument stored something: %d documents, %v", n, err)
	}
}
