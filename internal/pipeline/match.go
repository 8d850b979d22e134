package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/match"
	"github.com/newstrace/newstrace/internal/metrics"
	"github.com/newstrace/newstrace/internal/story"
)

// Embedder turns texts into vectors, one per text, in order; an
// *embed.Client (internal/story/embed) is one.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// embedPrefilter is the embedding cosine from which a document in another
// language becomes a candidate. Relate links at story.EmbedCosine; a little
// below, a credited translation whose vectors are less close still reaches
// Relate, which can link it by its credit, without flooding it.
const embedPrefilter = story.EmbedCosine - 0.1

// MatchOptions tunes the match stage; zero values take the defaults.
type MatchOptions struct {
	// Window bounds same-story (retelling) candidates to documents dated
	// this close to the new one. Near-duplicates have no
	// window: a repost years later is still a repost. Default story.Window.
	Window time.Duration
	// MaxNear and MaxTerm cap the candidates of each kind (default 200, 50).
	MaxNear, MaxTerm int
	Logger           *slog.Logger
	// DF, when set, keeps document frequencies between calls (see DFCache).
	DF *DFCache
	// Embedder and EmbedModel, when both are set and the store is a
	// newstrace.EmbeddingStore, add translation candidates: the document
	// is embedded (once: a stored vector of EmbedModel is reused) and
	// documents in other languages within Window whose vectors are close
	// are compared too, with their vectors. An embedder failure is logged
	// and counted, and the document matched without a vector.
	Embedder   Embedder
	EmbedModel string
	// MaxEmbed caps the embedding candidates read from the store (default 200).
	MaxEmbed int
}

// MatchResult says what matching one document did.
type MatchResult struct {
	StoryID    int64
	Candidates int // distinct candidates compared
	Related    int // candidates found to tell the same story
	Merged     bool
	Embedded   bool // the document has a vector for this match
}

// graphRetries bounds rebuilds when a concurrent merge moves documents
// between reading a story and writing its graph.
const graphRetries = 5

// Match runs the match stage for one stored document: fingerprint it and
// file its LSH band keys in the store (before looking up, so of two
// near-copies matched at once the later lookup sees the earlier), gather
// near-duplicate candidates (shared band keys), same-story candidates
// (shared rare terms within the window) and, with an embedder, translation
// candidates (close vectors in other languages within the window), compare
// each with story.Relate, merge every story telling the same story into the
// oldest, then rebuild that story's provenance graph with story.Build and
// store it atomically.
// Matching is idempotent: running it again on the same document (a retry,
// `newstrace rematch`) ends in the same grouping.
func Match(ctx context.Context, st newstrace.Store, d newstrace.Document, opt MatchOptions) (MatchResult, error) {
	opt.Window = cmp.Or(opt.Window, story.Window)
	opt.MaxNear, opt.MaxTerm = cmp.Or(opt.MaxNear, 200), cmp.Or(opt.MaxTerm, 50)
	opt.MaxEmbed = cmp.Or(opt.MaxEmbed, 200)
	log := cmp.Or(opt.Logger, slog.Default())
	m := &matcher{ctx: ctx, st: st, fps: map[int64]match.Fingerprint{}, idf: map[string]float64{}, df: opt.DF}

	fp := match.FingerprintText(d.Text, match.DefaultParams())
	m.fps[d.ID] = fp
	if err := st.SaveFingerprint(ctx, d.ID, fp.Marshal(), fp.Bands); err != nil {
		return MatchResult{}, fmt.Errorf("match document %d: %w", d.ID, err)
	}
	if es, ok := st.(newstrace.EmbeddingStore); ok && opt.Embedder != nil && opt.EmbedModel != "" {
		m.es, m.model, m.vecs = es, opt.EmbedModel, map[int64][]float32{}
		if err := m.embedSelf(ctx, d, opt.Embedder, log); err != nil {
			return MatchResult{}, fmt.Errorf("match document %d: %w", d.ID, err)
		}
	}
	res, err := m.run(ctx, d, opt)
	if err != nil {
		return res, fmt.Errorf("match document %d: %w", d.ID, err)
	}
	log.Debug("document matched", "document_id", d.ID, "story_id", res.StoryID,
		"candidates", res.Candidates, "related", res.Related, "merged", res.Merged, "embedded", res.Embedded)
	return res, nil
}

