package story

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// story builds a synthetic article of n paragraphs about topic, with words
// that differ between topics so unrelated stories share little text.
func story(topic string, n int) []string {
	var ps []string
	for i := range n {
		ps = append(ps, fmt.Sprintf("In %s the council of %s met on day %d and agreed that the %s plan number %d "+
			"would go ahead despite objections raised by residents of %s district %d, officials of %s said on Tuesday.",
			topic, topic, i, topic, i*7, topic, i, topic))
	}
	return ps
}

func TestRelate(t *testing.T) {
	orig := story("Vardenfell", 8)
	var other []string
	for i := range 8 {
		other = append(other, fmt.Sprintf("Farmers near Balmora reported %d sheep missing after a storm; police asked drivers on road %d to watch for animals until Friday.", i*3, i))
	}
	t0 := at("2024-03-01T10:00:00Z")
	later := at("2024-03-01T16:00:00Z")
	earlier := at("2024-03-01T04:00:00Z")
	base := func(d *Doc) { d.Source, d.URL, d.Published = "Vardenfell Times", "https://vardenfelltimes.com/a/1", t0 }
	tests := []struct {
		name     string
		a, b     Doc
		same     bool
		kind     newstrace.EdgeKind
		from     int64
		evidence string
	}{
		{name: "excerpt with read more",
			a:    rawDoc(1, paras(orig...), base),
			b:    rawDoc(2, paras(append(orig[:2:2], "Read more")...), func(d *Doc) { d.Published = later }),
			same: true, kind: newstrace.EdgeRepost, from: 1, evidence: "containment"},
		{name: "repost with template",
			a: rawDoc(1, paras(orig...), base),
			b: rawDoc(2, paras(append(append([]string{"Follow us on Facebook!"}, orig...), "Donate!", "Post a Comment")...), func(d *Doc) {
				d.Published, d.Provenance.Republisher = later, "Like This Article"
			}),
			same: true, kind: newstrace.EdgeRepost, from: 1},
		{name: "syndication with credit",
			a: rawDoc(1, paras(orig...), base),
			b: rawDoc(2, paras(orig[1:]...), func(d *Doc) {
				d.Published, d.Source, d.Provenance.OriginalSource = later, "Morning Ledger", "Vardenfell Times"
			}),
			same: true, kind: newstrace.EdgeSyndication, from: 1, evidence: "Source: Vardenfell Times"},
		{name: "inverted timestamps, credit wins",
			a: rawDoc(1, paras(orig...), base),
			b: rawDoc(2, paras(orig...), func(d *Doc) {
				d.Published, d.Source, d.Provenance.OriginalSource = earlier, "Morning Ledger", "Vardenfell Times"
			}),
			same: true, kind: newstrace.EdgeSyndication, from: 1},
		{name: "copy given first still points to the original",
			a: rawDoc(2, paras(orig...), func(d *Doc) {
				d.Published, d.Source, d.Provenance.ViaURL = earlier, "Blog", "https://vardenfelltimes.com/a/1"
			}),
			b:    rawDoc(1, paras(orig...), base),
			same: true, kind: newstrace.EdgeRepost, from: 1, evidence: "via link"},
		{name: "translation via cue",
			a: rawDoc(1, "Le conseil de Vardenfell a approuvé le plan malgré les objections des habitants.", func(d *Doc) {
				base(d)
				d.Language = "fr"
			}),
			b: rawDoc(2, "The Vardenfell council approved the plan despite objections from residents.", func(d *Doc) {
				d.Published, d.Provenance.OriginalSource, d.Provenance.Translator = later, "Vardenfell Times", "Ann Smith"
			}),
			same: true, kind: newstrace.EdgeTranslation, from: 1},
		{name: "other language, no cue, no embeddings",
			a:    rawDoc(1, "Le conseil de Vardenfell a approuvé le plan.", func(d *Doc) { d.Language = "fr" }),
			b:    rawDoc(2, "The Vardenfell council approved the plan.", nil),
			same: false},
		{name: "other language, close embeddings",
			a:    rawDoc(1, "Le conseil de Vardenfell a approuvé le plan.", func(d *Doc) { d.Language, d.Embedding, d.Published = "fr", []float32{1, 0.1, 0}, t0 }),
			b:    rawDoc(2, "The Vardenfell council approved the plan.", func(d *Doc) { d.Embedding, d.Published = []float32{1, 0.12, 0.01}, later }),
			same: true, kind: newstrace.EdgeTranslation, from: 1, evidence: "embedding cosine"},
		{name: "unrelated pair, same day",
			a:    rawDoc(1, paras(orig...), base),
			b:    rawDoc(2, paras(other...), func(d *Doc) { d.Published = later }),
			same: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Relate(tc.a, tc.b, nil)
			if r.SameStory != tc.same || r.Kind != tc.kind {
				t.Fatalf("Relate = %+v, want same %v kind %q", r, tc.same, tc.kind)
			}
			if tc.same && r.From != tc.from {
				t.Errorf("from = %d, want %d (%s)", r.From, tc.from, r.Evidence)
			}
			if !strings.Contains(r.Evidence, tc.evidence) {
				t.Errorf("evidence %q lacks %q", r.Evidence, tc.evidence)
			}
			if tc.same && (r.Confidence <= 0 || r.Confidence > 1) {
				t.Errorf("confidence %v", r.Confidence)
			}
		})
	}
}

func TestBuildOutletNode(t *testing.T) {
	orig := story("Vardenfell", 6)
	t0 := at("2024-03-01T10:00:00Z")
	// A lone repost naming the outlet it copied and that outlet's source.
	d := rawDoc(7, paras(orig...), func(d *Doc) {
		d.Published = t0
		d.Provenance = newstrace.Provenance{Outlet: "Fort Russ News", OriginalSource: "Al Mayadeen", Translator: "Samer Hussein",
			ViaURL: "http://ift.tt/x", Republisher: "Like This Article"}
	})
	root, edges := Build([]Doc{d}, nil)
	if root != 7 {
		t.Errorf("root = %d, want 7", root)
	}
	got := map[string]bool{}
	for _, e := range edges {
		got[edgeKey(e)] = true
	}
	for _, k := range []string{"Al Mayadeen→7 translation", "Fort Russ News→7 repost"} {
		if !got[k] {
			t.Errorf("missing %s in %v", k, edges)
		}
	}
	if r, e := Build(nil, nil); r != 0 || e != nil {
		t.Errorf("Build(nil) = %d, %v", r, e)
	}
	_ = time.Second
}

func TestTerms(t *testing.T) {
	d := Doc{Title: "Iraq to Join Forces With Iran", Text: "The Iranian Defense Minister, Hossein Dehqan, signed 2017 deal in Tehran."}
	got := strings.Join(Terms(d), " ")
	for _, want := range []string{"iraq", "iran", "iranian", "hossein", "dehqan", "2017", "tehran"} {
		if !strings.Contains(" "+got+" ", " "+want+" ") {
			t.Errorf("Terms = %q, missing %q", got, want)
		}
	}
	if strings.Contains(" "+got+" ", " the ") {
		t.Errorf("Terms = %q holds a stop word", got)
	}
}
