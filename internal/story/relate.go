package story

import (
	"fmt"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/match"
)

// Thresholds, measured with the evaluation in eval_test.go and on COUNTER
// (see docs/benchmarks.md, "## Story matching").
const (
	// Window bounds how far apart two retellings (not copies) may be
	// published and still be one story. Copies and credited translations
	// have no window: a repost a year later is still a repost.
	Window = 72 * time.Hour

	// ExcerptContainment and ExcerptShingles: a short text (fewer shingles
	// than match.MinContainedShingles, e.g. one paragraph + "Read more")
	// almost wholly found in another is an excerpt of it.
	ExcerptContainment = 0.9
	ExcerptShingles    = 20

	// RewriteReuse: a later text whose IDF-weighted vocabulary is at least
	// this share found in an earlier one of the same language, published
	// within Window, was rewritten from it (wire copy turned into a
	// newspaper story). RewriteCosine guards it against long sources that
	// contain every word of a short unrelated text.
	RewriteReuse  = 0.5
	RewriteCosine = 0.6

	// RewriteCover, RewriteAligned and RewriteTokens: a later text of at
	// least RewriteTokens words, within Window, of which at least
	// RewriteCover of the words lie in runs of 3+ words found in that order
	// in an earlier one (a Greedy-String-Tiling-like coverage), spread over
	// its sentences (RewriteAligned of its words in sentences that share
	// half their words with one source sentence), was rewritten from it.
	// Independent reports of one event (COUNTER's non-derived pairs, and
	// same-day same-topic pages of the English corpus) reach coverage 0.40
	// at most; see docs/benchmarks.md.
	RewriteCover   = 0.5
	RewriteAligned = 0.4
	RewriteTokens  = 40

	// CiteShingles: this many shared distinct 5-word shingles (a quoted
	// passage of about 30 words) make the later text cite the earlier.
	CiteShingles = 25

	// SameStoryCosine: TF-IDF cosine at which two texts within Window
	// retell one event.
	SameStoryCosine = 0.6

	// CiteCosine: a shared passage makes a citation only between texts on
	// one topic, so an outlet's stock paragraph (an author bio, a
	// disclaimer) does not tie its unrelated articles together.
	CiteCosine = 0.3

	// EmbedCosine: embedding cosine at which two texts in different
	// languages are one story (a translation).
	EmbedCosine = 0.85
)

// Relate decides whether a and b tell one story and, if one derives from
// the other, which is the original and how the copy was made:
//
//   - different languages: translation when one credits the other, or when
//     both carry embeddings closer than EmbedCosine; else unrelated;
//   - near-identical text (match.Similarity.NearDuplicate, or a short
//     excerpt wholly inside the other): syndication when the copy credits
//     the original by a "Source:"-style line, else repost;
//   - rewritten copy (RewriteReuse, or RewriteCover of its words in
//     copied runs) within Window: syndication with a lower confidence;
//   - a shared passage of CiteShingles shingles: cites, with SameStory
//     false (a quote alone does not merge stories);
//   - TF-IDF cosine ≥ SameStoryCosine within Window: same story, no kind.
//
// The original is the one the other credits; without a one-sided credit,
// the earlier; without times, the one without copy cues, then the lower ID.
func Relate(a, b Doc, idf IDF) Relation {
	return relate(prepare(&a, idf), prepare(&b, idf))
}

