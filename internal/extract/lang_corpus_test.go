package extract

import (
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// langCase is one text with the language it should be detected as.
type langCase struct {
	name, want, text string
}

// urduCases reads the COUNTER corpus: every file is Urdu news text.
func urduCases(tb testing.TB) []langCase {
	root := os.Getenv("NEWSTRACE_CORPORA")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared", "corpora")
	}
	files, _ := filepath.Glob(filepath.Join(root, "counter-urdu-reuse", "xml", "*.xml"))
	if len(files) == 0 {
		tb.Skipf("COUNTER corpus not found under %s (set NEWSTRACE_CORPORA)", root)
	}
	var out []langCase
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var doc struct {
			Headline string `xml:"headline"`
			Body     string `xml:"body"`
		}
		if err := xml.Unmarshal(raw, &doc); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		out = append(out, langCase{filepath.Base(f), "ur", strings.TrimSpace(doc.Headline + "\n\n" + doc.Body)},
			langCase{filepath.Base(f) + " headline", "ur", strings.TrimSpace(doc.Headline)})
	}
	return out
}

// reviewedLang corrects the expected language where a person reading the
// ground-truth body found the page's declaration (or its absence) wrong:
// two English blogs declare lang="de", four pages without a declaration
// are German or Portuguese.
var reviewedLang = map[string]string{
	"f81c6c05d9cbc93316992fa23ef74ec405194e292611f2e94f6a814868903665": "en",
	"fde930b01859de8311c6a14f8aa8c72be0659b551367803deb6736cf3526cf2e": "en",
	"57b4dafd": "de", "ba07d1e6": "de", "11ea381a": "pt", "cc03ddb5": "pt",
}

var htmlLangRe = regexp.MustCompile(`(?is)<html[^>]*\slang\s*=\s*["']?([a-zA-Z_-]+)`)

// englishCases reads the ground-truth bodies of the article-extraction
// corpus; the expected language is the page's declared one, else English.
func englishCases(tb testing.TB) []langCase {
	dir := corpusDir(tb)
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		tb.Fatal(err)
	}
	var out []langCase
	for id, gt := range truth {
		want := "en"
		if fh, err := os.Open(filepath.Join(dir, "html", id+".html.gz")); err == nil {
			if zr, err := gzip.NewReader(fh); err == nil {
				head, _ := io.ReadAll(io.LimitReader(zr, 64<<10))
				if m := htmlLangRe.FindSubmatch(head); m != nil {
					want = iso6391(string(m[1]))
				}
			}
			fh.Close()
		}
		if l, ok := reviewedLang[id]; ok {
			want = l
		} else if l, ok := reviewedLang[id[:8]]; ok {
			want = l
		}
		out = append(out, langCase{id, want, gt.ArticleBody})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// firstWords cuts text to its first n words (n <= 0: whole text).
func firstWords(text string, n int) string {
	f := strings.Fields(text)
	if n > 0 && len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

// TestLanguageCorpus measures detectLanguage on whole texts and on their
// first words (titles, feed snippets), and holds the accuracy recorded in
// docs/benchmarks.md. Run with -v to print the table.
func TestLanguageCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	urdu, english := urduCases(t), englishCases(t)
	var urduBodies, urduHeads []langCase
	for _, c := range urdu {
		if strings.HasSuffix(c.name, " headline") {
			urduHeads = append(urduHeads, c)
		} else {
			urduBodies = append(urduBodies, c)
		}
	}
	tests := []struct {
		name  string
		cases []langCase
		words int
		min   float64 // accuracy the detector must keep
	}{
		{"urdu full text", urduBodies, 0, 0.99},
		{"urdu first 20 words", urduBodies, 20, 0.99},
		{"urdu first 10 words", urduBodies, 10, 0.98},
		{"urdu headline", urduHeads, 0, 0.99},
		{"english full text", english, 0, 0.95},
		{"english first 20 words", english, 20, 0.90},
		{"english first 10 words", english, 10, 0.70},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, empty := 0, 0
			wrong := map[string]int{}
			for _, c := range tt.cases {
				got := detectLanguage(firstWords(c.text, tt.words))
				switch got {
				case c.want:
					ok++
				case "":
					empty++
				default:
					wrong[c.want+"→"+got]++
				}
			}
			acc := float64(ok) / float64(len(tt.cases))
			t.Logf("| %s | %d | %.1f%% | %d | %s |", tt.name, len(tt.cases), 100*acc, empty, fmtWrong(wrong))
			if acc < tt.min {
				t.Errorf("accuracy %.3f, want at least %.3f", acc, tt.min)
			}
		})
	}
}

func fmtWrong(m map[string]int) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}
