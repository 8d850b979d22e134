package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/feed"
	"github.com/newstrace/newstrace/internal/fetch"
	"github.com/newstrace/newstrace/internal/pipeline"
	"github.com/newstrace/newstrace/internal/postgres"
	"github.com/newstrace/newstrace/internal/sqlite"
	"github.com/newstrace/newstrace/internal/story/embed"
	"github.com/newstrace/newstrace/internal/webhook"
)

// Main holds the settings shared by every sub-command and the process's I/O.
type Main struct {
	DB           string
	DataDir      string
	AllowPrivate bool
	LogLevel     string
	// PGSchema is the PostgreSQL schema of the store and job queue
	// (--pg-schema); "" means public.
	PGSchema string
	// HostDelay is the least time between two requests to one host, over
	// every process sharing the store (--host-delay); unset means 1s on
	// PostgreSQL and no pacing on SQLite.
	HostDelay optDuration
	// PollInterval is how often a feed is polled when it says nothing
	// longer (--poll-interval; 0 keeps feed.DefaultInterval).
	PollInterval optDuration

	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time

	// OnListen, when set, is told the address serve listens on (tests use :0).
	OnListen func(addr string)

	// pgMaxConns sizes the PostgreSQL pool for this process's job workers
	// (set by serve and worker before opening the store; 0: pgx's default).
	pgMaxConns int32

	logger *slog.Logger
	hooks  *webhook.Notifier // set by pipeline; Run waits for its deliveries
	envErr error             // a bad NEWSTRACE_* value, reported by Run
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
	if m.PGSchema == "" {
		m.PGSchema = env("NEWSTRACE_PG_SCHEMA")
	}
	if v := env("NEWSTRACE_HOST_DELAY"); v != "" && !m.HostDelay.set {
		if err := m.HostDelay.Set(v); err != nil {
			m.envErr = fmt.Errorf("NEWSTRACE_HOST_DELAY: %w", err)
		}
	}
	if v := env("NEWSTRACE_POLL_INTERVAL"); v != "" && !m.PollInterval.set {
		if err := m.PollInterval.Set(v); err != nil {
			m.envErr = fmt.Errorf("NEWSTRACE_POLL_INTERVAL: %w", err)
		}
	}
	fs.StringVar(&m.DB, "db", m.DB, "database: sqlite:PATH or a postgres:// URL (env NEWSTRACE_DB; default: SQLite file in --data)")
	fs.StringVar(&m.DataDir, "data", m.DataDir, "data directory for the embedded database and files (env NEWSTRACE_DATA; default ./newstrace-data)")
	fs.BoolVar(&m.AllowPrivate, "allow-private", m.AllowPrivate, "allow fetching loopback, private and link-local addresses (env NEWSTRACE_ALLOW_PRIVATE=1)")
	fs.StringVar(&m.LogLevel, "log-level", m.LogLevel, "log level: debug, info, warn, error (env NEWSTRACE_LOG_LEVEL)")
	fs.StringVar(&m.PGSchema, "pg-schema", m.PGSchema, "PostgreSQL schema for the store and job queue (env NEWSTRACE_PG_SCHEMA; default public)")
	fs.Var(&m.HostDelay, "host-delay", "least time between requests to one host, over all processes sharing the store; 0 turns pacing off (env NEWSTRACE_HOST_DELAY; default 1s on PostgreSQL, off on SQLite)")
	fs.Var(&m.PollInterval, "poll-interval", "how often a feed is polled unless it asks for longer (ttl, Cache-Control); at least 5m (env NEWSTRACE_POLL_INTERVAL; default 30m)")
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

// isPostgres reports whether --db names a PostgreSQL database.
func (m *Main) isPostgres() bool {
	return strings.HasPrefix(m.DB, "postgres://") || strings.HasPrefix(m.DB, "postgresql://")
}

// openStore opens the configured store for a command that runs on it: the
// embedded SQLite default is created and migrated on the spot, while a
// PostgreSQL schema must already be at this binary's version ('newstrace
// migrate' brings it there). Either refuses a schema newer than this binary.
func (m *Main) openStore(ctx context.Context) (newstrace.Store, error) {
	// The store logs through the default logger: keep it at the command's level.
	slog.SetDefault(m.log(slog.LevelWarn))
	if m.isPostgres() {
		return m.openPostgres(ctx, false)
	}
	path, err := m.sqlitePath()
	if err != nil {
		return nil, err
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	cur, latest, err := db.SchemaVersion(ctx)
	if err == nil && cur > latest {
		err = fmt.Errorf("SQLite store %s is at schema version %d, newer than this newstrace knows (%d): upgrade newstrace", path, cur, latest)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openPostgres opens the PostgreSQL store in --pg-schema, applying its
// migrations only when migrate is set; otherwise a schema not at this
// binary's version is refused with a one-line postgres.ErrSchema.
func (m *Main) openPostgres(ctx context.Context, migrate bool) (*postgres.DB, error) {
	db, err := postgres.Open(ctx, m.DB, postgres.Options{Schema: m.pgSchema(), Migrate: migrate, MaxConns: m.pgMaxConns, Logger: m.log(slog.LevelWarn)})
	if err != nil {
		return nil, err
	}
	db.Now = m.Now
	return db, nil
}

func (m *Main) pgSchema() string { return cmp.Or(m.PGSchema, "public") }

// sqlitePath is the store file --db names, or the default in --data.
func (m *Main) sqlitePath() (string, error) {
	dsn := m.DB
	if dsn == "" {
		dir := m.dataDir()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("create data directory: %w", err)
		}
		return filepath.Join(dir, "newstrace.db"), nil
	}
	path, ok := strings.CutPrefix(dsn, "sqlite:")
	if !ok {
		return "", fmt.Errorf("unsupported --db %q: want sqlite:PATH or postgres://…", dsn)
	}
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return "", errors.New("--db sqlite: needs a path, e.g. sqlite:./newstrace.db")
	}
	return path, nil
}

// fetcher returns the one outside HTTP client, honouring --allow-private
// and --host-delay. Requests to one host are spaced through pacer when it
// is given (the store, when it books turns for every process sharing it),
// else through this process alone.
func (m *Main) fetcher(log *slog.Logger, pacer newstrace.HostPacer) *fetch.Client {
	gap := m.hostGap()
	if pacer == nil && gap > 0 {
		pacer = &fetch.LocalPacer{}
	}
	return fetch.New(fetch.Config{AllowPrivate: m.AllowPrivate, Logger: log, Pace: fetch.Pacer(pacer, gap)})
}

// hostGap is --host-delay, defaulting to 1s on PostgreSQL (many workers
// share hosts) and no pacing on SQLite (one process fetches).
func (m *Main) hostGap() time.Duration {
	if m.HostDelay.set {
		return max(m.HostDelay.d, 0)
	}
	if m.isPostgres() {
		return time.Second
	}
	return 0
}

// pipeline wires store and fetcher into the orchestrator.
func (m *Main) pipeline(store newstrace.Store, log *slog.Logger) (*pipeline.Pipeline, error) {
	hooks, err := webhook.New(webhook.Config{Store: store, AllowPrivate: m.AllowPrivate, Logger: log, Now: m.Now})
	if err != nil {
		return nil, err
	}
	m.hooks = hooks
	cfg := pipeline.Config{
		Store: store, Fetch: m.fetcher(log, pacerOf(store)), Logger: log, Now: m.Now,
		Policy: feed.Policy{Default: m.PollInterval.d}, Limits: feed.Limits{},
		ShortLinks: pipeline.NewShortLinks(0, 0), // only feed entries resolve: they are fetched anyway
		OnStored:   hooks.Stored,                 // webhooks
	}
	emb, err := m.embedder()
	if err != nil {
		return nil, err
	}
	if emb != nil {
		cfg.Embedder, cfg.EmbedModel = emb, emb.Model
		log.Info("cross-language matching through embeddings", "url", emb.BaseURL, "model", emb.Model)
	}
	return pipeline.New(cfg)
}

// Timeouts of the embeddings endpoint: a local model server embeds one
// article in well under a second on a GPU and in a few on a CPU; an
// endpoint that takes longer costs each document this much before it is
// matched without a vector.
const (
	embedTimeout     = 30 * time.Second
	embedDialTimeout = 5 * time.Second
)

// embedder is the embeddings client configured by NEWSTRACE_EMBEDDINGS_URL
// and NEWSTRACE_EMBEDDINGS_MODEL (both or neither) with the optional bearer
// token NEWSTRACE_EMBEDDINGS_KEY; nil when unset. The endpoint is the
// operator's own (typically a model server on loopback), so it is called
// with a plain HTTP client, not the fetcher that refuses private addresses
// for URLs found in feeds.
func (m *Main) embedder() (*embed.Client, error) {
	const urlVar, modelVar, keyVar = "NEWSTRACE_EMBEDDINGS_URL", "NEWSTRACE_EMBEDDINGS_MODEL", "NEWSTRACE_EMBEDDINGS_KEY"
	base := strings.TrimSpace(m.Getenv(urlVar))
	model := strings.TrimSpace(m.Getenv(modelVar))
	key := strings.TrimSpace(m.Getenv(keyVar))
	switch {
	case base == "" && model == "" && key != "":
		return nil, fmt.Errorf("%s is set but %s and %s are not: set both to use an embeddings endpoint", keyVar, urlVar, modelVar)
	case base == "" && model == "":
		return nil, nil
	case base == "":
		return nil, fmt.Errorf("%s is set but %s is not: set both (the endpoint's base URL and model name) or neither", modelVar, urlVar)
	case model == "":
		return nil, fmt.Errorf("%s is set but %s is not: set both (the endpoint's base URL and model name) or neither", urlVar, modelVar)
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: want an http(s) base URL such as http://127.0.0.1:8080, got %q", urlVar, base)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: embedDialTimeout, KeepAlive: 30 * time.Second}).DialContext
	return &embed.Client{BaseURL: base, Model: model, APIKey: key,
		HTTP: &http.Client{Timeout: embedTimeout, Transport: tr}}, nil
}

// pacerOf is the store as a HostPacer, when it is one.
func pacerOf(store newstrace.Store) newstrace.HostPacer {
	p, _ := store.(newstrace.HostPacer)
	return p
}

// optDuration is a duration flag that knows whether it was given.
type optDuration struct {
	d   time.Duration
	set bool
}

func (o *optDuration) String() string {
	if o == nil || !o.set {
		return ""
	}
	return o.d.String()
}

func (o *optDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if s == "0" {
		d, err = 0, nil
	}
	if err != nil {
		return fmt.Errorf("want a duration like 500ms or 2s, got %q", s)
	}
	o.d, o.set = d, true
	return nil
}

// sessionKey loads the HMAC key for sessions, creating it on first use so
// sessions survive restarts: from the store when it shares secrets
// (PostgreSQL: every web process signs with the same key), else from the
// data directory.
func (m *Main) sessionKey(ctx context.Context, store newstrace.Store) ([]byte, error) {
	if ss, ok := store.(newstrace.SecretStore); ok {
		key, err := ss.Secret(ctx, "session", func() ([]byte, error) {
			key := make([]byte, 32)
			_, err := rand.Read(key)
			return key, err
		})
		if err != nil {
			return nil, fmt.Errorf("load session key: %w", err)
		}
		return key, nil
	}
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
