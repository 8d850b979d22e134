package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/ingest"
)

// page renders a minimal article page of one outlet.
func page(site, canonical, title, date string, paras ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<html lang="en"><head><meta charset="utf-8"><title>%s | %s</title>
<meta property="og:site_name" content="%s"><meta property="article:published_time" content="%s">
<link rel="canonical" href="%s"></head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>%s</h1>`, title, site, site, date, canonical, title)
	for _, p := range paras {
		fmt.Fprintf(&b, "<p>%s</p>\n", p)
	}
	b.WriteString(`</article><footer>© ` + site + `</footer></body></html>`)
	return []byte(b.String())
}

var bridgeParas = []string{
	"The Tsing Ma harbour bridge in Kowloon reopened to traffic on Monday after eighteen months of repairs that cost 412 million dollars, the transport department said.",
	"Engineers from Lantau Structural replaced all 96 suspension cables and resurfaced the upper deck, work that had been delayed twice by typhoons and a shortage of steel.",
	"Transport secretary Miriam Okafor-Leung cut a ribbon at the Kowloon end of the bridge shortly after dawn, as the first buses crossed towards Lantau island.",
	"Commuters had faced detours of up to forty minutes while the crossing was closed, and ferry operators added night sailings to cope with the extra passengers.",
	"The department said the bridge would now be inspected every six months with sensors fitted to each of the new cables, rather than once a year by hand.",
}

// TestMatchGroupsStories ingests an original, a repost of it (its first
// four paragraphs: an identical text would be the same document), an
// independent retelling of the same event and one unrelated article: two
// stories, the first rooted at the original with a repost edge.
func TestMatchGroupsStories(t *testing.T) {
	p, db, _ := newTestPipeline(t)
	ctx := t.Context()
	day := time.Date(2024, 3, 18, 9, 0, 0, 0, time.UTC)
	items := []struct {
		name string
		data []byte
		seen time.Time
	}{
		{"original", page("Harbour Times", "https://harbourtimes.example/bridge", "Tsing Ma bridge reopens after repairs",
			"2024-03-18T08:00:00Z", bridgeParas...), day},
		{"repost", page("Mirror Blog", "https://mirrorblog.example/2024/03/bridge", "Tsing Ma bridge reopens after repairs",
			"2024-03-18T15:00:00Z", bridgeParas[:4]...), day.Add(7 * time.Hour)},
		{"retelling", page("Island Daily", "https://islanddaily.example/tsing-ma", "Kowloon crossing open again as Okafor-Leung cuts ribbon",
			"2024-03-18T11:00:00Z",
			"The Tsing Ma bridge between Kowloon and Lantau reopened to traffic on Monday, after repairs that kept it closed for eighteen months.",
			"The repairs cost 412 million dollars. Engineers from Lantau Structural replaced the 96 suspension cables of the bridge and resurfaced its deck.",
			"Transport secretary Miriam Okafor-Leung cut a ribbon at dawn on the Kowloon side as the first buses crossed the bridge towards Lantau.",
			"Typhoons and a shortage of steel delayed the repairs twice; commuters faced long detours and ferry operators added night sailings while the bridge was closed.",
			"Sensors on the new cables will let the transport department inspect the bridge every six months."), day.Add(3 * time.Hour)},
		{"unrelated", page("Health Weekly", "https://healthweekly.example/malaria", "Malaria vaccine trial reports results",
			"2024-03-18T10:00:00Z",
			"A malaria vaccine trial in northern Ghana reported that three doses cut severe infections in young children by more than half.",
			"Researchers followed 4,800 children for two rainy seasons and found the protection faded slowly, so a booster may be needed after a year.",
			"The trial's sponsors said they would seek approval from regulators in five countries before the end of the year."), day.Add(time.Hour)},
	}
	ids := map[string]int64{}
	for _, it := range items {
		if _, err := p.Ingest(ctx, ingest.Item{Path: it.name + ".html", Data: it.data, ModTime: it.seen, ContentType: "text/html"}); err != nil {
			t.Fatalf("Ingest %s: %v", it.name, err)
		}
	}
	all, err := db.Documents(ctx, newstrace.DocumentFilter{Limit: 10})
	if err != nil || len(all) != 4 {
		t.Fatalf("Documents = %d, %v; want 4", len(all), err)
	}
	for _, d := range all {
		ids[strings.TrimSuffix(d.Path, ".html")] = d.ID
	}
	stories, err := db.Stories(ctx, newstrace.StoryFilter{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) != 2 {
		for _, s := range stories {
			t.Logf("story %d %q: %v", s.ID, s.Title, storyDocs(s))
		}
		t.Fatalf("%d stories, want 2", len(stories))
	}
	var bridge, other newstrace.Story
	for _, s := range stories {
		if slices.Contains(storyDocs(s), ids["original"]) {
			bridge = s
		} else {
			other = s
		}
	}
	if got, want := storyDocs(bridge), sortedIDs(ids["original"], ids["repost"], ids["retelling"]); !slices.Equal(got, want) {
		t.Errorf("bridge story documents = %v, want %v", got, want)
	}
	if got := storyDocs(other); !slices.Equal(got, []int64{ids["unrelated"]}) {
		t.Errorf("other story documents = %v, want [%d]", got, ids["unrelated"])
	}
	if bridge.RootDocumentID != ids["original"] || bridge.Title != "Tsing Ma bridge reopens after repairs" {
		t.Errorf("bridge story root %d title %q, want the original %d and its title", bridge.RootDocumentID, bridge.Title, ids["original"])
	}
	var repost bool
	for _, e := range bridge.Edges {
		if e.FromID == e.ToID {
			t.Errorf("self edge %+v", e)
		}
		if e.FromID == ids["original"] && e.ToID == ids["repost"] && e.Kind == newstrace.EdgeRepost {
			repost = true
			if e.Confidence <= 0 || e.Confidence > 1 || e.Evidence == "" {
				t.Errorf("repost edge %+v: want confidence in (0,1] and evidence", e)
			}
		}
	}
	if !repost {
		t.Errorf("no repost edge original → repost in %+v", bridge.Edges)
	}

	// Ingesting the same files again, and rematching, keeps the grouping.
	for _, it := range items {
		if _, err := p.Ingest(ctx, ingest.Item{Path: it.name + ".html", Data: it.data, ModTime: it.seen, ContentType: "text/html"}); err != nil && !errors.Is(err, ingest.ErrAlreadyStored) {
			t.Fatalf("re-Ingest %s: %v", it.name, err)
		}
	}
	for _, id := range ids {
		if _, err := p.Rematch(ctx, id); err != nil {
			t.Fatalf("Rematch(%d): %v", id, err)
		}
	}
	again, err := db.Stories(ctx, newstrace.StoryFilter{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 2 {
		t.Fatalf("after re-ingest and rematch: %d stories, want 2", len(again))
	}
	// The shape must hold; weights may move a little as the collection's
	// IDF statistics grew since the first match.
	shape := func(es []newstrace.Edge) []string {
		var out []string
		for _, e := range es {
			out = append(out, fmt.Sprintf("%d/%s→%d %s", e.FromID, e.FromOutlet, e.ToID, e.Kind))
		}
		slices.Sort(out)
		return out
	}
	for _, s := range again {
		if s.ID == bridge.ID && (!slices.Equal(shape(s.Edges), shape(bridge.Edges)) || s.RootDocumentID != bridge.RootDocumentID) {
			t.Errorf("graph changed on rematch:\n got %v\nwant %v", shape(s.Edges), shape(bridge.Edges))
		}
	}
}

func storyDocs(s newstrace.Story) []int64 {
	out := make([]int64, len(s.Documents))
	for i, d := range s.Documents {
		out[i] = d.ID
	}
	slices.Sort(out)
	return out
}

func sortedIDs(ids ...int64) []int64 { slices.Sort(ids); return ids }
