package extract

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestPruneBlocks(t *testing.T) {
	prose := "<p>The council met on Tuesday to discuss the budget and agreed on a plan for the new park by the river.</p>"
	tests := []struct {
		name string
		page string
		gone []string
		kept []string
	}{
		{"related run", prose + `<p><a href="/a">First other story</a></p><p><a href="/b">Second other story</a></p>` + prose,
			[]string{"First other story", "Second other story"}, []string{"council met"}},
		{"one product link stays", prose + `<p><a href="/a">Acme 3000 charger</a></p>` + prose,
			nil, []string{"Acme 3000 charger"}},
		{"labelled related link", prose + `<p>Related: <a href="/a">Park plans through the years</a></p>` + prose,
			[]string{"Park plans"}, nil},
		{"shouting promo link", prose + `<p><a href="/app">CLICK HERE TO GET THE APP</a></p>` + prose,
			[]string{"GET THE APP"}, nil},
		{"newsletter box", prose + `<div class="newsletter-signup"><p>Thanks for signing up!</p></div>` + prose,
			[]string{"Thanks for signing up"}, nil},
		{"headline", `<h1>Council backs park</h1>` + prose, []string{"Council backs park"}, []string{"council met"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader("<html><body><article>" + tc.page + "</article></body></html>"))
			if err != nil {
				t.Fatal(err)
			}
			keep, _ := pruneBlocks(nodeBlocks(doc), indexBlocks(doc))
			text := strings.Join(keep, "\n")
			for _, s := range tc.gone {
				if strings.Contains(text, s) {
					t.Errorf("kept %q:\n%s", s, text)
				}
			}
			for _, s := range tc.kept {
				if !strings.Contains(text, s) {
					t.Errorf("lost %q:\n%s", s, text)
				}
			}
		})
	}
}
