package newstrace

import (
	"context"
	"time"
)

// Webhook events.
const (
	// EventOutletAdded fires when a story gains a document from an outlet
	// it had no copy from before.
	EventOutletAdded = "story.outlet_added"
	// EventSearchMatch fires when a new document matches the webhook's query.
	EventSearchMatch = "search.match"
)

// Webhook is a URL that receives a signed JSON POST on an event.
type Webhook struct {
	ID    int64  `json:"id"`
	URL   string `json:"url"`
	Event string `json:"event"`           // EventOutletAdded or EventSearchMatch
	Query string `json:"query,omitempty"` // the saved search, for EventSearchMatch
	// Secret keys the HMAC-SHA256 signature of every delivery. It is kept
	// in the clear: signing needs it.
	Secret       string    `json:"-"`
	AllowPrivate bool      `json:"allow_private,omitempty"` // may target private addresses
	CreatedAt    time.Time `json:"created_at"`
}

// WebhookStore keeps webhooks.
type WebhookStore interface {
	// CreateWebhook stores w (URL, Event and Secret required), filling ID and CreatedAt.
	CreateWebhook(ctx context.Context, w *Webhook) error
	// Webhooks lists every webhook, oldest first.
	Webhooks(ctx context.Context) ([]Webhook, error)
	DeleteWebhook(ctx context.Context, id int64) error
}
