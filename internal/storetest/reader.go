package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// Reader state pins, beyond readerstate.go's comments:
//   - an item is a document a feed sighted; ingested-only documents are not items;
//   - setting read or starred twice keeps the first time; unread/unstar clears it;
//   - every per-user call leaves other users' state untouched;
//   - MarkAllRead's Before compares first-seen (arrival) time;
//   - a folder keeps its id after its feeds move away and back.

// readerWorld is two users, two feeds in two folders and five documents:
// d[0..2] from feed A ("World"), d[3] from feed B ("Tech") and also seen in
// feed A, d[4] ingested with no feed.
type readerWorld struct {
	ada, bob newstrace.User
	feedA    newstrace.Feed
	feedB    newstrace.Feed
	d        []int64
}

func newReaderWorld(t *testing.T, s newstrace.Store) readerWorld {
	t.Helper()
	ctx := t.Context()
	var w readerWorld
	w.ada = newstrace.User{Name: "ada", PasswordHash: "h1"}
	w.bob = newstrace.User{Name: "bob", PasswordHash: "h2"}
	for _, u := range []*newstrace.User{&w.ada, &w.bob} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	w.feedA = mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Title: "A", Folder: "World"})
	w.feedB = mustFeed(t, s, newstrace.Feed{URL: "https://b.example/rss", Title: "B", Folder: "Tech"})
	for i := range 5 {
		g := newstrace.Sighting{FeedID: w.feedA.ID, EntryKey: fmt.Sprint("a", i), SeenAt: at(time.Duration(i) * time.Hour)}
		switch i {
		case 3:
			g.FeedID, g.EntryKey = w.feedB.ID, "b3"
		case 4:
			g = newstrace.Sighting{SeenAt: at(4 * time.Hour)}
		}
		d := doc(i, nil)
		d.FirstSeen = at(time.Duration(i) * time.Hour)
		w.d = append(w.d, mustSave(t, s, d, g).Document.ID)
	}
	// d[3] also appears in feed A, later.
	mustSave(t, s, doc(3, nil), newstrace.Sighting{FeedID: w.feedA.ID, EntryKey: "a3", SeenAt: at(5 * time.Hour)})
	return w
}

func itemIDs(t *testing.T, s newstrace.Store, f newstrace.ItemFilter) []int64 {
	t.Helper()
	items, err := s.Items(t.Context(), f)
	if err != nil {
		t.Fatalf("Items(%+v): %v", f, err)
	}
	return ids(items, func(it newstrace.Item) int64 { return it.ID })
}

