package newstrace

import (
	"context"
	"time"
)

// Store is the persistence seam. The SQLite backend implements it now, the
// PostgreSQL backend later; both must pass the storetest conformance suite.
// Every "not found" is an *Error with ENOTFOUND, never (nil, nil).
type Store interface {
	SourceStore
	FeedStore
	DocumentStore
	StoryStore
	MatchStore
	UserStore
	SearchStore
	ReaderStore
	BoilerplateStore
	FeedTokenStore
	WebhookStore
	CountStore
	// Ping checks that the store answers (for /healthz).
	Ping(ctx context.Context) error
	Close() error
}

// SourceStore keeps outlets.
type SourceStore interface {
	// EnsureSource returns the source with s.Name, creating it from s if none exists.
	EnsureSource(ctx context.Context, s Source) (Source, error)
	Source(ctx context.Context, id int64) (Source, error)
	Sources(ctx context.Context) ([]Source, error)
}

// FeedStore keeps subscriptions and their polling state.
type FeedStore interface {
	// CreateFeed inserts f (URL must be unique: ECONFLICT otherwise). When
	// f.SourceID is 0 a source named after f.Title (or the URL's host) is ensured.
	CreateFeed(ctx context.Context, f *Feed) error
	Feed(ctx context.Context, id int64) (Feed, error)
	FeedByURL(ctx context.Context, url string) (Feed, error)
	Feeds(ctx context.Context) ([]Feed, error)
	// DueFeeds lists feeds whose NextPollAt <= now, oldest first, at most limit.
	DueFeeds(ctx context.Context, now time.Time, limit int) ([]Feed, error)
	// UpdateFeed writes every mutable field of f (title, site, folder,
	// URL for remembered permanent redirects, validators, poll state, error).
	UpdateFeed(ctx context.Context, f Feed) error
	DeleteFeed(ctx context.Context, id int64) error
}

// SaveResult says what SaveDocument did.
type SaveResult struct {
	Document Document // as stored (ID, StoryID set)
	Created  bool     // false when an existing document matched
}

// DocumentFilter narrows Documents; zero values mean "any".
type DocumentFilter struct {
	FeedID   int64
	SourceID int64
	StoryID  int64
	Limit    int // default 50
	Offset   int
}

// DocumentStore keeps documents and the sightings that brought them.
type DocumentStore interface {
	// SaveDocument stores d unless a document with the same canonical URL or
	// the same content hash exists, in which case that document is returned
	// (Created=false) and an EdgeDuplicate edge is not needed. Either way the
	// sighting is recorded (its DocumentID is filled in). A new document gets a
	// new story unless one of its exact duplicates already has one.
	SaveDocument(ctx context.Context, d Document, s Sighting) (SaveResult, error)
	Document(ctx context.Context, id int64) (Document, error)
	DocumentByURL(ctx context.Context, url string) (Document, error)
	Documents(ctx context.Context, f DocumentFilter) ([]Document, error)
	Sightings(ctx context.Context, documentID int64) ([]Sighting, error)
	// SeenEntry reports whether the feed already recorded a sighting with this entry key.
	SeenEntry(ctx context.Context, feedID int64, entryKey string) (bool, error)
	CountDocuments(ctx context.Context) (int, error)
}

// StoryFilter narrows Stories.
type StoryFilter struct {
	Limit  int // default 50; negative for all
	Offset int
}

// StoryStore keeps stories with their documents and edges.
type StoryStore interface {
	// Stories lists stories newest first, each with Documents and Edges filled.
	Stories(ctx context.Context, f StoryFilter) ([]Story, error)
	Story(ctx context.Context, id int64) (Story, error)
	AddEdge(ctx context.Context, storyID int64, e Edge) error
}

// UserStore keeps local accounts and API tokens.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error // ECONFLICT on a taken name
	UserByName(ctx context.Context, name string) (User, error)
	User(ctx context.Context, id int64) (User, error)
	CountUsers(ctx context.Context) (int, error)
	CreateToken(ctx context.Context, t *Token) error
	// UserByTokenHash finds the owner of a token by the token's hash.
	UserByTokenHash(ctx context.Context, hash string) (User, error)
}
