package feed

import (
	"bytes"

	"github.com/newstrace/newstrace"
)

// precheck refuses, cheaply and before any real parser runs, input that is
// too big, nested deep enough to exhaust a recursive parser, declares XML
// entities (billion-laughs and external-entity attacks), or is an HTML page.
// It is one linear pass with no allocation proportional to the input.
func precheck(data []byte, lim Limits) error {
	if int64(len(data)) > lim.MaxBytes {
		return newstrace.Errorf(newstrace.ETOOLARGE, "feed is %d bytes, over the %d byte limit", len(data), lim.MaxBytes)
	}
	body := trimBOM(data)
	body = bytes.TrimLeft(body, " \t\r\n")
	if len(body) == 0 {
		return newstrace.Errorf(newstrace.EINVALID, "empty feed document")
	}
	if body[0] == '{' || body[0] == '[' {
		return jsonDepth(body, lim.MaxDepth)
	}
	if looksHTML(body) {
		return ErrHTMLPage
	}
	// UTF-16/32 documents cannot be scanned byte-wise; the XML decoder
	// bounds them by size only.
	if bytes.IndexByte(body[:min(len(body), 512)], 0) >= 0 {
		return nil
	}
	return xmlScan(body, lim.MaxDepth)
}

func trimBOM(b []byte) []byte {
	return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
}

// looksHTML reports whether the first element (after the XML declaration,
// comments and processing instructions) is <html>, or the DOCTYPE is HTML.
func looksHTML(b []byte) bool {
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		switch {
		case hasPrefixFold(b, "<?"):
			b = after(b, "?>")
		case hasPrefixFold(b, "<!--"):
			b = after(b, "-->")
		case hasPrefixFold(b, "<!doctype"):
			rest := bytes.TrimLeft(b[len("<!doctype"):], " \t\r\n")
			return hasPrefixFold(rest, "html")
		case hasPrefixFold(b, "<html"):
			return len(b) == 5 || isNameEnd(b[5])
		default:
			return false
		}
		if b == nil {
			return false
		}
	}
}

// after returns what follows the first sep in b, or nil.
func after(b []byte, sep string) []byte {
	i := bytes.Index(b, []byte(sep))
	if i < 0 {
		return nil
	}
	return b[i+len(sep):]
}

func hasPrefixFold(b []byte, p string) bool {
	return len(b) >= len(p) && bytes.EqualFold(b[:len(p)], []byte(p))
}

func isNameEnd(c byte) bool {
	return c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\r' || c == '\n'
}

var (
	errEntity = newstrace.Errorf(newstrace.EINVALID, "document declares XML entities in its DOCTYPE; refused (entity expansion attack)")
)

func errDepth(max int) error {
	return newstrace.Errorf(newstrace.EINVALID, "document nests elements more than %d levels deep; refused", max)
}

// xmlScan tracks element depth and looks inside the DOCTYPE for entity
// declarations. It is deliberately lenient about everything else: the real
// parser reports syntax errors.
func xmlScan(b []byte, maxDepth int) error {
	depth := 0
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			return nil
		}
		i += j
		rest := b[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			i = skipPast(b, i+4, "-->")
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i = skipPast(b, i+9, "]]>")
		case bytes.HasPrefix(rest, []byte("<?")):
			i = skipPast(b, i+2, "?>")
		case hasPrefixFold(rest, "<!doctype"):
			end := doctypeEnd(b, i)
			if bytes.Contains(b[i:end], []byte("<!ENTITY")) {
				return errEntity
			}
			i = end
		case bytes.HasPrefix(rest, []byte("<!ENTITY")):
			return errEntity
		case bytes.HasPrefix(rest, []byte("</")):
			depth--
			i = skipPast(b, i+2, ">")
		default:
			end := tagEnd(b, i+1)
			if end <= len(b) && b[end-2] != '/' {
				depth++
				if depth > maxDepth {
					return errDepth(maxDepth)
				}
			}
			i = end
		}
	}
	return nil
}

// skipPast returns the index just after sep at or after from, or len(b).
func skipPast(b []byte, from int, sep string) int {
	if from > len(b) {
		return len(b)
	}
	k := bytes.Index(b[from:], []byte(sep))
	if k < 0 {
		return len(b)
	}
	return from + k + len(sep)
}

// doctypeEnd finds the '>' closing a DOCTYPE, past an internal subset [...].
func doctypeEnd(b []byte, from int) int {
	inSubset := false
	var quote byte
	for k := from + 2; k < len(b); k++ {
		c := b[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			inSubset = true
		case c == ']':
			inSubset = false
		case c == '>' && !inSubset:
			return k + 1
		}
	}
	return len(b)
}

// tagEnd returns the index just after the '>' closing a start tag that
// begins before from, skipping quoted attribute values.
func tagEnd(b []byte, from int) int {
	var quote byte
	for k := from; k < len(b); k++ {
		c := b[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return k + 1
		}
	}
	return len(b) + 1 // unterminated: counts as nothing
}

// jsonDepth bounds object/array nesting of a JSON document.
func jsonDepth(b []byte, maxDepth int) error {
	depth, inStr, esc := 0, false, false
	for _, c := range b {
		switch {
		case inStr:
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			if depth > maxDepth {
				return errDepth(maxDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// mentionsHTML catches pages that do not start with <html> (fragments,
// error pages) once gofeed has failed to recognise a feed.
func mentionsHTML(b []byte) bool {
	head := bytes.ToLower(b[:min(len(b), 4096)])
	for _, tag := range []string{"<html", "<head", "<body", "<!doctype html"} {
		if bytes.Contains(head, []byte(tag)) {
			return true
		}
	}
	return false
}