func testReadStarred(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	w := newReaderWorld(t, s)
	if err := s.SetRead(ctx, w.ada.ID, []int64{w.d[0], w.d[1]}, true); err != nil {
		t.Fatalf("SetRead: %v", err)
	}
	if err := s.SetStarred(ctx, w.ada.ID, []int64{w.d[1]}, true); err != nil {
		t.Fatalf("SetStarred: %v", err)
	}
	first, err := s.DocumentStates(ctx, w.ada.ID, []int64{w.d[1]})
	if err != nil || len(first) != 1 || first[0].ReadAt.IsZero() || first[0].StarredAt.IsZero() {
		t.Fatalf("DocumentStates after read+star = %+v, %v", first, err)
	}
	// Again: the first times stay.
	if err := s.SetStarred(ctx, w.ada.ID, []int64{w.d[1]}, true); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.DocumentStates(ctx, w.ada.ID, []int64{w.d[1]}); !again[0].StarredAt.Equal(first[0].StarredAt) {
		t.Errorf("starring twice moved StarredAt %v → %v", first[0].StarredAt, again[0].StarredAt)
	}

	tests := []struct {
		name string
		user int64
		f    newstrace.ItemFilter
		want []int64
	}{
		{"ada unread", w.ada.ID, newstrace.ItemFilter{State: newstrace.UnreadItems}, []int64{w.d[3], w.d[2]}},
		{"ada read", w.ada.ID, newstrace.ItemFilter{State: newstrace.ReadItems}, []int64{w.d[1], w.d[0]}},
		{"ada starred", w.ada.ID, newstrace.ItemFilter{Starred: true}, []int64{w.d[1]}},
		{"bob unread untouched", w.bob.ID, newstrace.ItemFilter{State: newstrace.UnreadItems}, []int64{w.d[3], w.d[2], w.d[1], w.d[0]}},
		{"bob starred empty", w.bob.ID, newstrace.ItemFilter{Starred: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.UserID = tt.user
			if got := itemIDs(t, s, tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("items = %v, want %v", got, tt.want)
			}
		})
	}

	// Unread and unstar clear the times; Bob's calls never touch Ada.
	if err := s.SetRead(ctx, w.bob.ID, []int64{w.d[1]}, false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStarred(ctx, w.bob.ID, []int64{w.d[1]}, false); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.DocumentStates(ctx, w.ada.ID, []int64{w.d[1]}); st[0].ReadAt.IsZero() || st[0].StarredAt.IsZero() {
		t.Errorf("bob's unread/unstar changed ada's state: %+v", st[0])
	}
	if err := s.SetRead(ctx, w.ada.ID, []int64{w.d[1]}, false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStarred(ctx, w.ada.ID, []int64{w.d[1]}, false); err != nil {
		t.Fatal(err)
	}
	st, err := s.DocumentStates(ctx, w.ada.ID, []int64{w.d[1], 99999, w.d[4]})
	if err != nil || len(st) != 2 || !st[0].ReadAt.IsZero() || !st[0].StarredAt.IsZero() || st[1].DocumentID != w.d[4] {
		t.Errorf("DocumentStates after unread/unstar (and a missing id) = %+v, %v", st, err)
	}

	errs := []struct {
		name string
		err  error
	}{
		{"SetRead unknown document", s.SetRead(ctx, w.ada.ID, []int64{99999}, true)},
		{"SetStarred unknown document", s.SetStarred(ctx, w.ada.ID, []int64{99999}, true)},
		{"SetRead unknown user", s.SetRead(ctx, 99999, []int64{w.d[0]}, true)},
	}
	for _, e := range errs {
		wantCode(t, e.name, e.err, newstrace.ENOTFOUND)
	}
}

func testItems(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	w := newReaderWorld(t, s)
	if err := s.AddTag(ctx, w.ada.ID, []int64{w.d[0], w.d[2]}, " Leads "); err != nil {
		t.Fatalf("AddTag: %v", err)
	}
	if err := s.AddTag(ctx, w.bob.ID, []int64{w.d[1]}, "Leads"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    newstrace.ItemFilter
		want []int64
	}{
		{"all newest first, no ingested", newstrace.ItemFilter{}, []int64{w.d[3], w.d[2], w.d[1], w.d[0]}},
		{"oldest first", newstrace.ItemFilter{Order: newstrace.OldestFirst}, []int64{w.d[0], w.d[1], w.d[2], w.d[3]}},
		{"feed A includes the shared doc", newstrace.ItemFilter{FeedID: w.feedA.ID}, []int64{w.d[3], w.d[2], w.d[1], w.d[0]}},
		{"feed B", newstrace.ItemFilter{FeedID: w.feedB.ID}, []int64{w.d[3]}},
		{"folder Tech", newstrace.ItemFilter{Folder: "Tech"}, []int64{w.d[3]}},
		{"tag is per user", newstrace.ItemFilter{Tag: "Leads"}, []int64{w.d[2], w.d[0]}},
		{"label matches folder", newstrace.ItemFilter{Label: "Tech"}, []int64{w.d[3]}},
		{"label matches tag", newstrace.ItemFilter{Label: "Leads"}, []int64{w.d[2], w.d[0]}},
		{"since id ascending", newstrace.ItemFilter{SinceID: w.d[1], Order: newstrace.IDAscending}, []int64{w.d[2], w.d[3]}},
		{"max id descending", newstrace.ItemFilter{MaxID: w.d[2], Order: newstrace.IDDescending}, []int64{w.d[1], w.d[0]}},
		{"ids", newstrace.ItemFilter{IDs: []int64{w.d[0], w.d[4], 99999}}, []int64{w.d[0]}},
		{"time window", newstrace.ItemFilter{After: at(time.Hour), Before: at(3 * time.Hour)}, []int64{w.d[2], w.d[1]}},
		{"limit and offset", newstrace.ItemFilter{Limit: 2, Offset: 1}, []int64{w.d[2], w.d[1]}},
		{"unknown feed", newstrace.ItemFilter{FeedID: 99999}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.UserID = w.ada.ID
			got := itemIDs(t, s, tt.f)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Items = %v, want %v", got, tt.want)
			}
			refs, err := s.ItemRefs(ctx, tt.f)
			if err != nil || !slices.Equal(ids(refs, func(r newstrace.ItemRef) int64 { return r.ID }), tt.want) {
				t.Errorf("ItemRefs = %+v, %v; want ids %v", refs, err, tt.want)
			}
			n, err := s.CountItems(ctx, tt.f)
			if want := len(tt.want); err != nil || (tt.f.Limit == 0 && n != want) {
				t.Errorf("CountItems = %d, %v; want %d", n, err, want)
			}
		})
	}
	t.Run("fields", func(t *testing.T) {
		items, err := s.Items(ctx, newstrace.ItemFilter{UserID: w.ada.ID, IDs: []int64{w.d[0], w.d[3]}, Order: newstrace.IDAscending})
		if err != nil || len(items) != 2 {
			t.Fatalf("Items = %+v, %v", items, err)
		}
		checkDocument(t, items[0].Document, func() newstrace.Document { d := doc(0, nil); d.FirstSeen = at(0); return d }())
		if items[0].FeedID != w.feedA.ID || items[1].FeedID != w.feedB.ID {
			t.Errorf("FeedIDs = %d, %d; want %d (first sighting), %d", items[0].FeedID, items[1].FeedID, w.feedA.ID, w.feedB.ID)
		}
		if !slices.Equal(items[0].Tags, []string{"Leads"}) || items[1].Tags == nil || len(items[1].Tags) != 0 {
			t.Errorf("Tags = %q, %q", items[0].Tags, items[1].Tags)
		}
		refs, _ := s.ItemRefs(ctx, newstrace.ItemFilter{UserID: w.ada.ID, IDs: []int64{w.d[2]}})
		if len(refs) != 1 || !sameTime(refs[0].Time, at(2*time.Hour)) || refs[0].FeedID != w.feedA.ID {
			t.Errorf("ItemRefs = %+v, want time %v feed %d", refs, at(2*time.Hour), w.feedA.ID)
		}
		inFeedB, _ := s.Items(ctx, newstrace.ItemFilter{UserID: w.ada.ID, FeedID: w.feedB.ID})
		if len(inFeedB) != 1 || inFeedB[0].FeedID != w.feedB.ID {
			t.Errorf("an item listed by feed reports that feed: %+v", inFeedB)
		}
	})
}

