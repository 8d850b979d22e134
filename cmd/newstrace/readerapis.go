package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/fever"
	"github.com/newstrace/newstrace/internal/greader"
)

// readerAPIs builds the reader-app sync APIs that serve mounts beside the
// web UI: Fever at /fever/, Google Reader at /accounts/ClientLogin and
// /reader/api/0/. Each does its own authentication.
func readerAPIs(store newstrace.Store, log *slog.Logger, now func() time.Time, key []byte,
	onFeedAdded func(ctx context.Context, feedID int64)) (map[string]http.Handler, error) {
	fv, err := fever.New(fever.Config{Store: store, Logger: log, Now: now})
	if err != nil {
		return nil, err
	}
	gr, err := greader.New(greader.Config{Store: store, Logger: log, Now: now, Key: key, OnFeedAdded: onFeedAdded})
	if err != nil {
		return nil, err
	}
	return map[string]http.Handler{
		"/fever/":               fv,
		"/fever":                fv, // some clients omit the slash
		"/accounts/ClientLogin": gr,
		"/reader/api/0/":        gr,
	}, nil
}
