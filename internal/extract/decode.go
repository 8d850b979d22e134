package extract

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/newstrace/newstrace"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
)

func tooLarge(n int) error {
	return newstrace.Errorf(newstrace.ETOOLARGE, "document too large: over %d MB", MaxInput>>20)
}

// gunzip undoes gzip (recognised by its magic bytes), capping the output so
// a small bomb cannot fill memory.
func gunzip(data []byte) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		if len(data) > MaxInput {
			return nil, tooLarge(len(data))
		}
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, newstrace.Errorf(newstrace.EINVALID, "bad gzip data: %v", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxInput+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, newstrace.Errorf(newstrace.EINVALID, "bad gzip data: %v", err)
	}
	if len(out) > MaxInput {
		return nil, tooLarge(len(out))
	}
	return out, nil
}

// checkInput refuses empty, oversized and binary input with a one-line reason.
func checkInput(data []byte) error {
	if len(data) > MaxInput {
		return tooLarge(len(data))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return newstrace.Errorf(newstrace.EINVALID, "empty document: no text to extract")
	}
	if looksBinary(data) {
		return newstrace.Errorf(newstrace.EINVALID, "binary data, not HTML or text")
	}
	return nil
}

// looksBinary samples the head: NUL bytes or many control characters mean
// an image, archive or executable. UTF-16 text (with a BOM) is not binary.
func looksBinary(data []byte) bool {
	head := data[:min(len(data), 8192)]
	if bytes.HasPrefix(head, []byte{0xfe, 0xff}) || bytes.HasPrefix(head, []byte{0xff, 0xfe}) {
		return false
	}
	ctrl := 0
	for _, b := range head {
		switch {
		case b == 0:
			return true
		case b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f':
			ctrl++
		}
	}
	return ctrl*20 > len(head)
}

// looksHTML trusts an explicit HTML or plain-text Content-Type, else sniffs.
func looksHTML(data []byte, contentType string) bool {
	ct := strings.ToLower(contentType)
	switch {
	case strings.Contains(ct, "html"):
		return true
	case strings.HasPrefix(ct, "text/plain"):
		return false
	}
	head := bytes.ToLower(data[:min(len(data), 4096)])
	head = bytes.TrimLeft(head, "\xef\xbb\xbf \t\r\n")
	if strings.HasPrefix(http.DetectContentType(head), "text/html") {
		return true
	}
	for _, tag := range []string{"<html", "<body", "<head", "<p>", "<p ", "<div", "<article", "<meta", "<title"} {
		if bytes.Contains(head, []byte(tag)) {
			return true
		}
	}
	return false
}

// decode converts data to valid UTF-8. A BOM wins, then the declared
// charset; but bytes that are valid UTF-8 with non-ASCII text are taken as
// UTF-8 even when the declaration says otherwise (a common server mistake).
func decode(data []byte, contentType string, isHTML bool) string {
	return string(decodeBytes(data, contentType, isHTML))
}

// decodeBytes is decode without the string: the result is data itself
// when data is already valid UTF-8 (the common case), so the HTML path
// copies a page once, into the parser, instead of twice. It is never
// written to.
func decodeBytes(data []byte, contentType string, isHTML bool) []byte {
	if enc, name, _ := charset.DetermineEncoding(data[:min(len(data), 1024)], contentType); name == "utf-16le" || name == "utf-16be" {
		if s, err := enc.NewDecoder().Bytes(data); err == nil {
			return bytes.ToValidUTF8(s, []byte("\uFFFD"))
		}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return data
	}
	var name string
	if isHTML {
		_, name, _ = charset.DetermineEncoding(data[:min(len(data), 1024)], contentType)
	} else if _, params, ok := strings.Cut(contentType, "charset="); ok {
		name = strings.Trim(strings.TrimSpace(params), `"'`)
	}
	enc, _ := charset.Lookup(name)
	if enc == nil || enc == unicode.UTF8 {
		enc, _ = charset.Lookup("windows-1252")
	}
	if s, err := enc.NewDecoder().Bytes(data); err == nil {
		return bytes.ToValidUTF8(s, []byte("\uFFFD"))
	}
	return bytes.ToValidUTF8(data, []byte("\uFFFD"))
}
