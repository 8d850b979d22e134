package newstrace

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// EmbeddingStore keeps one embedding vector per document, from the
// optional embeddings endpoint (internal/story/embed), so that story
// matching can find a document's translations: documents in other
// languages whose vectors are close. It is kept apart from Store because
// only matching with an endpoint configured uses it; both stores implement
// it. Similarity is computed by the caller: the store only files and
// returns vectors.
type EmbeddingStore interface {
	// SaveEmbedding stores vec as docID's embedding from model, replacing
	// any earlier one (of any model). ENOTFOUND for an unknown document;
	// EINVALID for an empty model or vector.
	SaveEmbedding(ctx context.Context, docID int64, model string, vec []float32) error
	// Embedding returns docID's embedding and the model that made it;
	// ENOTFOUND when it has none.
	Embedding(ctx context.Context, docID int64) (model string, vec []float32, err error)
	// EmbeddingCandidates returns the documents with an embedding from
	// model dated (published, else first seen) within window of around (no
	// time bound when window is 0), except those in language excludeLang
	// (none excluded when ""), newest first (then highest id), at most
	// limit (0: 200).
	EmbeddingCandidates(ctx context.Context, model string, around time.Time, window time.Duration, excludeLang string, limit int) ([]EmbeddingHit, error)
}

// EmbeddingHit is one document EmbeddingCandidates found, with its vector.
type EmbeddingHit struct {
	DocID int64
	Vec   []float32
}

// EncodeEmbedding packs a vector as the stores keep it: 4 bytes per
// element, IEEE 754 float32, little-endian.
func EncodeEmbedding(vec []float32) []byte {
	b := make([]byte, 0, 4*len(vec))
	for _, x := range vec {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// DecodeEmbedding unpacks what EncodeEmbedding packed; dims is the
// element count stored beside it, checked against the length.
func DecodeEmbedding(b []byte, dims int) ([]float32, error) {
	if len(b) != 4*dims {
		return nil, fmt.Errorf("embedding of %d bytes for %d dimensions", len(b), dims)
	}
	vec := make([]float32, dims)
	for i := range vec {
		vec[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return vec, nil
}
