package storecopy

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// convert turns one SQLite value (int64, float64, string, []byte or nil,
// as modernc.org/sqlite returns them) into what pgx writes to c. A
// combination that is not listed is an error: copy never guesses.
func convert(c *column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.kind {
	case kindInt8, kindInt4, kindInt2:
		if x, ok := v.(int64); ok {
			if c.kind == kindInt4 && (x < math.MinInt32 || x > math.MaxInt32) ||
				c.kind == kindInt2 && (x < math.MinInt16 || x > math.MaxInt16) {
				return nil, fmt.Errorf("%d does not fit PostgreSQL %s", x, c.pgType)
			}
			return x, nil
		}
	case kindFloat8, kindFloat4:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64: // a REAL column may hand back an integral value as an integer
			return float64(x), nil
		}
	case kindText:
		switch x := v.(type) {
		case string:
			return x, checkText(x)
		case []byte:
			s := string(x)
			return s, checkText(s)
		}
	case kindBool:
		if x, ok := v.(int64); ok {
			switch x {
			case 0:
				return false, nil
			case 1:
				return true, nil
			}
			return nil, fmt.Errorf("%d is not a boolean (0 or 1)", x)
		}
	case kindTime:
		if x, ok := v.(string); ok {
			if x == "" {
				// The SQLite store writes "" for "no time yet" in a NOT NULL
				// column (stories.latest_at); PostgreSQL says it with NULL.
				if c.nullable {
					return nil, nil
				}
				return nil, errors.New(`empty time "" for a NOT NULL timestamptz column`)
			}
			t, err := time.Parse(time.RFC3339Nano, x)
			if err != nil {
				return nil, fmt.Errorf("time %q is not RFC 3339", x)
			}
			return t.UTC(), nil
		}
	case kindJSON, kindJSONB:
		var b []byte
		switch x := v.(type) {
		case string:
			b = []byte(x)
		case []byte:
			b = x
		default:
			return nil, fmt.Errorf("%T is not JSON text", v)
		}
		if !json.Valid(b) {
			return nil, fmt.Errorf("not valid JSON: %.60q", b)
		}
		if c.kind == kindJSONB && bytes.Contains(b, []byte(`\u0000`)) {
			return nil, errors.New(`JSON holds \u0000, which PostgreSQL jsonb cannot store`)
		}
		// Raw bytes: pgx writes them as the JSON document, not as a JSON string.
		return json.RawMessage(b), nil
	case kindBytea:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	}
	return nil, fmt.Errorf("cannot write SQLite %s to PostgreSQL %s", sqliteType(v), c.pgType)
}

// checkText refuses what PostgreSQL text cannot hold, naming it, instead of
// letting COPY fail a whole batch with an encoding error.
func checkText(s string) error {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Errorf("text holds a NUL byte at offset %d, which PostgreSQL text cannot store", i)
	}
	if !utf8.ValidString(s) {
		return errors.New("text is not valid UTF-8")
	}
	return nil
}

func sqliteType(v any) string {
	switch v.(type) {
	case int64:
		return "integer"
	case float64:
		return "real"
	case string:
		return "text"
	case []byte:
		return "blob"
	}
	return fmt.Sprintf("%T", v)
}

// canonical renders a column value the same way whether it is a converted
// SQLite value or what pgx read back from PostgreSQL, so rows can be
// compared: times at microseconds (PostgreSQL's precision, which pgx
// truncates to) in UTC, JSON re-encoded with sorted keys.
func canonical(k kind, v any) string {
	if v == nil {
		return "NULL"
	}
	switch k {
	case kindTime:
		if t, ok := v.(time.Time); ok {
			return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
		}
	case kindJSON, kindJSONB:
		var doc any
		switch x := v.(type) {
		case json.RawMessage:
			if json.Unmarshal(x, &doc) != nil {
				return "invalid JSON " + string(x)
			}
		case []byte:
			if json.Unmarshal(x, &doc) != nil {
				return "invalid JSON " + string(x)
			}
		case string:
			if json.Unmarshal([]byte(x), &doc) != nil {
				return "invalid JSON " + x
			}
		default:
			doc = x // pgx decoded it already
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return fmt.Sprintf("unencodable %v", doc)
		}
		return string(b)
	case kindFloat4:
		switch x := v.(type) {
		case float32:
			return strconv.FormatFloat(float64(x), 'g', -1, 32)
		case float64:
			return strconv.FormatFloat(float64(float32(x)), 'g', -1, 32)
		}
	}
	switch x := v.(type) {
	case []byte:
		return `\x` + hex.EncodeToString(x)
	case string:
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int16, int32, int64, bool:
		return fmt.Sprint(x)
	}
	return fmt.Sprintf("%T %v", v, v)
}
