package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFeedsCheck(t *testing.T) {
	dir := t.TempDir()
	rss := filepath.Join(dir, "ok.xml")
	os.WriteFile(rss, []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire &amp; Co</title><link>https://wire.example/</link>
<item><title>One</title><link>https://wire.example/1</link><guid>1</guid></item>
<item><title>Two</title><link>https://wire.example/2</link><guid>1</guid><pubDate>not a date</pubDate></item></channel></rss>`), 0o644)
	out := mustCLI(t, "feeds", "check", rss)
	var rep struct {
		Title   string
		Format  string
		Entries int
		Errors  []string
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("feeds check output: %v\n%s", err, out)
	}
	if rep.Title != "Wire & Co" || rep.Format != "rss" || rep.Entries != 2 {
		t.Errorf("report %+v", rep)
	}
	if len(rep.Errors) == 0 || !strings.Contains(strings.Join(rep.Errors, " "), "1") {
		t.Errorf("want errors for the duplicate GUID and bad date, got %q", rep.Errors)
	}

	for name, body := range map[string]string{
		"page.html": `<!doctype html><html><head><title>x</title></head><body><p>hi</p></body></html>`,
		"bomb.xml":  `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><rss><channel><title>&b;</title></channel></rss>`,
		"empty.xml": ``,
		"junk.xml":  "\x00\x01\x02garbage",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := runCLI(t, "", "feeds", "check", p); err == nil {
			t.Errorf("feeds check %s: want an error", name)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("feeds check %s: error is not one line: %q", name, err)
		}
	}
}
