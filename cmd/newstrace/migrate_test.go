package main

import (
	"database/sql"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMigrateSQLite: migrate reports the embedded store's version before
// and after, and changes nothing the second time.
func TestMigrateSQLite(t *testing.T) {
	dir := t.TempDir()
	out := mustCLI(t, "--data", dir, "migrate")
	var latest int
	if _, err := fmt.Sscanf(out[strings.Index(out, "version"):], "version 0 → %d", &latest); err != nil || latest == 0 {
		t.Fatalf("first migrate said %q", out)
	}
	if out := mustCLI(t, "--data", dir, "migrate"); !strings.Contains(out, fmt.Sprintf("version %d → %d (latest %d)", latest, latest, latest)) {
		t.Errorf("second migrate said %q, want no change", out)
	}
}

// TestSQLiteRefusesNewerSchema: a store written by a newer newstrace is
// refused, not opened and possibly damaged.
func TestSQLiteRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, "--data", dir, "feeds", "list")
	db, err := sql.Open("sqlite", filepath.Join(dir, "newstrace.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99999, '99999_future.sql', '2030-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, args := range [][]string{{"feeds", "list"}, {"migrate"}, {"worker"}} {
		_, err := runCLI(t, "", append([]string{"--data", dir}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "newer than this newstrace") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v on a newer store = %v, want a one-line refusal", args, err)
		}
	}
}

func TestWorkerFlags(t *testing.T) {
	env := map[string]string{
		"NEWSTRACE_POLL_WORKERS":    "9",
		"NEWSTRACE_PROCESS_WORKERS": "7",
		"NEWSTRACE_RESCUE_AFTER":    "10m",
	}
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	wo := workerFlags(fs)
	if err := fs.Parse([]string{"--poll-workers", "3", "--job-timeout", "2m"}); err != nil {
		t.Fatal(err)
	}
	if err := wo.fromEnv(fs, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	cfg := wo.config(nil)
	if cfg.PollWorkers != 3 || cfg.ProcessWorkers != 7 || cfg.RescueAfter != 10*time.Minute ||
		cfg.ProcessTimeout != 2*time.Minute || cfg.ScheduleEvery != 10*time.Second {
		t.Errorf("config %+v: want flags over environment over defaults", cfg)
	}
	if got := wo.poolSize(); got != 3+7+4 {
		t.Errorf("poolSize = %d, want a connection per job worker plus River's 4", got)
	}

	for _, tt := range []struct{ name, env, value, want string }{
		{"bad environment value", "NEWSTRACE_STOP_TIMEOUT", "soon", "NEWSTRACE_STOP_TIMEOUT"},
		{"no workers", "NEWSTRACE_PROCESS_WORKERS", "0", "at least 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("worker", flag.ContinueOnError)
			wo := workerFlags(fs)
			fs.Parse(nil)
			err := wo.fromEnv(fs, func(k string) string {
				if k == tt.env {
					return tt.value
				}
				return ""
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("fromEnv = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestHostDelay(t *testing.T) {
	tests := []struct {
		name string
		db   string
		args []string
		env  string
		want time.Duration
	}{
		{name: "off on SQLite", want: 0},
		{name: "1s on PostgreSQL", db: "postgres://x@127.0.0.1/db", want: time.Second},
		{name: "flag", db: "postgres://x@127.0.0.1/db", args: []string{"--host-delay", "250ms"}, want: 250 * time.Millisecond},
		{name: "flag turns it off", db: "postgres://x@127.0.0.1/db", args: []string{"--host-delay", "0"}, want: 0},
		{name: "environment", env: "2s", want: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain()
			m.Getenv = func(k string) string {
				if k == "NEWSTRACE_HOST_DELAY" {
					return tt.env
				}
				return ""
			}
			m.DB = tt.db
			if err := m.flagSet("x", "").Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if got := m.hostGap(); got != tt.want {
				t.Errorf("host gap %s, want %s", got, tt.want)
			}
		})
	}
	m := NewMain()
	m.Getenv = func(k string) string {
		if k == "NEWSTRACE_HOST_DELAY" {
			return "often"
		}
		return ""
	}
	if err := m.Run(t.Context(), []string{"--data", t.TempDir(), "feeds", "list"}); err == nil || !strings.Contains(err.Error(), "NEWSTRACE_HOST_DELAY") {
		t.Errorf("a bad NEWSTRACE_HOST_DELAY: %v, want an error naming it", err)
	}
}
