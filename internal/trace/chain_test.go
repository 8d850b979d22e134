package trace

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

func at(s string) *time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return &t
}

// seedStory is the shape of the seed corpus: a translation credited to an
// outlet with no document, a repost two hours later, a syndication two days
// later and a citation two years later (known only by when we saw it).
func seedStory() newstrace.Story {
	return newstrace.Story{
		ID: 7, Title: "Syria: US-backed rebels hand weapons to ISIS", RootDocumentID: 1, SourceCount: 4,
		Documents: []newstrace.Document{
			{ID: 3, SourceName: "Global Research", Title: "Syria: US-backed rebels hand weapons to ISIS", URL: "https://globalresearch.example/syria-weapons", Published: at("2017-07-25 09:00"), Language: "en"},
			{ID: 1, SourceName: "Fort Russ News", Title: "Syria: US-backed rebels hand weapons to ISIS", URL: "https://fort-russ.example/2017/07/syria", Published: at("2017-07-23 10:00"), Language: "en",
				Provenance: newstrace.Provenance{OriginalSource: "Al Mayadeen", Translator: "Samer Hussein"}},
			{ID: 2, SourceName: "Like This Article", Title: "US-backed rebels hand weapons to ISIS (must read)", URL: "https://likethisarticle.example/p/123", Published: at("2017-07-23 12:00"), Language: "en"},
			{ID: 4, SourceName: "The Duran", Title: "Two years on: the weapons story", URL: "https://theduran.example/two-years", FirstSeen: *at("2019-08-01 08:30"), Language: "en"},
		},
		Edges: []newstrace.Edge{
			{FromOutlet: "Al Mayadeen", ToID: 1, Kind: newstrace.EdgeTranslation, Confidence: 0.9, Evidence: `cue "Source: Al Mayadeen"`},
			{FromID: 1, ToID: 2, Kind: newstrace.EdgeRepost, Confidence: 0.97, Evidence: "containment 0.98"},
			{FromID: 1, ToID: 3, Kind: newstrace.EdgeSyndication, Confidence: 0.88, Evidence: "via link fort-russ.example"},
			{FromID: 4, ToID: 1, Kind: newstrace.EdgeCites, Confidence: 0.6, Evidence: "links to the original"},
		},
	}
}

