package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/feed"
	"github.com/newstrace/newstrace/internal/fetch"
	"github.com/newstrace/newstrace/internal/pipeline"
	"github.com/newstrace/newstrace/internal/sqlite"
	"github.com/newstrace/newstrace/internal/webhook"
)

// Main holds the settings shared by every sub-command and the process's I/O.
type Main struct {
	DB           string
	DataDir      string
	AllowPrivate bool
	LogLevel     string

	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time

	// OnListen, when set, is told the address serve listens on (tests use :0).
	OnListen func(addr string)

	logger *slog.Logger
	hooks  *webhook.Notifier // set by pipeline; Run waits for its deliveries
}

// NewMain returns a Main reading the process's environment.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
}

// flagSet returns a flag set that also carries the global flags, so they work
// before or after the command name. Environment variables give the defaults.
func (m *Main) flagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	env := m.Getenv
	if m.DB == "" {
		m.DB = env("NEWSTRACE_DB")
	}
	if m.DataDir == "" {
		m.DataDir = env("NEWSTRACE_DATA")
	}
	if v := env("NEWSTRACE_ALLOW_PRIVATE"); v != "" && v != "0" && !strings.EqualFold(v, "false") {
		m.AllowPrivate = true
	}
	if m.LogLevel == "" {
		m.LogLevel = env("NEWSTRACE_LOG_LEVEL")
	}
	fs.StringVar(&m.DB, "db", m.DB, "database: sqlite:PATH or a postgres:// URL (env NEWSTRACE_DB; default: SQLite file in --data)")
	fs.StringVar(&m.DataDir, "data", m.DataDir, "data directory for the embedded database and files (env NEWSTRACE_DATA; default ./newstrace-data)")
	fs.BoolVar(&m.AllowPrivate, "allow-private", m.AllowPrivate, "allow fetching loopback, private and link-local addresses (env NEWSTRACE_ALLOW_PRIVATE=1)")
	fs.StringVar(&m.LogLevel, "log-level", m.LogLevel, "log level: debug, info, warn, error (env NEWSTRACE_LOG_LEVEL)")
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "Usage: newstrace %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

func (m *Main) dataDir() string {
	if m.DataDir == "" {
		return "newstrace-data"
	}
	return m.DataDir
}

// log returns the process logger; defaultLevel applies unless --log-level says otherwise.
func (m *Main) log(defaultLevel slog.Level) *slog.Logger {
	if m.logger != nil {
		return m.logger
	}
	level := defaultLevel
	if m.LogLevel != "" {
		if err := level.UnmarshalText([]byte(m.LogLevel)); err != nil {
			level = defaultLevel
		}
	}
	m.logger = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level}))
	return m.logger
}

// openStore opens the configured store, creating the data directory for the
// embedded default.
func (m *Main) openStore(ctx context.Context) (newstrace.Store, error) {
	dsn := m.DB
	switch {
	case dsn == "":
		dir := m.dataDir()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		dsn = "sqlite:" + filepath.Join(dir, "newstrace.db")
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return nil, errors.New("the PostgreSQL store is not available in this build yet; use sqlite:PATH")
	}
	path, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok {
		return nil, fmt.Errorf("unsupported --db %q: want sqlite:PATH or postgres://…", dsn)
	}
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return nil, errors.New("--db sqlite: needs a path, e.g. sqlite:./newstrace.db")
	}
	// The store logs through the default logger: keep it at the command's level.
	slog.SetDefault(m.log(slog.LevelWarn))
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// fetcher returns the one outside HTTP client, honouring --allow-private.
func (m *Main) fetcher(log *slog.Logger) *fetch.Client {
	return fetch.New(fetch.Config{AllowPrivate: m.AllowPrivate, Logger: log})
}

// pipeline wires store and fetcher into the orchestrator.
func (m *Main) pipeline(store newstrace.Store, log *slog.Logger) (*pipeline.Pipeline, error) {
	hooks, err := webhook.New(webhook.Config{Store: store, AllowPrivate: m.AllowPrivate, Logger: log, Now: m.Now})
	if err != nil {
		return nil, err
	}
	m.hooks = hooks
	return pipeline.New(pipeline.Config{
		Store: store, Fetch: m.fetcher(log), Logger: log, Now: m.Now,
		Policy: feed.Policy{}, Limits: feed.Limits{},
		ShortLinks: pipeline.NewShortLinks(0, 0), // only feed entries resolve: they are fetched anyway
		OnStored:   hooks.Stored,                 // webhooks
	})
}

// sessionKey loads the HMAC key for sessions from the data directory,
// creating it on first use so sessions survive restarts.
func (m *Main) sessionKey() ([]byte, error) {
	dir := m.dataDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, "session.key")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make session key: %w", err)
	}
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("save session key: %w", err)
	}
	return key, nil
}
