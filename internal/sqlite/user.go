package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

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
	out.CreatedAt = out.CreatedAt.UTC()
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) RETURNING id`,
			out.Name, out.PasswordHash, formatTime(out.CreatedAt)).Scan(&out.ID)
		if isUnique(err) {
			return newstrace.Errorf(newstrace.ECONFLICT, "user already exists: %s", out.Name)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Name, err)
	}
	*u = out
	return nil
}

// UserByName returns the user called name.
func (db *DB) UserByName(ctx context.Context, name string) (newstrace.User, error) {
	u, err := scanUser(db.reader.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return newstrace.User{}, newstrace.Errorf(newstrace.ENOTFOUND, "user %s not found", name)
	} else if err != nil {
		return newstrace.User{}, fmt.Errorf("get user %s: %w", name, err)
	}
	return u, nil
}

// User returns the user with id.
func (db *DB) User(ctx context.Context, id int64) (newstrace.User, error) {
	u, err := scanUser(db.reader.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return newstrace.User{}, newstrace.Errorf(newstrace.ENOTFOUND, "user %d not found", id)
	} else if err != nil {
		return newstrace.User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// CountUsers counts local accounts.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
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
	out.CreatedAt = out.CreatedAt.UTC()
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM users WHERE id = ?`, out.UserID, "user"); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO tokens (user_id, name, hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			out.UserID, out.Name, out.Hash, formatTime(out.CreatedAt)).Scan(&out.ID)
		if isUnique(err) {
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
	u, err := scanUser(db.reader.QueryRowContext(ctx, `SELECT `+userColumns+`
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) || hash == "" {
		return newstrace.User{}, newstrace.Errorf(newstrace.ENOTFOUND, "token not found")
	} else if err != nil {
		return newstrace.User{}, fmt.Errorf("get user by token: %w", err)
	}
	return u, nil
}

func scanUser(r scanner) (newstrace.User, error) {
	var u newstrace.User
	var created string
	if err := r.Scan(&u.ID, &u.Name, &u.PasswordHash, &created); err != nil {
		return u, err
	}
	var err error
	u.CreatedAt, err = parseTime(created)
	return u, err
}
