package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/sqlite"
)

// TestEmbedderConfig: NEWSTRACE_EMBEDDINGS_URL and _MODEL go together
// (one without the other is a one-line error naming both), _KEY only with
// them, and the URL must be http(s).
func TestEmbedderConfig(t *testing.T) {
	tests := []struct {
		name      string
		url, mod  string
		key       string
		wantNil   bool
		wantErr   []string // substrings of the error; nil for none
		wantModel string
	}{
		{name: "neither", wantNil: true},
		{name: "both", url: "http://127.0.0.1:8080", mod: "nomic-embed-text", key: "s3cret", wantModel: "nomic-embed-text"},
		{name: "both, with /v1", url: "http://localhost:11434/v1", mod: "bge-m3", wantModel: "bge-m3"},
		{name: "URL only", url: "http://127.0.0.1:8080", wantErr: []string{"NEWSTRACE_EMBEDDINGS_URL", "NEWSTRACE_EMBEDDINGS_MODEL"}},
		{name: "model only", mod: "bge-m3", wantErr: []string{"NEWSTRACE_EMBEDDINGS_MODEL is set", "NEWSTRACE_EMBEDDINGS_URL"}},
		{name: "key only", key: "s3cret", wantErr: []string{"NEWSTRACE_EMBEDDINGS_KEY"}},
		{name: "no scheme", url: "127.0.0.1:8080", mod: "bge-m3", wantErr: []string{"NEWSTRACE_EMBEDDINGS_URL", "http(s)"}},
		{name: "other scheme", url: "unix:///run/embed.sock", mod: "bge-m3", wantErr: []string{"NEWSTRACE_EMBEDDINGS_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain()
			env := map[string]string{"NEWSTRACE_EMBEDDINGS_URL": tt.url, "NEWSTRACE_EMBEDDINGS_MODEL": tt.mod, "NEWSTRACE_EMBEDDINGS_KEY": tt.key}
			m.Getenv = func(k string) string { return env[k] }
			c, err := m.embedder()
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("embedder() = %+v, want an error", c)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q is not one line", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("embedder(): %v", err)
			}
			if tt.wantNil {
				if c != nil {
					t.Errorf("embedder() = %+v, want none", c)
				}
				return
			}
			if c == nil || c.BaseURL != tt.url || c.Model != tt.wantModel || c.APIKey != tt.key || c.HTTP == nil || c.HTTP.Timeout == 0 {
				t.Errorf("embedder() = %+v, want URL %s, model %s, key %q and an HTTP client with a timeout", c, tt.url, tt.wantModel, tt.key)
			}
		})
	}
}

// TestIngestEmbeds runs the real command with the environment pointing at
// a loopback endpoint (no --allow-private needed: it is the operator's, not
// a fetched URL): each stored document is embedded once, with the key, and
// its vector kept. A half configuration stops the command before it starts.
func TestIngestEmbeds(t *testing.T) {
	var texts atomic.Int32
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path != "/v1/embeddings" || json.Unmarshal(body, &req) != nil || req.Model != "toy" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		auth.Store(r.Header.Get("Authorization"))
		type item struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		var out struct {
			Data []item `json:"data"`
		}
		for i := range req.Input {
			texts.Add(1)
			out.Data = append(out.Data, item{Index: i, Embedding: []float32{1, 0.5, 0.25}})
		}
		json.NewEncoder(w).Encode(out)
	}))
	defer srv.Close()

	data := t.TempDir()
	run := func(env map[string]string, args ...string) error {
		m := NewMain()
		m.Stdout, m.Stderr = io.Discard, io.Discard
		m.Getenv = func(k string) string { return env[k] }
		return m.Run(context.Background(), append([]string{"--data", data}, args...))
	}
	page := filepath.Join("testdata", "site", "harbour-bridge.html")
	err := run(map[string]string{"NEWSTRACE_EMBEDDINGS_URL": srv.URL}, "ingest", page)
	if err == nil || !strings.Contains(err.Error(), "NEWSTRACE_EMBEDDINGS_MODEL") {
		t.Fatalf("ingest with the URL only: %v, want an error naming NEWSTRACE_EMBEDDINGS_MODEL", err)
	}
	env := map[string]string{"NEWSTRACE_EMBEDDINGS_URL": srv.URL, "NEWSTRACE_EMBEDDINGS_MODEL": "toy", "NEWSTRACE_EMBEDDINGS_KEY": "k3y"}
	if err := run(env, "ingest", page, filepath.Join("testdata", "site", "vaccine-trial.html")); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if got := texts.Load(); got != 2 {
		t.Errorf("%d texts embedded, want 2", got)
	}
	if got, _ := auth.Load().(string); got != "Bearer k3y" {
		t.Errorf("Authorization %q, want the key as a bearer token", got)
	}
	db, err := sqlite.Open(t.Context(), filepath.Join(data, "newstrace.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	docs, err := db.Documents(t.Context(), newstrace.DocumentFilter{})
	if err != nil || len(docs) != 2 {
		t.Fatalf("Documents = %d, %v; want 2", len(docs), err)
	}
	for _, d := range docs {
		if model, vec, err := db.Embedding(t.Context(), d.ID); err != nil || model != "toy" || len(vec) != 3 {
			t.Errorf("document %d: embedding %q %v, %v; want toy's 3 dimensions", d.ID, model, vec, err)
		}
	}
}
