package trace

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/newstrace/newstrace"
)

// Widths of the picture in SVG user units; the viewBox scales it to any
// screen, and a narrow variant keeps the text readable on a phone.
const (
	WideWidth   = 760
	NarrowWidth = 360
	minWidth    = 280
	maxWidth    = 1600
)

// SVG draws the chain as a timeline WideWidth units wide.
func SVG(c Chain) []byte { return SVGWidth(c, WideWidth) }

// edgeStyles are the kinds in legend order with their dash pattern.
var edgeStyles = []struct {
	kind newstrace.EdgeKind
	dash string
}{
	{newstrace.EdgeRepost, ""},
	{newstrace.EdgeSyndication, "7 4"},
	{newstrace.EdgeTranslation, "1 4"},
	{newstrace.EdgeCites, "9 3 2 3"},
	{newstrace.EdgeDuplicate, "4 4"},
}

// The picture carries its own colours (light and dark) so it reads the same
// as an <img> or opened alone. Only presentation: no scripts, no links, no
// external references; all text goes through encoding/xml escaping.
const svgStyle = `text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;fill:#1d1f21;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.bg{fill:#fff;stroke:#e3e3df}.lane{stroke:#e3e3df;stroke-width:1}.axis{stroke:#9a9fa5;stroke-width:1}
.out{font-size:13px;font-weight:600}.sm{font-size:11px;fill:#62666b}.rt{font-size:11px;font-weight:700;fill:#1f5130}
.doc{fill:#2f5d8a}.root{fill:#1f5130}.ring{fill:none;stroke:#1f5130;stroke-width:2}.cue{fill:#fff;stroke:#62666b;stroke-width:1.5;stroke-dasharray:2 2}
.e{fill:none;stroke-width:2;stroke-linecap:round}
.k-repost{stroke:#c2410c}.h-repost{fill:#c2410c}.k-syndication{stroke:#1d4ed8}.h-syndication{fill:#1d4ed8}
.k-translation{stroke:#7e22ce}.h-translation{fill:#7e22ce}.k-cites{stroke:#0f766e}.h-cites{fill:#0f766e}
.k-duplicate{stroke:#6b7280}.h-duplicate{fill:#6b7280}
@media (prefers-color-scheme:dark){text{fill:#dcdee0;stroke:#1d2024}.bg{fill:#1d2024;stroke:#2c3035}.lane{stroke:#2c3035}
.sm{fill:#9a9fa5}.rt{fill:#a8d8b4}.doc{fill:#8ab8e6}.root{fill:#a8d8b4}.ring{stroke:#a8d8b4}.cue{fill:#1d2024;stroke:#9a9fa5}
.k-repost{stroke:#fb923c}.h-repost{fill:#fb923c}.k-syndication{stroke:#93c5fd}.h-syndication{fill:#93c5fd}
.k-translation{stroke:#d8b4fe}.h-translation{fill:#d8b4fe}.k-cites{stroke:#5eead4}.h-cites{fill:#5eead4}
.k-duplicate{stroke:#9ca3af}.h-duplicate{fill:#9ca3af}}`

// Layout, in user units.
const (
	pad        = 12.0
	laneHeight = 66.0
	laneLabelY = 16.0 // outlet name, from the lane's top
	laneLineY  = 36.0 // where markers sit
	laneTimeY  = 54.0 // the time under a marker
	nodeR      = 6.0
	rootR      = 7.0
	ringR      = 11.0
	smallChar  = 6.2 // average width of an 11px character
	outChar    = 7.6 // of a 13px semibold one
)

