package story

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/match"
)

// COUNTER (Urdu wire copy and newspaper stories, labelled wholly /
// partially / non-derived): a pair counts as derived when Relate gives a
// repost or syndication edge from the agency text to the newspaper text's
// side (either direction accepted: the dates are days only). Cites and
// same-story-only relations count as not derived: COUNTER's non-derived
// stories may well cover the same event.

type counterDoc struct {
	Class     string `xml:"classification,attr"`
	NewsDate  string `xml:"newsdate,attr"`
	Newspaper string `xml:"newspaper,attr"`
	Headline  string `xml:"headline"`
	Body      string `xml:"body"`
}

type counterPair struct {
	num      string
	class    string
	src, der Doc
}

var counterName = regexp.MustCompile(`(?i)^(\d{4})(p?)\.xml$`)

func loadCounter(tb testing.TB) []counterPair {
	tb.Helper()
	dir := filepath.Join(corporaDir(tb, "counter-urdu-reuse"), "xml")
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	byNum := map[string][2]*counterDoc{}
	for _, e := range ents {
		m := counterName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		var d counterDoc
		if err := xml.Unmarshal(raw, &d); err != nil {
			tb.Fatalf("%s: %v", e.Name(), err)
		}
		p := byNum[m[1]]
		if m[2] == "" {
			p[0] = &d
		} else {
			p[1] = &d
		}
		byNum[m[1]] = p
	}
	nums := make([]string, 0, len(byNum))
	for n, p := range byNum {
		if p[0] != nil && p[1] != nil {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	var out []counterPair
	id := int64(1)
	mk := func(d *counterDoc) Doc {
		t, err := time.Parse("02.01.06", d.NewsDate)
		var pub *time.Time
		if err == nil {
			pub = &t
		}
		text := strings.TrimSpace(d.Body)
		doc := Doc{ID: id, Title: strings.TrimSpace(d.Headline), Text: text, Language: "ur", Source: d.Newspaper,
			Published: pub, FP: match.FingerprintText(text, match.DefaultParams())}
		id++
		return doc
	}
	for _, n := range nums {
		p := byNum[n]
		out = append(out, counterPair{num: n, class: p[0].Class, src: mk(p[0]), der: mk(p[1])})
	}
	return out
}

type counterScore struct {
	byClass, hit map[string]int
	tp, fp, fn   int
	f1, p, r     float64
}

func scoreCounter(pairs []counterPair) counterScore {
	var texts []string
	for _, p := range pairs {
		texts = append(texts, p.src.Title+"\n"+p.src.Text, p.der.Title+"\n"+p.der.Text)
	}
	idf := CountIDF(len(texts), DocFreq(texts))
	s := counterScore{byClass: map[string]int{}, hit: map[string]int{}}
	for _, p := range pairs {
		r := Relate(p.src, p.der, idf)
		derived := r.Kind == newstrace.EdgeRepost || r.Kind == newstrace.EdgeSyndication
		s.byClass[p.class]++
		if derived {
			s.hit[p.class]++
		}
		pos := p.class != "ND"
		switch {
		case pos && derived:
			s.tp++
		case derived:
			s.fp++
		case pos:
			s.fn++
		}
	}
	s.p = frac(s.tp, s.tp+s.fp)
	s.r = frac(s.tp, s.tp+s.fn)
	s.f1 = frac(2*s.tp, 2*s.tp+s.fp+s.fn)
	return s
}

func (s counterScore) String() string {
	return fmt.Sprintf("F1 %.4f (precision %.4f, recall %.4f); called derived: WD %d/%d, PD %d/%d, ND %d/%d",
		s.f1, s.p, s.r, s.hit["WD"], s.byClass["WD"], s.hit["PD"], s.byClass["PD"], s.hit["ND"], s.byClass["ND"])
}

// floorCounterF1 is the measured F1 minus a margin (docs/benchmarks.md).
const floorCounterF1 = 0.40

func TestCounter(t *testing.T) {
	pairs := loadCounter(t)
	if len(pairs) < 100 {
		t.Fatalf("only %d COUNTER pairs", len(pairs))
	}
	s := scoreCounter(pairs)
	t.Logf("%d pairs: %s", len(pairs), s)
	t.Logf("trade-off (reuse ≥ r and cosine ≥ c, r = c): %s", counterCurve(pairs))
	if s.f1 < floorCounterF1 {
		t.Errorf("F1 %.4f below floor %.2f", s.f1, floorCounterF1)
	}
}

// counterCurve reports F1 of the rewrite rule at lower thresholds than the
// defaults, to show what precision on unrelated English pages costs here.
func counterCurve(pairs []counterPair) string {
	var texts []string
	for _, p := range pairs {
		texts = append(texts, p.src.Title+"\n"+p.src.Text, p.der.Title+"\n"+p.der.Text)
	}
	idf := CountIDF(len(texts), DocFreq(texts))
	type f struct {
		r, c      float64
		pos, near bool
	}
	var fs []f
	for _, p := range pairs {
		a, b := prepare(&p.src, idf), prepare(&p.der, idf)
		fs = append(fs, f{reuse(a, b), cosine(a, b), p.class != "ND", match.Compare(p.src.FP, p.der.FP).NearDuplicate()})
	}
	var out []string
	for _, th := range []float64{0.2, 0.25, 0.3, 0.4, 0.5, 0.6} {
		tp, fp, fn := 0, 0, 0
		for _, x := range fs {
			d := x.near || x.r >= th && x.c >= th
			switch {
			case d && x.pos:
				tp++
			case d:
				fp++
			case x.pos:
				fn++
			}
		}
		out = append(out, fmt.Sprintf("%.2f→F1 %.3f", th, frac(2*tp, 2*tp+fp+fn)))
	}
	return strings.Join(out, ", ")
}
