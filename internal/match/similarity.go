package match

// Thresholds of Similarity.NearDuplicate.
const (
	// NearDupJaccard: two texts sharing this share of their distinct
	// shingles are the same text give or take a few edits, a changed
	// paragraph or some layout lines.
	NearDupJaccard = 0.8
	// NearDupContainment: this share of one text's shingles found in the
	// other makes it a copy inside the other: an excerpt ("first paragraphs
	// + Read more") inside the original, or the original inside a repost
	// that wrapped it in template lines.
	NearDupContainment = 0.8
	// MinContainedShingles: the contained side must have at least this many
	// distinct shingles (about 55 words at shingle size 5) for containment
	// to count, so a headline, a byline or a stock sentence found inside an
	// article does not make it a copy.
	MinContainedShingles = 50
)

// Jaccard returns |A∩B| / |A∪B| of two sorted sets of distinct shingle
// hashes (as in Fingerprint.Shingles); 0 when both are empty.
func Jaccard(a, b []uint64) float64 {
	n := intersect(a, b)
	if u := len(a) + len(b) - n; u > 0 {
		return float64(n) / float64(u)
	}
	return 0
}

// Containment returns |A∩B| / |A|: the share of a's shingles found in b
// (both sorted and distinct); 0 when a is empty. An excerpt of b, or a text
// that b wraps in boilerplate, scores near 1 however much longer b is.
func Containment(a, b []uint64) float64 {
	if len(a) == 0 {
		return 0
	}
	return float64(intersect(a, b)) / float64(len(a))
}

// intersect counts the common values of two sorted distinct slices.
func intersect(a, b []uint64) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// Similarity is the exact comparison of two fingerprints' shingle sets.
type Similarity struct {
	Jaccard       float64
	ContainmentAB float64 // share of A's shingles found in B
	ContainmentBA float64 // share of B's shingles found in A
	ShinglesA     int     // distinct shingles of A
	ShinglesB     int     // distinct shingles of B
}

// Compare measures two fingerprints exactly (one merge over the shingles).
func Compare(a, b Fingerprint) Similarity {
	s := Similarity{ShinglesA: len(a.Shingles), ShinglesB: len(b.Shingles)}
	n := intersect(a.Shingles, b.Shingles)
	if u := s.ShinglesA + s.ShinglesB - n; u > 0 {
		s.Jaccard = float64(n) / float64(u)
	}
	if s.ShinglesA > 0 {
		s.ContainmentAB = float64(n) / float64(s.ShinglesA)
	}
	if s.ShinglesB > 0 {
		s.ContainmentBA = float64(n) / float64(s.ShinglesB)
	}
	return s
}

// NearDuplicate reports whether the two texts are one text for "every story
// once": Jaccard ≥ NearDupJaccard (the same text with small edits), or one
// side with at least MinContainedShingles shingles has ≥ NearDupContainment
// of them in the other (an excerpt inside the original, the original inside
// a repost with template lines around it). It says nothing about which one
// came first; the story matcher decides that from times and cues.
func (s Similarity) NearDuplicate() bool {
	if s.Jaccard >= NearDupJaccard {
		return true
	}
	return s.ContainmentAB >= NearDupContainment && s.ShinglesA >= MinContainedShingles ||
		s.ContainmentBA >= NearDupContainment && s.ShinglesB >= MinContainedShingles
}
