package htmlparse

import "golang.org/x/net/html"

// The tree is x/net/html's own: every library reading it (cascadia,
// go-shiori/dom, htmldate, the trafilatura fork) takes *html.Node.
type (
	Node      = html.Node
	NodeType  = html.NodeType
	Attribute = html.Attribute
)

const (
	ErrorNode    = html.ErrorNode
	TextNode     = html.TextNode
	DocumentNode = html.DocumentNode
	ElementNode  = html.ElementNode
	CommentNode  = html.CommentNode
	DoctypeNode  = html.DoctypeNode
	RawNode      = html.RawNode
	// scopeMarkerNode only ever sits in the parser's list of active
	// formatting elements, never in a returned tree.
	scopeMarkerNode = html.RawNode + 1
)

var scopeMarker = Node{Type: scopeMarkerNode}