func testMarkAllRead(t *testing.T, s newstrace.Store) {
	w := newReaderWorld(t, s)
	tests := []struct {
		name   string
		f      newstrace.MarkFilter
		n      int
		unread []int64
	}{
		{"all", newstrace.MarkFilter{}, 4, nil},
		{"feed B", newstrace.MarkFilter{FeedID: w.feedB.ID}, 1, []int64{w.d[2], w.d[1], w.d[0]}},
		{"folder Tech", newstrace.MarkFilter{Folder: "Tech"}, 1, []int64{w.d[2], w.d[1], w.d[0]}},
		{"label World", newstrace.MarkFilter{Label: "World"}, 4, nil},
		{"arrived before 2h", newstrace.MarkFilter{Before: at(2 * time.Hour)}, 2, []int64{w.d[3], w.d[2]}},
		{"with ingested", newstrace.MarkFilter{Ingested: true}, 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := s.MarkAllRead(t.Context(), w.ada.ID, tt.f)
			if err != nil || n != tt.n {
				t.Errorf("MarkAllRead = %d, %v; want %d", n, err, tt.n)
			}
			if got := itemIDs(t, s, newstrace.ItemFilter{UserID: w.ada.ID, State: newstrace.UnreadItems}); !slices.Equal(got, tt.unread) {
				t.Errorf("ada unread = %v, want %v", got, tt.unread)
			}
			if got := itemIDs(t, s, newstrace.ItemFilter{UserID: w.bob.ID, State: newstrace.UnreadItems}); len(got) != 4 {
				t.Errorf("bob unread = %v, want all 4 untouched", got)
			}
			// Marking again finds nothing new.
			if n, err := s.MarkAllRead(t.Context(), w.ada.ID, tt.f); err != nil || n != 0 {
				t.Errorf("second MarkAllRead = %d, %v; want 0", n, err)
			}
			if err := s.SetRead(t.Context(), w.ada.ID, w.d, false); err != nil {
				t.Fatal(err)
			}
		})
	}
	_, err := s.MarkAllRead(t.Context(), 99999, newstrace.MarkFilter{})
	wantCode(t, "MarkAllRead unknown user", err, newstrace.ENOTFOUND)
}

