package storetest

import (
	"testing"

	"github.com/newstrace/newstrace"
)

func testFeedTokens(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	ada := &newstrace.User{Name: "ada", PasswordHash: "h1"}
	grace := &newstrace.User{Name: "grace", PasswordHash: "h2"}
	for _, u := range []*newstrace.User{ada, grace} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
	}
	tok := &newstrace.FeedToken{UserID: ada.ID, Feed: "/feeds/stories", Hash: "hash-1"}
	if err := s.CreateFeedToken(ctx, tok); err != nil {
		t.Fatalf("CreateFeedToken: %v", err)
	}
	if tok.ID == 0 || tok.CreatedAt.IsZero() {
		t.Fatalf("CreateFeedToken left %+v, want ID and CreatedAt", tok)
	}
	tests := []struct {
		name string
		tok  *newstrace.FeedToken
		code string
	}{
		{"second feed", &newstrace.FeedToken{UserID: ada.ID, Feed: "/feeds/sources/1", Hash: "hash-2"}, ""},
		{"other user", &newstrace.FeedToken{UserID: grace.ID, Feed: "/feeds/stories", Hash: "hash-3"}, ""},
		{"same hash", &newstrace.FeedToken{UserID: grace.ID, Feed: "/feeds/stories", Hash: "hash-1"}, newstrace.ECONFLICT},
		{"no hash", &newstrace.FeedToken{UserID: ada.ID, Feed: "/feeds/stories"}, newstrace.EINVALID},
		{"no feed", &newstrace.FeedToken{UserID: ada.ID, Hash: "hash-4"}, newstrace.EINVALID},
		{"unknown user", &newstrace.FeedToken{UserID: 9999, Feed: "/feeds/stories", Hash: "hash-5"}, newstrace.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, "CreateFeedToken", s.CreateFeedToken(ctx, tt.tok), tt.code)
		})
	}

	got, err := s.FeedTokenByHash(ctx, "hash-1")
	if err != nil {
		t.Fatalf("FeedTokenByHash: %v", err)
	}
	if got.ID != tok.ID || got.UserID != ada.ID || got.Feed != "/feeds/stories" || got.Hash != "hash-1" || !got.CreatedAt.Equal(tok.CreatedAt) {
		t.Errorf("FeedTokenByHash = %+v, want %+v", got, *tok)
	}
	for _, h := range []string{"", "nope"} {
		_, err := s.FeedTokenByHash(ctx, h)
		wantCode(t, "FeedTokenByHash("+h+")", err, newstrace.ENOTFOUND)
	}

	list, err := s.FeedTokens(ctx, ada.ID)
	if err != nil {
		t.Fatalf("FeedTokens: %v", err)
	}
	if len(list) != 2 || list[0].Feed != "/feeds/stories" || list[1].Feed != "/feeds/sources/1" {
		t.Errorf("FeedTokens(ada) = %+v, want her two tokens oldest first", list)
	}

	// A user revokes only their own tokens.
	wantCode(t, "DeleteFeedToken(other user's)", s.DeleteFeedToken(ctx, grace.ID, tok.ID), newstrace.ENOTFOUND)
	if err := s.DeleteFeedToken(ctx, ada.ID, tok.ID); err != nil {
		t.Fatalf("DeleteFeedToken: %v", err)
	}
	_, err = s.FeedTokenByHash(ctx, "hash-1")
	wantCode(t, "FeedTokenByHash after revoke", err, newstrace.ENOTFOUND)
	wantCode(t, "DeleteFeedToken twice", s.DeleteFeedToken(ctx, ada.ID, tok.ID), newstrace.ENOTFOUND)
	if list, err := s.FeedTokens(ctx, grace.ID); err != nil || len(list) != 1 {
		t.Errorf("FeedTokens(grace) = %+v, %v; want one", list, err)
	}
}

func testWebhooks(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	if list, err := s.Webhooks(ctx); err != nil || len(list) != 0 {
		t.Fatalf("Webhooks on an empty store = %+v, %v", list, err)
	}
	tests := []struct {
		name string
		w    newstrace.Webhook
		code string
	}{
		{"outlet added", newstrace.Webhook{URL: "https://hooks.example/a", Event: newstrace.EventOutletAdded, Secret: "s1"}, ""},
		{"search match", newstrace.Webhook{URL: "https://hooks.example/b", Event: newstrace.EventSearchMatch, Query: "floods", Secret: "s2", AllowPrivate: true}, ""},
		{"search without query", newstrace.Webhook{URL: "https://hooks.example/c", Event: newstrace.EventSearchMatch, Secret: "s3"}, newstrace.EINVALID},
		{"unknown event", newstrace.Webhook{URL: "https://hooks.example/d", Event: "story.deleted", Secret: "s4"}, newstrace.EINVALID},
		{"no secret", newstrace.Webhook{URL: "https://hooks.example/e", Event: newstrace.EventOutletAdded}, newstrace.EINVALID},
		{"no url", newstrace.Webhook{Event: newstrace.EventOutletAdded, Secret: "s5"}, newstrace.EINVALID},
	}
	var made []newstrace.Webhook
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.w
			err := s.CreateWebhook(ctx, &w)
			wantCode(t, "CreateWebhook", err, tt.code)
			if err == nil {
				if w.ID == 0 || w.CreatedAt.IsZero() {
					t.Errorf("CreateWebhook left %+v", w)
				}
				made = append(made, w)
			}
		})
	}
	list, err := s.Webhooks(ctx)
	if err != nil {
		t.Fatalf("Webhooks: %v", err)
	}
	if len(list) != len(made) || len(list) != 2 {
		t.Fatalf("Webhooks = %+v, want %d", list, len(made))
	}
	for i, w := range list {
		m := made[i]
		if w.ID != m.ID || w.URL != m.URL || w.Event != m.Event || w.Query != m.Query || w.Secret != m.Secret ||
			w.AllowPrivate != m.AllowPrivate || !w.CreatedAt.Equal(m.CreatedAt) {
			t.Errorf("Webhooks[%d] = %+v, want %+v", i, w, m)
		}
	}
	if err := s.DeleteWebhook(ctx, made[0].ID); err != nil {
		t.Fatalf("DeleteWebhook: %v", err)
	}
	wantCode(t, "DeleteWebhook twice", s.DeleteWebhook(ctx, made[0].ID), newstrace.ENOTFOUND)
	if list, err := s.Webhooks(ctx); err != nil || len(list) != 1 || list[0].ID != made[1].ID {
		t.Errorf("Webhooks after delete = %+v, %v", list, err)
	}
}

func testCounts(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	c, err := s.Counts(ctx)
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	if c != (newstrace.StoreCounts{}) {
		t.Errorf("Counts on an empty store = %+v", c)
	}
	ok := mustFeed(t, s, newstrace.Feed{URL: "https://a.example/feed", Title: "A"})
	bad := mustFeed(t, s, newstrace.Feed{URL: "https://b.example/feed", Title: "B"})
	bad.FailureCount, bad.LastError = 2, "timeout"
	if err := s.UpdateFeed(ctx, bad); err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, doc(1, nil), newstrace.Sighting{FeedID: ok.ID, EntryKey: "1"})
	mustSave(t, s, doc(2, nil), newstrace.Sighting{FeedID: bad.ID, EntryKey: "2"})
	c, err = s.Counts(ctx)
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	want := newstrace.StoreCounts{Documents: 2, Stories: 2, Sources: 2, Feeds: 2, FailingFeeds: 1}
	if c != want {
		t.Errorf("Counts = %+v, want %+v", c, want)
	}
}
