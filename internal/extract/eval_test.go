package extract

import (
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

var evalPerDoc = flag.Bool("perdoc", false, "TestEval: print one line per page")

// TestEval is the accuracy harness: it runs what `newstrace extract --url`
// runs over the dev pages of the article-extraction benchmark and prints
// the scorer's last line (f1=… precision=… recall=… n=…). With -preds it
// writes the predictions for shared/tools/score-extraction.
//
//	go test ./internal/extract -run Eval -v [-preds /tmp/preds.json] [-perdoc]
//
// It also scores four host-disjoint folds: a rule tuned on the dev set
// that helps one fold and hurts the others is fitted to a site, not general.
func TestEval(t *testing.T) {
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
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}
	preds := map[string]map[string]string{}
	var all scorer
	var folds [4]scorer
	for _, p := range pages {
		gt := truth[p.id]
		a, err := Bytes(p.data, "", Options{URL: gt.URL})
		if err != nil {
			t.Logf("%s: %v", p.id, err)
		}
		preds[p.id] = map[string]string{"articleBody": a.Text}
		all.add(gt.ArticleBody, a.Text)
		folds[hostFold(gt.URL)].add(gt.ArticleBody, a.Text)
		if *evalPerDoc {
			var one scorer
			one.add(gt.ArticleBody, a.Text)
			pr, rc, f := one.result()
			t.Logf("%s p=%.3f r=%.3f f1=%.3f", p.id[:12], pr, rc, f)
		}
	}
	for i := range folds {
		pr, rc, f := folds[i].result()
		t.Logf("fold %d (hosts by hash): f1=%.3f precision=%.3f recall=%.3f n=%d", i, f, pr, rc, folds[i].recN)
	}
	pr, rc, f := all.result()
	fmt.Printf("f1=%.3f precision=%.3f recall=%.3f n=%d\n", f, pr, rc, all.recN)
	if *predsOut != "" {
		b, err := json.MarshalIndent(preds, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*predsOut, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// hostFold puts every page of one host in the same of four folds.
func hostFold(raw string) int {
	host := raw
	if u, err := url.Parse(raw); err == nil {
		host = u.Hostname()
	}
	h := fnv.New32a()
	h.Write([]byte(host))
	return int(h.Sum32() % 4)
}
