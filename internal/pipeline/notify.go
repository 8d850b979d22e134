package pipeline

import (
	"context"

	"github.com/newstrace/newstrace"
)

// stored tells Config.OnStored (webhooks) that a document joined its story.
func (p *Pipeline) stored(ctx context.Context, res newstrace.SaveResult) {
	if p.cfg.OnStored != nil {
		p.cfg.OnStored(ctx, res)
	}
}
