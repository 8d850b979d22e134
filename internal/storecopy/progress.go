package storecopy

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows one table's copy: a bar with rows and rows/s on a
// terminal, else a plain line every ProgressEvery and one at the end.
type progress struct {
	w           io.Writer
	table       string
	done, total int64
	copied      int64 // by this run
	start, last time.Time
	every       time.Duration
	bar         *progressbar.ProgressBar
	now         func() time.Time
}

func (c *copier) newProgress(table string, done, total int64) *progress {
	p := &progress{w: c.cfg.Progress, table: table, done: done, total: total,
		every: c.cfg.ProgressEvery, now: c.now}
	p.start, p.last = p.now(), p.now()
	if p.w == nil || total <= done {
		p.w = nil // nothing to copy: the report says so
		return p
	}
	if !c.cfg.Terminal && done > 0 {
		fmt.Fprintf(p.w, "copy %s: resuming, %d of %d rows already copied\n", table, done, total)
	}
	if c.cfg.Terminal {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(fmt.Sprintf("%-18s", table)),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
		)
		_ = p.bar.Set64(done) // a failed terminal write must not stop the copy
	}
	return p
}

func (p *progress) add(n int) {
	p.done += int64(n)
	p.copied += int64(n)
	if p.bar != nil {
		_ = p.bar.Add(n)
		return
	}
	if now := p.now(); p.w != nil && now.Sub(p.last) >= p.every {
		p.last = now
		fmt.Fprintf(p.w, "copy %s: %d/%d rows (%s)\n", p.table, p.done, p.total, p.rate(now))
	}
}

func (p *progress) rate(now time.Time) string {
	d := now.Sub(p.start)
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f rows/s", float64(p.copied)/d.Seconds())
}

// finish ends the table's line; copied is what this run wrote.
func (p *progress) finish(copied int64) {
	if p.w == nil {
		return
	}
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
		return
	}
	d := p.now().Sub(p.start)
	fmt.Fprintf(p.w, "copy %s: %d rows, %d copied in %s (%.0f rows/s)\n",
		p.table, p.done, copied, d.Round(time.Millisecond), float64(copied)/max(d.Seconds(), 1e-9))
}

// abort leaves the bar where it stopped, on its own line.
func (p *progress) abort() {
	if p.bar != nil {
		_ = p.bar.Exit()
		fmt.Fprintln(p.w)
	}
}
