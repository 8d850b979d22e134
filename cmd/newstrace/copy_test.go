package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCopyArgs: wrong arguments fail at once, with one line that says what
// is wrong, and never create a SQLite file.
func TestCopyArgs(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store.db")
	mustCLI(t, "--db", "sqlite:"+store, "migrate")
	missing := filepath.Join(dir, "missing.db")
	pg := "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5" // nothing listens on port 1
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"copy"}, "--from must be sqlite:PATH"},
		{[]string{"copy", "--from", store, "--to", pg}, "--from must be sqlite:PATH"},
		{[]string{"copy", "--from", "sqlite:", "--to", pg}, "--from must be sqlite:PATH"},
		{[]string{"copy", "--from", "sqlite:" + store}, "--to must be a postgres:// URL"},
		{[]string{"copy", "--from", "sqlite:" + store, "--to", "mysql://x/y"}, "--to must be a postgres:// URL"},
		{[]string{"copy", "--from", "sqlite:" + store, "--to", "sqlite:" + missing}, "--to must be a postgres:// URL"},
		{[]string{"copy", "--from", "sqlite:" + store, "--to", pg, "--batch", "0"}, "--batch must be at least 1"},
		{[]string{"copy", "--from", "sqlite:" + store, "--to", pg, "extra"}, "takes no arguments"},
		{[]string{"copy", "--from", "sqlite:" + missing, "--to", pg}, "does not exist"},
		{[]string{"copy", "--from", "sqlite:" + dir, "--to", pg}, "is a directory"},
		{[]string{"copy", "--from", "sqlite:" + store, "--to", pg}, "connect to PostgreSQL"},
	}
	for _, tt := range tests {
		_, err := runCLI(t, "", tt.args...)
		if err == nil {
			t.Errorf("newstrace %v: no error", tt.args)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
			t.Errorf("newstrace %v: error %q, want one line containing %q", tt.args, msg, tt.want)
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("copy from a missing store created %s", missing)
	}
}

// TestCopyCommand ingests pages into SQLite, copies the store with the
// command, copies again (nothing to do), and lists the same stories from
// both stores.
func TestCopyCommand(t *testing.T) {
	e := newPGEnv(t)
	dir := t.TempDir()
	store := "sqlite:" + filepath.Join(dir, "store.db")
	mustCLI(t, "--db", store, "ingest", filepath.Join("testdata", "site"))
	if _, err := runCLI(t, "correct horse battery staple\n", "--db", store, "user", "add", "alice"); err != nil {
		t.Fatal(err)
	}

	out := mustCLI(t, "copy", "--from", store, "--to", e.dsn, "--pg-schema", e.schema)
	for _, want := range []string{"documents", "lsh_bands", "tables verified", "not copied: host_pace"} {
		if !strings.Contains(out, want) {
			t.Errorf("copy output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "DIFFERS") {
		t.Errorf("copy reports a difference:\n%s", out)
	}
	// NEWSTRACE_DB-style: --to defaults to a postgres --db.
	again := mustCLI(t, "--db", e.dsn, "--pg-schema", e.schema, "copy", "--from", store)
	if !strings.Contains(again, "copied 0 rows") {
		t.Errorf("second copy wrote rows:\n%s", again)
	}
	want := mustCLI(t, "--db", store, "stories", "--json")
	got := mustCLI(t, "--db", e.dsn, "--pg-schema", e.schema, "stories", "--json")
	if want != got {
		t.Errorf("stories differ after copy:\nSQLite     %.2000s\nPostgreSQL %.2000s", want, got)
	}
	if n := e.queryInt(`SELECT count(*) FROM users WHERE name = 'alice'`); n != 1 {
		t.Errorf("users named alice in PostgreSQL: %d", n)
	}
}
