// Package jobs decides when work runs: a periodic job asks which feeds are
// due, one job per feed polls it, one job per new entry processes it. What
// the work does is the pipeline's business, given here as Work.
//
// The same Runner runs on River's SQLite driver (one machine) or its
// PostgreSQL driver (many workers sharing one queue).
package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// Work is what the jobs run; the pipeline implements it.
type Work interface {
	// DueFeeds lists the feeds to poll now.
	DueFeeds(ctx context.Context, now time.Time) ([]int64, error)
	// PollFeed polls one feed and returns the new entries to process.
	PollFeed(ctx context.Context, feedID int64) ([]json.RawMessage, error)
	// ProcessEntry fetches, extracts and stores one entry. The entry is the
	// JSON PollFeed returned, equal in value but not necessarily byte for
	// byte (the queue may store it normalized).
	ProcessEntry(ctx context.Context, feedID int64, entry json.RawMessage) error
}

// Config tunes a Runner; zero values take the defaults.
type Config struct {
	ScheduleEvery  time.Duration // how often due feeds are looked up; default 30s
	PollWorkers    int           // concurrent feed polls; default 2
	ProcessWorkers int           // concurrent entry processing; default 4
	PollTimeout    time.Duration // per poll job; default 2m
	ProcessTimeout time.Duration // per entry job; default 5m
	// RescueAfter is how long a job may stay running before it is taken
	// for lost (its worker process died) and queued again for another
	// worker. It must be at least PollTimeout and ProcessTimeout, which
	// bound a live job; default the larger of them plus a minute. River's
	// rescuer looks every 30s, so a lost job runs again within about
	// RescueAfter + 30s (plus leader failover, ~15s, if the dead process
	// was the leader).
	RescueAfter time.Duration
	// SkipMigrate only checks that River's migrations are applied, and
	// refuses a queue that lacks them with an error matching
	// ErrQueueSchema, instead of applying them. For deployments that
	// migrate explicitly (PostgreSQL shared by many processes).
	SkipMigrate bool
	// RetryDelay gives the wait before retry number attempt (1 = first
	// retry) of a failed entry; nil keeps River's exponential backoff.
	RetryDelay func(attempt int) time.Duration
	// Schema is the PostgreSQL schema holding River's tables; "" uses the
	// connection's search_path. Ignored on SQLite.
	Schema string
	Logger *slog.Logger

	// fetchPoll and fetchCooldown override River's fetch pacing (tests only).
	fetchPoll, fetchCooldown time.Duration
}

func (c Config) withDefaults() Config {
	c.ScheduleEvery = cmp.Or(c.ScheduleEvery, 30*time.Second)
	c.PollWorkers = cmp.Or(c.PollWorkers, 2)
	c.ProcessWorkers = cmp.Or(c.ProcessWorkers, 4)
	c.PollTimeout = cmp.Or(c.PollTimeout, 2*time.Minute)
	c.ProcessTimeout = cmp.Or(c.ProcessTimeout, 5*time.Minute)
	c.RescueAfter = cmp.Or(c.RescueAfter, c.jobTimeout()+rescueMargin)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.ScheduleEvery < 0:
		return errors.New("negative ScheduleEvery")
	case c.PollWorkers < 0 || c.ProcessWorkers < 0:
		return errors.New("negative worker count")
	case c.PollTimeout < 0 || c.ProcessTimeout < 0 || c.RescueAfter < 0:
		return errors.New("negative timeout")
	}
	return nil
}

// validateDefaults checks what only makes sense once defaults are in.
func (c Config) validateDefaults() error {
	if c.RescueAfter < c.jobTimeout() {
		return fmt.Errorf("RescueAfter %s is shorter than the job timeout %s: a job still running would look lost",
			c.RescueAfter, c.jobTimeout())
	}
	return nil
}

// jobTimeout is the longest a poll or process job may run.
func (c Config) jobTimeout() time.Duration { return max(c.PollTimeout, c.ProcessTimeout) }

// rescueMargin is added to the job timeout for the default RescueAfter, so
// a job that is merely slow ends (times out) before it is taken for lost.
const rescueMargin = time.Minute

// queue is the part of a *river.Client[TTx] the Runner uses, so one Runner
// type serves every driver whatever its transaction type.
type queue interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Runner runs the feed jobs. Start it once; Stop it once or more.
type Runner struct {
	work   Work
	cfg    Config
	log    *slog.Logger
	client queue
	close  func() error // releases what the constructor opened; may be nil
	// depth adds the live job counts per queue and state to d.
	depth func(ctx context.Context, d Depth) error

	mu      sync.Mutex
	stopped bool
}

