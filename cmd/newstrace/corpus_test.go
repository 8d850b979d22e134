package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// corporaDir finds ../shared/corpora (or NEWSTRACE_CORPORA); "" when absent.
func corporaDir() string {
	if d := os.Getenv("NEWSTRACE_CORPORA"); d != "" {
		return d
	}
	d := filepath.Join("..", "..", "..", "shared", "corpora")
	if _, err := os.Stat(d); err != nil {
		return ""
	}
	return d
}

// TestEndToEndCorpus runs the real pages of the article-extraction corpus
// through the whole path — feed, poll, fetch, extract, store, API — and
// compares the bodies with the corpus's ground truth. The pages are read
// from ../shared at test time; none is copied into the repository.
func TestEndToEndCorpus(t *testing.T) {
	dir := corporaDir()
	if dir == "" {
		t.Skip("corpus part skipped: ../shared/corpora not found (set NEWSTRACE_CORPORA)")
	}
	root := filepath.Join(dir, "article-extraction")
	raw, err := os.ReadFile(filepath.Join(root, "ground-truth.json"))
	if err != nil {
		t.Skipf("corpus part skipped: %v", err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatalf("read ground truth: %v", err)
	}
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if testing.Short() {
		ids = ids[:20]
	}

	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed.xml", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Corpus</title><link>` + srv.URL + `/</link>`)
		for _, id := range ids {
			fmt.Fprintf(&b, "<item><title>page %s</title><link>%s/page/%s</link><guid>%s</guid></item>", id[:8], srv.URL, id, id)
		}
		b.WriteString(`</channel></rss>`)
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, b.String())
	})
	mux.HandleFunc("GET /page/{id}", func(w http.ResponseWriter, r *http.Request) {
		gz, err := os.ReadFile(filepath.Join(root, "html", r.PathValue("id")+".html.gz"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.Copy(w, zr)
	})
	srv = httptest.NewServer(mux)
	defer srv.Close()

	data := t.TempDir()
	global := []string{"--data", data, "--allow-private"}
	mustCLI(t, append(global, "feeds", "add", srv.URL+"/feed.xml")...)
	out := mustCLI(t, append(global, "poll", "--once")...)
	t.Logf("%s", strings.TrimSpace(out))

	base := startServe(t, global...)
	var titled, scored int
	var sumP, sumR float64
	for offset := 0; ; offset += 200 {
		var list struct{ Articles []apiArticle }
		getJSON(t, fmt.Sprintf("%s/api/v1/articles?limit=200&offset=%d", base, offset), &list)
		if len(list.Articles) == 0 {
			break
		}
		for _, a := range list.Articles {
			var full apiArticle
			getJSON(t, fmt.Sprintf("%s/api/v1/articles/%d", base, a.ID), &full)
			id := full.URL[strings.LastIndex(full.URL, "/")+1:]
			gt, ok := truth[id]
			if !ok {
				t.Errorf("article %d has URL %s, not a corpus page", a.ID, full.URL)
				continue
			}
			if strings.TrimSpace(full.Title) != "" && !strings.HasPrefix(full.Title, "page ") {
				titled++
			}
			p, r := tokenOverlap(full.Text, gt.ArticleBody)
			sumP += p
			sumR += r
			scored++
		}
	}
	if scored != len(ids) {
		t.Fatalf("API returned %d corpus articles, want %d", scored, len(ids))
	}
	prec, rec := sumP/float64(scored), sumR/float64(scored)
	t.Logf("corpus end to end: %d pages, %d with a page title, token precision %.3f recall %.3f", scored, titled, prec, rec)
	if float64(titled) < 0.95*float64(scored) {
		t.Errorf("only %d of %d pages got their own title", titled, scored)
	}
	if prec < 0.85 || rec < 0.85 {
		t.Errorf("token precision %.3f / recall %.3f below 0.85", prec, rec)
	}
}

// tokenOverlap is bag-of-words precision and recall of got against want.
func tokenOverlap(got, want string) (precision, recall float64) {
	split := func(s string) map[string]int {
		m := map[string]int{}
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			m[w]++
		}
		return m
	}
	g, w := split(got), split(want)
	var common, ng, nw int
	for k, c := range g {
		ng += c
		common += min(c, w[k])
	}
	for _, c := range w {
		nw += c
	}
	if ng == 0 || nw == 0 {
		return 0, 0
	}
	return float64(common) / float64(ng), float64(common) / float64(nw)
}
