package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/fever"
	"github.com/newstrace/newstrace/internal/web"
	"golang.org/x/term"
)

func runUser(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			m.flagSet("user", "add NAME (password on stdin)").Usage()
			return nil
		}
		return fmt.Errorf("usage: newstrace user add NAME (password on stdin)")
	}
	fs := m.flagSet("user add", "NAME (password on stdin)")
	if err := parseInterleaved(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("user add needs exactly one NAME")
	}
	name := strings.TrimSpace(fs.Arg(0))
	if name == "" || strings.ContainsAny(name, " \t\r\n:") {
		return fmt.Errorf("invalid user name %q: no spaces or colons", fs.Arg(0))
	}
	pw, err := m.readPassword()
	if err != nil {
		return err
	}
	hash, err := web.HashPassword(pw)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	u := newstrace.User{Name: name, PasswordHash: hash, CreatedAt: m.Now().UTC()}
	if err := store.CreateUser(ctx, &u); err != nil {
		return fmt.Errorf("add user %s: %w", name, err)
	}
	// Fever clients sign in with md5("name:password"); keep its hash now,
	// while the password is at hand.
	if err := store.SetFeverKey(ctx, u.ID, fever.KeyHash(fever.APIKey(name, pw))); err != nil {
		return fmt.Errorf("add user %s: %w", name, err)
	}
	writeLine(m.Stdout, "added user %s", name)
	return nil
}

// readPassword reads one line from stdin, without echo on a terminal.
func (m *Main) readPassword() (string, error) {
	if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(m.Stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return checkPassword(string(b))
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("read password from stdin: no input")
	}
	return checkPassword(strings.TrimRight(line, "\r\n"))
}

func checkPassword(pw string) (string, error) {
	if pw == "" {
		return "", fmt.Errorf("empty password")
	}
	if len(pw) > 72 {
		return "", fmt.Errorf("password longer than 72 bytes")
	}
	return pw, nil
}

func runToken(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			m.flagSet("token", "add USER [--label L]").Usage()
			return nil
		}
		return fmt.Errorf("usage: newstrace token add USER [--label L]")
	}
	fs := m.flagSet("token add", "USER [--label L] (prints a new API token for USER)")
	label := fs.String("label", "cli", "a name for the token")
	if err := parseInterleaved(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("token add needs exactly one USER")
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := store.UserByName(ctx, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("token add: %w", err)
	}
	tok, err := web.NewToken()
	if err != nil {
		return fmt.Errorf("make token: %w", err)
	}
	t := newstrace.Token{UserID: u.ID, Name: *label, Hash: web.HashToken(tok), CreatedAt: m.Now().UTC()}
	if err := store.CreateToken(ctx, &t); err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	writeLine(m.Stdout, "%s", tok)
	return nil
}