// SVGWidth draws the chain as a timeline width units wide: time runs left
// to right on a compressed scale (long gaps shrink, and say how long they
// were), one lane per outlet, arrows styled by edge kind, the root ringed,
// outlet-only nodes hollow.
func SVGWidth(c Chain, width int) []byte {
	W := float64(min(max(width, minWidth), maxWidth))
	var b bytes.Buffer
	p := &svgWriter{b: &b}

	// Legend: the kinds this chain uses, then the node symbols, wrapped.
	type legendItem struct {
		kind  newstrace.EdgeKind
		dash  string
		label string
	}
	var legend []legendItem
	for _, es := range edgeStyles {
		if slices.ContainsFunc(c.Links, func(l Link) bool { return l.Kind == es.kind }) {
			legend = append(legend, legendItem{es.kind, es.dash, string(es.kind)})
		}
	}
	legend = append(legend, legendItem{label: "root"})
	if slices.ContainsFunc(c.Nodes, func(n Node) bool { return n.OutletOnly }) {
		legend = append(legend, legendItem{kind: "cue", label: "named as source, no document"})
	}
	type placed struct {
		legendItem
		x, y float64
	}
	var items []placed
	lx, ly := pad+6, pad+14
	for _, it := range legend {
		w := 30 + textWidth(it.label, smallChar) + 14
		if lx+w > W-pad && lx > pad+6 {
			lx, ly = pad+6, ly+18
		}
		items = append(items, placed{it, lx, ly})
		lx += w
	}
	top := ly + 16

	// Positions along time: nodes sharing a known minute share a position.
	pos := make([]int, len(c.Nodes))
	var weights []float64 // weights[i]: space between position i and i+1
	var gapLabels []string
	var longGap []bool
	for i := range c.Nodes {
		if i == 0 {
			continue
		}
		a, n := c.Nodes[i-1], c.Nodes[i]
		if a.HasTime() && n.HasTime() && n.Time.Sub(a.Time).Abs().Minutes() < 1 {
			pos[i] = pos[i-1]
			continue
		}
		pos[i] = pos[i-1] + 1
		w, label, long := 1.5, "?", false
		if a.HasTime() && n.HasTime() {
			h := math.Abs(n.Time.Sub(a.Time).Hours())
			w = 1 + 0.35*math.Log2(1+h)
			label = FormatGap(n.Time.Sub(a.Time))
			long = h > 48
		}
		weights = append(weights, w)
		gapLabels = append(gapLabels, label)
		longGap = append(longGap, long)
	}
	x0, x1 := pad+22, W-pad-22
	xs := []float64{x0}
	total := 0.0
	for _, w := range weights {
		total += w
	}
	acc := 0.0
	for _, w := range weights {
		acc += w
		xs = append(xs, x0+(x1-x0)*acc/total)
	}

	lanes := max(len(c.Lanes), 1)
	axisY := top + float64(lanes)*laneHeight + 6
	H := axisY + 44
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-labelledby="t d">`, num(W), num(H), num(W), num(H))
	p.elem("title", `id="t"`, "Timeline of story: "+c.Title)
	p.elem("desc", `id="d"`, Describe(c))
	b.WriteString("<style>" + svgStyle + "</style><defs>")
	for _, es := range edgeStyles {
		fmt.Fprintf(&b, `<marker id="a-%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="4.5" markerHeight="4.5" orient="auto"><path class="h-%s" d="M0,0L10,5L0,10z"/></marker>`, es.kind, es.kind)
	}
	b.WriteString("</defs>")
	fmt.Fprintf(&b, `<rect class="bg" x="0.5" y="0.5" width="%s" height="%s" rx="6"/>`, num(W-1), num(H-1))

	for _, it := range items {
		y := it.y - 4
		switch it.kind {
		case "":
			fmt.Fprintf(&b, `<circle class="ring" cx="%s" cy="%s" r="7"/><circle class="root" cx="%s" cy="%s" r="4"/>`, num(it.x+12), num(y), num(it.x+12), num(y))
		case "cue":
			fmt.Fprintf(&b, `<circle class="cue" cx="%s" cy="%s" r="5"/>`, num(it.x+12), num(y))
		default:
			fmt.Fprintf(&b, `<path class="e k-%s"%s d="M%s,%sH%s" marker-end="url(#a-%s)"/>`, it.kind, dashAttr(it.kind), num(it.x), num(y), num(it.x+24), it.kind)
		}
		p.text(it.x+30, it.y, `class="sm"`, it.label)
	}

	// Lanes: the outlet's name above its line.
	for l, name := range c.Lanes {
		y := top + float64(l)*laneHeight
		fmt.Fprintf(&b, `<line class="lane" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(pad), num(y+laneLineY), num(W-pad), num(y+laneLineY))
		p.text(pad+4, y+laneLabelY, `class="out"`, ellipsize(name, int((W-2*pad-8)/outChar)))
	}

	// Node centres; copies from one outlet at one minute step aside.
	centre := make([]pt, len(c.Nodes))
	stack := map[[2]int]int{}
	for i, n := range c.Nodes {
		k := [2]int{n.Lane, pos[i]}
		centre[i] = pt{xs[pos[i]] + float64(stack[k])*14, top + float64(n.Lane)*laneHeight + laneLineY}
		stack[k]++
	}
	radius := func(i int) float64 {
		if i == c.Root {
			return ringR
		}
		return nodeR
	}

	for _, l := range c.Links {
		a, z := centre[l.From], centre[l.To]
		var c1, c2 pt
		switch {
		case a.y == z.y: // same lane: arc above the line
			dx := z.x - a.x
			c1, c2 = pt{a.x + dx/3, a.y - 24}, pt{z.x - dx/3, z.y - 24}
		case math.Abs(z.x-a.x) < 24: // same moment: straight down or up
			c1, c2 = pt{a.x, (a.y + z.y) / 2}, pt{z.x, (a.y + z.y) / 2}
		default:
			mx := (a.x + z.x) / 2
			c1, c2 = pt{mx, a.y}, pt{mx, z.y}
		}
		s := towards(a, c1, radius(l.From)+1)
		e := towards(z, c2, radius(l.To)+2)
		fmt.Fprintf(&b, `<path class="e k-%s"%s d="M%s,%sC%s,%s %s,%s %s,%s" marker-end="url(#a-%s)"/>`,
			kindClass(l.Kind), dashAttr(l.Kind), num(s.x), num(s.y), num(c1.x), num(c1.y), num(c2.x), num(c2.y), num(e.x), num(e.y), kindClass(l.Kind))
	}

	// Markers, then the time under each (skipped where it would overlap
	// the previous one in its lane).
	lastRight := map[int]float64{}
	for i, n := range c.Nodes {
		ct := centre[i]
		switch {
		case i == c.Root:
			fmt.Fprintf(&b, `<circle class="ring" cx="%s" cy="%s" r="%s"/><circle class="root" cx="%s" cy="%s" r="%s"/>`,
				num(ct.x), num(ct.y), num(ringR), num(ct.x), num(ct.y), num(rootR))
		case n.OutletOnly:
			fmt.Fprintf(&b, `<circle class="cue" cx="%s" cy="%s" r="%s"/>`, num(ct.x), num(ct.y), num(nodeR))
		default:
			fmt.Fprintf(&b, `<circle class="doc" cx="%s" cy="%s" r="%s"/>`, num(ct.x), num(ct.y), num(nodeR))
		}
		label, class := n.GapRoot, `class="sm"`
		switch {
		case i == c.Root:
			label, class = "root · "+n.Time.Format("2 Jan 2006"), `class="rt"`
			if !n.HasTime() {
				label = "root"
			}
		case n.OutletOnly:
			label = "no document"
		case label == "time unknown":
			label = "time ?"
		}
		w := textWidth(label, smallChar)
		anchor, left := "middle", ct.x-w/2
		if left < pad+2 {
			anchor, left = "start", max(ct.x-ringR, pad+2)
		} else if left+w > W-pad-2 {
			anchor, left = "end", min(ct.x+ringR, W-pad-2)-w
		}
		if r, ok := lastRight[n.Lane]; ok && left < r+6 {
			continue
		}
		lastRight[n.Lane] = left + w
		ax := ct.x
		switch anchor {
		case "start":
			ax = left
		case "end":
			ax = left + w
		}
		p.text(ax, ct.y-laneLineY+laneTimeY, class+` text-anchor="`+anchor+`"`, label)
	}

	// The axis: a tick per position, each gap labelled where it fits, long
	// gaps drawn broken because the scale is compressed there.
	fmt.Fprintf(&b, `<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(pad), num(axisY), num(W-pad), num(axisY))
	for _, x := range xs {
		fmt.Fprintf(&b, `<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(x), num(axisY-4), num(x), num(axisY+4))
	}
	for i := range weights {
		mid, room := (xs[i]+xs[i+1])/2, xs[i+1]-xs[i]
		if longGap[i] && room > 16 {
			fmt.Fprintf(&b, `<path class="axis" d="M%s,%sl4,-8M%s,%sl4,-8"/>`, num(mid-5), num(axisY+4), num(mid), num(axisY+4))
		}
		if textWidth(gapLabels[i], smallChar)+6 < room {
			p.text(mid, axisY+16, `class="sm" text-anchor="middle"`, gapLabels[i])
		}
	}
	first, last := -1, -1
	for i, n := range c.Nodes {
		if n.HasTime() {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first >= 0 {
		fx := xs[pos[first]]
		label := c.Nodes[first].Time.Format("2 Jan 2006 15:04")
		x, attr := max(fx-ringR, pad+2), `class="sm"`
		if x+textWidth(label, smallChar) > W-pad-2 {
			// The first dated node sits at the right edge (after undated
			// outlet-only nodes): end the label there instead of clipping it.
			x, attr = min(fx+ringR, W-pad-2), `class="sm" text-anchor="end"`
		}
		firstRight := x + textWidth(label, smallChar)
		p.text(x, axisY+32, attr, label)
		if pos[last] != pos[first] {
			lx := xs[pos[last]]
			label := c.Nodes[last].Time.Format("2 Jan 2006 15:04")
			if min(lx+ringR, W-pad-2)-textWidth(label, smallChar) > firstRight+12 {
				p.text(min(lx+ringR, W-pad-2), axisY+32, `class="sm" text-anchor="end"`, label)
			}
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

type svgWriter struct{ b *bytes.Buffer }

type pt struct{ x, y float64 }

// text writes one <text> element; attrs are ours, s is escaped.
func (p *svgWriter) text(x, y float64, attrs, s string) {
	fmt.Fprintf(p.b, `<text x="%s" y="%s" %s>`, num(x), num(y), attrs)
	escape(p.b, s)
	p.b.WriteString("</text>")
}

func (p *svgWriter) elem(name, attrs, s string) {
	fmt.Fprintf(p.b, "<%s %s>", name, attrs)
	escape(p.b, s)
	fmt.Fprintf(p.b, "</%s>", name)
}

// escape writes hostile text as inert character data: encoding/xml turns
// < > & ' " into references and invalid characters into U+FFFD.
func escape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(clean(s))) }

// kindClass keeps an unknown kind from a newer store out of class names and
// ids (it could carry quotes); it is drawn as a duplicate.
func kindClass(k newstrace.EdgeKind) newstrace.EdgeKind {
	for _, es := range edgeStyles {
		if es.kind == k {
			return k
		}
	}
	return newstrace.EdgeDuplicate
}

func dashAttr(k newstrace.EdgeKind) string {
	for _, es := range edgeStyles {
		if es.kind == k && es.dash != "" {
			return ` stroke-dasharray="` + es.dash + `"`
		}
	}
	return ""
}

// towards moves from a by d along the direction to b (a when they meet).
func towards(a, b pt, d float64) pt {
	dx, dy := b.x-a.x, b.y-a.y
	n := math.Hypot(dx, dy)
	if n < 1e-9 {
		return a
	}
	return pt{a.x + dx/n*d, a.y + dy/n*d}
}

func textWidth(s string, char float64) float64 { return float64(utf8.RuneCountInString(s)) * char }

func ellipsize(s string, n int) string {
	s = clean(s)
	if n < 2 || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func num(f float64) string { return fmt.Sprintf("%.1f", f) }

// Describe is the picture's text alternative.
func Describe(c Chain) string {
	if c.Root < 0 {
		return "No documents."
	}
	var parts []string
	for _, n := range c.Nodes {
		s := n.Outlet
		switch {
		case n.OutletOnly:
			s += " (named as source, no document)"
		case n.Role == RoleRoot:
			s += " (root, " + when(n) + ")"
		case n.GapRoot != "":
			s += " (" + n.GapRoot + ")"
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("%s from %s, in time order: %s.", plural(c.Documents, "copy", "copies"),
		plural(c.Outlets(), "outlet", "outlets"), strings.Join(parts, ", "))
}
