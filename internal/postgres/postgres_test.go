package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/storetest"
)

// testDSN is the PostgreSQL URL from NEWSTRACE_TEST_POSTGRES, or a skip.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("NEWSTRACE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("set NEWSTRACE_TEST_POSTGRES=postgres://user@127.0.0.1:5432/db to run the PostgreSQL store tests")
	}
	return dsn
}

// testSchema creates a fresh schema for one test and drops it afterwards,
// so runs (and parallel CI jobs) never see each other's rows.
func testSchema(t testing.TB, dsn string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "newstrace_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		defer pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// quiet drops the store's logs (one "applied migration" line per test).
var quiet = slog.New(slog.DiscardHandler)

// openTest opens a migrated store in a fresh schema.
func openTest(t testing.TB) *DB {
	t.Helper()
	dsn := testDSN(t)
	schema := testSchema(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := Open(ctx, dsn, Options{Schema: schema, Migrate: true, MaxConns: 8, Logger: quiet})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	testDSN(t)
	storetest.Run(t, func(t *testing.T) newstrace.Store { return openTest(t) })
}
