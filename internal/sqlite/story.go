package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/newstrace/newstrace"
)

const storyColumns = `id, title, COALESCE(root_document_id, 0), created_at, updated_at`

const qStories = `SELECT ` + storyColumns + ` FROM stories ORDER BY latest_at DESC, id DESC LIMIT ? OFFSET ?`

// Stories lists stories newest first (by their latest document), each with
// its documents (oldest first), edges and counts.
func (db *DB) Stories(ctx context.Context, f newstrace.StoryFilter) ([]newstrace.Story, error) {
	limit, offset := limitOffset(f.Limit, f.Offset, 50)
	var out []newstrace.Story
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, qStories, limit, offset)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s, err := scanStory(rows)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
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
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		s, err = scanStory(tx.QueryRowContext(ctx, `SELECT `+storyColumns+` FROM stories WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
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
// queries, whatever the number of stories. Batches stay under SQLite's
// host-parameter limit.
func fillStories(ctx context.Context, tx *sql.Tx, ss []newstrace.Story) error {
	const batch = 500
	for start := 0; start < len(ss); start += batch {
		if err := fillBatch(ctx, tx, ss[start:min(start+batch, len(ss))]); err != nil {
			return err
		}
	}
	return nil
}

func fillBatch(ctx context.Context, tx *sql.Tx, ss []newstrace.Story) error {
	if len(ss) == 0 {
		return nil
	}
	byID := make(map[int64]*newstrace.Story, len(ss))
	args := make([]any, len(ss))
	for i := range ss {
		byID[ss[i].ID] = &ss[i]
		args[i] = ss[i].ID
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(ss)), ",") + ")"

	docs, err := queryDocuments(ctx, tx, `SELECT `+documentColumns+documentFrom+`WHERE d.story_id IN `+in+`
		ORDER BY d.story_id, `+documentSort+`, d.id`, args...)
	if err != nil {
		return fmt.Errorf("load story documents: %w", err)
	}
	for _, d := range docs {
		s := byID[d.StoryID]
		s.Documents = append(s.Documents, d)
		s.DocumentCount++
	}

	rows, err := tx.QueryContext(ctx, `SELECT story_id, COALESCE(from_id, 0), from_outlet, to_id, kind, confidence, evidence
		FROM edges WHERE story_id IN `+in+` ORDER BY story_id, id`, args...)
	if err != nil {
		return fmt.Errorf("load story edges: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var storyID int64
		var e newstrace.Edge
		if err := rows.Scan(&storyID, &e.FromID, &e.FromOutlet, &e.ToID, &e.Kind, &e.Confidence, &e.Evidence); err != nil {
			return fmt.Errorf("load story edges: %w", err)
		}
		byID[storyID].Edges = append(byID[storyID].Edges, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load story edges: %w", err)
	}
	rows.Close()

	// Sources: every sighting's source plus each document's first source.
	rows, err = tx.QueryContext(ctx, `SELECT story_id, COUNT(DISTINCT source_id) FROM (
			SELECT d.story_id, g.source_id FROM documents d JOIN sightings g ON g.document_id = d.id
			WHERE d.story_id IN `+in+`
			UNION ALL
			SELECT d.story_id, d.source_id FROM documents d WHERE d.story_id IN `+in+`
		) WHERE source_id IS NOT NULL GROUP BY story_id`, append(args, args...)...)
	if err != nil {
		return fmt.Errorf("count story sources: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var storyID int64
		var n int
		if err := rows.Scan(&storyID, &n); err != nil {
			return fmt.Errorf("count story sources: %w", err)
		}
		byID[storyID].SourceCount = n
	}
	if err := rows.Err(); err != nil {
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
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM stories WHERE id = ?`, storyID, "story"); err != nil {
			return err
		}
		for _, id := range []int64{e.FromID, e.ToID} {
			if id == 0 {
				continue // an outlet-only origin (FromOutlet)
			}
			if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM documents WHERE id = ?`, id, "document"); err != nil {
				return err
			}
		}
		now := formatTime(db.now())
		// Document edges are keyed (from_id, to_id, kind), outlet edges
		// (from_outlet, to_id, kind) through a partial index (migration 0003).
		conflict := `(from_id, to_id, kind)`
		outlet := ""
		if e.FromID == 0 {
			conflict, outlet = `(from_outlet, to_id, kind) WHERE from_id IS NULL`, e.FromOutlet
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO edges (story_id, from_id, from_outlet, to_id, kind, confidence, evidence, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT `+conflict+` DO UPDATE SET story_id = excluded.story_id,
				confidence = excluded.confidence, evidence = excluded.evidence`,
			storyID, nullID(e.FromID), outlet, e.ToID, string(e.Kind), e.Confidence, e.Evidence, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE stories SET updated_at = ? WHERE id = ?`, now, storyID)
		return err
	})
	if err != nil {
		return fmt.Errorf("add edge %d->%d to story %d: %w", e.FromID, e.ToID, storyID, err)
	}
	return nil
}

func mustExist(ctx context.Context, tx *sql.Tx, query string, id int64, what string) error {
	var n int
	if err := tx.QueryRowContext(ctx, query, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return newstrace.Errorf(newstrace.ENOTFOUND, "%s %d not found", what, id)
	}
	return nil
}

func scanStory(r scanner) (newstrace.Story, error) {
	var s newstrace.Story
	var created, updated string
	if err := r.Scan(&s.ID, &s.Title, &s.RootDocumentID, &created, &updated); err != nil {
		return s, err
	}
	var err error
	if s.CreatedAt, err = parseTime(created); err != nil {
		return s, err
	}
	s.UpdatedAt, err = parseTime(updated)
	return s, err
}
