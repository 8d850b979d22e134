// Package greader serves the Google Reader API ("GReader", as FreshRSS and
// miniflux speak it) at /accounts/ClientLogin and /reader/api/0/ for reader
// apps (NetNewsWire, Reeder, ReadKit, FeedMe, Fluent Reader…).
//
// Shapes follow the FeedHQ API reference (feedhq/feedhq docs/api), FreshRSS
// p/api/greader.php and miniflux/v2 internal/googlereader; request forms
// follow what the clients send (see testdata/*.txt for the sources).
package greader

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/newstrace/newstrace/internal/loginlimit"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/fever"
	"golang.org/x/crypto/bcrypt"
)

const maxBody = 1 << 20 // edit-tag with thousands of i= ids

// Config holds the handler's dependencies.
type Config struct {
	Store  newstrace.Store
	Logger *slog.Logger
	Now    func() time.Time
	// Key signs auth and T tokens; at least 32 bytes (the server's session key).
	Key []byte
	// OnFeedAdded, when set, asks the workers to poll a new feed now.
	OnFeedAdded func(ctx context.Context, feedID int64)
}

// Handler serves the API; mount it at /accounts/ClientLogin and /reader/api/0/.
type Handler struct {
	store       newstrace.Store
	log         *slog.Logger
	now         func() time.Time
	key         []byte
	onFeedAdded func(ctx context.Context, feedID int64)
	limiter     *loginlimit.Limiter
	mux         *http.ServeMux
}

// New checks cfg and lists the routes.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("greader: config needs a store")
	}
	if len(cfg.Key) < 32 {
		return nil, fmt.Errorf("greader: key must be at least 32 bytes, got %d", len(cfg.Key))
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{
		store: cfg.Store, log: cfg.Logger.With(slog.String("component", "greader")), now: cfg.Now,
		key: append([]byte(nil), cfg.Key...), onFeedAdded: cfg.OnFeedAdded,
		limiter: loginlimit.New(10, 15*time.Minute, cfg.Now),
	}
	m := http.NewServeMux()
	m.HandleFunc("/accounts/ClientLogin", h.clientLogin)
	// Reads answer GET and POST: some clients POST every call.
	const p = "/reader/api/0/"
	m.Handle(p+"token", h.auth(h.token))
	m.Handle(p+"user-info", h.auth(h.userInfo))
	m.Handle(p+"subscription/list", h.auth(h.subscriptionList))
	m.Handle(p+"tag/list", h.auth(h.tagList))
	m.Handle(p+"unread-count", h.auth(h.unreadCount))
	m.Handle(p+"stream/contents", h.auth(h.streamContents))
	m.Handle(p+"stream/contents/", h.auth(h.streamContents))
	m.Handle(p+"stream/items/ids", h.auth(h.streamItemIDs))
	m.Handle(p+"stream/items/contents", h.auth(h.streamItemContents))
	m.Handle("POST "+p+"edit-tag", h.auth(h.editTag))
	m.Handle("POST "+p+"mark-all-as-read", h.auth(h.markAllAsRead))
	m.Handle("POST "+p+"subscription/edit", h.auth(h.subscriptionEdit))
	m.Handle("POST "+p+"subscription/quickadd", h.auth(h.quickAdd))
	m.Handle(p, h.auth(func(w http.ResponseWriter, r *http.Request, _ newstrace.User) {
		http.Error(w, "not implemented", http.StatusNotFound)
	}))
	h.mux = m
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	h.mux.ServeHTTP(w, r)
}

// authToken is stateless: "userID/" + an HMAC over the user and the
// password hash, so changing the password revokes every client's token.
func (h *Handler) authToken(u newstrace.User) string {
	return strconv.FormatInt(u.ID, 10) + "/" + h.sign("auth", u)
}

// postToken is the T token clients fetch from /token and send on POSTs.
func (h *Handler) postToken(u newstrace.User) string { return h.sign("T", u)[:40] }

func (h *Handler) sign(purpose string, u newstrace.User) string {
	m := hmac.New(sha256.New, h.key)
	fmt.Fprintf(m, "greader-%s\x00%d\x00%s", purpose, u.ID, u.PasswordHash)
	return hex.EncodeToString(m.Sum(nil))
}

