// Package pipeline is the one orchestrator: poll a feed, process an entry,
// ingest a file. Each step is fetch → extract (with cleaning) → fingerprint →
// store. Jobs only decide when these functions run.
package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/extract"
	"github.com/newstrace/newstrace/internal/feed"
	"github.com/newstrace/newstrace/internal/fetch"
	"github.com/newstrace/newstrace/internal/match"
	"github.com/newstrace/newstrace/internal/metrics"
)

// Config holds the pipeline's dependencies and policies.
type Config struct {
	Store  newstrace.Store
	Fetch  *fetch.Client
	Logger *slog.Logger
	Now    func() time.Time
	Policy feed.Policy
	Limits feed.Limits
	// MaxFeedBytes and MaxPageBytes cap downloads (0 = fetch client default).
	MaxFeedBytes int64
	MaxPageBytes int64
	// ShortLinks, when set, resolves a processed entry's short via link
	// (Provenance.ViaURL) through Fetch; nil never does.
	ShortLinks *ShortLinks
	// OnStored, when set, is called after a feed entry's new document is
	// stored and matched into its story (webhooks); it must not block long.
	OnStored func(ctx context.Context, res newstrace.SaveResult)
	// Embedder, when set, embeds each matched document (title and text)
	// once, keeps the vector in the store (which must be a
	// newstrace.EmbeddingStore) and links documents in other languages
	// whose vectors are close (story.EmbedCosine) as translations.
	// EmbedModel names the vectors: required with Embedder. nil: a
	// translation is linked by explicit cues only.
	Embedder   Embedder
	EmbedModel string
}

// Pipeline runs the stages over domain values.
type Pipeline struct {
	store  newstrace.Store
	fetch  *fetch.Client
	log    *slog.Logger
	now    func() time.Time
	policy feed.Policy
	limits feed.Limits
	cfg    Config
	df     *DFCache // document frequencies shared by every match in this process
}

// New returns a pipeline; Store and Fetch are required.
func New(cfg Config) (*Pipeline, error) {
	if cfg.Store == nil || cfg.Fetch == nil {
		return nil, errors.New("pipeline: Store and Fetch are required")
	}
	if cfg.Embedder != nil {
		if cfg.EmbedModel == "" {
			return nil, errors.New("pipeline: EmbedModel is required with Embedder")
		}
		if _, ok := cfg.Store.(newstrace.EmbeddingStore); !ok {
			return nil, fmt.Errorf("pipeline: the store (%T) keeps no embeddings", cfg.Store)
		}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Pipeline{
		store:  cfg.Store,
		fetch:  cfg.Fetch,
		log:    cmp.Or(cfg.Logger, slog.Default()).With("component", "pipeline"),
		now:    now,
		policy: cfg.Policy,
		limits: cfg.Limits,
		cfg:    cfg,
		df:     NewDFCache(0),
	}, nil
}

// AddFeed subscribes to rawURL. The feed is due at once.
func (p *Pipeline) AddFeed(ctx context.Context, rawURL, title, folder string) (newstrace.Feed, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return newstrace.Feed{}, newstrace.Errorf(newstrace.EINVALID, "not an http(s) feed URL: %q", rawURL)
	}
	f := newstrace.Feed{URL: u.String(), Title: title, Folder: folder, NextPollAt: p.now()}
	if err := p.store.CreateFeed(ctx, &f); err != nil {
		return newstrace.Feed{}, fmt.Errorf("add feed %s: %w", u, err)
	}
	return f, nil
}

// PollResult tells what one poll did.
type PollResult struct {
	Feed        newstrace.Feed
	NotModified bool
	Entries     []feed.Entry // entries not seen before, oldest first
}

