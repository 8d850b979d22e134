package search

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

func word(s string) newstrace.SearchTerm   { return newstrace.SearchTerm{Text: s} }
func phrase(s string) newstrace.SearchTerm { return newstrace.SearchTerm{Text: s, Phrase: true} }
func prefix(s string) newstrace.SearchTerm { return newstrace.SearchTerm{Text: s, Prefix: true} }
func all(ts ...newstrace.SearchTerm) newstrace.SearchClause {
	return newstrace.SearchClause{Any: ts}
}
func not(t newstrace.SearchTerm) newstrace.SearchClause {
	return newstrace.SearchClause{Any: []newstrace.SearchTerm{t}, Negated: true}
}
func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}
func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func TestParse(t *testing.T) {
	instant := time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name  string
		in    string
		want  newstrace.SearchQuery
		print string // Format's output when it differs from in
	}{
		{name: "words", in: "floods valley", want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(word("floods")), all(word("valley"))}}},
		{name: "phrase", in: `"valley towns" floods`, want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(phrase("valley towns")), all(word("floods"))}}},
		{name: "prefix", in: "evacuat*", want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(prefix("evacuat"))}}},
		{name: "stars collapse", in: "evacuat***", want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(prefix("evacuat"))}}, print: "evacuat*"},
		{name: "phrase prefix", in: `"valley tow"*`, want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(newstrace.SearchTerm{Text: "valley tow", Phrase: true, Prefix: true})}}},
		{name: "or", in: "rain OR storm OR hail floods", want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(word("rain"), word("storm"), word("hail")), all(word("floods"))}}},
		{name: "lower-case or is a word", in: "rain or storm", want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(word("rain")), all(word("or")), all(word("storm"))}}},
		{name: "exclusion", in: `floods -sport -"match report"`, want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(word("floods")), not(word("sport")), not(phrase("match report"))}}},
		{name: "hyphen inside word", in: "covid-19", want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(word("covid-19"))}}},
		{name: "lone punctuation dropped", in: "floods - * ^", want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(word("floods"))}}, print: "floods"},
		{name: "backend syntax is text", in: `NEAR(a b) title:x ^start`, want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(word("NEAR(a")), all(word("b)")), all(word("title:x")), all(word("^start"))}}},
		{name: "filters", in: `source:"Fort Russ News" source:TASS lang:EN author:lane story:42 is:starred is:unread`,
			want: newstrace.SearchQuery{Sources: []string{"Fort Russ News", "TASS"}, Langs: []string{"en"}, Authors: []string{"lane"},
				StoryID: 42, Starred: yes(), Unread: yes()},
			print: `source:"Fort Russ News" source:TASS lang:en author:lane is:starred is:unread story:42`},
		{name: "read and unstarred", in: "x is:read is:unstarred", want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(word("x"))}, Starred: no(), Unread: no()},
			print: "x is:unstarred is:read"},
		{name: "dates", in: "after:2024-05-01 before:2024-06-01", want: newstrace.SearchQuery{After: day("2024-05-01"), Before: day("2024-06-01")}},
		{name: "rfc3339 in UTC", in: "after:2024-05-01T12:30:00+02:00", want: newstrace.SearchQuery{After: &instant}, print: "after:2024-05-01T10:30:00Z"},
		{name: "repeated bounds narrow", in: "after:2024-01-01 after:2024-03-01 before:2024-09-01 before:2024-06-01",
			want: newstrace.SearchQuery{After: day("2024-03-01"), Before: day("2024-06-01")}, print: "after:2024-03-01 before:2024-06-01"},
		{name: "filter keys any case", in: "Lang:fr", want: newstrace.SearchQuery{Langs: []string{"fr"}}, print: "lang:fr"},
		{name: "negation only", in: "-sport lang:en", want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{not(word("sport"))}, Langs: []string{"en"}}},
		{name: "unicode", in: "Überschwemmung «наводнение»", want: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{all(word("Überschwemmung")), all(word("«наводнение»"))}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) =\n %s\nwant\n %s", tt.in, dump(got), dump(tt.want))
			}
			want := tt.print
			if want == "" {
				want = tt.in
			}
			if s := Format(got); s != want {
				t.Errorf("Format = %q, want %q", s, want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string // want: a piece of the message
	}{
		{name: "empty", in: "", want: "empty"},
		{name: "blank", in: "   \t", want: "empty"},
		{name: "only punctuation", in: `- * "" ^`, want: "empty"},
		{name: "unbalanced quote", in: `floods "valley towns`, want: "unbalanced quotes"},
		{name: "unbalanced filter quote", in: `source:"Fort Russ`, want: "unbalanced quotes"},
		{name: "after not a date", in: "after:yesterday", want: "after:yesterday is not a date"},
		{name: "before bad day", in: "before:2024-02-30", want: "not a date"},
		{name: "empty filter", in: "floods source:", want: "source: needs a value"},
		{name: "empty quoted filter", in: `source:"  "`, want: "source: needs a value"},
		{name: "unknown is", in: "is:important", want: "is:important is unknown"},
		{name: "bad story", in: "story:abc", want: "not a story number"},
		{name: "zero story", in: "story:0", want: "not a story number"},
		{name: "dangling or", in: "rain OR", want: "OR needs"},
		{name: "leading or", in: "OR rain", want: "OR needs"},
		{name: "double or", in: "rain OR OR storm", want: "OR needs"},
		{name: "or with exclusion", in: "rain OR -storm", want: "OR needs"},
		{name: "or after exclusion", in: "-rain OR storm", want: "OR needs"},
		{name: "or with filter", in: "rain OR lang:en", want: "OR needs"},
		{name: "excluded filter", in: "rain -source:TASS", want: "cannot be excluded"},
		{name: "too long", in: strings.Repeat("a ", MaxQueryLen), want: "too long"},
		{name: "too many terms", in: strings.Repeat("a ", maxTerms+1), want: "too many"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = nil error, want %q", tt.in, tt.want)
			}
			if newstrace.ErrorCode(err) != newstrace.EINVALID {
				t.Errorf("code = %q, want invalid", newstrace.ErrorCode(err))
			}
			msg := newstrace.ErrorMessage(err)
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("message %q, want one line containing %q", msg, tt.want)
			}
		})
	}
}

// FuzzParse: Parse never panics, and what it accepts prints to a query that
// parses to the same thing.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`floods "valley towns" evacuat* rain OR storm -sport`,
		`source:"Fort Russ News" lang:en author:lane after:2024-05-01 before:2024-06-01T10:00:00Z is:starred story:4`,
		`"unbalanced`, `NEAR(a b, 2) title:x ^y "a""b" -"c"* --d`, `a OR b OR`, "\x02\x03\xff", `source:a"b"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			if newstrace.ErrorCode(err) != newstrace.EINVALID || strings.Contains(newstrace.ErrorMessage(err), "\n") {
				t.Fatalf("Parse(%q) error %v, want one-line EINVALID", s, err)
			}
			return
		}
		printed := Format(q)
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(Format(Parse(%q))) = Parse(%q): %v", s, printed, err)
		}
		if !reflect.DeepEqual(q, again) {
			t.Fatalf("round trip of %q via %q:\n %s\n %s", s, printed, dump(q), dump(again))
		}
	})
}

func dump(q newstrace.SearchQuery) string {
	b, _ := json.Marshal(q)
	return string(b)
}
