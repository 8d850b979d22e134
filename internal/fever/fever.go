// Package fever serves the Fever API (version 3) at /fever/ for reader apps
// (Reeder, ReadKit, Fluent Reader, FeedMe, Unread…).
//
// The protocol, as documented by its author and mirrored in public repos
// (kwo/rakewire fever-api.md; the doc comments of miniflux/v2
// internal/fever/handler.go): every call is POST /fever/?api[&what], the
// body carries api_key = md5("name:password"); answers are JSON objects with
// api_version, auth (0/1) and last_refreshed_on_time beside what was asked.
// Ids are integers: items are document ids, feeds are feed ids, groups are
// folder ids (newstrace.Folder).
package fever

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/newstrace/newstrace/internal/loginlimit"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/sanitize"
)

const (
	apiVersion = 3
	pageSize   = 50 // items per call, as the protocol says
	maxBody    = 64 << 10
)

// APIKey is the key a Fever client computes: md5 of "name:password", hex.
func APIKey(name, password string) string {
	sum := md5.Sum([]byte(name + ":" + password))
	return hex.EncodeToString(sum[:])
}

// KeyHash is what the store keeps of an api_key: sha256 of its lower-case
// hex, so a copy of the database does not hand out working keys.
func KeyHash(apiKey string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(apiKey))))
	return hex.EncodeToString(sum[:])
}

// Config holds the handler's dependencies.
type Config struct {
	Store  newstrace.Store
	Logger *slog.Logger
	Now    func() time.Time
}

// Handler serves /fever/.
type Handler struct {
	store   newstrace.Store
	log     *slog.Logger
	now     func() time.Time
	limiter *loginlimit.Limiter
}

// New checks cfg.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("fever: config needs a store")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{store: cfg.Store, log: cfg.Logger.With(slog.String("component", "fever")), now: cfg.Now,
		limiter: loginlimit.New(20, 15*time.Minute, cfg.Now)}, nil
}

// response is every answer: the base members plus whichever was asked for.
// Pointers and omitempty keep members the call did not ask for out.
type response struct {
	APIVersion    int           `json:"api_version"`
	Auth          int           `json:"auth"`
	LastRefreshed *int64        `json:"last_refreshed_on_time,omitempty"` // only when authenticated
	Groups        *[]group      `json:"groups,omitempty"`
	Feeds         *[]feed       `json:"feeds,omitempty"`
	FeedsGroups   *[]feedsGroup `json:"feeds_groups,omitempty"`
	Favicons      *[]favicon    `json:"favicons,omitempty"`
	Items         *[]item       `json:"items,omitempty"`
	TotalItems    *int          `json:"total_items,omitempty"`
	Links         *[]struct{}   `json:"links,omitempty"`
	UnreadItemIDs *string       `json:"unread_item_ids,omitempty"`
	SavedItemIDs  *string       `json:"saved_item_ids,omitempty"`
}

type group struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

type feedsGroup struct {
	GroupID int64  `json:"group_id"`
	FeedIDs string `json:"feed_ids"`
}

type feed struct {
	ID          int64  `json:"id"`
	FaviconID   int64  `json:"favicon_id"`
	Title       string `json:"title"`
	URL         string `json:"url"`
	SiteURL     string `json:"site_url"`
	IsSpark     int    `json:"is_spark"`
	LastUpdated int64  `json:"last_updated_on_time"`
}

type favicon struct {
	ID   int64  `json:"id"`
	Data string `json:"data"`
}