// newRunner builds the River client on drv after applying River's migrations.
func newRunner[TTx any](ctx context.Context, drv riverdriver.Driver[TTx], work Work, cfg Config) (*Runner, error) {
	if work == nil {
		return nil, errors.New("jobs: nil Work")
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("jobs: config: %w", err)
	}
	cfg = cfg.withDefaults()
	if err := cfg.validateDefaults(); err != nil {
		return nil, fmt.Errorf("jobs: config: %w", err)
	}
	r := &Runner{work: work, cfg: cfg, log: cfg.Logger.With(slog.String("component", "jobs"))}

	if cfg.SkipMigrate {
		if err := checkQueue(ctx, drv, cfg.Schema); err != nil {
			return nil, err
		}
	} else if _, err := migrateQueue(ctx, drv, cfg.Schema, r.log); err != nil {
		return nil, err
	}

	workers := river.NewWorkers()
	river.AddWorker(workers, &scheduleWorker{r: r})
	river.AddWorker(workers, &pollWorker{r: r})
	river.AddWorker(workers, &processWorker{r: r})

	rc := &river.Config{
		Logger: r.log,
		Queues: map[string]river.QueueConfig{
			queuePoll:    {MaxWorkers: cfg.PollWorkers, FetchPollInterval: cfg.fetchPoll},
			queueProcess: {MaxWorkers: cfg.ProcessWorkers, FetchPollInterval: cfg.fetchPoll},
		},
		Workers: workers,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(cfg.ScheduleEvery),
			func() (river.JobArgs, *river.InsertOpts) { return scheduleArgs{}, nil },
			&river.PeriodicJobOpts{ID: kindSchedule, RunOnStart: true},
		)},
		Schema: cfg.Schema,
		// Every kind has its own Timeout; this only has to be at most
		// RescueStuckJobsAfter, as River checks.
		JobTimeout: cfg.jobTimeout(),
		// A job still running after this is taken for lost (its process
		// died: SIGKILL, OOM, power) and made retryable for another worker.
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.fetchPoll,
		FetchCooldown:        cfg.fetchCooldown,
		// Rows of finished jobs are only kept for inspection. An hour: at
		// 10,000 feeds polled every 15 minutes a day would keep ~1M rows.
		CompletedJobRetentionPeriod: time.Hour,
	}
	if cfg.RetryDelay != nil {
		rc.RetryPolicy = retryPolicy{delay: cfg.RetryDelay}
	}
	client, err := river.NewClient(drv, rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: new river client: %w", err)
	}
	r.client = client
	return r, nil
}

// Start starts the workers and the periodic scheduler; it returns at once.
// Cancelling ctx later stops the runner hard (running jobs are cancelled);
// prefer Stop.
func (r *Runner) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return errors.New("jobs: start: runner was stopped")
	}
	if err := r.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	r.log.InfoContext(ctx, "jobs started",
		slog.Duration("schedule_every", r.cfg.ScheduleEvery),
		slog.Int("poll_workers", r.cfg.PollWorkers),
		slog.Int("process_workers", r.cfg.ProcessWorkers),
		slog.Duration("rescue_after", r.cfg.RescueAfter))
	return nil
}

// Stop takes no new jobs and waits for running ones to finish. If ctx ends
// first, running jobs are cancelled and given a few seconds to return;
// River puts a job cancelled this way back as available, its attempt not
// counted, for this or another worker to run again. Stop then releases the
// queue's database when the Runner opened it. Calling Stop again, or on a
// Runner never started, is harmless.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return nil
	}
	r.stopped = true

	err := r.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		r.log.WarnContext(ctx, "jobs soft stop timed out; cancelling running jobs")
		hardCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err = r.client.StopAndCancel(hardCtx)
		cancel()
	}
	if err != nil {
		err = fmt.Errorf("jobs: stop: %w", err)
	}
	if r.close != nil {
		if cerr := r.close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("jobs: close queue: %w", cerr))
		}
	}
	return err
}

// EnqueuePoll asks for feedID to be polled now, e.g. right after it was
// added. It does nothing when a poll of that feed is already pending or
// running. It works before Start too; the job then waits for a worker.
func (r *Runner) EnqueuePoll(ctx context.Context, feedID int64) error {
	res, err := r.client.Insert(ctx, pollArgs{FeedID: feedID}, nil)
	if err != nil {
		return fmt.Errorf("jobs: enqueue poll of feed %d: %w", feedID, err)
	}
	if res.UniqueSkippedAsDuplicate {
		r.log.DebugContext(ctx, "poll already pending", slog.Int64("feed_id", feedID))
	}
	return nil
}

// retryPolicy adapts Config.RetryDelay to River.
type retryPolicy struct {
	delay func(attempt int) time.Duration
}

func (p retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	// job.Attempt counts the attempt that just failed.
	return time.Now().Add(max(p.delay(job.Attempt), 0))
}
