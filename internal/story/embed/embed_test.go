package embed

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer speaks the OpenAI embeddings API: each input's vector is
// (length, first byte, 1), so tests can check order.
type fakeServer struct {
	mu       sync.Mutex
	requests [][]string
	auth     []string
	dim      int
	reverse  bool // answer in reverse order with indexes
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	var req struct {
		Model string   `json:"model"`
		Input []string `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model == "" {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":{"message":"bad request","type":"invalid_request_error"}}`))
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req.Input)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	type item struct {
		Object    string    `json:"object"`
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	}
	var data []item
	for i, s := range req.Input {
		v := make([]float32, max(3, f.dim))
		v[0], v[1], v[2] = float32(len(s)), float32(s[0]), 1
		data = append(data, item{"embedding", v, i})
	}
	if f.reverse {
		for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
			data[i], data[j] = data[j], data[i]
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
}

func TestEmbed(t *testing.T) {
	f := &fakeServer{reverse: true}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := &Client{BaseURL: srv.URL + "/v1/", Model: "m", APIKey: "k", BatchSize: 2, MaxInputChars: 5}
	texts := []string{"alpha", "bé", "", "gammadelta", "x"}
	got, err := c.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(texts) {
		t.Fatalf("%d vectors for %d texts", len(got), len(texts))
	}
	want := []struct {
		n     float32
		first byte
	}{{5, 'a'}, {3, 'b'}, {1, ' '}, {5, 'g'}, {1, 'x'}}
	for i, w := range want {
		if got[i][0] != w.n || got[i][1] != float32(w.first) {
			t.Errorf("vector %d = %v, want length %v first %q", i, got[i], w.n, w.first)
		}
	}
	if len(f.requests) != 3 {
		t.Errorf("%d requests, want 3 batches of ≤ 2", len(f.requests))
	}
	for _, a := range f.auth {
		if a != "Bearer k" {
			t.Errorf("Authorization %q", a)
		}
	}
	if v, err := c.Embed(context.Background(), nil); v != nil || err != nil {
		t.Errorf("Embed(nil) = %v, %v", v, err)
	}
}

func TestEmbedErrors(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		client  func(*Client)
		want    string
	}{
		{name: "server error message", want: "401 Unauthorized: invalid api key",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusUnauthorized)
				w.Write([]byte(`{"error":{"message":"invalid api key","type":"auth"}}`))
			}},
		{name: "plain text error", want: "500 Internal Server Error: model not loaded",
			handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "model not loaded", 500) }},
		{name: "string error", want: "503 Service Unavailable: loading",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(503)
				w.Write([]byte(`{"error":"loading"}`))
			}},
		{name: "wrong vector count", want: "1 vectors for 2 inputs",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"data":[{"embedding":[1,2],"index":0}]}`))
			}},
		{name: "dimension mismatch", want: "dimension 3 at index 1",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"data":[{"embedding":[1,2],"index":0},{"embedding":[1,2,3],"index":1}]}`))
			}},
		{name: "repeated index", want: "bad or repeated index 0",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"data":[{"embedding":[1,2],"index":0},{"embedding":[1,2],"index":0}]}`))
			}},
		{name: "empty vector", want: "empty vector",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"data":[{"embedding":[],"index":0},{"embedding":[],"index":1}]}`))
			}},
		{name: "not json", want: "decode response",
			handler: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`<html>proxy</html>`)) }},
		{name: "response too large", want: "larger than 100 bytes",
			client: func(c *Client) { c.MaxResponse = 100 },
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"data":[{"embedding":[` + strings.Repeat("0.5,", 100) + `1],"index":0}]}`))
			}},
		{name: "missing model", want: "model are required", client: func(c *Client) { c.Model = "" },
			handler: func(w http.ResponseWriter, r *http.Request) { t.Error("request sent without a model") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			c := &Client{BaseURL: srv.URL, Model: "m"}
			if tc.client != nil {
				tc.client(c)
			}
			_, err := c.Embed(context.Background(), []string{"a", "b"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if tc.name != "missing model" && !strings.Contains(err.Error(), srv.URL+"/v1/embeddings") {
				t.Errorf("err %q does not name the endpoint", err)
			}
		})
	}
}

func TestEmbedDimensionAcrossBatches(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Write([]byte(`{"data":[{"embedding":[1,2],"index":0}]}`))
			return
		}
		w.Write([]byte(`{"data":[{"embedding":[1,2,3],"index":0}]}`))
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, Model: "m", BatchSize: 1}
	if _, err := c.Embed(context.Background(), []string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "dimension 3 in batch at 1") {
		t.Fatalf("err = %v", err)
	}
}

func TestEmbedSlowServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	t.Run("client timeout", func(t *testing.T) {
		c := &Client{BaseURL: srv.URL, Model: "m", HTTP: &http.Client{Timeout: 100 * time.Millisecond}}
		start := time.Now()
		_, err := c.Embed(context.Background(), []string{"a"})
		if err == nil || !strings.Contains(err.Error(), "Timeout") {
			t.Fatalf("err = %v, want a timeout", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("context deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		c := &Client{BaseURL: srv.URL, Model: "m"}
		_, err := c.Embed(ctx, []string{"a"})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
	})
}
