package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/webhook"
)

const webhookUsage = "add URL [--event story.outlet_added|search.match] [--query Q] [--allow-private] · list · remove ID"

// runWebhook manages webhooks: signed JSON POSTs the workers send when a
// story gains an outlet or a new document matches a saved search.
func runWebhook(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: newstrace webhook %s", webhookUsage)
	}
	switch args[0] {
	case "add":
		return webhookAdd(ctx, m, args[1:])
	case "list":
		return webhookList(ctx, m, args[1:])
	case "remove", "rm":
		return webhookRemove(ctx, m, args[1:])
	case "-h", "--help":
		m.flagSet("webhook", webhookUsage).Usage()
		return nil
	}
	return fmt.Errorf("usage: newstrace webhook %s", webhookUsage)
}

func webhookAdd(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("webhook add", "URL [--event story.outlet_added|search.match] [--query Q] [--allow-private]")
	event := fs.String("event", newstrace.EventOutletAdded, "event: story.outlet_added or search.match")
	query := fs.String("query", "", "saved search for search.match (the `newstrace search` syntax)")
	if err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("webhook add needs exactly one URL")
	}
	// --allow-private (global) lets this webhook target private addresses.
	if err := webhook.CheckTarget(fs.Arg(0), m.AllowPrivate); err != nil {
		return err
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return err
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	w := newstrace.Webhook{URL: fs.Arg(0), Event: *event, Query: *query, Secret: secret, AllowPrivate: m.AllowPrivate, CreatedAt: m.Now().UTC()}
	if err := store.CreateWebhook(ctx, &w); err != nil {
		return fmt.Errorf("add webhook: %w", err)
	}
	writeLine(m.Stdout, "added webhook %d: %s on %s", w.ID, w.URL, w.Event)
	writeLine(m.Stdout, "secret (shown once; deliveries carry %s: sha256=HMAC-SHA256(secret, body)): %s", webhook.HeaderSignature, secret)
	return nil
}

func webhookList(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("webhook list", "")
	if err := parseInterleaved(fs, args); err != nil {
		return err
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	hooks, err := store.Webhooks(ctx)
	if err != nil {
		return err
	}
	for _, w := range hooks {
		line := fmt.Sprintf("%d\t%s\t%s", w.ID, w.Event, w.URL)
		if w.Query != "" {
			line += "\tquery=" + strconv.Quote(w.Query)
		}
		if w.AllowPrivate {
			line += "\tallow-private"
		}
		writeLine(m.Stdout, "%s", line)
	}
	return nil
}

func webhookRemove(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("webhook remove", "ID")
	if err := parseInterleaved(fs, args); err != nil {
		return err
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if fs.NArg() != 1 || err != nil {
		return fmt.Errorf("webhook remove needs one numeric ID")
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.DeleteWebhook(ctx, id); err != nil {
		return fmt.Errorf("remove webhook: %w", err)
	}
	writeLine(m.Stdout, "removed webhook %d", id)
	return nil
}
