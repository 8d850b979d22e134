package postgres

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/storetest"
)

func TestConformanceIngest(t *testing.T) {
	testDSN(t)
	storetest.RunIngest(t, func(t *testing.T) newstrace.Store { return openTest(t) })
}

// openProcesses opens a migrated schema and n more stores on it, each with
// its own pool, standing for n worker processes sharing one database.
func openProcesses(t *testing.T, n int) (*DB, []*DB) {
	t.Helper()
	first := openTest(t)
	dbs := make([]*DB, n)
	for i := range dbs {
		db, err := Open(t.Context(), testDSN(t), Options{Schema: first.Schema(), MaxConns: 2, Logger: quiet})
		if err != nil {
			t.Fatalf("Open process %d: %v", i, err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return first, dbs
}

// race runs fn(i) for each of n stores at once, after every goroutine is
// ready, so the calls collide.
func race(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Go(func() {
			ready.Done()
			<-start
			fn(i)
		})
	}
	ready.Wait()
	close(start)
	done.Wait()
}

const processes = 8

// TestSaveDocumentAcrossProcesses: processes saving one article at the same
// moment, through its canonical URL or only its content hash, store one
// document in one story and record every sighting; no error leaks.
func TestSaveDocumentAcrossProcesses(t *testing.T) {
	first, dbs := openProcesses(t, processes)
	ctx := t.Context()
	src, err := first.EnsureSource(ctx, newstrace.Source{Name: "Wire"})
	if err != nil {
		t.Fatal(err)
	}
	feeds := make([]newstrace.Feed, processes)
	for i := range feeds {
		feeds[i] = newstrace.Feed{URL: fmt.Sprintf("https://wire.example/%d.rss", i), SourceID: src.ID}
		if err := first.CreateFeed(ctx, &feeds[i]); err != nil {
			t.Fatal(err)
		}
	}
	const rounds = 5
	for round := range rounds {
		results := make([]newstrace.SaveResult, processes)
		errs := make([]error, processes)
		race(processes, func(i int) {
			d := newstrace.Document{
				URL:          fmt.Sprintf("https://wire.example/a/%d", round),
				CanonicalURL: fmt.Sprintf("https://wire.example/a/%d", round),
				Title:        "Harbour bridge reopens",
				Text:         "The bridge reopened.",
				ContentHash:  fmt.Sprintf("hash-%d", round),
			}
			if i%2 == 1 { // the same text at another URL: matches by hash only
				d.URL, d.CanonicalURL = fmt.Sprintf("https://wire.example/a/%d?copy=%d", round, i), ""
			}
			results[i], errs[i] = dbs[i].SaveDocument(ctx, d, newstrace.Sighting{FeedID: feeds[i].ID, EntryKey: fmt.Sprint("entry-", round), URL: d.URL})
		})
		created := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, process %d: %v", round, i, err)
			}
			if results[i].Created {
				created++
			}
			if results[i].Document.ID != results[0].Document.ID || results[i].Document.StoryID != results[0].Document.StoryID {
				t.Errorf("round %d: process %d got document %d (story %d), process 0 %d (story %d)", round, i,
					results[i].Document.ID, results[i].Document.StoryID, results[0].Document.ID, results[0].Document.StoryID)
			}
		}
		if created != 1 {
			t.Errorf("round %d: %d saves created the document, want 1", round, created)
		}
		sg, err := first.Sightings(ctx, results[0].Document.ID)
		if err != nil || len(sg) != processes {
			t.Errorf("round %d: %d sightings, %v; want %d", round, len(sg), err, processes)
		}
	}
	c, err := first.Counts(ctx)
	if err != nil || c.Documents != rounds || c.Stories != rounds {
		t.Errorf("Counts = %+v, %v; want %d documents in %d stories", c, err, rounds, rounds)
	}
}

