// Package webhook delivers signed JSON events to the URLs of
// newstrace.Webhook: "story.outlet_added" when a story gains a copy from an
// outlet it had none from, "search.match" when a new document's story
// matches a webhook's saved search.
//
// A delivery is one POST of the event's JSON with
//
//	X-Newstrace-Event:     the event name
//	X-Newstrace-Delivery:  a random id, the same on every retry
//	X-Newstrace-Signature: sha256=HEX, HMAC-SHA256 of the body keyed with the webhook's secret
//
// retried with exponential backoff on network errors, 429 and 5xx. Targets
// go through fetch's dial-time address check, so private, loopback and
// link-local addresses are refused unless the server or the webhook allows
// them. Redirects are not followed.
package webhook

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/fetch"
	"github.com/newstrace/newstrace/internal/match"
	"github.com/newstrace/newstrace/internal/metrics"
	"github.com/newstrace/newstrace/internal/search"
)

// Header names of a delivery.
const (
	HeaderEvent     = "X-Newstrace-Event"
	HeaderDelivery  = "X-Newstrace-Delivery"
	HeaderSignature = "X-Newstrace-Signature"
)

// Config holds a Notifier's dependencies; zero values take defaults.
type Config struct {
	Store        newstrace.Store
	AllowPrivate bool   // --allow-private: every webhook may target private addresses
	BaseURL      string // this server's public URL, for story links; optional
	Logger       *slog.Logger
	Now          func() time.Time
	Timeout      time.Duration // per attempt, default 10s
	Attempts     int           // default 4
	Backoff      time.Duration // before the second attempt, doubling; default 2s
	// IPPolicy replaces fetch.ClassifyIP (tests block one loopback address).
	IPPolicy func(netip.Addr) string
}

// Notifier turns stored documents into webhook deliveries.
type Notifier struct {
	cfg             Config
	log             *slog.Logger
	strict, private *http.Client
	wg              sync.WaitGroup
	sem             chan struct{}
}

// New returns a Notifier; Store is required.
func New(cfg Config) (*Notifier, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("webhook: config needs a store")
	}
	cfg.Timeout = cmp.Or(cfg.Timeout, 10*time.Second)
	cfg.Attempts = max(cmp.Or(cfg.Attempts, 4), 1)
	cfg.Backoff = cmp.Or(cfg.Backoff, 2*time.Second)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cmp.Or(cfg.Logger, slog.Default()).With("component", "webhook")
	client := func(allowPrivate bool) *http.Client {
		return &http.Client{
			Transport: fetch.NewTransport(fetch.Config{AllowPrivate: allowPrivate, IPPolicy: cfg.IPPolicy,
				ConnectTimeout: cfg.Timeout, HeaderTimeout: cfg.Timeout, Logger: log}),
			Timeout:       cfg.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &Notifier{cfg: cfg, log: log, strict: client(cfg.AllowPrivate), private: client(true), sem: make(chan struct{}, 4)}, nil
}

// CheckTarget refuses a webhook URL that is not http(s), or names a private,
// loopback or link-local address literally, unless allowPrivate. Names that
// resolve to such addresses are refused again at delivery, when dialing.
func CheckTarget(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return newstrace.Errorf(newstrace.EINVALID, "webhook URL must be an http(s) URL, got %q", raw)
	}
	if allowPrivate {
		return nil
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return newstrace.Errorf(newstrace.EINVALID, "webhook URL %s is a loopback address; pass --allow-private to allow it", raw)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if what := fetch.ClassifyIP(ip); what != "" {
			return newstrace.Errorf(newstrace.EINVALID, "webhook URL %s is %s address; pass --allow-private to allow it", raw, what)
		}
	}
	return nil
}

// Event is the JSON body of a delivery.
type Event struct {
	Event    string        `json:"event"`
	Delivery string        `json:"delivery"`
	Time     time.Time     `json:"time"`
	Query    string        `json:"query,omitempty"` // the saved search, for search.match
	Story    EventStory    `json:"story"`
	Document EventDocument `json:"document"`
}

// EventStory is the story an event is about.
type EventStory struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	URL         string `json:"url,omitempty"` // the provenance page, when the base URL is known
	Documents   int    `json:"documents"`
	Outlets     int    `json:"outlets"`
	FirstOutlet string `json:"first_outlet,omitempty"` // the root document's outlet
}

