package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// scheduleWorker turns due feeds into poll jobs.
type scheduleWorker struct {
	river.WorkerDefaults[scheduleArgs]
	r *Runner
}

func (w *scheduleWorker) Timeout(*river.Job[scheduleArgs]) time.Duration { return scheduleTimeout }

func (w *scheduleWorker) Work(ctx context.Context, _ *river.Job[scheduleArgs]) error {
	ids, err := w.r.work.DueFeeds(ctx, time.Now())
	if err != nil {
		return fmt.Errorf("list due feeds: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: pollArgs{FeedID: id}}
	}
	res, err := w.r.client.InsertMany(ctx, params)
	if err != nil {
		return fmt.Errorf("queue polls of %d due feeds: %w", len(ids), err)
	}
	w.r.log.DebugContext(ctx, "polls queued", slog.Int("due", len(ids)), slog.Int("queued", inserted(res)))
	return nil
}

// pollWorker polls one feed and queues its new entries.
type pollWorker struct {
	river.WorkerDefaults[pollArgs]
	r *Runner
}

func (w *pollWorker) Timeout(*river.Job[pollArgs]) time.Duration { return w.r.cfg.PollTimeout }

func (w *pollWorker) Work(ctx context.Context, job *river.Job[pollArgs]) error {
	feedID := job.Args.FeedID
	entries, err := w.r.work.PollFeed(ctx, feedID)
	if err != nil {
		return withCtxErr(ctx, fmt.Errorf("poll feed %d: %w", feedID, err))
	}
	params := make([]river.InsertManyParams, 0, len(entries))
	for i, e := range entries {
		// A bad entry must not sink the batch: River marshals args and
		// would reject all of them.
		if !json.Valid(e) {
			w.r.log.WarnContext(ctx, "skipping invalid entry JSON", slog.Int64("feed_id", feedID), slog.Int("index", i))
			continue
		}
		params = append(params, river.InsertManyParams{Args: processArgs{FeedID: feedID, Entry: e}})
	}
	if len(params) == 0 {
		return nil
	}
	res, err := w.r.client.InsertMany(ctx, params)
	if err != nil {
		return fmt.Errorf("queue %d entries of feed %d: %w", len(params), feedID, err)
	}
	w.r.log.DebugContext(ctx, "entries queued", slog.Int64("feed_id", feedID), slog.Int("queued", inserted(res)))
	return nil
}

// processWorker processes one entry.
type processWorker struct {
	river.WorkerDefaults[processArgs]
	r *Runner
}

func (w *processWorker) Timeout(*river.Job[processArgs]) time.Duration {
	return w.r.cfg.ProcessTimeout
}

func (w *processWorker) Work(ctx context.Context, job *river.Job[processArgs]) error {
	if err := w.r.work.ProcessEntry(ctx, job.Args.FeedID, job.Args.Entry); err != nil {
		return withCtxErr(ctx, fmt.Errorf("process entry of feed %d (attempt %d/%d): %w",
			job.Args.FeedID, job.Attempt, job.MaxAttempts, err))
	}
	return nil
}

// withCtxErr makes sure a job's error says so when its context ended: River
// puts a job cut short by a stop back as available without counting the
// attempt, but only if the error unwraps to context.Canceled, which an error
// built from a message (a failed fetch, a store error) may not.
func withCtxErr(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if cerr == nil || errors.Is(err, cerr) {
		return err
	}
	return fmt.Errorf("%w (%w)", err, cerr)
}

func inserted(res []*rivertype.JobInsertResult) int {
	n := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n
}
