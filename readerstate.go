package newstrace

import (
	"context"
	"time"
)

// The team model: feeds, folders and documents are shared by every account
// on one server (a newsroom follows one set of sources); read, starred and
// tags are per account; notes are written by one account and read by all.

// ItemState filters items by the user's read state.
type ItemState string

const (
	AnyItems    ItemState = ""
	UnreadItems ItemState = "unread"
	ReadItems   ItemState = "read"
)

// ItemOrder sorts items. Time is the item time: published, else first seen.
type ItemOrder int

const (
	NewestFirst  ItemOrder = iota // time desc, id desc
	OldestFirst                   // time asc, id asc
	IDAscending                   // Fever since_id paging
	IDDescending                  // Fever max_id paging
)

// ItemFilter narrows Items for one user. An item is a document some feed
// brought (ingested files have no feed and are not items); zero values mean "any".
type ItemFilter struct {
	UserID  int64
	FeedID  int64
	Folder  string // feeds in this folder
	Tag     string // documents the user tagged
	Label   string // Folder or Tag: Google Reader's user/-/label/X means either
	State   ItemState
	Starred bool // only starred
	IDs     []int64
	SinceID int64     // id > SinceID
	MaxID   int64     // id < MaxID
	After   time.Time // item time >= After
	Before  time.Time // item time < Before
	Order   ItemOrder
	Limit   int // default 50; negative for all
	Offset  int
}

// Item is a document as a reader app sees it, with the user's state.
type Item struct {
	Document
	FeedID    int64     `json:"feed_id"`
	ReadAt    time.Time `json:"read_at,omitzero"`
	StarredAt time.Time `json:"starred_at,omitzero"`
	Tags      []string  `json:"tags"`
}

// ItemRef is an item without its body, for id lists.
type ItemRef struct {
	ID     int64
	FeedID int64
	Time   time.Time
}

// MarkFilter selects what MarkAllRead marks; zero values mean "any".
type MarkFilter struct {
	FeedID int64
	Folder string
	Label  string // folder or the user's tag
	Tag    string
	// Before marks only documents that arrived (first seen) before it, so
	// what came in after the reader loaded the page stays unread.
	Before time.Time
	// Ingested also marks documents no feed brought (ingested files), which
	// are not reader-app items; the web reader's "mark all read" wants them.
	Ingested bool
}

// DocumentState is one user's state of one document.
type DocumentState struct {
	DocumentID int64     `json:"document_id"`
	ReadAt     time.Time `json:"read_at,omitzero"`
	StarredAt  time.Time `json:"starred_at,omitzero"`
	Tags       []string  `json:"tags"`
}

// UnreadCount is one feed's unread items for one user.
type UnreadCount struct {
	FeedID int64     `json:"feed_id"`
	Count  int       `json:"count"`
	Newest time.Time `json:"newest,omitzero"` // newest unread item time
}

// Folder is a feed folder with a stable numeric id (Fever groups need one).
type Folder struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Note is one account's note on a document or a story, visible to the team.
// Each account has at most one note per document and per story.
type Note struct {
	DocumentID int64     `json:"document_id,omitempty"`
	StoryID    int64     `json:"story_id,omitempty"`
	UserID     int64     `json:"user_id"`
	Author     string    `json:"author"` // filled on reads
	Text       string    `json:"text"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// NoteFilter narrows Notes; zero values mean "any".
type NoteFilter struct {
	DocumentID int64
	StoryID    int64
	Limit      int // default 50; negative for all
}

// ReaderStore keeps per-user reading state, tags, team notes and the Fever key.
// Every method taking a userID acts on that user's state only.
type ReaderStore interface {
	// SetRead marks documents read (now) or unread; unknown ids are ENOTFOUND.
	SetRead(ctx context.Context, userID int64, docIDs []int64, read bool) error
	// SetStarred stars (now) or unstars documents; unknown ids are ENOTFOUND.
	SetStarred(ctx context.Context, userID int64, docIDs []int64, starred bool) error
	// MarkAllRead marks every unread item matching f read and returns how many.
	MarkAllRead(ctx context.Context, userID int64, f MarkFilter) (int, error)
	// DocumentStates returns the user's state of each id that exists (unread
	// and unstarred ones too), in the order given.
	DocumentStates(ctx context.Context, userID int64, docIDs []int64) ([]DocumentState, error)

	// AddTag and RemoveTag edit the user's tags; tags are trimmed, "" is EINVALID.
	AddTag(ctx context.Context, userID int64, docIDs []int64, tag string) error
	RemoveTag(ctx context.Context, userID int64, docIDs []int64, tag string) error
	// Tags lists the user's tags, sorted.
	Tags(ctx context.Context, userID int64) ([]string, error)

	Items(ctx context.Context, f ItemFilter) ([]Item, error)
	ItemRefs(ctx context.Context, f ItemFilter) ([]ItemRef, error)
	// CountItems counts what Items would return without Limit and Offset.
	CountItems(ctx context.Context, f ItemFilter) (int, error)
	UnreadCounts(ctx context.Context, userID int64) ([]UnreadCount, error)
	// Folders lists folders that hold at least one feed, by name; a folder
	// keeps its id for good.
	Folders(ctx context.Context) ([]Folder, error)

	// SetNote writes n.UserID's note on n.DocumentID or n.StoryID (exactly
	// one); empty text deletes it. It returns the note as stored.
	SetNote(ctx context.Context, n Note) (Note, error)
	// Notes lists notes of every author, newest first.
	Notes(ctx context.Context, f NoteFilter) ([]Note, error)

	// SetFeverKey stores the hash of the user's Fever api_key (the Fever
	// protocol authenticates with md5("name:password"), which bcrypt cannot
	// answer, so the key is kept beside the password hash).
	SetFeverKey(ctx context.Context, userID int64, keyHash string) error
	UserByFeverKey(ctx context.Context, keyHash string) (User, error)
}