func testTagsAndCounts(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	w := newReaderWorld(t, s)
	for _, tag := range []string{"verify", "leads"} {
		if err := s.AddTag(ctx, w.ada.ID, []int64{w.d[0], w.d[1]}, tag); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddTag(ctx, w.ada.ID, []int64{w.d[0]}, "verify"); err != nil {
		t.Errorf("adding a tag twice: %v", err)
	}
	if err := s.RemoveTag(ctx, w.ada.ID, []int64{w.d[1]}, "verify"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTag(ctx, w.bob.ID, []int64{w.d[2]}, "bobs"); err != nil {
		t.Fatal(err)
	}
	if tags, err := s.Tags(ctx, w.ada.ID); err != nil || !slices.Equal(tags, []string{"leads", "verify"}) {
		t.Errorf("ada Tags = %q, %v", tags, err)
	}
	if tags, err := s.Tags(ctx, w.bob.ID); err != nil || !slices.Equal(tags, []string{"bobs"}) {
		t.Errorf("bob Tags = %q, %v", tags, err)
	}
	st, _ := s.DocumentStates(ctx, w.ada.ID, []int64{w.d[0], w.d[1], w.d[2]})
	if len(st) != 3 || !slices.Equal(st[0].Tags, []string{"leads", "verify"}) || !slices.Equal(st[1].Tags, []string{"leads"}) || len(st[2].Tags) != 0 {
		t.Errorf("DocumentStates tags = %+v", st)
	}
	wantCode(t, "AddTag empty", s.AddTag(ctx, w.ada.ID, []int64{w.d[0]}, "  "), newstrace.EINVALID)
	wantCode(t, "AddTag unknown doc", s.AddTag(ctx, w.ada.ID, []int64{99999}, "x"), newstrace.ENOTFOUND)

	if err := s.SetRead(ctx, w.ada.ID, []int64{w.d[3]}, true); err != nil {
		t.Fatal(err)
	}
	counts, err := s.UnreadCounts(ctx, w.ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []newstrace.UnreadCount{{FeedID: w.feedA.ID, Count: 3, Newest: at(2 * time.Hour)}}
	if len(counts) != 1 || counts[0].FeedID != want[0].FeedID || counts[0].Count != 3 || !sameTime(counts[0].Newest, want[0].Newest) {
		t.Errorf("ada UnreadCounts = %+v, want %+v", counts, want)
	}
	counts, _ = s.UnreadCounts(ctx, w.bob.ID)
	if len(counts) != 2 || counts[0].Count != 4 || counts[1].Count != 1 {
		t.Errorf("bob UnreadCounts = %+v, want feed A 4 and feed B 1", counts)
	}
}

func testFolders(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	if fs, err := s.Folders(ctx); err != nil || len(fs) != 0 {
		t.Fatalf("Folders on an empty store = %+v, %v", fs, err)
	}
	a := mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Folder: "World"})
	mustFeed(t, s, newstrace.Feed{URL: "https://b.example/rss", Folder: "Tech"})
	mustFeed(t, s, newstrace.Feed{URL: "https://c.example/rss"})
	before, err := s.Folders(ctx)
	if err != nil || len(before) != 2 || before[0].Name != "Tech" || before[1].Name != "World" || before[0].ID == before[1].ID || before[0].ID <= 0 {
		t.Fatalf("Folders = %+v, %v; want Tech and World with distinct ids", before, err)
	}
	a.Folder = "Politics"
	if err := s.UpdateFeed(ctx, a); err != nil {
		t.Fatal(err)
	}
	mid, _ := s.Folders(ctx)
	if len(mid) != 2 || mid[0].Name != "Politics" || mid[1].Name != "Tech" || mid[1].ID != before[0].ID {
		t.Errorf("after a move Folders = %+v; want Politics (new) and Tech (same id %d)", mid, before[0].ID)
	}
	a.Folder = "World"
	if err := s.UpdateFeed(ctx, a); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Folders(ctx)
	if len(after) != 2 || after[1].Name != "World" || after[1].ID != before[1].ID {
		t.Errorf("World came back as %+v, want id %d", after, before[1].ID)
	}
}

func testNotes(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	w := newReaderWorld(t, s)
	docs, _ := s.Documents(ctx, newstrace.DocumentFilter{Limit: 1})
	storyID := docs[0].StoryID
	steps := []struct {
		name string
		note newstrace.Note
		code string
	}{
		{"ada on doc", newstrace.Note{UserID: w.ada.ID, DocumentID: w.d[0], Text: "  check the byline  "}, ""},
		{"bob on doc", newstrace.Note{UserID: w.bob.ID, DocumentID: w.d[0], Text: "same photo as 2019"}, ""},
		{"ada on story", newstrace.Note{UserID: w.ada.ID, StoryID: storyID, Text: "origin is the wire"}, ""},
		{"ada edits doc note", newstrace.Note{UserID: w.ada.ID, DocumentID: w.d[0], Text: "byline checked"}, ""},
		{"both targets", newstrace.Note{UserID: w.ada.ID, DocumentID: w.d[0], StoryID: storyID, Text: "x"}, newstrace.EINVALID},
		{"no target", newstrace.Note{UserID: w.ada.ID, Text: "x"}, newstrace.EINVALID},
		{"unknown doc", newstrace.Note{UserID: w.ada.ID, DocumentID: 99999, Text: "x"}, newstrace.ENOTFOUND},
		{"unknown story", newstrace.Note{UserID: w.ada.ID, StoryID: 99999, Text: "x"}, newstrace.ENOTFOUND},
		{"unknown user", newstrace.Note{UserID: 99999, DocumentID: w.d[0], Text: "x"}, newstrace.ENOTFOUND},
	}
	for _, st := range steps {
		got, err := s.SetNote(ctx, st.note)
		wantCode(t, st.name, err, st.code)
		if err == nil && (got.Author == "" || got.UpdatedAt.IsZero() || got.Text == "" || got.Text[0] == ' ') {
			t.Errorf("%s: SetNote returned %+v", st.name, got)
		}
	}
	all, err := s.Notes(ctx, newstrace.NoteFilter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("Notes = %+v, %v; want 3", all, err)
	}
	onDoc, _ := s.Notes(ctx, newstrace.NoteFilter{DocumentID: w.d[0]})
	authors := map[string]string{}
	for _, n := range onDoc {
		authors[n.Author] = n.Text
		if n.DocumentID != w.d[0] || n.StoryID != 0 {
			t.Errorf("document note %+v", n)
		}
	}
	if len(onDoc) != 2 || authors["ada"] != "byline checked" || authors["bob"] != "same photo as 2019" {
		t.Errorf("notes on the document = %+v; want ada's edit and bob's", onDoc)
	}
	onStory, _ := s.Notes(ctx, newstrace.NoteFilter{StoryID: storyID})
	if len(onStory) != 1 || onStory[0].Author != "ada" || onStory[0].StoryID != storyID || onStory[0].DocumentID != 0 {
		t.Errorf("notes on the story = %+v", onStory)
	}
	// Deleting is per author: bob's note stays.
	if _, err := s.SetNote(ctx, newstrace.Note{UserID: w.ada.ID, DocumentID: w.d[0]}); err != nil {
		t.Fatal(err)
	}
	onDoc, _ = s.Notes(ctx, newstrace.NoteFilter{DocumentID: w.d[0]})
	if len(onDoc) != 1 || onDoc[0].Author != "bob" {
		t.Errorf("after ada deletes her note: %+v", onDoc)
	}
	// A note leaves read state alone and the other way round.
	if err := s.SetRead(ctx, w.bob.ID, []int64{w.d[0]}, true); err != nil {
		t.Fatal(err)
	}
	if onDoc, _ = s.Notes(ctx, newstrace.NoteFilter{DocumentID: w.d[0]}); len(onDoc) != 1 {
		t.Errorf("marking read lost the note: %+v", onDoc)
	}
}

func testFeverKey(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	ada := newstrace.User{Name: "ada", PasswordHash: "h"}
	bob := newstrace.User{Name: "bob", PasswordHash: "h"}
	for _, u := range []*newstrace.User{&ada, &bob} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetFeverKey(ctx, ada.ID, "k-ada"); err != nil {
		t.Fatalf("SetFeverKey: %v", err)
	}
	if u, err := s.UserByFeverKey(ctx, "k-ada"); err != nil || u.ID != ada.ID || u.Name != "ada" {
		t.Errorf("UserByFeverKey = %+v, %v", u, err)
	}
	if err := s.SetFeverKey(ctx, ada.ID, "k-ada-2"); err != nil {
		t.Fatal(err)
	}
	_, err := s.UserByFeverKey(ctx, "k-ada")
	wantCode(t, "old key after change", err, newstrace.ENOTFOUND)
	_, err = s.UserByFeverKey(ctx, "")
	wantCode(t, "empty key", err, newstrace.ENOTFOUND)
	wantCode(t, "key of another user", s.SetFeverKey(ctx, bob.ID, "k-ada-2"), newstrace.ECONFLICT)
	wantCode(t, "unknown user", s.SetFeverKey(ctx, 99999, "k"), newstrace.ENOTFOUND)
}
