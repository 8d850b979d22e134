package feed

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/newstrace/newstrace"
)

type opmlOut struct {
	XMLName xml.Name       `xml:"opml"`
	Version string         `xml:"version,attr"`
	Title   string         `xml:"head>title"`
	Body    []*outlineNode `xml:"body>outline"`
}

// outlineNode is a folder (Children set, no XMLURL) or a feed.
type outlineNode struct {
	Text     string         `xml:"text,attr"`
	Title    string         `xml:"title,attr,omitempty"`
	Type     string         `xml:"type,attr,omitempty"`
	XMLURL   string         `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string         `xml:"htmlUrl,attr,omitempty"`
	Children []*outlineNode `xml:"outline"`
}

// WriteOPML writes feeds as an OPML 2.0 subscription list. Feeds are
// grouped by Folder ("a/b" becomes folder b inside folder a). Each level
// lists its feeds, then its folders, each in first-seen order, so the
// output is deterministic and reads back through ParseOPML with the same
// Title, XMLURL, HTMLURL and Folder (cleaned: "a//b " reads back "a/b").
func WriteOPML(w io.Writer, title string, feeds []newstrace.Feed) error {
	doc := opmlOut{Version: "2.0", Title: title}
	// folders maps a folder path to its node, so each is created once.
	folders := map[string]*outlineNode{}
	var folderOf func(path string) *outlineNode
	folderOf = func(path string) *outlineNode {
		if n, ok := folders[path]; ok {
			return n
		}
		parent, name := "", path
		if i := strings.LastIndexByte(path, '/'); i >= 0 {
			parent, name = path[:i], path[i+1:]
		}
		n := &outlineNode{Text: name, Title: name}
		folders[path] = n
		if parent == "" {
			doc.Body = append(doc.Body, n)
		} else {
			p := folderOf(parent)
			p.Children = append(p.Children, n)
		}
		return n
	}
	for _, f := range feeds {
		name := strings.TrimSpace(f.Title)
		if name == "" {
			name = f.URL
		}
		n := &outlineNode{Text: name, Title: name, Type: "rss", XMLURL: f.URL, HTMLURL: f.SiteURL}
		folder := cleanFolder(f.Folder)
		if folder == "" {
			doc.Body = append(doc.Body, n)
			continue
		}
		p := folderOf(folder)
		p.Children = append(p.Children, n)
	}
	doc.Body = feedsFirst(doc.Body)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	return nil
}

// feedsFirst orders each level as its feeds, then its sub-folders, both in
// first-seen order, as feed readers display them.
func feedsFirst(list []*outlineNode) []*outlineNode {
	out := make([]*outlineNode, 0, len(list))
	for _, n := range list {
		if n.XMLURL != "" {
			out = append(out, n)
		}
	}
	for _, n := range list {
		if n.XMLURL == "" {
			n.Children = feedsFirst(n.Children)
			out = append(out, n)
		}
	}
	return out
}

// cleanFolder trims each path element and drops empty ones ("a//b/" → "a/b").
func cleanFolder(s string) string {
	var parts []string
	for _, p := range strings.Split(s, "/") {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/")
}
