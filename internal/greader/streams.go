package greader

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/sanitize"
)

const (
	stateRead        = "user/-/state/com.google/read"
	stateStarred     = "user/-/state/com.google/starred"
	stateReadingList = "user/-/state/com.google/reading-list"
	labelPrefix      = "user/-/label/"
)

// streamKind names what a stream id points at.
type streamKind int

const (
	streamReadingList streamKind = iota
	streamRead
	streamStarred
	streamKeptUnread
	streamLabel
	streamFeed
)

type stream struct {
	kind  streamKind
	label string // streamLabel
	feed  string // streamFeed: our id, or a feed URL (NetNewsWire subscribes by URL)
}

// parseStream reads a stream id; "user/-/" and "user/<digits>/" are the same user.
func parseStream(s string) (stream, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return stream{kind: streamReadingList}, nil
	}
	if f, ok := strings.CutPrefix(s, "feed/"); ok && f != "" {
		return stream{kind: streamFeed, feed: f}, nil
	}
	if rest, ok := strings.CutPrefix(s, "user/"); ok {
		_, rest, _ = strings.Cut(rest, "/")
		if name, ok := strings.CutPrefix(rest, "label/"); ok && name != "" {
			return stream{kind: streamLabel, label: name}, nil
		}
		switch rest {
		case "state/com.google/reading-list":
			return stream{kind: streamReadingList}, nil
		case "state/com.google/read":
			return stream{kind: streamRead}, nil
		case "state/com.google/starred":
			return stream{kind: streamStarred}, nil
		case "state/com.google/kept-unread":
			return stream{kind: streamKeptUnread}, nil
		}
	}
	return stream{}, newstrace.Errorf(newstrace.EINVALID, "unknown stream %q", s)
}

// feedOf resolves a feed stream to one of our feeds.
func (h *Handler) feedOf(r *http.Request, s stream) (newstrace.Feed, error) {
	if id, err := strconv.ParseInt(s.feed, 10, 64); err == nil {
		return h.store.Feed(r.Context(), id)
	}
	return h.store.FeedByURL(r.Context(), s.feed)
}

// applyStream narrows f to s.
func (h *Handler) applyStream(r *http.Request, f *newstrace.ItemFilter, s stream) error {
	switch s.kind {
	case streamRead:
		f.State = newstrace.ReadItems
	case streamStarred:
		f.Starred = true
	case streamKeptUnread:
		f.State = newstrace.UnreadItems
	case streamLabel:
		f.Label = s.label
	case streamFeed:
		feed, err := h.feedOf(r, s)
		if err != nil {
			return err
		}
		f.FeedID = feed.ID
	}
	return nil
}

// streamFilter reads s (or the path's stream), xt, it, ot, nt, r, n and c.
func (h *Handler) streamFilter(r *http.Request, u newstrace.User, streamID string, defN, maxN int) (newstrace.ItemFilter, int, error) {
	f := newstrace.ItemFilter{UserID: u.ID}
	st, err := parseStream(streamID)
	if err != nil {
		return f, 0, err
	}
	if err := h.applyStream(r, &f, st); err != nil {
		return f, 0, err
	}
	for _, x := range r.Form["xt"] {
		switch xs, err := parseStream(x); {
		case err != nil:
			return f, 0, err
		case xs.kind == streamRead:
			f.State = newstrace.UnreadItems
		case xs.kind == streamKeptUnread:
			f.State = newstrace.ReadItems
		}
	}
	for _, x := range r.Form["it"] {
		is, err := parseStream(x)
		if err != nil {
			return f, 0, err
		}
		if err := h.applyStream(r, &f, is); err != nil {
			return f, 0, err
		}
	}
	if f.After, err = unixParam(r.Form.Get("ot")); err != nil {
		return f, 0, err
	}
	if f.Before, err = unixParam(r.Form.Get("nt")); err != nil {
		return f, 0, err
	}
	if r.Form.Get("r") == "o" {
		f.Order = newstrace.OldestFirst
	}
	n := defN
	if v := r.Form.Get("n"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			return f, 0, newstrace.Errorf(newstrace.EINVALID, "n must be a positive integer")
		}
		n = min(n, maxN)
	}
	// Continuation is the offset of the next page, as a string.
	if c := r.Form.Get("c"); c != "" {
		if f.Offset, err = strconv.Atoi(c); err != nil || f.Offset < 0 {
			return f, 0, newstrace.Errorf(newstrace.EINVALID, "bad continuation %q", c)
		}
	}
	f.Limit = n + 1 // one more tells whether a next page exists
	return f, n, nil
}

