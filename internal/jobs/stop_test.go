package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRescueAfter(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		want    time.Duration
		wantErr string
	}{
		{name: "default: longest job timeout plus a minute", want: 6 * time.Minute},
		{name: "follows ProcessTimeout", cfg: Config{ProcessTimeout: 10 * time.Second, PollTimeout: 5 * time.Second}, want: 70 * time.Second},
		{name: "set", cfg: Config{ProcessTimeout: 2 * time.Second, PollTimeout: 2 * time.Second, RescueAfter: 3 * time.Second}, want: 3 * time.Second},
		{name: "shorter than a job may run", cfg: Config{RescueAfter: time.Minute}, wantErr: "shorter than the job timeout"},
		{name: "negative", cfg: Config{RescueAfter: -time.Second}, wantErr: "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Logger = testLogger(t)
			r, err := NewSQLite(context.Background(), filepath.Join(t.TempDir(), "queue.db"), newFakeWork(), cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewSQLite = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer r.Stop(context.Background())
			if r.cfg.RescueAfter != tt.want {
				t.Errorf("RescueAfter = %s, want %s", r.cfg.RescueAfter, tt.want)
			}
		})
	}
}

func TestSQLiteStopReturnsJob(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.db")
	checkStopReturnsJob(t, func(w Work, cfg Config) *Runner {
		r, err := NewSQLite(context.Background(), path, w, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}, func(query string, dest ...any) error {
		db, err := sql.Open("sqlite", sqliteDSN(path))
		if err != nil {
			return err
		}
		defer db.Close()
		return db.QueryRow(query).Scan(dest...)
	})
}

// checkStopReturnsJob runs an entry whose work only ends when its context
// is cancelled, and then fails with an error of its own (as a fetch does),
// and stops the Runner with a short deadline: Stop cancels the job, and
// River puts it back as available with its attempt not counted, so the
// next worker runs it as if it had never started.
func checkStopReturnsJob(t *testing.T, newRunner func(Work, Config) *Runner, queryRow func(query string, dest ...any) error) {
	t.Helper()
	w := newFakeWork()
	w.entries = func(feedID int64) []json.RawMessage { return makeEntries(feedID, 1) }
	running := make(chan struct{})
	w.process = func(ctx context.Context, _ int64, _ json.RawMessage) error {
		close(running)
		<-ctx.Done()
		return errors.New("fetch https://example.org/1/0: connection closed") // no %w of ctx's error
	}
	r := newRunner(w, testConfig(t))
	start(t, r)
	if err := r.EnqueuePoll(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	select {
	case <-running:
	case <-time.After(20 * time.Second):
		t.Fatal("entry never started")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_ = r.Stop(ctx) // reports the soft stop's deadline
	var state string
	var attempt int
	if err := queryRow(`SELECT state, attempt FROM river_job WHERE kind = 'process_entry'`, &state, &attempt); err != nil {
		t.Fatal(err)
	}
	if state != "available" || attempt != 0 {
		t.Errorf("job cancelled by Stop is %s with attempt %d, want available with attempt 0", state, attempt)
	}
}
