// Package embed is the optional client of an OpenAI-compatible embeddings
// endpoint (POST {BaseURL}/v1/embeddings), for a model server the user runs.
// Its vectors go into story.Doc.Embedding, which only serves to link
// documents in different languages; without an endpoint a translation is
// linked by explicit cues alone.
//
// Configuration (wired in cmd/newstrace): NEWSTRACE_EMBEDDINGS_URL (the base
// URL, e.g. http://127.0.0.1:8080; a trailing "/v1" is accepted),
// NEWSTRACE_EMBEDDINGS_MODEL, NEWSTRACE_EMBEDDINGS_KEY (sent as a bearer
// token when set).
package embed

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Defaults for the zero values of Client's fields.
const (
	DefaultMaxInputChars = 8000             // about 2,000 tokens: the lead and most of a news article
	DefaultBatchSize     = 32               // inputs per request
	DefaultTimeout       = 60 * time.Second // per request, when HTTP is nil
	DefaultMaxResponse   = 64 << 20         // bytes of one response body
	maxErrorBody         = 4 << 10          // bytes of an error body quoted in the error
)

// Client calls an OpenAI-compatible embeddings endpoint. The zero values of
// the optional fields take the defaults above. Safe for concurrent use.
type Client struct {
	BaseURL string       // e.g. "http://127.0.0.1:8080"; required
	Model   string       // sent as "model"; required
	APIKey  string       // sent as "Authorization: Bearer …" when not empty
	HTTP    *http.Client // nil: a client with DefaultTimeout

	MaxInputChars int   // each text is cut to this many characters (runes)
	BatchSize     int   // texts per request
	MaxResponse   int64 // bytes of one response body
}

type request struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

type response struct {
	Data []struct {
		Embedding []float32 `json:"embedding"`
		Index     *int      `json:"index"`
	} `json:"data"`
}

// Embed returns one vector per text, in order, sending the texts in batches
// of BatchSize. Every vector has the same dimension. An empty text is sent
// as a single space, since servers refuse empty inputs. The error names the
// endpoint and, for a non-200 answer, the status and the server's message.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if c.BaseURL == "" || c.Model == "" {
		return nil, errors.New("embed: base URL and model are required")
	}
	if len(texts) == 0 {
		return nil, nil
	}
	batch := cmp.Or(c.BatchSize, DefaultBatchSize)
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += batch {
		end := min(start+batch, len(texts))
		vecs, err := c.embedBatch(ctx, texts[start:end])
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && len(vecs[0]) != len(out[0]) {
			return nil, fmt.Errorf("embed %s: dimension %d in batch at %d, %d before", c.endpoint(), len(vecs[0]), start, len(out[0]))
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (c *Client) endpoint() string {
	base := strings.TrimRight(c.BaseURL, "/")
	base = strings.TrimSuffix(base, "/v1")
	return base + "/v1/embeddings"
}

func (c *Client) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	url := c.endpoint()
	limit := cmp.Or(c.MaxInputChars, DefaultMaxInputChars)
	in := make([]string, len(texts))
	for i, t := range texts {
		t = truncate(strings.TrimSpace(t), limit)
		if t == "" {
			t = " "
		}
		in[i] = t
	}
	body, err := json.Marshal(request{Model: c.Model, Input: in})
	if err != nil {
		return nil, fmt.Errorf("embed %s: %w", url, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("embed %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("embed %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, fmt.Errorf("embed %s: %s: %s", url, resp.Status, serverMessage(msg))
	}
	capBytes := cmp.Or(c.MaxResponse, DefaultMaxResponse)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, capBytes+1))
	if err != nil {
		return nil, fmt.Errorf("embed %s: read response: %w", url, err)
	}
	if int64(len(raw)) > capBytes {
		return nil, fmt.Errorf("embed %s: response larger than %d bytes", url, capBytes)
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("embed %s: decode response: %w", url, err)
	}
	if len(r.Data) != len(in) {
		return nil, fmt.Errorf("embed %s: %d vectors for %d inputs", url, len(r.Data), len(in))
	}
	out := make([][]float32, len(in))
	for i, d := range r.Data {
		j := i
		if d.Index != nil {
			j = *d.Index
		}
		switch {
		case j < 0 || j >= len(in) || out[j] != nil:
			return nil, fmt.Errorf("embed %s: bad or repeated index %d", url, j)
		case len(d.Embedding) == 0:
			return nil, fmt.Errorf("embed %s: empty vector at index %d", url, j)
		case len(d.Embedding) != len(r.Data[0].Embedding):
			return nil, fmt.Errorf("embed %s: dimension %d at index %d, %d at the first", url, len(d.Embedding), j, len(r.Data[0].Embedding))
		}
		out[j] = d.Embedding
	}
	return out, nil
}

// serverMessage is the "error.message" (or "error", "message", "detail") of
// an error body, else the body itself, on one line.
func serverMessage(body []byte) string {
	var e struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Detail  any             `json:"detail"`
	}
	msg := ""
	if json.Unmarshal(body, &e) == nil {
		var obj struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(e.Error, &obj) == nil && obj.Message != "":
			msg = obj.Message
		case json.Unmarshal(e.Error, &s) == nil && s != "":
			msg = s
		case e.Message != "":
			msg = e.Message
		case e.Detail != nil:
			msg = fmt.Sprint(e.Detail)
		}
	}
	if msg == "" {
		msg = string(body)
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if msg == "" {
		return "(no message)"
	}
	return truncate(msg, 300)
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