// unixParam reads seconds since the epoch; NetNewsWire sends a fraction
// ("1718000000.123456").
func unixParam(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	sec, err := strconv.ParseFloat(v, 64)
	if err != nil || sec < 0 || math.IsInf(sec, 0) || sec > 1<<40 {
		return time.Time{}, newstrace.Errorf(newstrace.EINVALID, "bad time %q", v)
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC(), nil
}

func continuation(f newstrace.ItemFilter, n, got int) string {
	if got > n {
		return strconv.Itoa(f.Offset + n)
	}
	return ""
}

type itemRef struct {
	ID              string   `json:"id"`
	DirectStreamIDs []string `json:"directStreamIds"`
	TimestampUsec   string   `json:"timestampUsec"`
}

// streamItemIDs lists ids (short form) of one stream: the sync call.
func (h *Handler) streamItemIDs(w http.ResponseWriter, r *http.Request, u newstrace.User) {
	f, n, err := h.streamFilter(r, u, r.Form.Get("s"), 20, 10000)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	refs, err := h.store.ItemRefs(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := struct {
		ItemRefs     []itemRef `json:"itemRefs"`
		Continuation string    `json:"continuation,omitempty"`
	}{ItemRefs: make([]itemRef, 0, len(refs)), Continuation: continuation(f, n, len(refs))}
	for i, ref := range refs {
		if i == n {
			break
		}
		out.ItemRefs = append(out.ItemRefs, itemRef{
			ID: ShortID(ref.ID), DirectStreamIDs: []string{"feed/" + strconv.FormatInt(ref.FeedID, 10)},
			TimestampUsec: strconv.FormatInt(ref.Time.UnixMicro(), 10),
		})
	}
	writeJSON(w, out)
}

// streamContents lists items of the stream in the path (or s), with bodies.
func (h *Handler) streamContents(w http.ResponseWriter, r *http.Request, u newstrace.User) {
	id := r.Form.Get("s")
	if rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/reader/api/0/stream/contents/"); ok && rest != "" {
		var err error
		if id, err = url.PathUnescape(rest); err != nil {
			badRequest(w, "bad stream id")
			return
		}
	}
	f, n, err := h.streamFilter(r, u, id, 20, 1000)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := h.store.Items(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := continuation(f, n, len(items))
	if len(items) > n {
		items = items[:n]
	}
	if id == "" {
		id = stateReadingList
	}
	h.writeContents(w, r, u, id, items, c)
}

// streamItemContents returns the items named by i= (any id form), the
// second half of a sync.
func (h *Handler) streamItemContents(w http.ResponseWriter, r *http.Request, u newstrace.User) {
	ids, err := itemIDs(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := newstrace.ItemFilter{UserID: u.ID, IDs: ids, Limit: -1}
	if r.Form.Get("r") == "o" {
		f.Order = newstrace.OldestFirst
	}
	var items []newstrace.Item
	for start := 0; start < len(ids); start += 250 {
		f.IDs = ids[start:min(start+250, len(ids))]
		page, err := h.store.Items(r.Context(), f)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		items = append(items, page...)
	}
	h.writeContents(w, r, u, stateReadingList, items, "")
}

// itemIDs reads every i= value.
func itemIDs(r *http.Request) ([]int64, error) {
	raw := r.Form["i"]
	if len(raw) == 0 {
		return nil, newstrace.Errorf(newstrace.EINVALID, "no items given (i=)")
	}
	if len(raw) > 10000 {
		return nil, newstrace.Errorf(newstrace.EINVALID, "at most 10000 items per call")
	}
	ids := make([]int64, 0, len(raw))
	for _, s := range raw {
		id, err := ParseItemID(s)
		if err != nil {
			return nil, newstrace.Errorf(newstrace.EINVALID, "%v", err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

type href struct {
	Href string `json:"href"`
	Type string `json:"type,omitempty"`
}

type content struct {
	Direction string `json:"direction"`
	Content   string `json:"content"`
}

type origin struct {
	StreamID string `json:"streamId"`
	Title    string `json:"title"`
	HTMLURL  string `json:"htmlUrl"`
}

type contentItem struct {
	ID            string   `json:"id"`
	CrawlTimeMsec string   `json:"crawlTimeMsec"`
	TimestampUsec string   `json:"timestampUsec"`
	Published     int64    `json:"published"`
	Updated       int64    `json:"updated"`
	Title         string   `json:"title"`
	Author        string   `json:"author,omitempty"`
	Categories    []string `json:"categories"`
	Canonical     []href   `json:"canonical"`
	Alternate     []href   `json:"alternate"`
	Summary       content  `json:"summary"`
	Origin        origin   `json:"origin"`
}

func (h *Handler) writeContents(w http.ResponseWriter, r *http.Request, u newstrace.User, id string, items []newstrace.Item, cont string) {
	feeds, err := h.store.Feeds(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	byID := make(map[int64]newstrace.Feed, len(feeds))
	for _, f := range feeds {
		byID[f.ID] = f
	}
	out := struct {
		Direction    string        `json:"direction"`
		ID           string        `json:"id"`
		Title        string        `json:"title"`
		Author       string        `json:"author"`
		Updated      int64         `json:"updated"`
		Self         []href        `json:"self"`
		Items        []contentItem `json:"items"`
		Continuation string        `json:"continuation,omitempty"`
	}{Direction: "ltr", ID: id, Title: "newstrace", Author: u.Name, Updated: h.now().Unix(),
		Self: []href{{Href: r.URL.Path}}, Items: make([]contentItem, 0, len(items)), Continuation: cont}
	for _, it := range items {
		feed := byID[it.FeedID]
		cats := []string{stateReadingList}
		if !it.ReadAt.IsZero() {
			cats = append(cats, stateRead)
		}
		if !it.StarredAt.IsZero() {
			cats = append(cats, stateStarred)
		}
		if feed.Folder != "" {
			cats = append(cats, labelPrefix+feed.Folder)
		}
		for _, t := range it.Tags {
			cats = append(cats, labelPrefix+t)
		}
		t := itemTime(it.Document)
		out.Items = append(out.Items, contentItem{
			ID: LongID(it.ID), CrawlTimeMsec: strconv.FormatInt(it.FirstSeen.UnixMilli(), 10),
			TimestampUsec: strconv.FormatInt(t.UnixMicro(), 10), Published: t.Unix(), Updated: t.Unix(),
			Title: it.Title, Author: strings.Join(it.Authors, ", "), Categories: cats,
			Canonical: []href{{Href: it.URL}}, Alternate: []href{{Href: it.URL, Type: "text/html"}},
			Summary: content{Direction: "ltr", Content: bodyHTML(it.Document)},
			Origin:  origin{StreamID: fmt.Sprintf("feed/%d", it.FeedID), Title: feedTitle(feed), HTMLURL: feed.SiteURL},
		})
	}
	writeJSON(w, out)
}

// unreadCount: per feed, per folder and the reading list.
func (h *Handler) unreadCount(w http.ResponseWriter, r *http.Request, u newstrace.User) {
	counts, err := h.store.UnreadCounts(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	feeds, err := h.store.Feeds(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	folderOf := map[int64]string{}
	for _, f := range feeds {
		folderOf[f.ID] = f.Folder
	}
	type uc struct {
		ID      string `json:"id"`
		Count   int    `json:"count"`
		Newest  string `json:"newestItemTimestampUsec"`
		newestT time.Time
	}
	out := []uc{}
	folders := map[string]*uc{}
	var order []string
	for _, c := range counts {
		out = append(out, uc{ID: fmt.Sprintf("feed/%d", c.FeedID), Count: c.Count, Newest: usec(c.Newest)})
		if name := folderOf[c.FeedID]; name != "" {
			if folders[name] == nil {
				folders[name] = &uc{ID: labelPrefix + name}
				order = append(order, name)
			}
			// A document in two feeds of one folder counts twice here; exact
			// per-label counts would cost a query per folder.
			folders[name].Count += c.Count
			if c.Newest.After(folders[name].newestT) {
				folders[name].newestT = c.Newest
			}
		}
	}
	for _, name := range order {
		f := folders[name]
		f.Newest = usec(f.newestT)
		out = append(out, *f)
	}
	total, err := h.store.CountItems(r.Context(), newstrace.ItemFilter{UserID: u.ID, State: newstrace.UnreadItems})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var newest time.Time
	for _, c := range counts {
		if c.Newest.After(newest) {
			newest = c.Newest
		}
	}
	out = append(out, uc{ID: stateReadingList, Count: total, Newest: usec(newest)})
	writeJSON(w, map[string]any{"max": total, "unreadcounts": out})
}

func usec(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixMicro(), 10)
}

func itemTime(d newstrace.Document) time.Time {
	if d.Published != nil && !d.Published.IsZero() {
		return *d.Published
	}
	return d.FirstSeen
}

func feedTitle(f newstrace.Feed) string {
	if f.Title != "" {
		return f.Title
	}
	return f.URL
}

func bodyHTML(d newstrace.Document) string {
	if body := strings.TrimSpace(sanitize.HTML(d.HTML)); body != "" {
		return body
	}
	var b strings.Builder
	for p := range strings.SplitSeq(d.Text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>" + htmlEscaper.Replace(p) + "</p>")
		}
	}
	return b.String()
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
