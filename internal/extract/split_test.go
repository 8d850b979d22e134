package extract

import (
	"strings"
	"testing"
)

// A story split into containers of one class, each in its own grid wrapper
// with an ad row between them (a common CMS layout), is read whole.
func TestStorySplitAcrossSameClassContainers(t *testing.T) {
	para := func(s string) string {
		return "<p>" + s + strings.Repeat(" More words of the story to make a paragraph.", 6) + "</p>"
	}
	part := func(body string) string {
		return `<div class="grid grid-items-2"><div class="body body__container article__body">` + body + `</div></div>`
	}
	far := `<footer><div><div><div><div><div class="body body__container article__body"><p>Far twin teaser text that is not the story.</p></div></div></div></div></div></footer>`
	page := `<html><head><title>Split story</title></head><body><article class="article main-content">
		<h1>Split story</h1><div class="article__chunks">` +
		part(para("Alpha opening paragraph.")+para("Bravo second paragraph.")) +
		`<div class="row full-bleed-ad"><div class="ad ad--mid-content"><span class="ad-label">Advertisement</span></div></div>` +
		part(para("Charlie third paragraph.")+para("Delta closing paragraph.")) +
		`</div></article>` + far + `</body></html>`
	a, err := Bytes([]byte(page), "text/html", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Alpha opening", "Bravo second", "Charlie third", "Delta closing"} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, a.Text)
		}
	}
	for _, not := range []string{"Advertisement", "Far twin"} {
		if strings.Contains(a.Text, not) {
			t.Errorf("text has %q:\n%s", not, a.Text)
		}
	}
}
