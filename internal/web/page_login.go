package web

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/fever"
)

type loginView struct {
	Name  string
	Next  string
	Error string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	need, err := s.authRequired(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	next := safeNext(r.URL.Query().Get("next"))
	if !need || state(r).user != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", "Sign in", loginView{Next: next})
}

// login checks name and password and starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ip, now := clientIP(r), s.now()
	v := loginView{Name: strings.TrimSpace(r.PostFormValue("name")), Next: safeNext(r.PostFormValue("next"))}
	if !s.limiter.allowed(ip, now) {
		s.log.WarnContext(r.Context(), "login rate limited", slog.String("remote", ip))
		v.Error = "Too many failed attempts. Wait a few minutes and try again."
		s.render(w, r, http.StatusTooManyRequests, "login", "Sign in", v)
		return
	}
	u, err := s.store.UserByName(r.Context(), v.Name)
	if err != nil && !newstrace.IsNotFound(err) {
		s.errorPage(w, r, err)
		return
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = string(dummyHash()) // same cost whether or not the name exists
	}
	if !CheckPassword(hash, r.PostFormValue("password")) || err != nil {
		s.limiter.fail(ip, now)
		s.log.InfoContext(r.Context(), "login failed", slog.String("remote", ip))
		v.Error = "Wrong name or password."
		s.render(w, r, http.StatusUnauthorized, "login", "Sign in", v)
		return
	}
	s.limiter.reset(ip)
	// Accounts made before Fever support get their Fever key at next login.
	if err := s.store.SetFeverKey(r.Context(), u.ID, fever.KeyHash(fever.APIKey(u.Name, r.PostFormValue("password")))); err != nil {
		s.log.WarnContext(r.Context(), "set fever key", slog.Int64("user_id", u.ID), slog.Any("err", err))
	}
	s.setSession(w, u.ID)
	s.log.InfoContext(r.Context(), "login", slog.Int64("user_id", u.ID), slog.String("remote", ip))
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.clearSession(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps post-login redirects on this site: a local path only.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}
