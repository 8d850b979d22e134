package extract

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var predsOut = flag.String("preds", "", "write corpus predictions {id: {articleBody}} to this file")

// corpusDir returns the article-extraction corpus or skips the test.
func corpusDir(tb testing.TB) string {
	root := os.Getenv("NEWSTRACE_CORPORA")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared", "corpora")
	}
	dir := filepath.Join(root, "article-extraction")
	if _, err := os.Stat(filepath.Join(dir, "ground-truth.json")); err != nil {
		tb.Skipf("corpus not found at %s (set NEWSTRACE_CORPORA): %v", dir, err)
	}
	return dir
}

type corpusPage struct {
	id   string
	data []byte
}

func loadCorpus(tb testing.TB) (dir string, pages []corpusPage) {
	dir = corpusDir(tb)
	files, err := filepath.Glob(filepath.Join(dir, "html", "*.html.gz"))
	if err != nil || len(files) == 0 {
		tb.Skipf("no pages in %s", dir)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		pages = append(pages, corpusPage{strings.TrimSuffix(filepath.Base(f), ".html.gz"), data})
	}
	return dir, pages
}

func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	dir, pages := loadCorpus(t)
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}

	preds := map[string]map[string]string{}
	var sc scorer
	good := 0
	start := time.Now()
	for _, p := range pages {
		a, err := Bytes(p.data, "", Options{})
		switch {
		case err != nil:
			t.Logf("%s: %v", p.id, err)
		case a.Title == "" || a.Text == "":
			t.Logf("%s: empty title or text", p.id)
		default:
			good++
		}
		preds[p.id] = map[string]string{"articleBody": a.Text}
		sc.add(truth[p.id].ArticleBody, a.Text)
	}
	prec, rec, f1 := sc.result()
	t.Logf("%d pages in %v; ok %d; precision=%.4f recall=%.4f f1=%.4f", len(pages), time.Since(start).Round(time.Millisecond), good, prec, rec, f1)
	if float64(good) < 0.95*float64(len(pages)) {
		t.Errorf("only %d of %d pages gave a title and text, want >= 95%%", good, len(pages))
	}
	if f1 < 0.94 {
		t.Errorf("corpus F1 = %.4f, below the 0.94 regression floor", f1)
	}
	if *predsOut != "" {
		b, _ := json.MarshalIndent(preds, "", " ")
		if err := os.WriteFile(*predsOut, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// scorer is the article-extraction-benchmark metric: 4-token shingles as
// multisets, per-page P and R macro-averaged, F1 their harmonic mean.
type scorer struct {
	precSum, recSum float64
	precN, recN     int
}

var wordRe = regexp.MustCompile(`[\p{L}\p{N}\p{M}_]+`)

func shingles(text string) map[string]int {
	toks := wordRe.FindAllString(text, -1)
	out := map[string]int{}
	if len(toks) == 0 {
		return out
	}
	if len(toks) < 4 {
		out[strings.Join(toks, "\x00")]++
		return out
	}
	for i := 0; i+4 <= len(toks); i++ {
		out[strings.Join(toks[i:i+4], "\x00")]++
	}
	return out
}

func (s *scorer) add(truth, pred string) {
	ts, ps := shingles(truth), shingles(pred)
	var tp, fp, fn int
	for k, pc := range ps {
		tc := ts[k]
		tp += min(pc, tc)
		fp += max(pc-tc, 0)
	}
	for k, tc := range ts {
		fn += max(tc-ps[k], 0)
	}
	if len(ps) > 0 {
		s.precN++
		if tp+fp > 0 {
			s.precSum += float64(tp) / float64(tp+fp)
		}
	}
	if len(ts) > 0 {
		s.recN++
		if tp+fn > 0 {
			s.recSum += float64(tp) / float64(tp+fn)
		}
	}
}

func (s *scorer) result() (p, r, f1 float64) {
	if s.precN > 0 {
		p = s.precSum / float64(s.precN)
	}
	if s.recN > 0 {
		r = s.recSum / float64(s.recN)
	}
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	return p, r, f1
}
