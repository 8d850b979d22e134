package extract

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

func gz(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// TestBadInput: bad documents give a clear error or a best-effort
// article, never a panic, and stay fast.
func TestBadInput(t *testing.T) {
	para := "<p>" + strings.Repeat("The council met on Tuesday to discuss the new budget for the city. ", 5) + "</p>"
	deep := strings.Repeat("<div>", 10000) + para + strings.Repeat("</div>", 10000)
	deepInline := strings.Repeat("<b><i>", 5000) + para
	huge := make([]byte, 50<<20)
	for i := range huge {
		huge[i] = "abcdefgh \n"[i%10]
	}
	bomb := gz(t, bytes.Repeat([]byte("a"), 30<<20))
	utf16 := []byte{0xff, 0xfe}
	for _, r := range "Hello world, this is a short text document in UTF-16." {
		utf16 = append(utf16, byte(r), 0)
	}

	tests := []struct {
		name        string
		data        []byte
		contentType string
		wantCode    string // "" means a best-effort article is expected
		wantText    string // substring of the text on success
	}{
		{name: "empty", data: nil, wantCode: newstrace.EINVALID},
		{name: "white space", data: []byte(" \n\t \n"), wantCode: newstrace.EINVALID},
		{name: "binary", data: []byte{0x89, 'P', 'N', 'G', 0, 0, 0, 0x0d, 1, 2, 3}, wantCode: newstrace.EINVALID},
		{name: "random control bytes", data: bytes.Repeat([]byte{1, 2, 3, 4, 'a'}, 1000), wantCode: newstrace.EINVALID},
		{name: "bad gzip", data: []byte{0x1f, 0x8b, 8, 0, 1, 2, 3}, wantCode: newstrace.EINVALID},
		{name: "gzip bomb", data: bomb, wantCode: newstrace.ETOOLARGE},
		{name: "50 MB", data: huge, wantCode: newstrace.ETOOLARGE},
		{name: "invalid UTF-8 text", data: []byte("Caf\xe9 society\n\nThe caf\xe9 opened on the main square \xff\xfe last week."), wantText: "café opened"},
		{name: "wrong charset declared", data: []byte(`<html><head><meta charset="iso-8859-1"><title>Zürich</title></head><body><p>Die Stadt Zürich hat am Montag über den neuen Haushalt abgestimmt.</p></body></html>`), wantText: "Zürich hat"},
		{name: "latin-1 declared and used", data: []byte("<html><head><meta charset=\"iso-8859-1\"></head><body><p>Die Stadt Z\xfcrich hat am Montag abgestimmt.</p></body></html>"), wantText: "Zürich hat"},
		{name: "utf-16 with BOM", data: utf16, wantText: "Hello world"},
		{name: "10000-deep nesting", data: []byte(deep), wantText: "council met"},
		{name: "deep inline nesting", data: []byte(deepInline), wantText: "council met"},
		{name: "html without text", data: []byte("<html><body><script>var x=1</script></body></html>"), wantCode: newstrace.EINVALID},
		{name: "unclosed tags", data: []byte("<html><body><p>Short but real text about the vote.<div><p>Second part"), wantText: "Second part"},
		{name: "gzipped text", data: gz(t, []byte("Just one line of text.")), wantText: "Just one line"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			a, err := Bytes(tc.data, tc.contentType, Options{})
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if tc.wantCode != "" {
				if got := newstrace.ErrorCode(err); got != tc.wantCode {
					t.Fatalf("error code = %q (%v), want %q", got, err, tc.wantCode)
				}
				if msg := newstrace.ErrorMessage(err); msg == "" || strings.Contains(msg, "\n") {
					t.Errorf("want a one-line message, got %q", msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !strings.Contains(a.Text, tc.wantText) {
				t.Errorf("text %q does not hold %q", a.Text, tc.wantText)
			}
		})
	}
}

func TestHTMLReaderTooLarge(t *testing.T) {
	_, err := HTML(bytes.NewReader(make([]byte, MaxInput+10)), Options{})
	if newstrace.ErrorCode(err) != newstrace.ETOOLARGE {
		t.Fatalf("err = %v, want %s", err, newstrace.ETOOLARGE)
	}
	_, err = Text(strings.Repeat("a", MaxInput+1), Options{})
	if newstrace.ErrorCode(err) != newstrace.ETOOLARGE {
		t.Fatalf("Text err = %v, want %s", err, newstrace.ETOOLARGE)
	}
}
