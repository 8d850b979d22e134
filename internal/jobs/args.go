package jobs

import (
	"encoding/json"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

const (
	queuePoll    = "poll"    // scheduling and feed polls: short, must not wait behind article fetches
	queueProcess = "process" // article fetch+extract+store: slow, many

	kindSchedule = "schedule_polls"
	kindPoll     = "poll_feed"
	kindProcess  = "process_entry"
)

// pendingStates makes a job unique while it waits or runs. Completed and
// discarded jobs are left out so the same work can be queued again later.
var pendingStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

// scheduleArgs asks which feeds are due and queues their polls.
type scheduleArgs struct{}

func (scheduleArgs) Kind() string { return kindSchedule }

func (scheduleArgs) InsertOpts() river.InsertOpts {
	// One attempt: the next tick is the retry. Unique so ticks don't pile up
	// behind busy poll workers.
	return river.InsertOpts{Queue: queuePoll, MaxAttempts: 1,
		UniqueOpts: river.UniqueOpts{ByState: pendingStates}}
}

// pollArgs polls one feed.
type pollArgs struct {
	FeedID int64 `json:"feed_id"`
}

func (pollArgs) Kind() string { return kindPoll }

func (pollArgs) InsertOpts() river.InsertOpts {
	// One attempt: a failed poll is recorded on the feed, whose own backoff
	// (feed.NextPoll) decides when DueFeeds offers it again.
	return river.InsertOpts{Queue: queuePoll, MaxAttempts: 1,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// processArgs processes one feed entry.
type processArgs struct {
	FeedID int64           `json:"feed_id"`
	Entry  json.RawMessage `json:"entry"`
}

func (processArgs) Kind() string { return kindProcess }

func (processArgs) InsertOpts() river.InsertOpts {
	// Unique while pending so a feed polled again before its entries were
	// processed doesn't fetch the same article twice.
	return river.InsertOpts{Queue: queueProcess, MaxAttempts: 5,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// scheduleTimeout bounds one DueFeeds call plus the inserts that follow it.
const scheduleTimeout = time.Minute
