package fetch

import (
	"testing"
)

func TestToUTF8(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		contentType string
		want        string
		wantName    string
	}{
		{"utf-8 header", "caf\xc3\xa9", "text/html; charset=utf-8", "café", "utf-8"},
		{"latin-1 header", "caf\xe9", "text/html; charset=ISO-8859-1", "café", "windows-1252"},
		{"meta charset", `<meta charset="windows-1251"><p>` + "\xcf\xf0\xe8\xe2\xe5\xf2", "text/html", `<meta charset="windows-1251"><p>Привет`, "windows-1251"},
		{"bom wins over header", "\xef\xbb\xbfcaf\xc3\xa9", "text/html; charset=iso-8859-1", "café", "utf-8"},
		{"no hints, valid utf-8 sniffed", "<p>caf\xc3\xa9 \xe2\x80\x94 ok</p>", "", "<p>café — ok</p>", "utf-8"},
		{"declared utf-8 but invalid bytes", "caf\xe9!", "text/html; charset=utf-8", "caf\ufffd!", "utf-8"},
		{"shift_jis", "\x93\xfa\x96\x7b", "text/plain; charset=shift_jis", "日本", "shift_jis"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, name, err := ToUTF8([]byte(tt.body), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want || name != tt.wantName {
				t.Errorf("got %q as %q, want %q as %q", got, name, tt.want, tt.wantName)
			}
		})
	}
}
