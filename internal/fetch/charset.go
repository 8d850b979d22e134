package fetch

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// UTF8 returns the body decoded to UTF-8 and the name of the encoding it
// was read as, judged the way browsers do: byte-order mark, then the
// Content-Type charset, then a <meta> charset in the first 1024 bytes,
// then windows-1252. Feeds should go to the XML parser as raw bytes
// instead, since XML declares its own encoding.
func (r *Response) UTF8() ([]byte, string, error) {
	return ToUTF8(r.Body, r.ContentType)
}

// ToUTF8 decodes body as UTF8 does, for callers holding bytes from
// elsewhere (ingested files pass contentType "").
func ToUTF8(body []byte, contentType string) ([]byte, string, error) {
	enc, name, _ := charset.DetermineEncoding(body, contentType)
	if name == "utf-8" {
		body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
		if utf8.Valid(body) {
			return body, name, nil
		}
		// Declared UTF-8 but is not: replace bad bytes rather than fail.
		// Not through enc: when the first 1024 bytes merely look like UTF-8,
		// DetermineEncoding returns encoding.Nop, which passes the bad
		// bytes through (found by FuzzToUTF8).
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), name, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, name, fmt.Errorf("decode body as %s: %w", name, err)
	}
	return out, name, nil
}