// embedSelf gives d its vector: the stored one when this model made it (a
// re-sighting, a retry, a rematch), else a new one from the embedder, saved.
// An embedder failure is not the document's: it is logged and counted, and
// d is matched without a vector (only a store error is returned).
func (m *matcher) embedSelf(ctx context.Context, d newstrace.Document, e Embedder, log *slog.Logger) error {
	model, vec, err := m.es.Embedding(ctx, d.ID)
	switch {
	case err == nil && model == m.model:
		m.vecs[d.ID] = vec
		return nil
	case err != nil && !newstrace.IsNotFound(err):
		return err
	}
	m.vecs[d.ID] = nil // none, unless the embedder answers
	vecs, err := e.Embed(ctx, []string{d.Title + "\n\n" + d.Text})
	if err == nil && (len(vecs) != 1 || len(vecs[0]) == 0) {
		err = fmt.Errorf("embedder returned %d vectors for 1 text", len(vecs))
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err() // the job was cancelled, not the endpoint's fault
		}
		metrics.Embeddings.Inc("error")
		log.Warn("embedding failed, matching without it", "document_id", d.ID, "model", m.model, "err", err)
		return nil
	}
	metrics.Embeddings.Inc("ok")
	if err := m.es.SaveEmbedding(ctx, d.ID, m.model, vecs[0]); err != nil {
		return err
	}
	m.vecs[d.ID] = vecs[0]
	return nil
}

// embeddingCandidates lists documents in other languages within the window
// whose vectors are at least embedPrefilter close to self's, keeping their
// vectors for Relate. Relate links only two known, different languages, so
// a document of unknown language looks for none.
func (m *matcher) embeddingCandidates(ctx context.Context, self story.Doc, d newstrace.Document, opt MatchOptions) ([]int64, error) {
	if m.es == nil || len(self.Embedding) == 0 || self.Language == "" {
		return nil, nil
	}
	hits, err := m.es.EmbeddingCandidates(ctx, m.model, docTime(d), opt.Window, self.Language, opt.MaxEmbed)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, h := range hits {
		m.vecs[h.DocID] = h.Vec // read anyway: a term candidate among them needs no second read
		if h.DocID != d.ID && story.EmbeddingCosine(self.Embedding, h.Vec) >= embedPrefilter {
			ids = append(ids, h.DocID)
		}
	}
	return ids, nil
}

// embedding is document id's vector of this matcher's model, from the
// cache or the store; nil when it has none or matching uses no embeddings.
func (m *matcher) embedding(ctx context.Context, id int64) ([]float32, error) {
	if m.es == nil {
		return nil, nil
	}
	if v, ok := m.vecs[id]; ok {
		return v, nil
	}
	model, vec, err := m.es.Embedding(ctx, id)
	switch {
	case newstrace.IsNotFound(err), err == nil && model != m.model:
		vec = nil // none, or another model's: not comparable
	case err != nil:
		return nil, err
	}
	m.vecs[id] = vec
	return vec, nil
}

// crossLanguage reports whether a and b are in two known, different
// languages: the only pairs Relate compares by embedding.
func crossLanguage(a, b story.Doc) bool {
	return a.Language != "" && b.Language != "" && a.Language != b.Language
}

// matcher caches what one Match call loads: fingerprints and IDF weights.
// It lives for one call, so it holds that call's ctx for the IDF callback.
type matcher struct {
	ctx   context.Context
	st    newstrace.Store
	fps   map[int64]match.Fingerprint
	idf   map[string]float64
	total int
	df    *DFCache // shared across calls; nil for none
	err   error    // first store error met inside an IDF callback

	// With embeddings on: the store, the model and the vectors met so far
	// (a nil entry: the document has none). es is nil when off.
	es    newstrace.EmbeddingStore
	model string
	vecs  map[int64][]float32
}

