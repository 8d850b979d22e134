package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newstrace/newstrace/internal/search"
)

func TestSearchCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(in, 0o755)
	for _, name := range []string{"harbour-bridge.html", "vaccine-trial.html"} {
		b, err := os.ReadFile(filepath.Join("testdata", "site", name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(in, name), b, 0o644)
	}
	data := filepath.Join(dir, "data")
	mustCLI(t, "--data", data, "ingest", in)

	tests := []struct {
		name    string
		args    []string
		want    []string // in the text output
		notWant []string
	}{
		{name: "word", args: []string{"harbour"}, want: []string{"1. Harbour Bridge Reopens", "Stories 1-1 of 1"}, notWant: []string{"\x02", "\x1b["}},
		{name: "exclusion is not a flag", args: []string{"bridge", "-malaria"}, want: []string{"Harbour Bridge"}},
		{name: "flags after words", args: []string{"vaccine", "--limit", "1"}, want: []string{"Malaria Vaccine"}},
		{name: "nothing", args: []string{"zebra"}, want: []string{"No matches."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustCLI(t, append([]string{"--data", data, "search"}, tt.args...)...)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}

	out := mustCLI(t, "--data", data, "search", "--json", `"harbour bridge"`)
	var res search.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search --json: %v\n%s", err, out)
	}
	if res.Query != `"harbour bridge"` || res.Stories != 1 || len(res.Hits) != 1 || len(res.Hits[0].Highlights) == 0 {
		t.Fatalf("search --json = %+v", res)
	}
	h := res.Hits[0]
	if got := h.Snippet[h.Highlights[0][0]:h.Highlights[0][1]]; !strings.EqualFold(got, "harbour bridge") {
		t.Errorf("first highlight %q in %q", got, h.Snippet)
	}

	for _, bad := range [][]string{{}, {`"open`}, {"after:someday"}} {
		_, err := runCLI(t, "", append([]string{"--data", data, "search"}, bad...)...)
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("search %q: error %v, want one line", bad, err)
		}
	}
}
