package story

import (
	"cmp"
	"slices"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/clean"
)

// Build computes one story's provenance graph from its documents: doc→doc
// edges with kinds and evidence, outlet-only nodes for outlets named only in
// cues (Edge{FromID: 0, FromOutlet: "Al Mayadeen", ToID: …, Kind:
// translation|syndication|repost}), and the root: the earliest original
// document; an explicit credit outranks timestamps.
//
// Every document gets at most one parent, the strongest relation pointing
// at it (credited relations first, then confidence), so the graph is a
// forest; the root is the earliest document without a parent. Pairs that
// only retell the story get no edge.
func Build(docs []Doc, idf IDF) (root int64, edges []newstrace.Edge) {
	if len(docs) == 0 {
		return 0, nil
	}
	ps := make([]*prepared, len(docs))
	byID := map[int64]*prepared{}
	for i := range docs {
		ps[i] = prepare(&docs[i], idf)
		byID[docs[i].ID] = ps[i]
	}
	type cand struct {
		rel      Relation
		credited bool
	}
	var cands []cand
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			r := relate(ps[i], ps[j])
			if r.Kind == "" {
				continue
			}
			_, _, _, cr := direction(byID[r.From], byID[r.To])
			cands = append(cands, cand{r, cr != ""})
		}
	}
	slices.SortStableFunc(cands, func(x, y cand) int {
		if x.credited != y.credited {
			if x.credited {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(y.rel.Confidence, x.rel.Confidence); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(x.rel.From, y.rel.From), cmp.Compare(x.rel.To, y.rel.To))
	})
	parent := map[int64]int64{}
	var parentEdge = map[int64]Relation{}
	for _, c := range cands {
		r := c.rel
		if _, ok := parent[r.To]; ok {
			continue
		}
		cycle := false
		for n, ok := r.From, true; ok; n, ok = parent[n] {
			if n == r.To {
				cycle = true
				break
			}
		}
		if cycle {
			continue
		}
		parent[r.To] = r.From
		parentEdge[r.To] = r
	}

	// The root: the earliest parentless document; unknown times sort last.
	var rootP *prepared
	for _, p := range ps {
		if _, ok := parent[p.d.ID]; ok {
			continue
		}
		if rootP == nil || earlier(p, rootP) {
			rootP = p
		}
	}
	root = rootP.d.ID

	for _, p := range ps {
		if r, ok := parentEdge[p.d.ID]; ok {
			edges = append(edges, newstrace.Edge{FromID: r.From, ToID: r.To, Kind: r.Kind, Confidence: r.Confidence, Evidence: r.Evidence})
		}
	}
	edges = append(edges, outletEdges(ps, parent, byID)...)
	return root, edges
}

// earlier orders documents by time, unknown times last, then by ID.
func earlier(a, b *prepared) bool {
	switch {
	case a.t.IsZero() != b.t.IsZero():
		return !a.t.IsZero()
	case !a.t.Equal(b.t):
		return a.t.Before(b.t)
	}
	return a.d.ID < b.d.ID
}

// outletEdges adds a node for every outlet a document credits that has no
// document in the story: "Source: Al Mayadeen" with a translator becomes
// Al Mayadeen →translation→ the document. A document whose parent carries
// the same credit inherits it and gets no edge of its own (the seed's blog
// repost names Al Mayadeen too, but took the text from Fort Russ).
func outletEdges(ps []*prepared, parent map[int64]int64, byID map[int64]*prepared) []newstrace.Edge {
	var out []newstrace.Edge
	for _, p := range ps {
		for _, name := range creditNames(p.d) {
			if inStory(ps, name) {
				continue
			}
			if par, ok := parent[p.d.ID]; ok && namesCredit(byID[par].d, name) {
				continue
			}
			e := newstrace.Edge{FromOutlet: name, ToID: p.d.ID, Confidence: 0.8}
			switch {
			case name == p.d.Provenance.OriginalSource && p.d.Provenance.Translator != "":
				e.Kind = newstrace.EdgeTranslation
				e.Evidence = "credit: '" + name + " - translated by " + p.d.Provenance.Translator + "'"
			case name == p.d.Provenance.OriginalSource:
				e.Kind = newstrace.EdgeSyndication
				e.Evidence = "credit: 'Source: " + name + "'"
			default:
				e.Kind = newstrace.EdgeRepost
				e.Evidence = "credit: outlet '" + name + "' in the copy's byline"
				if p.d.Provenance.ViaURL != "" {
					e.Evidence += "; via " + p.d.Provenance.ViaURL
				}
			}
			out = append(out, e)
		}
	}
	return out
}

// inStory reports whether a document of the story was published as name.
func inStory(ps []*prepared, name string) bool {
	for _, p := range ps {
		if containsName(ownNames(p.d), name) || hostMatchesName(hostOf(p.d.URL), name) {
			return true
		}
	}
	return false
}

func namesCredit(d *Doc, name string) bool {
	for _, n := range creditNames(d) {
		if clean.SameName(n, name) {
			return true
		}
	}
	return false
}