func (m *matcher) run(ctx context.Context, d newstrace.Document, opt MatchOptions) (MatchResult, error) {
	self := m.doc(d, m.fps[d.ID])
	self.Embedding = m.vecs[d.ID]
	near, err := m.st.NearCandidates(ctx, self.FP.Bands, opt.MaxNear)
	if err != nil {
		return MatchResult{}, err
	}
	terms := story.Terms(self)
	byTerm, err := m.st.TermCandidates(ctx, terms, docTime(d), opt.Window, opt.MaxTerm)
	if err != nil {
		return MatchResult{}, err
	}
	byEmbed, err := m.embeddingCandidates(ctx, self, d, opt)
	if err != nil {
		return MatchResult{}, err
	}
	ids := slices.DeleteFunc(slices.Concat(near, byTerm, byEmbed), func(id int64) bool { return id == d.ID })
	slices.Sort(ids)
	ids = slices.Compact(ids)
	cands, err := m.st.DocumentsByID(ctx, ids)
	if err != nil {
		return MatchResult{}, err
	}
	res := MatchResult{Candidates: len(cands), Embedded: len(self.Embedding) > 0}
	// story weighs every token of both texts: fetch their counts in one go.
	if err := m.prefetchIDF(ctx, tokensOf(append([]newstrace.Document{d}, cands...))); err != nil {
		return res, err
	}
	same := []int64{d.ID}
	for _, c := range cands {
		if c.StoryID == d.StoryID && d.StoryID != 0 {
			same = append(same, c.ID) // already grouped; Build will place it
			continue
		}
		cd, err := m.load(ctx, c)
		if err != nil {
			return res, err
		}
		if len(self.Embedding) > 0 && crossLanguage(self, cd) {
			if cd.Embedding, err = m.embedding(ctx, c.ID); err != nil {
				return res, err
			}
		}
		if rel := story.Relate(self, cd, m.weight); rel.SameStory {
			same = append(same, c.ID)
		}
		if m.err != nil {
			return res, m.err
		}
	}
	res.Related = len(same) - 1
	for try := 0; ; try++ {
		storyID, err := m.st.MergeStories(ctx, same)
		if err != nil {
			return res, err
		}
		res.StoryID, res.Merged = storyID, res.Merged || storyID != d.StoryID
		err = m.rebuild(ctx, storyID)
		if err == nil || try >= graphRetries {
			return res, err
		}
		if code := newstrace.ErrorCode(err); code != newstrace.ECONFLICT && code != newstrace.ENOTFOUND {
			return res, err
		}
		// Another process merged this story meanwhile: follow it and rebuild.
	}
}

// rebuild recomputes and stores one story's root and edges.
func (m *matcher) rebuild(ctx context.Context, storyID int64) error {
	s, err := m.st.Story(ctx, storyID)
	if err != nil {
		return err
	}
	if len(s.Documents) == 0 {
		return nil
	}
	if err := m.prefetchIDF(ctx, tokensOf(s.Documents)); err != nil {
		return err
	}
	// Vectors matter only between languages: a one-language story
	// loads none.
	langs := map[string]bool{}
	for _, d := range s.Documents {
		if d.Language != "" {
			langs[d.Language] = true
		}
	}
	docs := make([]story.Doc, 0, len(s.Documents))
	for _, d := range s.Documents {
		sd, err := m.load(ctx, d)
		if err != nil {
			return err
		}
		if len(langs) > 1 && d.Language != "" {
			if sd.Embedding, err = m.embedding(ctx, d.ID); err != nil {
				return err
			}
		}
		docs = append(docs, sd)
	}
	root, edges := story.Build(docs, m.weight)
	if m.err != nil {
		return m.err
	}
	if root == 0 {
		root = s.Documents[0].ID // the earliest: the store's order
	}
	return m.st.ReplaceStoryGraph(ctx, storyID, root, edges)
}

