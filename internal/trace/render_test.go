package trace

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newstrace/newstrace"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func fmtAny(v any) string { return fmt.Sprintf("%v", v) }

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after review):\n%s", name, got)
	}
}

// hostileStory names outlets, titles and evidence with markup and terminal escapes.
func hostileStory() newstrace.Story {
	s := seedStory()
	s.Title = `</title><script>alert(1)</script>`
	s.Documents[1].SourceName = `<script>alert(1)</script>`
	s.Documents[2].SourceName = `"><svg onload=alert(2)>`
	s.Documents[3].SourceName = "Evil\x1b[2J\x1b]0;pwned\x07 & Co\u202e"
	s.Edges[0].FromOutlet = `<foreignObject><iframe src="javascript:alert(3)"/></foreignObject>`
	s.Edges[1].Evidence = `]]><x:script xmlns:x="http://www.w3.org/2000/svg">alert(4)</x:script>`
	return s
}

func TestText(t *testing.T) {
	tests := []struct {
		name  string
		story newstrace.Story
		opt   TextOptions
	}{
		{name: "seed", story: seedStory(), opt: TextOptions{Width: 100}},
		{name: "seed-narrow", story: seedStory(), opt: TextOptions{Width: 50}},
		{name: "seed-color", story: seedStory(), opt: TextOptions{Width: 100, Color: true}},
		{name: "single", story: newstrace.Story{ID: 1, RootDocumentID: 9, Documents: []newstrace.Document{
			{ID: 9, URL: "https://www.example.org/a", Title: "Alone", FirstSeen: *at("2024-01-02 03:04")}}}},
		{name: "unlinked-and-loop", story: newstrace.Story{ID: 2, Title: "Loops", RootDocumentID: 1, Documents: []newstrace.Document{
			{ID: 1, SourceName: "A", Published: at("2024-01-01 00:00")},
			{ID: 2, SourceName: "B", Published: at("2024-01-01 05:00")},
			{ID: 3, SourceName: "C", Published: at("2024-01-02 00:00")},
			{ID: 4, SourceName: "D", Published: at("2024-01-03 00:00")},
		}, Edges: []newstrace.Edge{
			{FromID: 1, ToID: 2, Kind: newstrace.EdgeRepost, Confidence: 0.9},
			{FromID: 3, ToID: 2, Kind: newstrace.EdgeSyndication, Confidence: 0.5},
			{FromID: 3, ToID: 4, Kind: newstrace.EdgeRepost, Confidence: 0.8},
			{FromID: 4, ToID: 3, Kind: newstrace.EdgeRepost, Confidence: 0.9},
		}}},
		{name: "hostile", story: hostileStory(), opt: TextOptions{Width: 120}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteText(&b, Build(tt.story), tt.opt); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if n := len([]rune(stripANSI(line))); n > max(tt.opt.Width, 80) && tt.opt.Width != 0 || tt.opt.Width == 0 && n > 80 {
					t.Errorf("line %d is %d columns wide: %q", i+1, n, line)
				}
				if !tt.opt.Color && strings.ContainsAny(line, "\x1b\r\a\u202e") {
					t.Errorf("line %d carries control characters: %q", i+1, line)
				}
			}
			golden(t, tt.name+".txt", b.Bytes())
		})
	}
}

func stripANSI(s string) string {
	for _, c := range []string{ansiBold, ansiDim, ansiReset, "\x1b[31m", "\x1b[34m", "\x1b[35m", "\x1b[33m", "\x1b[90m"} {
		s = strings.ReplaceAll(s, c, "")
	}
	return s
}

func TestTextNotTerminal(t *testing.T) {
	// A pipe is no terminal: plain text, no colour.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() { Text(w, Build(seedStory())); w.Close() }()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got, []byte("\x1b")) || !bytes.Contains(got, []byte("─ repost → Like This Article  +2h")) {
		t.Errorf("piped output:\n%s", got)
	}
}

func TestSVG(t *testing.T) {
	tests := []struct {
		name  string
		story newstrace.Story
		width int
	}{
		{name: "seed", story: seedStory(), width: WideWidth},
		{name: "seed-narrow", story: seedStory(), width: NarrowWidth},
		{name: "single", story: newstrace.Story{ID: 1, RootDocumentID: 9, Documents: []newstrace.Document{
			{ID: 9, URL: "https://www.example.org/a", Title: "Alone", FirstSeen: *at("2024-01-02 03:04")}}}, width: WideWidth},
		{name: "empty", story: newstrace.Story{ID: 2}, width: WideWidth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SVGWidth(Build(tt.story), tt.width)
			checkXML(t, got)
			if !bytes.Contains(got, []byte(fmt.Sprintf(`viewBox="0 0 %d.0 `, tt.width))) {
				t.Errorf("no viewBox %d wide", tt.width)
			}
			golden(t, tt.name+".svg", got)
		})
	}
	if !bytes.Equal(SVG(Build(seedStory())), SVGWidth(Build(seedStory()), WideWidth)) {
		t.Error("SVG is not SVGWidth at WideWidth")
	}
}

// checkXML parses the picture and refuses anything active: scripts, event
// handlers, foreignObject, links or references outside the document.
func checkXML(t *testing.T, b []byte) (texts []string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse as XML: %v\n%s", err, b)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			if el.Name.Space != "http://www.w3.org/2000/svg" {
				t.Errorf("element %s outside the SVG namespace", el.Name.Local)
			}
			switch el.Name.Local {
			case "script", "foreignObject", "a", "image", "use", "iframe", "animate", "set":
				t.Errorf("active element <%s>", el.Name.Local)
			}
			for _, a := range el.Attr {
				v := strings.ToLower(a.Value)
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || a.Name.Local == "href" ||
					strings.Contains(v, "javascript:") || (strings.Contains(v, "url(") && !strings.HasPrefix(v, "url(#")) {
					t.Errorf("active attribute %s=%q on <%s>", a.Name.Local, a.Value, el.Name.Local)
				}
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			texts = append(texts, string(el))
		}
	}
	if depth != 0 {
		t.Errorf("unbalanced elements")
	}
	return texts
}

func TestSVGHostileText(t *testing.T) {
	for _, width := range []int{WideWidth, NarrowWidth} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			got := SVGWidth(Build(hostileStory()), width)
			texts := checkXML(t, got)
			all := strings.Join(texts, "\n")
			// The markup survives only as text, whole or cut with "…".
			for _, want := range []string{`<script>alert(1)</script>`, `"><svg onload=alert(2)>`, "Evil [2J ]0;pwned & Co"} {
				if !strings.Contains(all, want) && !strings.Contains(all, want[:8]) {
					t.Errorf("text lacks %q", want)
				}
			}
			for _, bad := range []string{"<script", "<svg onload", "<foreignObject", "<iframe", "<x:script", "\x1b"} {
				if bytes.Contains(got, []byte(bad)) {
					t.Errorf("raw %q in the SVG", bad)
				}
			}
		})
	}
}