// PollFeed fetches one feed, records its new state (validators, schedule,
// errors with backoff, remembered permanent redirects) and returns the
// entries this feed has not recorded yet.
func (p *Pipeline) PollFeed(ctx context.Context, feedID int64) (res PollResult, err error) {
	defer func() { metrics.Polls.Inc(pollOutcome(res, err)) }()
	f, err := p.store.Feed(ctx, feedID)
	if err != nil {
		return PollResult{}, fmt.Errorf("poll feed %d: %w", feedID, err)
	}
	log := p.log.With("feed_id", f.ID, "url", f.URL)
	resp, err := p.fetch.Get(ctx, fetch.Request{
		URL: f.URL, ETag: f.ETag, LastModified: f.LastModified,
		Accept:   "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5",
		MaxBytes: p.cfg.MaxFeedBytes,
	})
	if err != nil {
		return PollResult{Feed: f}, p.pollFailed(ctx, &f, resp, err)
	}
	now := p.now()
	if resp.PermanentURL != "" && resp.PermanentURL != f.URL {
		if _, err := p.store.FeedByURL(ctx, resp.PermanentURL); newstrace.IsNotFound(err) {
			log.Info("feed moved permanently", "new_url", resp.PermanentURL)
			f.URL = resp.PermanentURL
		}
	}
	out := feed.Outcome{Status: resp.StatusCode, Header: resp.Header}
	if resp.NotModified {
		f.LastPolledAt, f.FailureCount, f.LastError = now, 0, ""
		f.NextPollAt = feed.NextPoll(now, out, p.policy)
		if err := p.store.UpdateFeed(ctx, f); err != nil {
			return PollResult{Feed: f}, fmt.Errorf("poll feed %d: save state: %w", f.ID, err)
		}
		return PollResult{Feed: f, NotModified: true}, nil
	}
	parsed, err := feed.Parse(resp.Body, resp.FinalURL, p.limits)
	if err != nil {
		return PollResult{Feed: f}, p.pollFailed(ctx, &f, resp, err)
	}
	out.TTL = parsed.TTL
	f.LastPolledAt, f.FailureCount, f.LastError = now, 0, ""
	if parsed.Dropped > 0 { // a limit breach is worth showing even though the poll worked
		f.LastError, f.LastErrorAt = droppedNotice(parsed), now
	}
	f.ETag, f.LastModified = resp.ETag, resp.LastModified
	f.NextPollAt = feed.NextPoll(now, out, p.policy)
	if f.Title == "" {
		f.Title = parsed.Title
	}
	if f.SiteURL == "" {
		f.SiteURL = parsed.SiteURL
	}
	if err := p.store.UpdateFeed(ctx, f); err != nil {
		return PollResult{Feed: f}, fmt.Errorf("poll feed %d: save state: %w", f.ID, err)
	}
	var fresh []feed.Entry
	for _, e := range parsed.Entries {
		seen, err := p.store.SeenEntry(ctx, f.ID, e.Key)
		if err != nil {
			return PollResult{Feed: f}, fmt.Errorf("poll feed %d: %w", f.ID, err)
		}
		if !seen {
			if e.Language == "" {
				e.Language = parsed.Language
			}
			fresh = append(fresh, e)
		}
	}
	// Feeds list newest first; process oldest first so first-seen order follows publication.
	for i, j := 0, len(fresh)-1; i < j; i, j = i+1, j-1 {
		fresh[i], fresh[j] = fresh[j], fresh[i]
	}
	log.Debug("feed polled", "entries", len(parsed.Entries), "new", len(fresh))
	return PollResult{Feed: f, Entries: fresh}, nil
}

// pollFailed records a failed poll with backoff and returns the error.
func (p *Pipeline) pollFailed(ctx context.Context, f *newstrace.Feed, resp *fetch.Response, cause error) error {
	now := p.now()
	f.FailureCount++
	f.LastPolledAt, f.LastErrorAt = now, now
	f.LastError = oneLine(cause.Error())
	out := feed.Outcome{Failures: f.FailureCount, Err: cause}
	if resp != nil {
		out.Status, out.Header = resp.StatusCode, resp.Header
	}
	f.NextPollAt = feed.NextPoll(now, out, p.policy)
	p.log.Warn("feed poll failed", "feed_id", f.ID, "url", f.URL, "failures", f.FailureCount,
		"next_poll", f.NextPollAt, "err", cause)
	if err := p.store.UpdateFeed(ctx, *f); err != nil {
		return fmt.Errorf("poll feed %d: %w (and saving its state: %v)", f.ID, cause, err)
	}
	return fmt.Errorf("poll feed %s: %w", f.URL, cause)
}

