package pipeline

// pollOutcome names a poll's result for metrics.Polls.
func pollOutcome(res PollResult, err error) string {
	switch {
	case err != nil:
		return "error"
	case res.NotModified:
		return "not_modified"
	}
	return "ok"
}
