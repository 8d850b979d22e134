package extract

import (
	"bytes"
	"testing"

	"golang.org/x/net/html"
)

func BenchmarkParseOnly(b *testing.B) {
	benchPages(b, func(p []byte) {
		_, _ = html.Parse(bytes.NewReader(p))
	})
}