type item struct {
	ID        int64  `json:"id"`
	FeedID    int64  `json:"feed_id"`
	Title     string `json:"title"`
	Author    string `json:"author"`
	HTML      string `json:"html"`
	URL       string `json:"url"`
	IsSaved   int    `json:"is_saved"`
	IsRead    int    `json:"is_read"`
	CreatedOn int64  `json:"created_on_time"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ip := loginlimit.ClientIP(r)
	if h.limiter.Blocked(ip) {
		h.write(w, r, http.StatusTooManyRequests, response{APIVersion: apiVersion})
		return
	}
	// Clients POST the key; some send it in the query too (r.Form has both).
	key := r.Form.Get("api_key")
	u, err := h.store.UserByFeverKey(r.Context(), KeyHash(key))
	if newstrace.IsNotFound(err) || key == "" {
		h.limiter.Fail(ip)
		h.log.WarnContext(r.Context(), "fever auth failed", slog.String("remote", ip))
		h.write(w, r, http.StatusOK, response{APIVersion: apiVersion, Auth: 0})
		return
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	resp, err := h.serve(r.Context(), u, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.write(w, r, http.StatusOK, resp)
}

// serve answers one authenticated call. A call may ask for several members.
func (h *Handler) serve(ctx context.Context, u newstrace.User, r *http.Request) (response, error) {
	resp := response{APIVersion: apiVersion, Auth: 1}
	feeds, err := h.store.Feeds(ctx)
	if err != nil {
		return resp, err
	}
	var last int64
	for _, f := range feeds {
		last = max(last, unix(f.LastPolledAt))
	}
	resp.LastRefreshed = &last
	has := func(name string) bool { _, ok := r.Form[name]; return ok }

	// Writes first, so ids asked for in the same call reflect them.
	if mark := r.Form.Get("mark"); mark != "" {
		if err := h.mark(ctx, u, mark, r.Form.Get("as"), r.Form.Get("id"), r.Form.Get("before"), &resp); err != nil {
			return resp, err
		}
	}
	if has("groups") || has("feeds") {
		folders, err := h.store.Folders(ctx)
		if err != nil {
			return resp, err
		}
		fg := feedsGroups(folders, feeds)
		resp.FeedsGroups = &fg
		if has("groups") {
			gs := make([]group, 0, len(folders))
			for _, f := range folders {
				gs = append(gs, group{ID: f.ID, Title: f.Name})
			}
			resp.Groups = &gs
		}
		if has("feeds") {
			fs := make([]feed, 0, len(feeds))
			for _, f := range feeds {
				fs = append(fs, feed{ID: f.ID, Title: titleOf(f), URL: f.URL, SiteURL: f.SiteURL, LastUpdated: unix(f.LastPolledAt)})
			}
			resp.Feeds = &fs
		}
	}
	if has("favicons") {
		resp.Favicons = &[]favicon{} // favicons are not fetched (yet)
	}
	if has("links") {
		resp.Links = &[]struct{}{} // no "hot links"
	}
	if has("items") {
		if err := h.items(ctx, u, r, &resp); err != nil {
			return resp, err
		}
	}
	if has("unread_item_ids") {
		if err := h.idList(ctx, newstrace.ItemFilter{UserID: u.ID, State: newstrace.UnreadItems}, &resp.UnreadItemIDs); err != nil {
			return resp, err
		}
	}
	if has("saved_item_ids") {
		if err := h.idList(ctx, newstrace.ItemFilter{UserID: u.ID, Starred: true}, &resp.SavedItemIDs); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

// items answers ?items with since_id, max_id or with_ids (at most 50 each).
func (h *Handler) items(ctx context.Context, u newstrace.User, r *http.Request, resp *response) error {
	q := r.Form
	f := newstrace.ItemFilter{UserID: u.ID, Limit: pageSize, Order: newstrace.IDAscending}
	switch {
	case q.Has("with_ids"):
		f.IDs = parseIDs(q.Get("with_ids"), pageSize)
		if len(f.IDs) == 0 {
			f.IDs = []int64{-1} // matches nothing
		}
	case q.Has("max_id"):
		// Fluent Reader starts with max_id=2^53-1: anything unparsable or
		// huge means "from the newest".
		f.Order = newstrace.IDDescending
		if id, err := strconv.ParseInt(q.Get("max_id"), 10, 64); err == nil && id > 0 {
			f.MaxID = id
		}
	case q.Has("since_id"):
		if id, err := strconv.ParseInt(q.Get("since_id"), 10, 64); err == nil && id > 0 {
			f.SinceID = id
		}
	}
	items, err := h.store.Items(ctx, f)
	if err != nil {
		return err
	}
	total, err := h.store.CountItems(ctx, newstrace.ItemFilter{UserID: u.ID})
	if err != nil {
		return err
	}
	out := make([]item, 0, len(items))
	for _, it := range items {
		out = append(out, item{
			ID: it.ID, FeedID: it.FeedID, Title: it.Title, Author: strings.Join(it.Authors, ", "),
			HTML: bodyHTML(it.Document), URL: it.URL, IsSaved: bit(!it.StarredAt.IsZero()), IsRead: bit(!it.ReadAt.IsZero()),
			CreatedOn: itemTime(it.Document).Unix(),
		})
	}
	resp.Items, resp.TotalItems = &out, &total
	return nil
}

func (h *Handler) idList(ctx context.Context, f newstrace.ItemFilter, dst **string) error {
	f.Limit, f.Order = -1, newstrace.IDAscending
	refs, err := h.store.ItemRefs(ctx, f)
	if err != nil {
		return err
	}
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = strconv.FormatInt(r.ID, 10)
	}
	s := strings.Join(parts, ",")
	*dst = &s
	return nil
}

// mark applies mark=item|feed|group. Unknown ids are ignored, as Fever did:
// a client retrying a mark for a deleted item must not loop on an error.
func (h *Handler) mark(ctx context.Context, u newstrace.User, mark, as, rawID, rawBefore string, resp *response) error {
	id, err := strconv.ParseInt(rawID, 10, 64)
	if err != nil {
		return nil
	}
	before := time.Time{}
	if b, err := strconv.ParseInt(rawBefore, 10, 64); err == nil && b > 0 {
		before = time.Unix(b, 0)
	}
	switch mark {
	case "item":
		var err error
		switch as {
		case "read", "unread":
			err = h.store.SetRead(ctx, u.ID, []int64{id}, as == "read")
			if err == nil || newstrace.IsNotFound(err) {
				err = h.idList(ctx, newstrace.ItemFilter{UserID: u.ID, State: newstrace.UnreadItems}, &resp.UnreadItemIDs)
			}
		case "saved", "unsaved":
			err = h.store.SetStarred(ctx, u.ID, []int64{id}, as == "saved")
			if err == nil || newstrace.IsNotFound(err) {
				err = h.idList(ctx, newstrace.ItemFilter{UserID: u.ID, Starred: true}, &resp.SavedItemIDs)
			}
		}
		if newstrace.IsNotFound(err) {
			return nil
		}
		return err
	case "feed", "group":
		if as != "read" {
			return nil
		}
		f := newstrace.MarkFilter{Before: before}
		if mark == "feed" {
			if id <= 0 {
				return nil
			}
			f.FeedID = id
		} else if id > 0 {
			folder, ok, err := h.folderName(ctx, id)
			if err != nil || !ok {
				return err
			}
			f.Folder = folder
		} else if id < 0 {
			return nil // -1 is "Sparks": we have none
		} // 0 is "Kindling": everything
		n, err := h.store.MarkAllRead(ctx, u.ID, f)
		if err != nil {
			return fmt.Errorf("fever mark %s %d read: %w", mark, id, err)
		}
		h.log.InfoContext(ctx, "fever mark read", slog.Int64("user_id", u.ID), slog.String("mark", mark), slog.Int64("id", id), slog.Int("marked", n))
		return h.idList(ctx, newstrace.ItemFilter{UserID: u.ID, State: newstrace.UnreadItems}, &resp.UnreadItemIDs)
	}
	return nil
}

func (h *Handler) folderName(ctx context.Context, id int64) (string, bool, error) {
	folders, err := h.store.Folders(ctx)
	if err != nil {
		return "", false, err
	}
	for _, f := range folders {
		if f.ID == id {
			return f.Name, true, nil
		}
	}
	return "", false, nil
}

// feedsGroups lists each folder with its feeds' ids.
func feedsGroups(folders []newstrace.Folder, feeds []newstrace.Feed) []feedsGroup {
	byName := map[string][]string{}
	for _, f := range feeds {
		if f.Folder != "" {
			byName[f.Folder] = append(byName[f.Folder], strconv.FormatInt(f.ID, 10))
		}
	}
	out := make([]feedsGroup, 0, len(folders))
	for _, g := range folders {
		if ids := byName[g.Name]; len(ids) > 0 {
			out = append(out, feedsGroup{GroupID: g.ID, FeedIDs: strings.Join(ids, ",")})
		}
	}
	return out
}

func (h *Handler) write(w http.ResponseWriter, r *http.Request, status int, v response) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		h.log.WarnContext(r.Context(), "write fever response", slog.Any("err", err))
	}
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "fever request failed", slog.String("path", r.URL.RequestURI()), slog.Any("err", err))
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// parseIDs reads a comma-separated id list, at most limit ids.
func parseIDs(s string, limit int) []int64 {
	var out []int64
	for p := range strings.SplitSeq(s, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil && id > 0 {
			out = append(out, id)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

func bodyHTML(d newstrace.Document) string {
	if body := strings.TrimSpace(sanitize.HTML(d.HTML)); body != "" {
		return body
	}
	var b strings.Builder
	for p := range strings.SplitSeq(d.Text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>" + htmlEscape(p) + "</p>")
		}
	}
	return b.String()
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

func htmlEscape(s string) string { return htmlEscaper.Replace(s) }

func itemTime(d newstrace.Document) time.Time {
	if d.Published != nil && !d.Published.IsZero() {
		return *d.Published
	}
	return d.FirstSeen
}

func titleOf(f newstrace.Feed) string {
	if f.Title != "" {
		return f.Title
	}
	return f.URL
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}
