package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/clean"
	"github.com/newstrace/newstrace/internal/match"
	"github.com/newstrace/newstrace/internal/sanitize"
)

// Learned per-source boilerplate. After a document is stored, its short
// lines (body paragraphs and lines already removed as learned
// boilerplate, so a learned line keeps its count) are filed under its
// source. A line held by at least max(BoilerplateMinDocs, 30%) of the
// source's newest BoilerplateWindow documents is that source's
// boilerplate: new documents lose it while cleaning, and when a line
// newly crosses the threshold the source's earlier documents are
// re-cleaned.
//
// Long paragraphs are never candidates: a body paragraph repeated in two
// syndicated copies, or a standing background paragraph, is writing.
// Identity: a re-clean changes text, HTML and removed only; the content
// hash stays the hash of the text as first stored (the identity other
// copies were deduplicated against), and the fingerprint used for story
// matching is recomputed from the new text.
const (
	BoilerplateWindow  = 200  // newest documents of a source that count
	BoilerplateMinDocs = 5    // never learn from fewer documents
	boilerplateShare   = 0.30 // share of the window a line must reach
	maxLineWords       = 30   // any line up to this long may be learned
	maxCallLineWords   = 80   // call-like lines (copyright, newsletter) up to this
)

// callLikeRe marks footer-like lines that may be longer than maxLineWords:
// copyright notices, newsletter and social calls, republishing terms.
var callLikeRe = regexp.MustCompile(`(?i)(©|\bcopyright\b|all rights reserved|newsletter|subscribe|sign up|follow us|\bdonat|support (us|our)|patreon|paypal|telegram|facebook|twitter|click here|cookies?\b|privacy policy|terms of (use|service)|views expressed|opinions expressed|originally (published|appeared)|republish|reproduc)`)

// BoilerplateThreshold is how many of docs recorded documents must hold a
// line for it to be learned.
func BoilerplateThreshold(docs int) int {
	return max(BoilerplateMinDocs, int(math.Ceil(boilerplateShare*float64(docs))))
}

// boilerplateCandidate reports whether a line may ever be learned.
func boilerplateCandidate(text string) bool {
	w := len(strings.Fields(text))
	return w > 0 && (w <= maxLineWords || (w <= maxCallLineWords && callLikeRe.MatchString(text)))
}

func lineKey(norm string) string {
	sum := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(sum[:8])
}

// documentLines lists a document's candidate lines, each once.
func documentLines(d newstrace.Document) []newstrace.SourceLine {
	texts := strings.Split(d.Text, "\n\n")
	for _, r := range d.Removed {
		if r.Kind == clean.KindBoilerplate {
			texts = append(texts, r.Text)
		}
	}
	seen := map[string]bool{}
	var out []newstrace.SourceLine
	for _, t := range texts {
		t = strings.TrimSpace(t)
		n := clean.Normalize(t)
		if n == "" || seen[n] || !boilerplateCandidate(t) {
			continue
		}
		seen[n] = true
		out = append(out, newstrace.SourceLine{Key: lineKey(n), Norm: n, Text: t})
	}
	return out
}

// LearnedLines returns a source's learned lines, most documents first, and
// how many documents its window holds.
func LearnedLines(ctx context.Context, st newstrace.Store, sourceID int64) ([]newstrace.LineCount, int, error) {
	lines, docs, err := st.SourceLines(ctx, sourceID, BoilerplateWindow, BoilerplateMinDocs)
	if err != nil {
		return nil, 0, err
	}
	need := BoilerplateThreshold(docs)
	out := lines[:0]
	for _, l := range lines {
		if l.Docs >= need && l.Norm != "" && boilerplateCandidate(l.Text) {
			out = append(out, l)
		}
	}
	return out, docs, nil
}

// learnedSet loads the source's learned lines as clean.Options.Boilerplate
// wants them. A store error only costs this document its learned cleaning.
func (p *Pipeline) learnedSet(ctx context.Context, sourceID int64) map[string]string {
	if sourceID == 0 {
		return nil
	}
	lines, _, err := LearnedLines(ctx, p.store, sourceID)
	if err != nil {
		p.log.Warn("load learned boilerplate", "source_id", sourceID, "err", err)
		return nil
	}
	if len(lines) == 0 {
		return nil
	}
	set := make(map[string]string, len(lines))
	for _, l := range lines {
		set[l.Norm] = clean.KindBoilerplate
	}
	return set
}

// learnBoilerplate records a newly stored document's lines under its
// source and, when a line newly crossed the threshold (it is learned now
// but was not in before, the set the document was cleaned with), re-cleans
// the source's documents. It logs rather than fails: the document is
// stored, and learning catches up with the next one.
func (p *Pipeline) learnBoilerplate(ctx context.Context, sourceID int64, before map[string]string, res newstrace.SaveResult) {
	if sourceID == 0 || !res.Created {
		return
	}
	log := p.log.With("source_id", sourceID, "document_id", res.Document.ID)
	if err := p.store.RecordLines(ctx, sourceID, res.Document.ID, documentLines(res.Document), BoilerplateWindow); err != nil {
		log.Warn("record document lines", "err", err)
		return
	}
	now := p.learnedSet(ctx, sourceID)
	fresh := 0
	for n := range now {
		if before[n] == "" {
			fresh++
		}
	}
	if fresh == 0 {
		return
	}
	n, err := p.Reclean(ctx, sourceID, now)
	if err != nil {
		log.Warn("re-clean source documents", "err", err)
		return
	}
	log.Info("learned boilerplate", "new_lines", fresh, "recleaned", n)
}

