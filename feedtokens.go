package newstrace

import (
	"context"
	"time"
)

// FeedToken is a secret that opens one private outgoing feed (in every
// format) to a feed reader that cannot sign in. Only its hash is stored.
type FeedToken struct {
	ID     int64 `json:"id"`
	UserID int64 `json:"user_id"`
	// Feed is the feed's path without its format extension, e.g.
	// "/feeds/stories" or "/feeds/sources/3".
	Feed      string    `json:"feed"`
	Hash      string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// FeedTokenStore keeps per-feed secret tokens.
type FeedTokenStore interface {
	// CreateFeedToken stores t (its hash; Feed and UserID required),
	// filling t.ID and t.CreatedAt.
	CreateFeedToken(ctx context.Context, t *FeedToken) error
	// FeedTokenByHash finds a token by its hash; ENOTFOUND when none.
	FeedTokenByHash(ctx context.Context, hash string) (FeedToken, error)
	// FeedTokens lists the user's tokens, oldest first.
	FeedTokens(ctx context.Context, userID int64) ([]FeedToken, error)
	// DeleteFeedToken revokes one of the user's tokens; ENOTFOUND when the
	// user has no token with id.
	DeleteFeedToken(ctx context.Context, userID, id int64) error
}