func TestBuild(t *testing.T) {
	type want struct {
		outlets  []string // node order
		roles    []Role
		sources  []TimeSource
		gapPrev  []string
		gapRoot  []string
		root     int
		lanes    int
		links    int
		outletOK []bool
	}
	tests := []struct {
		name  string
		story newstrace.Story
		want  want
	}{
		{
			name:  "seed chain in time order with the credited outlet before its translation",
			story: seedStory(),
			want: want{
				outlets:  []string{"Al Mayadeen", "Fort Russ News", "Like This Article", "Global Research", "The Duran"},
				roles:    []Role{RoleOriginal, RoleRoot, RoleCopy, RoleCopy, RoleOriginal},
				sources:  []TimeSource{TimeUnknown, TimePublished, TimePublished, TimePublished, TimeFirstSeen},
				gapPrev:  []string{"", "time unknown", "+2h", "+2 days", "+2 years"},
				gapRoot:  []string{"time unknown", "", "+2h", "+2 days", "+2 years"},
				root:     1,
				lanes:    5,
				links:    4,
				outletOK: []bool{true, false, false, false, false},
			},
		},
		{
			name: "single document",
			story: newstrace.Story{ID: 1, RootDocumentID: 9, Documents: []newstrace.Document{
				{ID: 9, URL: "https://www.example.org/a", Title: "Alone", FirstSeen: *at("2024-01-02 03:04")},
			}},
			want: want{outlets: []string{"example.org"}, roles: []Role{RoleRoot}, sources: []TimeSource{TimeFirstSeen},
				gapPrev: []string{""}, gapRoot: []string{""}, root: 0, lanes: 1, outletOK: []bool{false}},
		},
		{
			name: "unknown times go last, root falls back to the earliest, one lane per outlet",
			story: newstrace.Story{ID: 2, Documents: []newstrace.Document{
				{ID: 5, SiteName: "Nowhere Post"},
				{ID: 6, SourceName: "Daily", Published: at("2024-05-01 12:00")},
				{ID: 7, SourceName: "daily", Published: at("2024-05-01 12:30")},
			}, Edges: []newstrace.Edge{
				{FromID: 6, ToID: 7, Kind: newstrace.EdgeDuplicate, Confidence: 1},
				{FromID: 6, ToID: 99, Kind: newstrace.EdgeRepost, Confidence: 1}, // outside the story: external
			}},
			want: want{outlets: []string{"Daily", "daily", "Nowhere Post"}, roles: []Role{RoleRoot, RoleCopy, RoleOriginal},
				sources: []TimeSource{TimePublished, TimePublished, TimeUnknown},
				gapPrev: []string{"", "+30m", "time unknown"}, gapRoot: []string{"", "+30m", "time unknown"},
				root: 0, lanes: 2, links: 1, outletOK: []bool{false, false, false}},
		},
		{
			name: "one outlet credited twice is one node, before the first document crediting it",
			story: newstrace.Story{ID: 3, RootDocumentID: 10, Documents: []newstrace.Document{
				{ID: 10, SourceName: "A", Published: at("2024-01-01 00:00")},
				{ID: 11, SourceName: "B", Published: at("2024-01-01 01:00")},
			}, Edges: []newstrace.Edge{
				{FromOutlet: "Wire ", ToID: 11, Kind: newstrace.EdgeSyndication, Confidence: 0.7},
				{FromOutlet: "wire", ToID: 10, Kind: newstrace.EdgeSyndication, Confidence: 0.8},
			}},
			want: want{outlets: []string{"Wire", "A", "B"}, roles: []Role{RoleOriginal, RoleRoot, RoleCopy},
				sources: []TimeSource{TimeUnknown, TimePublished, TimePublished},
				gapPrev: []string{"", "time unknown", "+1h"}, gapRoot: []string{"time unknown", "", "+1h"},
				root: 1, lanes: 3, links: 2, outletOK: []bool{true, false, false}},
		},
		{
			name:  "empty story",
			story: newstrace.Story{ID: 4, Title: "Nothing"},
			want:  want{root: -1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Build(tt.story)
			var outlets []string
			var roles []Role
			var sources []TimeSource
			var gapPrev, gapRoot []string
			var outletOnly []bool
			for _, n := range c.Nodes {
				outlets = append(outlets, n.Outlet)
				roles = append(roles, n.Role)
				sources = append(sources, n.TimeSource)
				gapPrev = append(gapPrev, n.GapPrev)
				gapRoot = append(gapRoot, n.GapRoot)
				outletOnly = append(outletOnly, n.OutletOnly)
			}
			w := tt.want
			check := func(what string, got, want any) {
				t.Helper()
				if gs, ws := fmtAny(got), fmtAny(want); gs != ws {
					t.Errorf("%s = %s, want %s", what, gs, ws)
				}
			}
			check("outlets", outlets, w.outlets)
			check("roles", roles, w.roles)
			check("time sources", sources, w.sources)
			check("gaps from previous", gapPrev, w.gapPrev)
			check("gaps from root", gapRoot, w.gapRoot)
			check("outlet-only", outletOnly, w.outletOK)
			check("root", c.Root, w.root)
			check("lanes", len(c.Lanes), w.lanes)
			check("links", len(c.Links), w.links)
			for _, l := range c.Links {
				if l.From == l.To || l.From < 0 || l.To >= len(c.Nodes) {
					t.Errorf("bad link %+v", l)
				}
			}
		})
	}
}

func TestBuildLinks(t *testing.T) {
	c := Build(seedStory())
	got := make([]string, 0, len(c.Links))
	for _, l := range c.Links {
		got = append(got, c.Nodes[l.From].Outlet+" "+string(l.Kind)+" "+c.Nodes[l.To].Outlet+" "+l.Gap)
	}
	want := []string{
		"Al Mayadeen translation Fort Russ News time unknown",
		"Fort Russ News repost Like This Article +2h",
		"Fort Russ News syndication Global Research +2 days",
		"The Duran cites Fort Russ News -2 years",
	}
	if !slices.Equal(got, want) {
		t.Errorf("links:\n got %q\nwant %q", got, want)
	}
	if len(c.External) != 0 {
		t.Errorf("external links %+v, want none", c.External)
	}
	if c.Title != "Syria: US-backed rebels hand weapons to ISIS" {
		t.Errorf("title = %q", c.Title)
	}
}