// authUser checks "Authorization: GoogleLogin auth=TOKEN".
func (h *Handler) authUser(r *http.Request) (newstrace.User, bool, error) {
	v := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(v, " ")
	tok, ok := strings.CutPrefix(strings.TrimSpace(rest), "auth=")
	if !strings.EqualFold(scheme, "GoogleLogin") || !ok {
		return newstrace.User{}, false, nil
	}
	ids, _, _ := strings.Cut(tok, "/")
	id, err := strconv.ParseInt(ids, 10, 64)
	if err != nil || id <= 0 {
		return newstrace.User{}, false, nil
	}
	u, err := h.store.User(r.Context(), id)
	if newstrace.IsNotFound(err) {
		return newstrace.User{}, false, nil
	} else if err != nil {
		return newstrace.User{}, false, err
	}
	return u, hmac.Equal([]byte(tok), []byte(h.authToken(u))), nil
}

type authed func(w http.ResponseWriter, r *http.Request, u newstrace.User)

// auth guards an API route. On a POST a T token, when sent, must match;
// it is not required because the Authorization header already keeps
// cross-site forms out, and Fluent Reader never sends one.
func (h *Handler) auth(next authed) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok, err := h.authUser(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if !ok {
			unauthorized(w, false)
			return
		}
		if err := r.ParseForm(); err != nil {
			badRequest(w, "the form could not be read")
			return
		}
		if r.Method == http.MethodPost {
			if t := r.PostForm.Get("T"); t != "" && !hmac.Equal([]byte(t), []byte(h.postToken(u))) {
				unauthorized(w, true)
				return
			}
		}
		next(w, r, u)
	})
}

// clientLogin: Email (our user name) and Passwd, as a form (POST, or the
// query of a GET as some clients send it) → "SID=…\nLSID=…\nAuth=…\n".
func (h *Handler) clientLogin(w http.ResponseWriter, r *http.Request) {
	ip := loginlimit.ClientIP(r)
	if h.limiter.Blocked(ip) {
		w.Header().Set("Retry-After", "900")
		http.Error(w, "Too many failed logins. Try again later.", http.StatusTooManyRequests)
		return
	}
	if err := r.ParseForm(); err != nil {
		badRequest(w, "the form could not be read")
		return
	}
	name, pw := r.Form.Get("Email"), r.Form.Get("Passwd")
	u, err := h.store.UserByName(r.Context(), name)
	switch {
	case err != nil && !newstrace.IsNotFound(err):
		h.fail(w, r, err)
		return
	case err != nil || name == "" || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(pw)) != nil:
		h.limiter.Fail(ip)
		h.log.WarnContext(r.Context(), "clientlogin failed", slog.String("remote", ip))
		http.Error(w, "Error=BadAuthentication", http.StatusUnauthorized)
		return
	}
	// We hold the password now: keep the Fever key in step with it, so an
	// account made before Fever support works there too.
	if err := h.store.SetFeverKey(r.Context(), u.ID, fever.KeyHash(fever.APIKey(u.Name, pw))); err != nil {
		h.log.WarnContext(r.Context(), "set fever key", slog.Int64("user_id", u.ID), slog.Any("err", err))
	}
	tok := h.authToken(u)
	if r.Form.Get("output") == "json" {
		writeJSON(w, map[string]string{"SID": tok, "LSID": tok, "Auth": tok})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "SID=%s\nLSID=%s\nAuth=%s\n", tok, tok, tok)
}

func (h *Handler) token(w http.ResponseWriter, _ *http.Request, u newstrace.User) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, h.postToken(u))
}

func (h *Handler) userInfo(w http.ResponseWriter, _ *http.Request, u newstrace.User) {
	id := strconv.FormatInt(u.ID, 10)
	writeJSON(w, map[string]any{
		"userId": id, "userName": u.Name, "userProfileId": id, "userEmail": u.Name,
		"signupTimeSec": u.CreatedAt.Unix(),
	})
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch newstrace.ErrorCode(err) {
	case newstrace.ENOTFOUND:
		http.Error(w, newstrace.ErrorMessage(err), http.StatusNotFound)
	case newstrace.EINVALID, newstrace.ECONFLICT:
		badRequest(w, newstrace.ErrorMessage(err))
	default:
		h.log.ErrorContext(r.Context(), "greader request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func unauthorized(w http.ResponseWriter, badToken bool) {
	if badToken {
		// Clients fetch a fresh T token when they see this header.
		w.Header().Set("X-Reader-Google-Bad-Token", "true")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprint(w, "Unauthorized")
}

func badRequest(w http.ResponseWriter, msg string) { http.Error(w, msg, http.StatusBadRequest) }

func ok(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, "OK")
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
