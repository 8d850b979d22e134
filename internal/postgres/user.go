package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace"
)

const userColumns = `u.id, u.name, u.password_hash, u.created_at`

// CreateUser inserts u, filling u.ID and u.CreatedAt; a taken name is ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, u *newstrace.User) error {
	if u == nil || strings.TrimSpace(u.Name) == "" {
		return newstrace.Errorf(newstrace.EINVALID, "user name required")
	}
	out := *u
	if out.CreatedAt.IsZero() {
		out.CreatedAt = db.now()
	}
	out.CreatedAt = stored(out.CreatedAt)
	err := db.pool.QueryRow(ctx, `INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING RETURNING id`,
		out.Name, out.PasswordHash, out.CreatedAt).Scan(&out.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		err = newstrace.Errorf(newstrace.ECONFLICT, "user already exists: %s", out.Name)
	}
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Name, err)
	}
	*u = out
	return nil
}

// UserByName returns the user called name.
func (db *DB) UserByName(ctx context.Context, name string) (newstrace.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return newstrace.User{}, newstrace.Errorf(newstrace.ENOTFOUND, "user %s not found", name)
	} else if err != nil {
		return newstrace.User{}, fmt.Errorf("get user %s: %w", name, err)
	}
	return u, nil
}

// User returns the user with id.
func (db *DB) User(ctx context.Context, id int64) (newstrace.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return newstrace.User{}, newstrace.Errorf(newstrace.ENOTFOUND, "user %d not found", id)
	} else if err != nil {
		return newstrace.User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// CountUsers counts local accounts.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CreateToken stores t (its hash only), filling t.ID and t.CreatedAt.
func (db *DB) CreateToken(ctx context.Context, t *newstrace.Token) error {
	if t == nil || t.Hash == "" {
		return newstrace.Errorf(newstrace.EINVALID, "token hash required")
	}
	out := *t
	if out.CreatedAt.IsZero() {
		out.CreatedAt = db.now()
	}
	out.CreatedAt = stored(out.CreatedAt)
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := mustExist(ctx, tx, `SELECT count(*) FROM users WHERE id = $1`, out.UserID, "user"); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO tokens (user_id, name, hash, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (hash) DO NOTHING RETURNING id`,
			out.UserID, out.Name, out.Hash, out.CreatedAt).Scan(&out.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return newstrace.Errorf(newstrace.ECONFLICT, "token already exists")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create token %q for user %d: %w", t.Name, t.UserID, err)
	}
	*t = out
	return nil
}

// UserByTokenHash returns the owner of the token with hash.
func (db *DB) UserByTokenHash(ctx context.Context, hash string) (newstrace.User, error) {
	if hash == "" {
		return newstrace.User{}, newstrace.Errorf(newstrace.ENOTFOUND, "token not found")
	}
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+`
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return newstrace.User{}, newstrace.Errorf(newstrace.ENOTFOUND, "token not found")
	} else if err != nil {
		return newstrace.User{}, fmt.Errorf("get user by token: %w", err)
	}
	return u, nil
}

func scanUser(r pgx.Row) (newstrace.User, error) {
	var u newstrace.User
	err := r.Scan(&u.ID, &u.Name, &u.PasswordHash, &u.CreatedAt)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}