// load turns a stored document into the matcher's view, with its stored
// fingerprint (computed from the text when it has none yet, e.g. stored
// before matching existed or by a process that failed midway).
func (m *matcher) load(ctx context.Context, d newstrace.Document) (story.Doc, error) {
	fp, ok := m.fps[d.ID]
	if !ok {
		b, err := m.st.Fingerprint(ctx, d.ID)
		switch {
		case err == nil:
			if fp, err = match.UnmarshalFingerprint(b); err != nil {
				fp = match.FingerprintText(d.Text, match.DefaultParams())
			}
		case newstrace.IsNotFound(err):
			fp = match.FingerprintText(d.Text, match.DefaultParams())
		default:
			return story.Doc{}, err
		}
		m.fps[d.ID] = fp
	}
	return m.doc(d, fp), nil
}

func (m *matcher) doc(d newstrace.Document, fp match.Fingerprint) story.Doc {
	return story.Doc{
		ID: d.ID, URL: d.URL, Title: d.Title, Text: d.Text, Language: d.Language,
		Source: d.SourceName, Published: d.Published, FirstSeen: d.FirstSeen,
		Provenance: d.Provenance, FP: fp,
	}
}

// tokensOf lists the distinct tokens of the documents' titles and texts,
// as story weighs them (match.Tokens).
func tokensOf(ds []newstrace.Document) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range ds {
		for _, t := range match.Tokens(d.Title + "\n" + d.Text) {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// prefetchIDF loads the document frequencies of terms not yet known.
func (m *matcher) prefetchIDF(ctx context.Context, terms []string) error {
	var missing []string
	for _, t := range terms {
		if _, ok := m.idf[t]; ok {
			continue
		}
		if n, total, ok := m.df.get(t); ok {
			m.idf[t] = idf(n, total)
			continue
		}
		missing = append(missing, t)
	}
	if len(missing) == 0 && (m.total > 0 || m.df != nil) {
		return nil
	}
	df, total, err := m.st.TermDocFreq(ctx, missing)
	if err != nil {
		return err
	}
	m.total = total
	m.df.put(df, missing, total)
	for _, t := range missing {
		m.idf[t] = idf(df[t], total)
	}
	return nil
}

// weight is the story.IDF the decisions use: smoothed inverse document
// frequency from the store's full-text counts, one query per unseen term
// (a rare term costs one index seek) and cached for this call. The
// callback cannot return an error, so the first one is kept in m.err.
func (m *matcher) weight(term string) float64 {
	if w, ok := m.idf[term]; ok {
		return w
	}
	if m.err == nil {
		m.err = m.prefetchIDF(m.ctx, []string{term})
	}
	if w, ok := m.idf[term]; ok {
		return w
	}
	return idf(0, m.total)
}

// idf is ln((1+N)/(1+df)) + 1: positive for every term, highest for unseen ones.
func idf(df, total int) float64 {
	return math.Log(float64(1+total)/float64(1+df)) + 1
}

// docTime is when a document appeared: published, else first seen.
func docTime(d newstrace.Document) time.Time {
	if d.Published != nil {
		return *d.Published
	}
	return d.FirstSeen
}

// matchSaved runs the match stage on a document SaveDocument returned,
// whether it was created or already known (so a retry after a failed match,
// or a document stored before matching existed, gets matched).
func (p *Pipeline) matchSaved(ctx context.Context, res newstrace.SaveResult) error {
	_, err := Match(ctx, p.store, res.Document, p.matchOptions())
	return err
}

// matchOptions are the options every match of this pipeline runs with.
func (p *Pipeline) matchOptions() MatchOptions {
	return MatchOptions{Logger: p.log, DF: p.df, Embedder: p.cfg.Embedder, EmbedModel: p.cfg.EmbedModel}
}

// Rematch re-fingerprints and re-matches one stored document.
func (p *Pipeline) Rematch(ctx context.Context, id int64) (MatchResult, error) {
	d, err := p.store.Document(ctx, id)
	if err != nil {
		return MatchResult{}, fmt.Errorf("rematch document %d: %w", id, err)
	}
	return Match(ctx, p.store, d, p.matchOptions())
}