func relate(pa, pb *prepared) Relation {
	a, b := pa.d, pb.d
	orig, cp, dirEv, credited := direction(pa, pb)
	rel := Relation{From: orig.d.ID, To: cp.d.ID}
	ev := func(parts ...string) string {
		if dirEv != "" {
			parts = append(parts, dirEv)
		}
		return strings.Join(parts, "; ")
	}

	if a.Language != "" && b.Language != "" && a.Language != b.Language {
		// An outlet name or host alone credits an outlet, not this article:
		// it links only with a translator named, a link to the page itself,
		// or shared names and numbers.
		explicit := cp.d.Provenance.Translator != "" || strings.HasPrefix(credited, "via link") ||
			cp.d.Provenance.OriginalSource != "" && cosine(pa, pb) >= 0.15
		if credited != "" && explicit && (timeGap(pa, pb) <= Window || strings.HasPrefix(credited, "via link")) {
			rel.SameStory, rel.Kind, rel.Confidence = true, newstrace.EdgeTranslation, 0.9
			rel.Evidence = ev(fmt.Sprintf("languages %s → %s", orig.d.Language, cp.d.Language))
			return rel
		}
		if c := cosine32(a.Embedding, b.Embedding); c >= EmbedCosine {
			rel.SameStory, rel.Kind, rel.Confidence = true, newstrace.EdgeTranslation, round(c*0.9)
			rel.Evidence = ev(fmt.Sprintf("languages %s → %s; embedding cosine %.2f", orig.d.Language, cp.d.Language, c))
			return rel
		}
		return Relation{}
	}

	sim := match.Compare(orig.d.FP, cp.d.FP)
	cIn := sim.ContainmentBA // share of the copy's shingles found in the original
	cOut := sim.ContainmentAB
	excerpt := cIn >= ExcerptContainment && sim.ShinglesB >= ExcerptShingles ||
		cOut >= ExcerptContainment && sim.ShinglesA >= ExcerptShingles
	if sim.NearDuplicate() || excerpt {
		rel.SameStory, rel.Kind = true, newstrace.EdgeRepost
		best := max(sim.Jaccard, cIn, cOut)
		rel.Confidence = round(0.5 + 0.5*best)
		textEv := fmt.Sprintf("containment %.2f of to in from, %.2f of from in to; jaccard %.2f", cIn, cOut, sim.Jaccard)
		if strings.HasPrefix(credited, "credit: 'Source:") {
			rel.Kind = newstrace.EdgeSyndication
		}
		rel.Evidence = ev(textEv)
		return rel
	}

	gap := timeGap(pa, pb)
	inWindow := gap <= Window
	cos := cosine(pa, pb)
	if inWindow {
		if r := reuse(orig, cp); r >= RewriteReuse && cos >= RewriteCosine {
			rel.SameStory, rel.Kind = true, newstrace.EdgeSyndication
			rel.Confidence = round(min(0.85, 0.3+r*0.6))
			rel.Evidence = ev(fmt.Sprintf("rewrite: %.2f of to's term weight found in from; cosine %.2f", r, cos))
			return rel
		}
		if len(cp.b.seq) >= RewriteTokens {
			if cv := coverage(cp.b.seq, orig.b.runs); cv >= RewriteCover {
				if al := aligned(&cp.b, &orig.b); al >= RewriteAligned {
					rel.SameStory, rel.Kind = true, newstrace.EdgeSyndication
					rel.Confidence = round(min(0.85, 0.3+cv*0.6))
					rel.Evidence = ev(fmt.Sprintf("rewrite: %.2f of to's words in runs of %d+ words of from, %.2f in aligned sentences; cosine %.2f", cv, coverRun, al, cos))
					return rel
				}
			}
		}
	}
	shared := int(sim.ContainmentAB*float64(sim.ShinglesA) + 0.5)
	if shared >= CiteShingles && cos >= CiteCosine {
		// A citation links two documents but does not make them one
		// story: same-site stock passages and quoted speeches are shared
		// by unrelated articles. Build uses it inside a story.
		rel.Kind = newstrace.EdgeCites
		rel.Confidence = round(min(0.8, 0.4+float64(shared)/200))
		rel.Evidence = ev(fmt.Sprintf("quotes %d shingles of from (containment %.2f)", shared, cIn))
		return rel
	}
	if inWindow && cos >= SameStoryCosine {
		rel.SameStory, rel.Confidence = true, round(cos)
		rel.Evidence = ev(fmt.Sprintf("retelling: tf-idf cosine %.2f", cos))
		return rel
	}
	return Relation{}
}

// direction orders two documents as original and copy. A one-sided
// credit decides; else the earlier time; else the one without copy cues;
// else the lower ID. credited is the credit evidence when a credit decided.
func direction(pa, pb *prepared) (orig, cp *prepared, evidence, credited string) {
	cb, okB := credits(pb.d, pa.d) // b names a
	ca, okA := credits(pa.d, pb.d)
	switch {
	case okB && !okA:
		return pa, pb, cb, cb
	case okA && !okB:
		return pb, pa, ca, ca
	}
	if !pa.t.IsZero() && !pb.t.IsZero() && !pa.t.Equal(pb.t) {
		if pb.t.Before(pa.t) {
			pa, pb = pb, pa
		}
		return pa, pb, "published " + human(pb.t.Sub(pa.t)) + " apart", ""
	}
	if copyCues(pa.d) && !copyCues(pb.d) || !copyCues(pb.d) == !copyCues(pa.d) && pb.d.ID < pa.d.ID {
		pa, pb = pb, pa
	}
	return pa, pb, "no time order", ""
}

// copyCues reports whether d says it is a copy of something.
func copyCues(d *Doc) bool {
	p := d.Provenance
	return p.Republisher != "" || p.ViaURL != "" || p.OriginalSource != ""
}

// timeGap is the time between two documents; 0 when either is unknown.
func timeGap(a, b *prepared) time.Duration {
	if a.t.IsZero() || b.t.IsZero() {
		return 0
	}
	d := a.t.Sub(b.t)
	if d < 0 {
		d = -d
	}
	return d
}

func human(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
}

func round(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
