package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/newstrace/newstrace/internal/metrics"
)

// DepthStates are the job states QueueDepth counts: work waiting or under way.
var DepthStates = []string{"available", "scheduled", "retryable", "running"}

// Depth is the number of jobs per queue and state: Depth{"poll", "available"}.
type Depth = map[[2]string]int

// depthSQL counts waiting and running jobs. River's fetch index leads with
// (state, queue), so this reads index entries only for live jobs, never the
// completed rows kept for a day.
const depthSQL = `SELECT queue, state, count(*) FROM %sriver_job
WHERE state IN ('available', 'scheduled', 'retryable', 'running')
GROUP BY queue, state`

// QueueDepth counts the jobs waiting (available, scheduled, retryable) and
// running in each queue. Every state of the Runner's own queues is present,
// zero when empty, so a scrape always sees the same series.
func (r *Runner) QueueDepth(ctx context.Context) (Depth, error) {
	if r.depth == nil {
		return nil, errors.New("jobs: queue depth: no queue database")
	}
	d := Depth{}
	for _, q := range []string{queuePoll, queueProcess} {
		for _, s := range DepthStates {
			d[[2]string{q, s}] = 0
		}
	}
	if err := r.depth(ctx, d); err != nil {
		return nil, fmt.Errorf("jobs: queue depth: %w", err)
	}
	return d, nil
}

// Gauges reads QueueDepth as newstrace_queue_jobs{queue, state}, sorted by
// queue then state; it is a metrics.GaugeFunc for the /metrics scrape.
func (r *Runner) Gauges(ctx context.Context) ([]metrics.Gauge, error) {
	d, err := r.QueueDepth(ctx)
	if err != nil {
		return nil, err
	}
	keys := slices.SortedFunc(maps.Keys(d), func(a, b [2]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	gs := make([]metrics.Gauge, 0, len(keys))
	for _, k := range keys {
		gs = append(gs, metrics.Gauge{
			Name:   "newstrace_queue_jobs",
			Help:   "Jobs in the work queue by queue and state (available, scheduled, retryable, running).",
			Labels: []metrics.Label{{Name: "queue", Value: k[0]}, {Name: "state", Value: k[1]}},
			Value:  float64(d[k]),
		})
	}
	return gs, nil
}

// sqliteDepth counts on the queue's own SQLite file.
func sqliteDepth(db *sql.DB) func(context.Context, Depth) error {
	return func(ctx context.Context, d Depth) error {
		rows, err := db.QueryContext(ctx, fmt.Sprintf(depthSQL, ""))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var q, s string
			var n int
			if err := rows.Scan(&q, &s, &n); err != nil {
				return err
			}
			d[[2]string{q, s}] = n
		}
		return rows.Err()
	}
}

// pgDepth counts on PostgreSQL, in schema when given.
func pgDepth(pool *pgxpool.Pool, schema string) func(context.Context, Depth) error {
	prefix := ""
	if schema != "" {
		prefix = pgx.Identifier{schema}.Sanitize() + "."
	}
	return func(ctx context.Context, d Depth) error {
		rows, err := pool.Query(ctx, fmt.Sprintf(depthSQL, prefix))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var q, s string
			var n int64
			if err := rows.Scan(&q, &s, &n); err != nil {
				return err
			}
			d[[2]string{q, s}] = int(n)
		}
		return rows.Err()
	}
}