// TestFeedSightingAcrossProcesses: one feed entry saved by every process at
// once is one sighting (and one document).
func TestFeedSightingAcrossProcesses(t *testing.T) {
	first, dbs := openProcesses(t, processes)
	ctx := t.Context()
	f := newstrace.Feed{URL: "https://wire.example/rss", Title: "Wire"}
	if err := first.CreateFeed(ctx, &f); err != nil {
		t.Fatal(err)
	}
	results := make([]newstrace.SaveResult, processes)
	errs := make([]error, processes)
	race(processes, func(i int) {
		d := newstrace.Document{URL: "https://wire.example/a/1", Title: "A", Text: "a", ContentHash: "h"}
		results[i], errs[i] = dbs[i].SaveDocument(ctx, d, newstrace.Sighting{FeedID: f.ID, EntryKey: "guid-1"})
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
	}
	sg, err := first.Sightings(ctx, results[0].Document.ID)
	if err != nil || len(sg) != 1 {
		t.Errorf("Sightings = %+v, %v; want one", sg, err)
	}
	if n, err := first.CountDocuments(ctx); err != nil || n != 1 {
		t.Errorf("CountDocuments = %d, %v; want 1", n, err)
	}
}

// TestFileSightingAcrossProcesses: saves reaching one document through
// different dedupe keys (its URL, its hash) at once still record an
// identical feedless sighting once.
func TestFileSightingAcrossProcesses(t *testing.T) {
	first, dbs := openProcesses(t, processes)
	ctx := t.Context()
	src, err := first.EnsureSource(ctx, newstrace.Source{Name: "Local files"})
	if err != nil {
		t.Fatal(err)
	}
	orig, err := first.SaveDocument(ctx, newstrace.Document{URL: "https://wire.example/a", Text: "t", ContentHash: "h0"},
		newstrace.Sighting{SourceID: src.ID})
	if err != nil {
		t.Fatal(err)
	}
	errs := make([]error, processes)
	ids := make([]int64, processes)
	race(processes, func(i int) {
		d := newstrace.Document{URL: "https://wire.example/a", Text: "t", ContentHash: fmt.Sprint("other-", i)}
		if i%2 == 1 {
			d = newstrace.Document{URL: fmt.Sprint("https://mirror.example/", i), Text: "t", ContentHash: "h0"}
		}
		var res newstrace.SaveResult
		res, errs[i] = dbs[i].SaveDocument(ctx, d, newstrace.Sighting{SourceID: src.ID, EntryKey: "file:/in/a.html", URL: "file:/in/a.html"})
		ids[i] = res.Document.ID
	})
	for i, err := range errs {
		if err != nil || ids[i] != orig.Document.ID {
			t.Fatalf("process %d: document %d, %v; want %d", i, ids[i], err, orig.Document.ID)
		}
	}
	if sg, err := first.Sightings(ctx, orig.Document.ID); err != nil || len(sg) != 2 {
		t.Errorf("Sightings = %+v, %v; want the first and one file sighting", sg, err)
	}
}

// TestCreateFeedAcrossProcesses: one URL subscribed by every process at once
// is one feed; the others get ECONFLICT. The source they all ensure (named
// after the title) is one row.
func TestCreateFeedAcrossProcesses(t *testing.T) {
	first, dbs := openProcesses(t, processes)
	ctx := t.Context()
	errs := make([]error, processes)
	race(processes, func(i int) {
		errs[i] = dbs[i].CreateFeed(ctx, &newstrace.Feed{URL: "https://wire.example/rss", Title: "Wire"})
	})
	ok := 0
	for i, err := range errs {
		switch newstrace.ErrorCode(err) {
		case "":
			ok++
		case newstrace.ECONFLICT:
		default:
			t.Errorf("process %d: %v, want nil or ECONFLICT", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d CreateFeed calls succeeded, want 1", ok)
	}
	if c, err := first.Counts(ctx); err != nil || c.Feeds != 1 || c.Sources != 1 {
		t.Errorf("Counts = %+v, %v; want 1 feed, 1 source", c, err)
	}
}

// TestEnsureSourceAcrossProcesses: one name ensured by every process at
// once is one source, and every caller gets it without an error.
func TestEnsureSourceAcrossProcesses(t *testing.T) {
	first, dbs := openProcesses(t, processes)
	ctx := t.Context()
	got := make([]newstrace.Source, processes)
	errs := make([]error, processes)
	race(processes, func(i int) {
		got[i], errs[i] = dbs[i].EnsureSource(ctx, newstrace.Source{Name: "Wire", SiteURL: fmt.Sprint("https://wire.example/", i)})
	})
	for i := range processes {
		if errs[i] != nil {
			t.Fatalf("process %d: %v", i, errs[i])
		}
		if got[i].ID != got[0].ID || got[i].SiteURL != got[0].SiteURL || !got[i].CreatedAt.Equal(got[0].CreatedAt) {
			t.Errorf("process %d got %+v, process 0 %+v", i, got[i], got[0])
		}
	}
	if all, err := first.Sources(ctx); err != nil || len(all) != 1 {
		t.Errorf("Sources = %+v, %v; want one", all, err)
	}
}

// TestReserveHost: bookings from many processes at once are at least gap
// apart and none starts before the call; hosts are paced independently.
func TestReserveHost(t *testing.T) {
	_, dbs := openProcesses(t, processes)
	ctx := t.Context()
	const gap = 25 * time.Millisecond
	const perProcess = 4
	// The database clock is the reference; allow it to trail ours a little.
	before := time.Now().Add(-time.Second)
	slots := make([][]time.Time, processes)
	errs := make([]error, processes)
	race(processes, func(i int) {
		for range perProcess {
			at, err := dbs[i].ReserveHost(ctx, "wire.example", gap)
			if err != nil {
				errs[i] = err
				return
			}
			slots[i] = append(slots[i], at)
		}
	})
	var all []time.Time
	for i, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
		all = append(all, slots[i]...)
	}
	slices.SortFunc(all, func(a, b time.Time) int { return a.Compare(b) })
	if len(all) != processes*perProcess {
		t.Fatalf("%d slots, want %d", len(all), processes*perProcess)
	}
	if all[0].Before(before) || all[0].Location() != time.UTC {
		t.Errorf("first slot %v, want UTC and not before %v", all[0], before)
	}
	for i := 1; i < len(all); i++ {
		if d := all[i].Sub(all[i-1]); d < gap {
			t.Errorf("slots %d and %d are %v apart, want at least %v", i-1, i, d, gap)
		}
	}
	// The bookings lie ahead: another host is not held back by them.
	other, err := dbs[0].ReserveHost(ctx, "blog.example", gap)
	if err != nil {
		t.Fatal(err)
	}
	if !other.Before(all[len(all)-1]) {
		t.Errorf("another host's slot %v waits behind wire.example's last %v", other, all[len(all)-1])
	}
	// A gap of zero still books at or after now and the previous slot.
	z, err := dbs[0].ReserveHost(ctx, "wire.example", 0)
	if err != nil || z.Before(all[len(all)-1].Add(gap)) {
		t.Errorf("zero-gap booking = %v, %v; want at or after %v", z, err, all[len(all)-1].Add(gap))
	}
}

// TestConcurrentReadState: marking read from several processes at once
// (one user, overlapping documents, in different orders) neither fails nor
// deadlocks.
func TestConcurrentReadState(t *testing.T) {
	first, dbs := openProcesses(t, processes)
	ctx := t.Context()
	u := newstrace.User{Name: "ada"}
	if err := first.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	f := newstrace.Feed{URL: "https://wire.example/rss", Title: "Wire"}
	if err := first.CreateFeed(ctx, &f); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for n := range 20 {
		res, err := first.SaveDocument(ctx, newstrace.Document{URL: fmt.Sprint("https://wire.example/", n), Text: "t"},
			newstrace.Sighting{FeedID: f.ID, EntryKey: fmt.Sprint(n)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Document.ID)
	}
	errs := make([]error, processes)
	race(processes, func(i int) {
		mine := slices.Clone(ids)
		if i%2 == 1 {
			slices.Reverse(mine)
		}
		if i%3 == 0 {
			_, errs[i] = dbs[i].MarkAllRead(ctx, u.ID, newstrace.MarkFilter{})
			return
		}
		errs[i] = dbs[i].SetRead(ctx, u.ID, mine, true)
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
	if n, err := first.CountItems(ctx, newstrace.ItemFilter{UserID: u.ID, State: newstrace.UnreadItems}); err != nil || n != 0 {
		t.Errorf("unread after the race = %d, %v; want 0", n, err)
	}
}

// TestStoryLatestAt: the trigger keeps stories.latest_at (the story list's
// sort key) when documents move between stories or change their time, as
// MergeStories and a copy tool do with plain UPDATEs.
func TestStoryLatestAt(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	t0 := time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)
	save := func(n int, published time.Time) newstrace.Document {
		t.Helper()
		res, err := db.SaveDocument(ctx, newstrace.Document{URL: fmt.Sprint("https://wire.example/", n), Text: "t",
			Published: &published}, newstrace.Sighting{})
		if err != nil {
			t.Fatal(err)
		}
		return res.Document
	}
	a, b, c := save(1, t0), save(2, t0.Add(2*time.Hour)), save(3, t0.Add(time.Hour))
	order := func(want ...int64) {
		t.Helper()
		ss, err := db.Stories(ctx, newstrace.StoryFilter{Limit: -1})
		if err != nil {
			t.Fatal(err)
		}
		if got := func() []int64 {
			var ids []int64
			for _, s := range ss {
				ids = append(ids, s.ID)
			}
			return ids
		}(); !slices.Equal(got, want) {
			t.Errorf("story order = %v, want %v", got, want)
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	order(b.StoryID, c.StoryID, a.StoryID)

	// b joins a's story: a's story takes b's time, b's empty story sorts last.
	exec(`UPDATE documents SET story_id = $1 WHERE id = $2`, a.StoryID, b.ID)
	order(a.StoryID, c.StoryID, b.StoryID)

	// b's time moves back before c: a's story falls behind c's.
	exec(`UPDATE documents SET published = $1 WHERE id = $2`, t0.Add(30*time.Minute), b.ID)
	order(c.StoryID, a.StoryID, b.StoryID)

	// Deleting c empties its story.
	exec(`DELETE FROM documents WHERE id = $1`, c.ID)
	order(a.StoryID, c.StoryID, b.StoryID)
	var latest *time.Time
	if err := db.pool.QueryRow(ctx, `SELECT latest_at FROM stories WHERE id = $1`, a.StoryID).Scan(&latest); err != nil ||
		latest == nil || !latest.Equal(t0.Add(30*time.Minute)) {
		t.Errorf("latest_at of a's story = %v, %v; want %v", latest, err, t0.Add(30*time.Minute))
	}
}

// BenchmarkSaveDocument saves distinct documents (each a new story) with a
// feed sighting from parallel goroutines sharing one pool.
func BenchmarkSaveDocument(b *testing.B) {
	db := openTest(b)
	ctx := b.Context()
	f := newstrace.Feed{URL: "https://wire.example/rss", Title: "Wire"}
	if err := db.CreateFeed(ctx, &f); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			d := newstrace.Document{URL: fmt.Sprint("https://wire.example/a/", i), Title: "A", Text: "text",
				Authors: []string{"Jane Doe"}, ContentHash: fmt.Sprint("h", i)}
			if _, err := db.SaveDocument(ctx, d, newstrace.Sighting{FeedID: f.ID, EntryKey: fmt.Sprint(i)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