// Reclean removes the lines of set from every document first stored for
// sourceID (documents of other sources are left alone), moving them into
// Removed as they go, and re-matches the changed documents. It is
// idempotent and safe against a concurrent re-clean (the text is swapped
// only if unchanged since read). Returns how many documents changed.
func (p *Pipeline) Reclean(ctx context.Context, sourceID int64, set map[string]string) (int, error) {
	const page = 100
	var changed []int64
	for off := 0; ; off += page {
		ds, err := p.store.Documents(ctx, newstrace.DocumentFilter{SourceID: sourceID, Limit: page, Offset: off})
		if err != nil {
			return len(changed), fmt.Errorf("re-clean source %d: %w", sourceID, err)
		}
		for _, d := range ds {
			ok, err := p.recleanDocument(ctx, d, sourceID, set)
			if err != nil {
				return len(changed), fmt.Errorf("re-clean source %d: %w", sourceID, err)
			}
			if ok {
				changed = append(changed, d.ID)
			}
		}
		if len(ds) < page {
			break
		}
	}
	for _, id := range changed {
		if _, err := p.Rematch(ctx, id); err != nil {
			p.log.Warn("re-match re-cleaned document", "document_id", id, "err", err)
		}
	}
	return len(changed), nil
}

// recleanDocument strips set from one document, rereading it once when a
// concurrent writer changed it first.
func (p *Pipeline) recleanDocument(ctx context.Context, d newstrace.Document, sourceID int64, set map[string]string) (bool, error) {
	for try := 0; ; try++ {
		if d.SourceID != sourceID {
			return false, nil
		}
		text, h, removed, ok := stripLines(d.Text, d.HTML, d.Removed, set)
		if !ok {
			return false, nil
		}
		err := p.store.UpdateDocumentText(ctx, d.ID, d.Text, text, h, removed)
		if err == nil {
			return true, nil
		}
		if newstrace.ErrorCode(err) != newstrace.ECONFLICT || try > 0 {
			return false, err
		}
		if d, err = p.store.Document(ctx, d.ID); err != nil {
			return false, err
		}
	}
}

// applyLearned strips a source's learned lines from a document extracted
// before its source was known (ingested files), before it is stored, so
// its content hash is that of the cleaned text.
func applyLearned(d newstrace.Document, set map[string]string) newstrace.Document {
	if text, h, removed, ok := stripLines(d.Text, d.HTML, d.Removed, set); ok {
		d.Text, d.HTML, d.Removed = text, h, removed
		d.ContentHash = match.ContentHash(text)
	}
	return d
}

// stripLines removes the paragraphs of text (and the HTML blocks) whose
// normalized form is in set, appending them to removed with their kind.
// ok is false when nothing matched, or when nothing would be left: a
// document that is all "boilerplate" is a short note, not a template.
func stripLines(text, h string, removed []newstrace.Removed, set map[string]string) (string, string, []newstrace.Removed, bool) {
	if len(set) == 0 || text == "" {
		return text, h, removed, false
	}
	paras := strings.Split(text, "\n\n")
	keep := make([]string, 0, len(paras))
	var out []newstrace.Removed
	for _, para := range paras {
		if kind := set[clean.Normalize(para)]; kind != "" {
			out = append(out, newstrace.Removed{Kind: kind, Text: strings.TrimSpace(para)})
			continue
		}
		keep = append(keep, para)
	}
	if len(out) == 0 || len(keep) == 0 {
		return text, h, removed, false
	}
	return strings.Join(keep, "\n\n"), stripHTML(h, set), append(slices.Clone(removed), out...), true
}

// blockAtoms are the elements a paragraph of text comes from.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Li: true, atom.Blockquote: true, atom.Section: true,
	atom.Footer: true, atom.Aside: true, atom.Figcaption: true, atom.Pre: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
}

// stripHTML drops the block elements of a (sanitized) body whose whole
// text is a learned line; on a parse failure the HTML is kept as it was.
func stripHTML(h string, set map[string]string) string {
	if strings.TrimSpace(h) == "" {
		return h
	}
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(h), body)
	if err != nil {
		return h
	}
	for _, n := range nodes {
		body.AppendChild(n)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			if c.Type == html.ElementNode && blockAtoms[c.DataAtom] && set[clean.Normalize(nodeText(c))] != "" {
				n.RemoveChild(c)
			} else {
				walk(c)
			}
			c = next
		}
	}
	walk(body)
	var b strings.Builder
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			return h
		}
	}
	return sanitize.HTML(b.String())
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
