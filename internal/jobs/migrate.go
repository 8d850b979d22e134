package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// ErrQueueSchema is matched by the error of a Runner built with SkipMigrate
// on a queue whose River migrations are missing or newer than this build's.
var ErrQueueSchema = errors.New("job queue schema mismatch")

// QueueVersion is the River migration version of a queue.
type QueueVersion struct {
	Current int // highest applied; 0 when River's tables are absent
	Latest  int // highest this build knows
}

// MigratePostgres applies River's migrations to the queue in schema (""
// for the pool's search_path) and returns the versions before and after.
// Running it again is a no-op; concurrent runs are serialised by River.
func MigratePostgres(ctx context.Context, pool *pgxpool.Pool, schema string, log *slog.Logger) (before, after QueueVersion, err error) {
	if pool == nil {
		return before, after, errors.New("jobs: nil pgx pool")
	}
	drv := riverpgxv5.New(pool)
	if before, err = queueVersion(ctx, drv, schema); err != nil {
		return before, after, err
	}
	if after, err = migrateQueue(ctx, drv, schema, log); err != nil {
		return before, after, err
	}
	return before, after, nil
}

// PostgresVersion reads the River migration version of the queue in schema.
func PostgresVersion(ctx context.Context, pool *pgxpool.Pool, schema string) (QueueVersion, error) {
	if pool == nil {
		return QueueVersion{}, errors.New("jobs: nil pgx pool")
	}
	return queueVersion(ctx, riverpgxv5.New(pool), schema)
}

// migrateQueue applies River's pending migrations and returns the version after.
func migrateQueue[TTx any](ctx context.Context, drv riverdriver.Driver[TTx], schema string, log *slog.Logger) (QueueVersion, error) {
	if log == nil {
		log = slog.Default()
	}
	mig, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: log, Schema: schema})
	if err != nil {
		return QueueVersion{}, fmt.Errorf("jobs: migrator: %w", err)
	}
	if _, err := mig.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return QueueVersion{}, fmt.Errorf("jobs: migrate queue: %w", err)
	}
	return queueVersion(ctx, drv, schema)
}

// checkQueue refuses a queue not at this build's River version.
func checkQueue[TTx any](ctx context.Context, drv riverdriver.Driver[TTx], schema string) error {
	v, err := queueVersion(ctx, drv, schema)
	if err != nil {
		return err
	}
	where := "the search path"
	if schema != "" {
		where = fmt.Sprintf("schema %q", schema)
	}
	switch {
	case v.Current == 0:
		return queueSchemaError(fmt.Sprintf("jobs: River's tables are missing in %s (job queue not migrated)", where))
	case v.Current < v.Latest:
		return queueSchemaError(fmt.Sprintf("jobs: the job queue in %s is at River migration %d, this build needs %d", where, v.Current, v.Latest))
	}
	return nil
}

// queueVersion reads the applied and known River migration versions. A
// queue migrated by a newer River (a version this build lacks) is an
// ErrQueueSchema.
func queueVersion[TTx any](ctx context.Context, drv riverdriver.Driver[TTx], schema string) (QueueVersion, error) {
	// A discarding logger: New logs nothing useful, and rivermigrate's
	// default writes to stdout, which is a command's output.
	mig, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler), Schema: schema})
	if err != nil {
		return QueueVersion{}, fmt.Errorf("jobs: migrator: %w", err)
	}
	var v QueueVersion
	if all := mig.AllVersions(); len(all) > 0 {
		v.Latest = all[len(all)-1].Version
	}
	existing, err := mig.ExistingVersions(ctx)
	if err != nil {
		if _, verr := mig.Validate(ctx, nil); verr == nil {
			// Readable, yet ExistingVersions failed: it names a version
			// this build does not have.
			return v, queueSchemaError(fmt.Sprintf("jobs: the job queue has River migrations newer than this build knows (%v): upgrade", err))
		}
		return v, fmt.Errorf("jobs: read queue version: %w", err)
	}
	if len(existing) > 0 {
		v.Current = slices.MaxFunc(existing, func(a, b rivermigrate.Migration) int { return a.Version - b.Version }).Version
	}
	return v, nil
}

// queueSchemaError is a one-line message that still matches ErrQueueSchema.
type queueSchemaError string

func (e queueSchemaError) Error() string        { return string(e) }
func (e queueSchemaError) Is(target error) bool { return target == ErrQueueSchema }
