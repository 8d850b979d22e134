package ingest

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress reports on a terminal with a bar, elsewhere with one line at the end.
type progress struct {
	w   io.Writer
	bar *progressbar.ProgressBar // nil when not on a terminal
}

func newProgress(w io.Writer, terminal bool, total int) *progress {
	p := &progress{w: w}
	if w != nil && terminal && total > 0 {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("ingest"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

func (p *progress) step() {
	if p.bar != nil {
		_ = p.bar.Add(1) // a failed terminal write must not stop the ingest
	}
}

// finish clears the bar and prints the summary line.
func (p *progress) finish(s Summary) {
	if p.w == nil {
		return
	}
	if p.bar != nil {
		_ = p.bar.Finish()
	}
	fmt.Fprintln(p.w, s.String())
}

// abort leaves the bar where it stopped, on its own line.
func (p *progress) abort() {
	if p.bar != nil {
		_ = p.bar.Exit()
		fmt.Fprintln(p.w)
	}
}
