package web

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// seedChain stores one story of four copies from four outlets, merged into
// one story, with repost, syndication and translation edges and an outlet
// named only as the source of the translation. outlets overrides outlet
// names (hostile-input tests); it returns the story id.
func seedChain(t *testing.T, st newstrace.Store, key string, outlets ...string) int64 {
	t.Helper()
	ctx := context.Background()
	names := []string{"Fort Russ News", "Like This Article", "Global Research", "Novinky"}
	copy(names, outlets)
	base := time.Date(2017, 7, 23, 10, 0, 0, 0, time.UTC)
	offsets := []time.Duration{0, 2 * time.Hour, 47 * time.Hour, 2 * 365 * 24 * time.Hour}
	var ids []int64
	for i, name := range names {
		src, err := st.EnsureSource(ctx, newstrace.Source{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		pub := base.Add(offsets[i])
		d := newstrace.Document{
			URL: fmt.Sprintf("https://outlet%d.example/%s", i, key), Title: "Rebels hand weapons to ISIS",
			Published: &pub, FirstSeen: pub, Language: "en", Text: fmt.Sprintf("chain text %d %s", i, key),
			ContentHash: fmt.Sprintf("chain-%d-%s", i, key), SourceID: src.ID,
		}
		if i == 0 {
			d.Provenance = newstrace.Provenance{OriginalSource: "Al Mayadeen", Translator: "Samer Hussein"}
		}
		if i == 3 {
			d.Language, d.Title = "cs", "Rebelové předali zbraně ISIS"
		}
		res, err := st.SaveDocument(ctx, d, newstrace.Sighting{SourceID: src.ID, EntryKey: d.URL, URL: d.URL, SeenAt: pub})
		if err != nil {
			t.Fatalf("save: %v", err)
		}
		ids = append(ids, res.Document.ID)
	}
	story, err := st.MergeStories(ctx, ids)
	if err != nil {
		t.Fatalf("merge: %v", err)
	}
	cue := "Al Mayadeen"
	if len(outlets) > 4 {
		cue = outlets[4]
	}
	for _, e := range []newstrace.Edge{
		{FromOutlet: cue, ToID: ids[0], Kind: newstrace.EdgeTranslation, Confidence: 0.9, Evidence: `cue "Source: Al Mayadeen"`},
		{FromID: ids[0], ToID: ids[1], Kind: newstrace.EdgeRepost, Confidence: 0.97, Evidence: "containment 0.98"},
		{FromID: ids[0], ToID: ids[2], Kind: newstrace.EdgeSyndication, Confidence: 0.88, Evidence: "via link to fort-russ"},
		{FromID: ids[0], ToID: ids[3], Kind: newstrace.EdgeTranslation, Confidence: 0.71, Evidence: "cross-language match"},
	} {
		if err := st.AddEdge(ctx, story, e); err != nil {
			t.Fatalf("add edge: %v", err)
		}
	}
	return story
}

func TestStoryTimeline(t *testing.T) {
	st := openStore(t)
	story := seedChain(t, st, "plain")
	hostile := seedChain(t, st, "hostile", `<script>alert(1)</script>`, `"><svg onload=alert(2)>`, "a", "b", `<foreignObject><iframe src="javascript:alert(3)"/>`)
	e := newEnv(t, st, envOpts{})

	tests := []struct {
		name   string
		path   string
		status int
		ctype  string
		want   []string
		absent []string
	}{
		{name: "story page shows the picture and the chain", path: fmt.Sprintf("/stories/%d", story), status: 200, ctype: "text/html",
			want: []string{
				fmt.Sprintf(`<img src="/stories/%d/timeline.svg"`, story), fmt.Sprintf(`srcset="/stories/%d/timeline.svg?w=narrow"`, story),
				`alt="Timeline. 4 copies from 4 outlets, in time order: Al Mayadeen (named as source, no document), Fort Russ News (root, 2017-07-23 10:00)`,
				"Al Mayadeen</span> <span class=\"muted\">named as source, no document", "time unknown",
				"repost</span> of", "containment 0.98", "97%", "&#43;2h after the root", "&#43;2 days after the root", "&#43;2 years after the root",
				"translated by Samer Hussein", "cross-language match", `href="/documents/`, `class="badge badge-root">root`,
			}},
		{name: "wide picture", path: fmt.Sprintf("/stories/%d/timeline.svg", story), status: 200, ctype: "image/svg+xml",
			want: []string{`viewBox="0 0 760.0`, "Fort Russ News", "Al Mayadeen", "+2 years", `class="cue"`}},
		{name: "narrow picture", path: fmt.Sprintf("/stories/%d/timeline.svg?w=narrow", story), status: 200, ctype: "image/svg+xml",
			want: []string{`viewBox="0 0 360.0`}},
		{name: "hostile names stay text in the page", path: fmt.Sprintf("/stories/%d", hostile), status: 200, ctype: "text/html",
			want:   []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;svg onload=alert(2)&gt;"},
			absent: []string{"<script", "<svg onload", "<foreignObject", "<iframe"}},
		{name: "hostile names stay text in the picture", path: fmt.Sprintf("/stories/%d/timeline.svg", hostile), status: 200, ctype: "image/svg+xml",
			want:   []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;svg onload=alert(2)&gt;"},
			absent: []string{"<script", "<svg onload", "<foreignObject", "<iframe"}},
		{name: "unknown story", path: "/stories/999999/timeline.svg", status: 404, ctype: "text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.path)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %s", ct, tt.ctype)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(withoutOwnScript(r.body), a) {
					t.Errorf("body has %q", a)
				}
			}
			if tt.ctype != "image/svg+xml" {
				return
			}
			if csp := r.header.Get("Content-Security-Policy"); csp != timelineCSP {
				t.Errorf("CSP %q, want %q", csp, timelineCSP)
			}
			if r.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			d := xml.NewDecoder(strings.NewReader(r.body))
			for {
				tok, err := d.Token()
				if err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("not XML: %v", err)
				}
				if el, ok := tok.(xml.StartElement); ok && (el.Name.Local == "script" || el.Name.Local == "foreignObject") {
					t.Errorf("active element %s", el.Name.Local)
				}
			}
		})
	}

	// Behind a login once accounts exist, like every page.
	addUser(t, st)
	if r := e.get(fmt.Sprintf("/stories/%d/timeline.svg", story)); r.status != 303 || bytes.Contains([]byte(r.body), []byte("<svg")) {
		t.Errorf("anonymous picture request: status %d", r.status)
	}
}