// EventDocument is the document that caused the event.
type EventDocument struct {
	ID        int64      `json:"id"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Outlet    string     `json:"outlet,omitempty"`
	Published *time.Time `json:"published,omitempty"`
}

// Sign is the signature header value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether sig is body's signature under secret (constant time).
func Verify(secret string, body []byte, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(Sign(secret, body)))
}

// NewSecret returns a random webhook secret.
func NewSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return "whsec_" + hex.EncodeToString(b), nil // crypto/rand never fails on supported systems
}

// Stored is the pipeline's hook: called after a feed entry's document was
// stored and matched into its story. It decides which webhooks fire and
// delivers in the background (see Wait); errors are logged, never returned,
// so a webhook never fails the ingest.
func (n *Notifier) Stored(ctx context.Context, res newstrace.SaveResult) {
	if !res.Created {
		return // a sighting of a document already stored
	}
	hooks, err := n.cfg.Store.Webhooks(ctx)
	if err != nil || len(hooks) == 0 {
		if err != nil {
			n.log.WarnContext(ctx, "list webhooks", slog.Any("err", err))
		}
		return
	}
	// Matching may have moved the document into another story.
	doc, err := n.cfg.Store.Document(ctx, res.Document.ID)
	if err != nil {
		n.log.WarnContext(ctx, "webhook: load document", slog.Int64("document_id", res.Document.ID), slog.Any("err", err))
		return
	}
	st, err := n.cfg.Store.Story(ctx, doc.StoryID)
	if err != nil {
		n.log.WarnContext(ctx, "webhook: load story", slog.Int64("story_id", doc.StoryID), slog.Any("err", err))
		return
	}
	base := Event{Time: n.cfg.Now().UTC(), Story: n.eventStory(st), Document: eventDocument(doc)}
	for _, h := range hooks {
		var fire bool
		switch h.Event {
		case newstrace.EventOutletAdded:
			fire = newOutlet(st, doc)
		case newstrace.EventSearchMatch:
			fire = n.matches(ctx, h.Query, st.ID)
		}
		if !fire {
			continue
		}
		ev := base
		ev.Event = h.Event
		if h.Event == newstrace.EventSearchMatch {
			ev.Query = h.Query
		}
		n.deliverAsync(h, ev)
	}
}

// newOutlet reports whether doc brought the story an outlet none of its
// other documents came from (by each document's first source, else its host).
func newOutlet(st newstrace.Story, doc newstrace.Document) bool {
	if len(st.Documents) < 2 {
		return false // a new story, not a story gaining an outlet
	}
	mine := outletKey(doc)
	for _, d := range st.Documents {
		if d.ID != doc.ID && outletKey(d) == mine {
			return false
		}
	}
	return true
}

func outletKey(d newstrace.Document) string {
	if d.SourceID != 0 {
		return "source:" + strconv.FormatInt(d.SourceID, 10)
	}
	return "host:" + match.Host(d.URL)
}

// matches reports whether the story holding the new document matches query.
func (n *Notifier) matches(ctx context.Context, query string, storyID int64) bool {
	q, err := search.Parse(query)
	if err != nil {
		n.log.WarnContext(ctx, "webhook query does not parse", slog.String("query", query), slog.Any("err", err))
		return false
	}
	q.StoryID, q.Limit = storyID, 1
	res, err := n.cfg.Store.Search(ctx, q)
	if err != nil {
		n.log.WarnContext(ctx, "webhook search", slog.String("query", query), slog.Any("err", err))
		return false
	}
	return len(res.Hits) > 0
}

func (n *Notifier) deliverAsync(h newstrace.Webhook, ev Event) {
	ev.Delivery = rand.Text()
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.sem <- struct{}{}
		defer func() { <-n.sem }()
		// Deliveries outlive the job that triggered them, not the process.
		ctx := context.Background()
		if err := n.Deliver(ctx, h, ev); err != nil {
			metrics.WebhookDeliveries.Inc("failed")
			n.log.Warn("webhook delivery failed", slog.Int64("webhook_id", h.ID), slog.String("url", h.URL), slog.Any("err", err))
			return
		}
		metrics.WebhookDeliveries.Inc("ok")
	}()
}

// Wait blocks until background deliveries finish (tests, shutdown).
func (n *Notifier) Wait() { n.wg.Wait() }

// Deliver POSTs ev to h, retrying with backoff; it returns the last error.
func (n *Notifier) Deliver(ctx context.Context, h newstrace.Webhook, ev Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("deliver webhook %d: %w", h.ID, err)
	}
	client := n.strict
	if h.AllowPrivate {
		client = n.private
	}
	wait := n.cfg.Backoff
	for attempt := 1; ; attempt++ {
		retry, err := n.post(ctx, client, h, ev, body)
		if err == nil {
			return nil
		}
		if !retry || attempt >= n.cfg.Attempts {
			return fmt.Errorf("deliver webhook %d to %s (attempt %d): %w", h.ID, h.URL, attempt, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("deliver webhook %d: %w", h.ID, ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// post makes one attempt; retry says whether another may succeed.
func (n *Notifier) post(ctx context.Context, client *http.Client, h newstrace.Webhook, ev Event, body []byte) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "newstrace-webhook/0.1")
	req.Header.Set(HeaderEvent, ev.Event)
	req.Header.Set(HeaderDelivery, ev.Delivery)
	req.Header.Set(HeaderSignature, Sign(h.Secret, body))
	resp, err := client.Do(req)
	if err != nil {
		kind := fetch.ErrorKind(err)
		metrics.FetchErrors.Inc(kind)
		// A refused address will be refused again.
		return kind != fetch.KindPrivateAddress, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return true, fmt.Errorf("status %s", resp.Status)
	}
	return false, fmt.Errorf("status %s", resp.Status)
}

func (n *Notifier) eventStory(st newstrace.Story) EventStory {
	out := EventStory{ID: st.ID, Title: st.Title, Documents: len(st.Documents), Outlets: st.SourceCount}
	if n.cfg.BaseURL != "" {
		out.URL = strings.TrimSuffix(n.cfg.BaseURL, "/") + "/stories/" + strconv.FormatInt(st.ID, 10)
	}
	for _, d := range st.Documents {
		if d.ID == st.RootDocumentID {
			out.FirstOutlet = outletOf(d)
			if out.Title == "" {
				out.Title = d.Title
			}
		}
	}
	return out
}

func eventDocument(d newstrace.Document) EventDocument {
	return EventDocument{ID: d.ID, URL: d.URL, Title: d.Title, Outlet: outletOf(d), Published: d.Published}
}

func outletOf(d newstrace.Document) string {
	return cmp.Or(d.SourceName, d.SiteName, match.Host(d.URL))
}
