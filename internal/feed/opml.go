package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"

	"github.com/newstrace/newstrace"
)

// Outline is one feed of an OPML subscription list.
type Outline struct {
	Title   string `json:"title,omitempty"`
	XMLURL  string `json:"xml_url"`
	HTMLURL string `json:"html_url,omitempty"`
	Folder  string `json:"folder,omitempty"` // parent folders joined with "/", "" at top level
}

// maxOPMLDepth bounds folder nesting; real lists use one or two levels.
const maxOPMLDepth = 32

type opmlDoc struct {
	XMLName xml.Name  `xml:"opml"`
	Body    *opmlBody `xml:"body"`
}

type opmlBody struct {
	Outlines []opmlOutline `xml:"outline"`
}

// opmlOutline reads every attribute so their names can be matched without
// regard to case (xmlUrl, xmlurl and XMLURL all occur in the wild).
type opmlOutline struct {
	Attrs    []xml.Attr    `xml:",any,attr"`
	Outlines []opmlOutline `xml:"outline"`
}

func (o opmlOutline) attr(name string) string {
	for _, a := range o.Attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// ParseOPML reads a subscription list. Outlines with an xmlUrl are feeds
// (type "rss", "atom" or none; other types such as "link" are skipped);
// outlines without one are folders, and the feeds inside them get
// Folder = the folder titles joined with "/". A feed listed twice is kept
// once, in its first folder. maxBytes <= 0 means 5 MiB.
func ParseOPML(r io.Reader, maxBytes int64) ([]Outline, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read OPML: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, newstrace.Errorf(newstrace.ETOOLARGE, "OPML file is over the %d byte limit", maxBytes)
	}
	if err := precheckOPML(data); err != nil {
		return nil, err
	}
	var doc opmlDoc
	d := xml.NewDecoder(strings.NewReader(string(data)))
	d.Strict = false // tolerate HTML entities and sloppy exports
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charset.NewReaderLabel
	if err := d.Decode(&doc); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, newstrace.Errorf(newstrace.EINVALID, "malformed OPML at line %d: %s", se.Line, se.Msg)
		}
		if strings.Contains(err.Error(), "expected element type") {
			return nil, newstrace.Errorf(newstrace.EINVALID, "not an OPML file (the root element is not <opml>)")
		}
		return nil, newstrace.Errorf(newstrace.EINVALID, "malformed OPML: %s", oneLine(err.Error()))
	}
	if doc.Body == nil {
		return nil, newstrace.Errorf(newstrace.EINVALID, "malformed OPML: no <body> element")
	}
	var out []Outline
	seen := map[string]bool{}
	var walk func(list []opmlOutline, folders []string) error
	walk = func(list []opmlOutline, folders []string) error {
		if len(folders) > maxOPMLDepth {
			return newstrace.Errorf(newstrace.EINVALID, "OPML folders nest more than %d levels deep", maxOPMLDepth)
		}
		for _, o := range list {
			name := cleanText(o.attr("title"))
			if name == "" {
				name = cleanText(o.attr("text"))
			}
			xmlURL := o.attr("xmlUrl")
			if xmlURL == "" {
				// A folder; "/" inside a name would read as nesting.
				sub := strings.ReplaceAll(name, "/", "-")
				next := folders
				if sub != "" {
					next = append(folders[:len(folders):len(folders)], sub)
				}
				if err := walk(o.Outlines, next); err != nil {
					return err
				}
				continue
			}
			switch strings.ToLower(o.attr("type")) {
			case "", "rss", "atom":
			default:
				continue
			}
			if seen[xmlURL] {
				continue
			}
			seen[xmlURL] = true
			out = append(out, Outline{
				Title:   name,
				XMLURL:  xmlURL,
				HTMLURL: o.attr("htmlUrl"),
				Folder:  strings.Join(folders, "/"),
			})
		}
		return nil
	}
	if err := walk(doc.Body.Outlines, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// precheckOPML refuses entity declarations (expansion attacks) and HTML.
func precheckOPML(data []byte) error {
	body := trimBOM(data)
	if len(bytes.TrimSpace(body)) == 0 {
		return newstrace.Errorf(newstrace.EINVALID, "empty OPML file")
	}
	if looksHTML(body) {
		return newstrace.Errorf(newstrace.EINVALID, "not an OPML file (looks like an HTML page)")
	}
	if err := xmlScan(body, maxOPMLDepth+8); err != nil {
		return err
	}
	return nil
}
