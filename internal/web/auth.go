package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

const (
	sessionCookie   = "newstrace_session"
	csrfCookieName  = "newstrace_csrf"
	csrfField       = "csrf"
	sessionLifetime = 30 * 24 * time.Hour
	minPasswordLen  = 6 // as miniflux; long passphrases are welcome up to bcrypt's 72 bytes
)

// HashPassword returns a bcrypt hash of pw for UserStore.CreateUser.
func HashPassword(pw string) (string, error) {
	if len(pw) < minPasswordLen {
		return "", fmt.Errorf("password must be at least %d characters", minPasswordLen)
	}
	// bcrypt ignores bytes past 72; refuse rather than silently truncate.
	if len(pw) > 72 {
		return "", errors.New("password must be at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether pw matches a hash from HashPassword.
func CheckPassword(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// dummyHash lets a login for an unknown name cost as much as a real one, so
// timing does not reveal which names exist.
// Computed lazily so importing the package (the CLI does) costs nothing.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("newstrace-dummy-password"), bcrypt.DefaultCost)
	return h
})

// NewToken returns a random API token (32 bytes, hex) to show the user once.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new token: %w", err)
	}
	return "nt_" + hex.EncodeToString(b), nil
}

// HashToken is how tokens are stored and looked up: sha256, hex. Tokens are
// random, so a fast hash is enough.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// mac signs msg under a purpose so a session signature never doubles as a
// CSRF token and the other way round.
func (s *Server) mac(purpose, msg string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// sessionValue encodes "userID:expiryUnix" with its HMAC.
func (s *Server) sessionValue(userID int64, expires time.Time) string {
	payload := strconv.FormatInt(userID, 10) + ":" + strconv.FormatInt(expires.Unix(), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." +
		base64.RawURLEncoding.EncodeToString(s.mac("session", payload))
}

// parseSession returns the user id of a valid, unexpired session value.
func (s *Server) parseSession(v string) (int64, bool) {
	p64, sig64, ok := strings.Cut(v, ".")
	if !ok {
		return 0, false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	sig, err2 := base64.RawURLEncoding.DecodeString(sig64)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, s.mac("session", string(payload))) {
		return 0, false
	}
	ids, exps, ok := strings.Cut(string(payload), ":")
	if !ok {
		return 0, false
	}
	id, err1 := strconv.ParseInt(ids, 10, 64)
	exp, err2 := strconv.ParseInt(exps, 10, 64)
	if err1 != nil || err2 != nil || id <= 0 || !s.now().Before(time.Unix(exp, 0)) {
		return 0, false
	}
	return id, true
}

func (s *Server) setSession(w http.ResponseWriter, userID int64) {
	exp := s.now().Add(sessionLifetime)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: s.sessionValue(userID, exp), Path: "/",
		// MaxAge, not Expires: the browser's clock may differ from ours.
		MaxAge: int(sessionLifetime / time.Second), HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// csrfToken binds a form to the browser (a random cookie nonce) and to the
// signed-in user, keyed with the server secret.
func (s *Server) csrfToken(nonce string, userID int64) string {
	return hex.EncodeToString(s.mac("csrf", nonce+":"+strconv.FormatInt(userID, 10)))
}

func (s *Server) validCSRF(nonce string, userID int64, token string) bool {
	if nonce == "" || token == "" {
		return false
	}
	got, err := hex.DecodeString(token)
	if err != nil {
		return false
	}
	return hmac.Equal(got, s.mac("csrf", nonce+":"+strconv.FormatInt(userID, 10)))
}

func newNonce() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("csrf nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}