// ProcessEntry turns one feed entry into a stored document: the page is
// fetched and extracted; when that fails or yields less than the feed's own
// content, the feed's content is used. An entry whose URL is already stored
// (seen in another feed) only gains a sighting.
func (p *Pipeline) ProcessEntry(ctx context.Context, f newstrace.Feed, e feed.Entry) (newstrace.SaveResult, error) {
	sight := newstrace.Sighting{FeedID: f.ID, SourceID: f.SourceID, EntryKey: e.Key, URL: e.URL, SeenAt: p.now()}
	canonical := ""
	if e.URL != "" {
		if c, err := match.CanonicalURL(e.URL); err == nil {
			canonical = c
			if d, err := p.store.DocumentByURL(ctx, c); err == nil {
				res, err := p.store.SaveDocument(ctx, d, sight)
				if err == nil {
					err = p.matchSaved(ctx, res)
				}
				return res, err
			}
		}
	}
	learned := p.learnedSet(ctx, f.SourceID)
	art, err := p.articleFor(ctx, e, learned)
	if err != nil {
		return newstrace.SaveResult{}, fmt.Errorf("process entry %s: %w", cmp.Or(e.URL, e.Key), err)
	}
	p.afterExtract(ctx, &art, learned)
	if art.CanonicalURL == "" {
		art.CanonicalURL = canonical
	}
	doc := documentFrom(art, p.now())
	doc.SourceID = f.SourceID
	if doc.URL == "" {
		doc.URL = e.URL
	}
	res, err := p.store.SaveDocument(ctx, doc, sight)
	if err == nil {
		err = p.matchSaved(ctx, res)
	}
	if err != nil {
		return res, fmt.Errorf("process entry %s: %w", cmp.Or(e.URL, e.Key), err)
	}
	p.learnBoilerplate(ctx, f.SourceID, learned, res)
	p.stored(ctx, res) // notify.go
	return res, nil
}

// articleFor extracts the entry's page, falling back to the feed content.
func (p *Pipeline) articleFor(ctx context.Context, e feed.Entry, learned map[string]string) (newstrace.Article, error) {
	hints := extract.Options{URL: e.URL, Language: e.Language, Published: e.Published, Title: e.Title, Boilerplate: learned}
	feedHTML := cmp.Or(e.ContentHTML, e.SummaryHTML)
	var fromFeed newstrace.Article
	var feedErr error = errors.New("entry has no content")
	if strings.TrimSpace(feedHTML) != "" {
		fromFeed, feedErr = extract.Bytes([]byte("<html><body><article>"+feedHTML+"</article></body></html>"), "text/html; charset=utf-8", hints)
	}
	if e.URL == "" {
		return finish(fromFeed, e), feedErr
	}
	resp, err := p.fetch.Get(ctx, fetch.Request{URL: e.URL, Accept: "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.5", MaxBytes: p.cfg.MaxPageBytes})
	if err != nil {
		p.log.Info("page fetch failed, using feed content", "url", e.URL, "err", err)
		if feedErr != nil {
			return newstrace.Article{}, fmt.Errorf("fetch page: %w", err)
		}
		return finish(fromFeed, e), nil
	}
	hints.URL = resp.FinalURL
	art, err := extract.Bytes(resp.Body, resp.ContentType, hints)
	if err != nil || len(art.Text) < len(fromFeed.Text)/2 {
		if feedErr == nil {
			return finish(fromFeed, e), nil
		}
		if err != nil {
			return newstrace.Article{}, fmt.Errorf("extract page: %w", err)
		}
	}
	if art.URL == "" {
		art.URL = resp.FinalURL
	}
	return finish(art, e), nil
}

// finish fills what the page lacked from the feed entry.
func finish(a newstrace.Article, e feed.Entry) newstrace.Article {
	if a.URL == "" {
		a.URL = e.URL
	}
	if a.Title == "" {
		a.Title = e.Title
	}
	if a.Published == nil {
		a.Published = e.Published
	}
	if len(a.Authors) == 0 {
		a.Authors = e.Authors
	}
	if a.Language == "" {
		a.Language = e.Language
	}
	return a
}

// documentFrom builds a document from an extracted article.
func documentFrom(a newstrace.Article, firstSeen time.Time) newstrace.Document {
	canonical := a.CanonicalURL
	if canonical == "" && a.URL != "" {
		canonical, _ = match.CanonicalURL(a.URL)
	}
	authors := a.Authors
	if authors == nil {
		authors = []string{}
	}
	return newstrace.Document{
		URL: a.URL, CanonicalURL: canonical, Title: a.Title, Authors: authors,
		Published: a.Published, FirstSeen: firstSeen, Language: a.Language, SiteName: a.SiteName,
		Text: a.Text, HTML: a.HTML, Removed: a.Removed, Provenance: a.Provenance,
		ContentHash: match.ContentHash(a.Text),
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}
