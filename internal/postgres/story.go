package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace"
)

const storyColumns = `id, title, COALESCE(root_document_id, 0), created_at, updated_at`

// A story without documents (latest_at NULL) sorts last, as the empty string does in SQLite.
const qStories = `SELECT ` + storyColumns + ` FROM stories ORDER BY latest_at DESC NULLS LAST, id DESC LIMIT $1 OFFSET $2`

// Stories lists stories newest first (by their latest document), each with
// its documents (oldest first), edges and counts.
func (db *DB) Stories(ctx context.Context, f newstrace.StoryFilter) ([]newstrace.Story, error) {
	limit, offset := limitOffset(f.Limit, f.Offset, 50)
	var out []newstrace.Story
	err := db.read(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, qStories, limit, offset)
		var err error
		if out, err = scanAll(rows, scanStory); err != nil {
			return err
		}
		return fillStories(ctx, tx, out)
	})
	if err != nil {
		return nil, fmt.Errorf("list stories: %w", err)
	}
	return out, nil
}

// Story returns one story with its documents, edges and counts.
func (db *DB) Story(ctx context.Context, id int64) (newstrace.Story, error) {
	var s newstrace.Story
	err := db.read(ctx, func(tx pgx.Tx) error {
		var err error
		s, err = scanStory(tx.QueryRow(ctx, `SELECT `+storyColumns+` FROM stories WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return newstrace.Errorf(newstrace.ENOTFOUND, "story %d not found", id)
		} else if err != nil {
			return err
		}
		ss := []newstrace.Story{s}
		err = fillStories(ctx, tx, ss)
		s = ss[0]
		return err
	})
	if err != nil {
		return newstrace.Story{}, fmt.Errorf("get story %d: %w", id, err)
	}
	return s, nil
}

// fillStories loads documents, edges and source counts for ss in three
// queries, whatever the number of stories.
func fillStories(ctx context.Context, tx pgx.Tx, ss []newstrace.Story) error {
	if len(ss) == 0 {
		return nil
	}
	byID := make(map[int64]*newstrace.Story, len(ss))
	ids := make([]int64, len(ss))
	for i := range ss {
		byID[ss[i].ID] = &ss[i]
		ids[i] = ss[i].ID
	}

	docs, err := queryDocuments(ctx, tx, `SELECT `+documentColumns+documentFrom+`WHERE d.story_id = ANY($1)
		ORDER BY d.story_id, `+documentSort+`, d.id`, ids)
	if err != nil {
		return fmt.Errorf("load story documents: %w", err)
	}
	for _, d := range docs {
		s := byID[d.StoryID]
		s.Documents = append(s.Documents, d)
		s.DocumentCount++
	}

	rows, _ := tx.Query(ctx, `SELECT story_id, COALESCE(from_id, 0), from_outlet, to_id, kind, confidence, evidence
		FROM edges WHERE story_id = ANY($1) ORDER BY story_id, id`, ids)
	var storyID int64
	var e newstrace.Edge
	_, err = pgx.ForEachRow(rows, []any{&storyID, &e.FromID, &e.FromOutlet, &e.ToID, &e.Kind, &e.Confidence, &e.Evidence}, func() error {
		byID[storyID].Edges = append(byID[storyID].Edges, e)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load story edges: %w", err)
	}

	// Sources: every sighting's source plus each document's first source.
	rows, _ = tx.Query(ctx, `SELECT story_id, count(DISTINCT source_id) FROM (
			SELECT d.story_id, g.source_id FROM documents d JOIN sightings g ON g.document_id = d.id
			WHERE d.story_id = ANY($1)
			UNION ALL
			SELECT d.story_id, d.source_id FROM documents d WHERE d.story_id = ANY($1)
		) x WHERE source_id IS NOT NULL GROUP BY story_id`, ids)
	var n int
	_, err = pgx.ForEachRow(rows, []any{&storyID, &n}, func() error {
		byID[storyID].SourceCount = n
		return nil
	})
	if err != nil {
		return fmt.Errorf("count story sources: %w", err)
	}
	return nil
}

// AddEdge records a provenance edge in the story; adding the same
// (from, to, kind) again updates its confidence and evidence.
func (db *DB) AddEdge(ctx context.Context, storyID int64, e newstrace.Edge) error {
	if e.Kind == "" {
		return newstrace.Errorf(newstrace.EINVALID, "edge kind required")
	}
	if e.FromID == e.ToID {
		return newstrace.Errorf(newstrace.EINVALID, "edge from document %d to itself", e.FromID)
	}
	if e.FromID == 0 && strings.TrimSpace(e.FromOutlet) == "" {
		return newstrace.Errorf(newstrace.EINVALID, "edge to %d has neither a document nor an outlet", e.ToID)
	}
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := mustExist(ctx, tx, `SELECT count(*) FROM stories WHERE id = $1`, storyID, "story"); err != nil {
			return err
		}
		for _, id := range []int64{e.FromID, e.ToID} {
			if id == 0 {
				continue // an outlet-only origin (FromOutlet)
			}
			if err := mustExist(ctx, tx, `SELECT count(*) FROM documents WHERE id = $1`, id, "document"); err != nil {
				return err
			}
		}
		now := db.now()
		// Document edges are keyed (from_id, to_id, kind), outlet edges
		// (from_outlet, to_id, kind) through the partial index edges_outlet.
		conflict := `(from_id, to_id, kind)`
		outlet := ""
		if e.FromID == 0 {
			conflict, outlet = `(from_outlet, to_id, kind) WHERE from_id IS NULL`, e.FromOutlet
		}
		if _, err := tx.Exec(ctx, `INSERT INTO edges (story_id, from_id, from_outlet, to_id, kind, confidence, evidence, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT `+conflict+` DO UPDATE SET story_id = excluded.story_id,
				confidence = excluded.confidence, evidence = excluded.evidence`,
			storyID, nullID(e.FromID), outlet, e.ToID, string(e.Kind), e.Confidence, e.Evidence, now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE stories SET updated_at = $1 WHERE id = $2`, now, storyID)
		return err
	})
	if err != nil {
		return fmt.Errorf("add edge %d->%d to story %d: %w", e.FromID, e.ToID, storyID, err)
	}
	return nil
}

func scanStory(r pgx.Row) (newstrace.Story, error) {
	var s newstrace.Story
	err := r.Scan(&s.ID, &s.Title, &s.RootDocumentID, &s.CreatedAt, &s.UpdatedAt)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return s, err
}
