package greader

import (
	"fmt"
	"strconv"
	"strings"
)

// Item ids. Google Reader had two forms of one 64-bit id: the long form
// "tag:google.com,2005:reader/item/<16 hex digits>" and the short form, the
// same number in signed decimal (mihaip/google-reader-api wiki/ItemId.wiki).
// Our item id is the document id.
const longPrefix = "tag:google.com,2005:reader/item/"

// LongID is the long form of a document id.
func LongID(id int64) string { return fmt.Sprintf("%s%016x", longPrefix, uint64(id)) }

// ShortID is the short (decimal) form of a document id.
func ShortID(id int64) string { return strconv.FormatInt(id, 10) }

// ParseItemID reads an id as real clients send it (the cases listed in
// miniflux/v2 pull request #3325, "handle various item ID formats"):
//   - long form, padded or not (NetNewsWire sends "…/item/2f2"): hex;
//   - exactly 16 hex digits with no prefix (Reeder; Fluent Reader's
//     compactId in src/scripts/models/services/greader.ts): hex;
//   - anything else (Liferea, and the spec's short form): decimal.
func ParseItemID(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, longPrefix); ok {
		return parseHex(rest, s)
	}
	if len(s) == 16 && isHex(s) {
		return parseHex(s, s)
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("bad item id %q", s)
	}
	return id, nil
}

func parseHex(h, orig string) (int64, error) {
	u, err := strconv.ParseUint(h, 16, 64)
	if err != nil || int64(u) <= 0 {
		return 0, fmt.Errorf("bad item id %q", orig)
	}
	return int64(u), nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