func TestBuildExternal(t *testing.T) {
	c := Build(newstrace.Story{ID: 1, RootDocumentID: 1, Documents: []newstrace.Document{
		{ID: 1, SourceName: "A", Published: at("2024-01-01 00:00")},
	}, Edges: []newstrace.Edge{
		{FromID: 1, ToID: 50, Kind: newstrace.EdgeRepost, Confidence: 0.8, Evidence: " same lead "},
		{FromID: 60, ToID: 1, Kind: newstrace.EdgeCites, Confidence: 0.5},
		{FromOutlet: "Wire", ToID: 70, Kind: newstrace.EdgeSyndication}, // neither end here: dropped
	}})
	want := []External{
		{Node: 0, DocumentID: 50, Outgoing: true, Kind: newstrace.EdgeRepost, Confidence: 0.8, Evidence: "same lead"},
		{Node: 0, DocumentID: 60, Kind: newstrace.EdgeCites, Confidence: 0.5},
	}
	if !slices.Equal(c.External, want) || len(c.Links) != 0 || len(c.Nodes) != 1 {
		t.Errorf("external = %+v, links %d, nodes %d", c.External, len(c.Links), len(c.Nodes))
	}
}

func TestFormatGap(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want string
	}{
		{name: "seconds", d: 20 * time.Second, want: "same time"},
		{name: "minutes", d: 45 * time.Minute, want: "+45m"},
		{name: "hours", d: 3 * time.Hour, want: "+3h"},
		{name: "a day and more stays in hours", d: 30 * time.Hour, want: "+30h"},
		{name: "a day and a half is two days", d: 36 * time.Hour, want: "+2 days"},
		{name: "days", d: 50 * time.Hour, want: "+2 days"},
		{name: "months", d: 95 * 24 * time.Hour, want: "+3 months"},
		{name: "years", d: 2 * 365 * 24 * time.Hour, want: "+2 years"},
		{name: "just under two years", d: 728 * 24 * time.Hour, want: "+2 years"},
		{name: "fourteen months", d: 426 * 24 * time.Hour, want: "+14 months"},
		{name: "negative", d: -3 * time.Hour, want: "-3h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatGap(tt.d); got != tt.want {
				t.Errorf("FormatGap(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

// TestBuildRootLeadsAtEqualTimes: a copy dated the same as its source (a
// day-only date on both) is still drawn after the root.
func TestBuildRootLeadsAtEqualTimes(t *testing.T) {
	day := time.Date(2017, 7, 23, 0, 0, 0, 0, time.UTC)
	s := newstrace.Story{ID: 1, RootDocumentID: 7, Documents: []newstrace.Document{
		{ID: 3, SourceName: "Like This Article", Published: &day},
		{ID: 7, SourceName: "Fort Russ News", Published: &day},
	}, Edges: []newstrace.Edge{{FromID: 7, ToID: 3, Kind: newstrace.EdgeRepost, Confidence: 1}}}
	c := Build(s)
	if len(c.Nodes) != 2 || c.Nodes[0].DocumentID != 7 || c.Root != 0 {
		t.Fatalf("nodes %+v root %d, want the root (7) first", c.Nodes, c.Root)
	}
	// With an undated outlet-only node before it, the first date label sits at
	// the right edge and must end there rather than run off the picture.
	s.Edges = append(s.Edges, newstrace.Edge{FromOutlet: "Wire X", ToID: 7, Kind: newstrace.EdgeTranslation, Confidence: 0.8})
	svg := string(SVG(Build(s)))
	if !strings.Contains(svg, `text-anchor="end">23 Jul 2017 00:00</text>`) {
		t.Errorf("the right-edge date label is not end-anchored:\n%s", svg)
	}
}
