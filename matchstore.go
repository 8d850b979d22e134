package newstrace

import (
	"context"
	"slices"
	"strings"
	"time"
)

// MatchStore keeps what story matching shares between processes: each
// document's fingerprint and LSH band postings, full-text term statistics,
// and the operations that group documents into stories and record a story's
// provenance graph. Everything here lives in the store, not in process
// memory, so any number of workers match against one state and it survives
// restarts.
type MatchStore interface {
	// SaveFingerprint stores docID's encoded fingerprint and files it under
	// bands, replacing any earlier fingerprint and its postings. ENOTFOUND
	// for an unknown document.
	SaveFingerprint(ctx context.Context, docID int64, fp []byte, bands []uint64) error
	// Fingerprint returns docID's encoded fingerprint; ENOTFOUND when none.
	Fingerprint(ctx context.Context, docID int64) ([]byte, error)
	// NearCandidates returns the ids of documents filed under at least one
	// of bands, ascending, at most limit (0: 1000; which ones, when more
	// match, is unspecified). Its cost depends on the number of keys and
	// hits, not on the number of stored documents. Ids of deleted documents
	// may appear; callers load and skip them.
	NearCandidates(ctx context.Context, bands []uint64, limit int) ([]int64, error)
	// TermCandidates returns ids of documents containing any of terms in
	// their title or text and dated (published, else first seen) within
	// window of around, best full-text match first, at most limit (0: 100).
	TermCandidates(ctx context.Context, terms []string, around time.Time, window time.Duration, limit int) ([]int64, error)
	// TermDocFreq returns, per term (as given), how many documents contain
	// it (terms found nowhere are absent), and about how many documents the
	// store holds, for IDF weights.
	TermDocFreq(ctx context.Context, terms []string) (df map[string]int, total int, err error)
	// DocumentsByID returns the documents with these ids in ascending id
	// order; unknown ids are skipped.
	DocumentsByID(ctx context.Context, ids []int64) ([]Document, error)
	// DocumentIDs pages through every document id above after, ascending.
	DocumentIDs(ctx context.Context, after int64, limit int) ([]int64, error)
	// MergeStories puts the documents docIDs, and every document sharing a
	// story with one of them, into one story: the oldest (lowest id) of their
	// current stories. The emptied stories are deleted with their edges. It
	// reads the current story ids inside its one write transaction, so two
	// processes merging overlapping sets end with one story, and repeating a
	// merge changes nothing. Returns the surviving story id.
	MergeStories(ctx context.Context, docIDs []int64) (int64, error)
	// ReplaceStoryGraph atomically sets the story's root document, its title
	// (the root's title) and replaces all its edges with edges. Every edge's
	// documents and the root must belong to the story (ECONFLICT otherwise:
	// a concurrent merge moved them; rebuild and retry). An edge with FromID
	// 0 starts at FromOutlet, an outlet with no document. Self edges and
	// edges without a kind are EINVALID.
	ReplaceStoryGraph(ctx context.Context, storyID, root int64, edges []Edge) error
}

// GraphEdges validates a story graph for ReplaceStoryGraph, the same for
// every store (a root; edges with a kind, not to themselves, from a document
// or a named outlet) and returns its edges without repeats (the last of a
// repeated key wins) and the sorted distinct documents it names.
func GraphEdges(root int64, edges []Edge) ([]Edge, []int64, error) {
	if root == 0 {
		return nil, nil, Errorf(EINVALID, "story root required")
	}
	type key struct {
		from   int64
		outlet string
		to     int64
		kind   EdgeKind
	}
	docs := []int64{root}
	seen := map[key]int{}
	var out []Edge
	for _, e := range edges {
		switch {
		case e.Kind == "":
			return nil, nil, Errorf(EINVALID, "edge kind required")
		case e.FromID == e.ToID:
			return nil, nil, Errorf(EINVALID, "edge from document %d to itself", e.FromID)
		case e.FromID == 0 && strings.TrimSpace(e.FromOutlet) == "":
			return nil, nil, Errorf(EINVALID, "edge to %d has neither a document nor an outlet", e.ToID)
		}
		k := key{e.FromID, e.FromOutlet, e.ToID, e.Kind}
		if e.FromID != 0 {
			k.outlet = ""
			docs = append(docs, e.FromID)
		}
		docs = append(docs, e.ToID)
		if i, ok := seen[k]; ok {
			out[i] = e
			continue
		}
		seen[k] = len(out)
		out = append(out, e)
	}
	slices.Sort(docs)
	return out, slices.Compact(docs), nil
}
