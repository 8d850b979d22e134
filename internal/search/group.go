package search

import (
	"cmp"
	"slices"

	"github.com/newstrace/newstrace"
)

// Candidate is one document a store found for a query.
type Candidate struct {
	ID    int64
	Story int64 // -ID for a document without a story, so it groups alone
	Score float64
}

// Group is one story's best candidate and how many others matched.
type Group struct {
	Best Candidate
	More int
}

// GroupByStory keeps each story's best candidate, best stories first. When
// ranked, best means highest score (then newest id); otherwise the order the
// candidates came in. Every store groups its candidates this way.
func GroupByStory(cands []Candidate, ranked bool) []Group {
	if ranked {
		slices.SortStableFunc(cands, func(a, b Candidate) int {
			if c := cmp.Compare(b.Score, a.Score); c != 0 {
				return c
			}
			return cmp.Compare(b.ID, a.ID)
		})
	}
	index := make(map[int64]int, len(cands))
	var groups []Group
	for _, c := range cands {
		if i, ok := index[c.Story]; ok {
			groups[i].More++
			continue
		}
		index[c.Story] = len(groups)
		groups = append(groups, Group{Best: c})
	}
	return groups
}

// PageIDs lists the page's documents, one per story.
func PageIDs(page []Group) []int64 {
	ids := make([]int64, len(page))
	for i, g := range page {
		ids[i] = g.Best.ID
	}
	return ids
}

// InPageOrder returns the hits loaded by id (byID) in the page's order, each
// with its story's score and count of other matches. ok is false, with the
// first id missing, when a page document was not loaded.
func InPageOrder(page []Group, byID map[int64]newstrace.SearchHit) (hits []newstrace.SearchHit, missing int64, ok bool) {
	hits = make([]newstrace.SearchHit, 0, len(page))
	for _, g := range page {
		h, found := byID[g.Best.ID]
		if !found {
			return nil, g.Best.ID, false
		}
		h.Score, h.MoreInStory = g.Best.Score, g.More
		hits = append(hits, h)
	}
	return hits, 0, true
}
