package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/newstrace/newstrace"
)

const csp = "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// reqState is what the middleware learned about a request.
type reqState struct {
	user      *newstrace.User // nil when not signed in
	csrfNonce string
}

type stateKey struct{}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

func withState(r *http.Request) (*http.Request, *reqState) {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return r, st
	}
	st := &reqState{}
	return r.WithContext(context.WithValue(r.Context(), stateKey{}, st)), st
}

func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		// Readers look at outlets they investigate: never tell them where from.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a handler panic into a logged error and a plain 500
// page: users never see a stack trace.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err := fmt.Errorf("panic: %v", v)
				if strings.HasPrefix(r.URL.Path, "/api/") {
					s.apiError(w, r, err)
					return
				}
				s.errorPage(w, r, err)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) staticCache(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Pages link the stylesheet by content hash, so a new build is a new URL.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		next.ServeHTTP(w, r)
	})
}

// authRequired: single-user desktop mode (loopback, no accounts) needs no
// login; anything else does.
func (s *Server) authRequired(ctx context.Context) (bool, error) {
	if !s.loopback {
		return true, nil
	}
	// Asked on every request. Only "accounts exist" is remembered (for the
	// page cache's TTL): an account created by the CLI must close desktop
	// mode at once, while asking for a login a moment after the last account
	// was removed is harmless.
	var gen uint64
	if s.cache != nil {
		if s.cache.accountsExist() {
			return true, nil
		}
		gen = s.cache.gen.Load()
	}
	n, err := s.store.CountUsers(ctx)
	if err != nil {
		return true, fmt.Errorf("count users: %w", err)
	}
	if s.cache != nil && n > 0 {
		s.cache.setAccountsExist(gen)
	}
	return n > 0, nil
}

// localHost reports whether the Host header names this machine. In desktop
// mode nothing else should reach us; refusing other names defeats DNS
// rebinding, where a web page points its own name at 127.0.0.1.
func localHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if net.ParseIP(host) != nil {
		return true
	}
	host = strings.ToLower(host)
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// sessionUser returns the signed-in user from the session cookie, or nil.
func (s *Server) sessionUser(r *http.Request) (*newstrace.User, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil
	}
	id, ok := s.parseSession(c.Value)
	if !ok {
		return nil, nil
	}
	u, err := s.store.User(r.Context(), id)
	if newstrace.IsNotFound(err) {
		return nil, nil // account removed since
	} else if err != nil {
		return nil, fmt.Errorf("session user %d: %w", id, err)
	}
	return &u, nil
}

// csrfCookie makes sure the browser holds a CSRF nonce and records it.
func (s *Server) csrfCookie(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, st := withState(r)
		if c, err := r.Cookie(csrfCookieName); err == nil && len(c.Value) == 32 {
			st.csrfNonce = c.Value
		} else if r.Method == http.MethodGet || r.Method == http.MethodHead {
			nonce, err := newNonce()
			if err != nil {
				s.errorPage(w, r, err)
				return
			}
			st.csrfNonce = nonce
			http.SetCookie(w, &http.Cookie{
				Name: csrfCookieName, Value: nonce, Path: "/",
				HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
			})
		}
		if st.user == nil {
			u, err := s.sessionUser(r)
			if err != nil {
				s.errorPage(w, r, err)
				return
			}
			st.user = u
		}
		next.ServeHTTP(w, r)
	})
}

// page guards a UI route: a login when accounts exist, a local Host header
// in desktop mode, and no caching of private pages.
func (s *Server) page(h http.HandlerFunc) http.Handler {
	return s.csrfCookie(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		need, err := s.authRequired(r.Context())
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		switch {
		case !need && !localHost(r.Host):
			s.errorPage(w, r, newstrace.Errorf(newstrace.EFORBIDDEN,
				"This server answers only to localhost until an account exists."))
			return
		case need && state(r).user == nil:
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				next = "/"
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		h(w, r)
	}))
}

// form caps and parses a POST body, then checks its CSRF token.
func (s *Server) form(maxBytes int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
		var err error
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			err = r.ParseMultipartForm(1 << 20)
		} else {
			err = r.ParseForm()
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.errorPage(w, r, newstrace.Errorf(newstrace.ETOOLARGE, "The upload is larger than %d MiB.", maxBytes>>20))
			return
		} else if err != nil {
			s.errorPage(w, r, newstrace.Errorf(newstrace.EINVALID, "The form could not be read."))
			return
		}
		st := state(r)
		if !s.validCSRF(st.csrfNonce, userID(st.user), r.PostFormValue(csrfField)) {
			s.log.WarnContext(r.Context(), "csrf check failed", slog.String("path", r.URL.Path), slog.String("remote", clientIP(r)))
			s.errorPage(w, r, newstrace.Errorf(newstrace.EFORBIDDEN,
				"The form expired or came from another site. Reload the page and try again."))
			return
		}
		h(w, r)
	}
}

// api guards a JSON route: a Bearer token or a session cookie once accounts
// exist, a local Host header in desktop mode.
func (s *Server) api(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, st := withState(r)
		w.Header().Set("Cache-Control", "no-store")
		need, err := s.authRequired(r.Context())
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		if !need {
			if !localHost(r.Host) {
				s.apiError(w, r, newstrace.Errorf(newstrace.EFORBIDDEN, "this server answers only to localhost until an account exists"))
				return
			}
			h(w, r)
			return
		}
		u, err := s.apiUser(r)
		if err != nil {
			s.apiError(w, r, err)
			return
		} else if u == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="newstrace"`)
			s.apiError(w, r, newstrace.Errorf(newstrace.EUNAUTHORIZED, "a valid bearer token is required"))
			return
		}
		st.user = u
		h(w, r)
	})
}

// apiUser authenticates by "Authorization: Bearer TOKEN", else the session cookie.
func (s *Server) apiUser(r *http.Request) (*newstrace.User, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, token, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return nil, nil
		}
		u, err := s.store.UserByTokenHash(r.Context(), HashToken(strings.TrimSpace(token)))
		if newstrace.IsNotFound(err) {
			return nil, nil
		} else if err != nil {
			return nil, fmt.Errorf("token user: %w", err)
		}
		return &u, nil
	}
	return s.sessionUser(r)
}

func userID(u *newstrace.User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// clientIP is the peer address; proxy headers are not trusted because they
// are trivially forged.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
