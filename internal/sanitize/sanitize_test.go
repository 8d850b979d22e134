package sanitize

import (
	"strings"
	"testing"
)

func TestHTML(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string // substrings that must survive
		notWant []string // substrings that must be gone
	}{
		{name: "script tag", in: `<p>hi</p><script>alert(1)</script>`, want: []string{"<p>hi</p>"}, notWant: []string{"script", "alert"}},
		{name: "event handler", in: `<img src="https://x.example/a.png" onerror="alert(1)">`, want: []string{"https://x.example/a.png"}, notWant: []string{"onerror"}},
		{name: "javascript url", in: `<a href="javascript:alert(1)">x</a>`, notWant: []string{"javascript:"}},
		{name: "data url", in: `<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`, notWant: []string{"data:"}},
		{name: "svg onload", in: `<svg onload="alert(1)"><circle/></svg>`, notWant: []string{"onload", "svg"}},
		{name: "style expression", in: `<p style="width: expression(alert(1))">x</p>`, want: []string{"<p>x</p>"}, notWant: []string{"expression"}},
		{name: "iframe", in: `<iframe src="https://evil.example/"></iframe><p>ok</p>`, want: []string{"<p>ok</p>"}, notWant: []string{"iframe"}},
		{name: "safe link gets rel", in: `<a href="https://news.example/a">a</a>`, want: []string{`href="https://news.example/a"`, "nofollow", "noreferrer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML(tt.in)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("HTML(%q) = %q, want it to contain %q", tt.in, got, w)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(strings.ToLower(got), nw) {
					t.Errorf("HTML(%q) = %q, must not contain %q", tt.in, got, nw)
				}
			}
		})
	}
}
