package greader

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
)

// editTag: i= items, a= streams to add, r= streams to remove. read and
// starred change the user's state; kept-unread is "remove read"; a label is
// the user's tag on the item.
func (h *Handler) editTag(w http.ResponseWriter, r *http.Request, u newstrace.User) {
	ids, err := itemIDs(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	apply := func(raw []string, add bool) error {
		for _, s := range raw {
			st, err := parseStream(s)
			if err != nil {
				return err
			}
			switch st.kind {
			case streamRead:
				err = h.store.SetRead(r.Context(), u.ID, ids, add)
			case streamKeptUnread:
				err = h.store.SetRead(r.Context(), u.ID, ids, !add)
			case streamStarred:
				err = h.store.SetStarred(r.Context(), u.ID, ids, add)
			case streamLabel:
				if add {
					err = h.store.AddTag(r.Context(), u.ID, ids, st.label)
				} else {
					err = h.store.RemoveTag(r.Context(), u.ID, ids, st.label)
				}
			default:
				err = newstrace.Errorf(newstrace.EINVALID, "cannot tag items with %q", s)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if len(r.PostForm["a"]) == 0 && len(r.PostForm["r"]) == 0 {
		badRequest(w, "nothing to add (a=) or remove (r=)")
		return
	}
	if err := apply(r.PostForm["a"], true); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := apply(r.PostForm["r"], false); err != nil {
		h.fail(w, r, err)
		return
	}
	ok(w)
}

// markAllAsRead: s= stream, ts= microseconds (only what arrived before it).
func (h *Handler) markAllAsRead(w http.ResponseWriter, r *http.Request, u newstrace.User) {
	st, err := parseStream(r.PostForm.Get("s"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var f newstrace.MarkFilter
	switch st.kind {
	case streamReadingList:
	case streamLabel:
		f.Label = st.label
	case streamFeed:
		feed, err := h.feedOf(r, st)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		f.FeedID = feed.ID
	default:
		badRequest(w, "cannot mark this stream read")
		return
	}
	if ts := r.PostForm.Get("ts"); ts != "" {
		us, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || us <= 0 {
			badRequest(w, "ts must be microseconds since the epoch")
			return
		}
		f.Before = time.UnixMicro(us)
	}
	if _, err := h.store.MarkAllRead(r.Context(), u.ID, f); err != nil {
		h.fail(w, r, err)
		return
	}
	ok(w)
}

type category struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
	Type  string `json:"type,omitempty"`
}

type subscription struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Categories []category `json:"categories"`
	URL        string     `json:"url"`
	HTMLURL    string     `json:"htmlUrl"`
	IconURL    string     `json:"iconUrl"`
}

// subscriptionList lists every feed: feeds are the team's, not one user's.
func (h *Handler) subscriptionList(w http.ResponseWriter, r *http.Request, _ newstrace.User) {
	feeds, err := h.store.Feeds(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	subs := make([]subscription, 0, len(feeds))
	for _, f := range feeds {
		s := subscription{ID: "feed/" + strconv.FormatInt(f.ID, 10), Title: feedTitle(f), URL: f.URL, HTMLURL: f.SiteURL, Categories: []category{}}
		if f.Folder != "" {
			s.Categories = append(s.Categories, category{ID: labelPrefix + f.Folder, Label: f.Folder, Type: "folder"})
		}
		subs = append(subs, s)
	}
	writeJSON(w, map[string]any{"subscriptions": subs})
}

// tagList: the starred state, every folder, and the user's own tags.
func (h *Handler) tagList(w http.ResponseWriter, r *http.Request, u newstrace.User) {
	folders, err := h.store.Folders(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tags, err := h.store.Tags(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := []category{{ID: stateStarred}}
	seen := map[string]bool{}
	for _, f := range folders {
		seen[f.Name] = true
		out = append(out, category{ID: labelPrefix + f.Name, Label: f.Name, Type: "folder"})
	}
	for _, t := range tags {
		if !seen[t] {
			out = append(out, category{ID: labelPrefix + t, Label: t, Type: "tag"})
		}
	}
	writeJSON(w, map[string]any{"tags": out})
}

// subscriptionEdit: ac=subscribe|unsubscribe|edit on s=, with t= title,
// a= folder to move into, r= folder to leave.
func (h *Handler) subscriptionEdit(w http.ResponseWriter, r *http.Request, u newstrace.User) {
	ss := r.PostForm["s"]
	if len(ss) == 0 {
		badRequest(w, "no subscription (s=)")
		return
	}
	title := strings.TrimSpace(r.PostForm.Get("t"))
	folder, hasFolder, err := labelParam(r.PostForm.Get("a"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	switch ac := r.PostForm.Get("ac"); ac {
	case "subscribe":
		for _, s := range ss {
			if _, err := h.subscribe(r.Context(), u, s, title, folder); err != nil {
				h.fail(w, r, err)
				return
			}
		}
	case "unsubscribe", "edit":
		for _, s := range ss {
			st, err := parseStream(s)
			if err == nil && st.kind != streamFeed {
				err = newstrace.Errorf(newstrace.EINVALID, "%q is not a feed", s)
			}
			if err != nil {
				h.fail(w, r, err)
				return
			}
			feed, err := h.feedOf(r, st)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			if ac == "unsubscribe" {
				err = h.store.DeleteFeed(r.Context(), feed.ID)
				h.log.InfoContext(r.Context(), "feed removed through greader", "user_id", u.ID, "feed_id", feed.ID)
			} else {
				if title != "" {
					feed.Title = title
				}
				if hasFolder {
					feed.Folder = folder
				} else if left, isLabel, _ := labelParam(r.PostForm.Get("r")); isLabel && left == feed.Folder {
					feed.Folder = ""
				}
				err = h.store.UpdateFeed(r.Context(), feed)
			}
			if err != nil {
				h.fail(w, r, err)
				return
			}
		}
	default:
		badRequest(w, "ac must be subscribe, unsubscribe or edit")
		return
	}
	ok(w)
}

// quickAdd subscribes to quickadd= (a feed URL or feed/URL).
func (h *Handler) quickAdd(w http.ResponseWriter, r *http.Request, u newstrace.User) {
	raw := strings.TrimSpace(r.PostForm.Get("quickadd"))
	feed, err := h.subscribe(r.Context(), u, "feed/"+strings.TrimPrefix(raw, "feed/"), "", "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"numResults": 1, "query": feed.URL, "streamId": "feed/" + strconv.FormatInt(feed.ID, 10), "streamName": feedTitle(feed)})
}

// subscribe follows feed/URL; an already followed URL is a success (the
// feed list is shared), with the title and folder applied.
func (h *Handler) subscribe(ctx context.Context, u newstrace.User, s, title, folder string) (newstrace.Feed, error) {
	raw, ok := strings.CutPrefix(s, "feed/")
	p, err := url.Parse(raw)
	if !ok || err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return newstrace.Feed{}, newstrace.Errorf(newstrace.EINVALID, "subscribe needs feed/ and an http(s) URL, got %q", s)
	}
	f := newstrace.Feed{URL: p.String(), Title: title, Folder: folder, NextPollAt: h.now()}
	err = h.store.CreateFeed(ctx, &f)
	if newstrace.ErrorCode(err) == newstrace.ECONFLICT {
		if f, err = h.store.FeedByURL(ctx, p.String()); err != nil {
			return f, err
		}
		if title != "" || folder != "" {
			f.Title = cmpOr(title, f.Title)
			f.Folder = cmpOr(folder, f.Folder)
			err = h.store.UpdateFeed(ctx, f)
		}
		return f, err
	} else if err != nil {
		return f, err
	}
	h.log.InfoContext(ctx, "feed added through greader", "user_id", u.ID, "feed_id", f.ID, "url", f.URL)
	if h.onFeedAdded != nil {
		h.onFeedAdded(ctx, f.ID)
	}
	return f, nil
}

// labelParam reads "user/-/label/X"; "" is no label.
func labelParam(v string) (string, bool, error) {
	if v == "" {
		return "", false, nil
	}
	st, err := parseStream(v)
	if err != nil || st.kind != streamLabel {
		return "", false, newstrace.Errorf(newstrace.EINVALID, "%q is not a label", v)
	}
	return st.label, true, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
