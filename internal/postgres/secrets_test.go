package postgres

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestSecretShared: processes racing to create the session key all end up
// with the one value stored, and later calls do not replace it.
func TestSecretShared(t *testing.T) {
	first := openTest(t)
	dsn := testDSN(t)
	const procs = 6
	got := make([][]byte, procs)
	var wg sync.WaitGroup
	for i := range procs {
		db, err := Open(context.Background(), dsn, Options{Schema: first.Schema(), MaxConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := db.Secret(t.Context(), "session", func() ([]byte, error) { return fmt.Appendf(nil, "key-%d", i), nil })
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		}()
	}
	wg.Wait()
	for i := range got {
		if len(got[i]) == 0 || !bytes.Equal(got[i], got[0]) {
			t.Fatalf("process %d got %q, process 0 got %q: want one shared value", i, got[i], got[0])
		}
	}
	again, err := first.Secret(t.Context(), "session", func() ([]byte, error) { return []byte("other"), nil })
	if err != nil || !bytes.Equal(again, got[0]) {
		t.Fatalf("second call = %q, %v; want the stored %q", again, err, got[0])
	}
}
