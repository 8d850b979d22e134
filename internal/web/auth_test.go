package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAuthMatrix(t *testing.T) {
	tests := []struct {
		name        string
		remote      bool
		account     bool
		pageStatus  int // GET /
		apiStatus   int // GET /api/v1/feeds
		loginStatus int // GET /login
	}{
		{name: "desktop mode is open", pageStatus: 200, apiStatus: 200, loginStatus: 303},
		{name: "loopback with an account needs login", account: true, pageStatus: 303, apiStatus: 401, loginStatus: 200},
		{name: "non-loopback with an account needs login", remote: true, account: true, pageStatus: 303, apiStatus: 401, loginStatus: 200},
		{name: "non-loopback without accounts needs login", remote: true, pageStatus: 303, apiStatus: 401, loginStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			seed(t, st)
			if tt.account {
				addUser(t, st)
			}
			e := newEnv(t, st, envOpts{remote: tt.remote})

			page := e.get("/")
			if page.status != tt.pageStatus {
				t.Errorf("GET / = %d, want %d", page.status, tt.pageStatus)
			}
			if tt.pageStatus == 303 {
				if loc := page.header.Get("Location"); loc != "/login?next=%2F" {
					t.Errorf("redirect to %q", loc)
				}
				if r := e.get("/sources"); r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/login") {
					t.Errorf("GET /sources = %d to %q, want login redirect", r.status, r.header.Get("Location"))
				}
			}
			api := e.get("/api/v1/feeds")
			if api.status != tt.apiStatus {
				t.Errorf("GET /api/v1/feeds = %d, want %d", api.status, tt.apiStatus)
			}
			if tt.apiStatus == 401 {
				assertAPIError(t, api, "unauthorized")
				if !strings.HasPrefix(api.header.Get("WWW-Authenticate"), "Bearer") {
					t.Error("401 without WWW-Authenticate: Bearer")
				}
			}
			if r := e.get("/login"); r.status != tt.loginStatus {
				t.Errorf("GET /login = %d, want %d", r.status, tt.loginStatus)
			}
			// Health and the stylesheet never need a login.
			if r := e.get("/healthz"); r.status != 200 {
				t.Errorf("healthz = %d", r.status)
			}
			if r := e.get("/static/style.css"); r.status != 200 {
				t.Errorf("style.css = %d", r.status)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	addUser(t, st)
	e := newEnv(t, st, envOpts{})

	tests := []struct {
		name     string
		user     string
		password string
		csrf     string // "" fetches a fresh one, "-" sends none
		status   int
	}{
		{name: "no csrf token", user: testUser, password: testPass, csrf: "-", status: 403},
		{name: "wrong csrf token", user: testUser, password: testPass, csrf: strings.Repeat("ab", 32), status: 403},
		{name: "wrong password", user: testUser, password: "not the password", status: 401},
		{name: "unknown user", user: "mallory", password: testPass, status: 401},
		{name: "right password", user: testUser, password: testPass, status: 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.client = newClient(t)
			token := tt.csrf
			switch tt.csrf {
			case "":
				token = e.csrf("/login")
			case "-":
				token = ""
				e.get("/login") // a CSRF cookie, but no token sent
			}
			r := e.postForm("/login", url.Values{"csrf": {token}, "name": {tt.user}, "password": {tt.password}, "next": {"/sources"}})
			if r.status != tt.status {
				t.Fatalf("POST /login = %d, want %d; %s", r.status, tt.status, r.body)
			}
			page := e.get("/")
			if tt.status == 303 {
				if loc := r.header.Get("Location"); loc != "/sources" {
					t.Errorf("redirect to %q, want /sources", loc)
				}
				if page.status != 200 || !strings.Contains(page.body, "Sign out") || !strings.Contains(page.body, testUser) {
					t.Errorf("after login GET / = %d, signed-in header missing", page.status)
				}
				// The session cookie also opens the API.
				if api := e.get("/api/v1/feeds"); api.status != 200 {
					t.Errorf("API with session cookie = %d", api.status)
				}
				return
			}
			if page.status != 303 {
				t.Errorf("after failed login GET / = %d, want 303", page.status)
			}
			if tt.status == 401 && !strings.Contains(r.body, "Wrong name or password.") {
				t.Error("no failure message")
			}
		})
	}
}

func TestLogout(t *testing.T) {
	st := openStore(t)
	addUser(t, st)
	e := newEnv(t, st, envOpts{})
	e.login()
	token := e.csrf("/")

	if r := e.postForm("/logout", url.Values{"csrf": {"bad"}}); r.status != 403 {
		t.Errorf("logout with a bad token = %d, want 403", r.status)
	}
	if r := e.postForm("/logout", url.Values{"csrf": {token}}); r.status != 303 || r.header.Get("Location") != "/login" {
		t.Errorf("logout = %d to %q", r.status, r.header.Get("Location"))
	}
	if r := e.get("/"); r.status != 303 {
		t.Errorf("after logout GET / = %d, want 303", r.status)
	}
}

func TestLoginRateLimited(t *testing.T) {
	st := openStore(t)
	addUser(t, st)
	e := newEnv(t, st, envOpts{})
	token := e.csrf("/login")
	for i := range loginAttempts {
		r := e.postForm("/login", url.Values{"csrf": {token}, "name": {testUser}, "password": {"wrong"}})
		if r.status != 401 {
			t.Fatalf("attempt %d = %d, want 401", i+1, r.status)
		}
	}
	r := e.postForm("/login", url.Values{"csrf": {token}, "name": {testUser}, "password": {testPass}})
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Too many failed attempts") {
		t.Errorf("after %d failures the right password got %d, want 429", loginAttempts, r.status)
	}
	// The window passes.
	if !e.srv.limiter.allowed("127.0.0.1", testNow.Add(loginWindow)) {
		t.Error("still limited after the window")
	}
}

func TestBearerToken(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	token := addUser(t, st)
	e := newEnv(t, st, envOpts{remote: true})

	tests := []struct {
		name   string
		header string
		status int
	}{
		{name: "valid token", header: "Bearer " + token, status: 200},
		{name: "scheme in lower case", header: "bearer " + token, status: 200},
		{name: "wrong token", header: "Bearer nt_0000", status: 401},
		{name: "basic auth is not a token", header: "Basic YWxpY2U6eA==", status: 401},
		{name: "empty bearer", header: "Bearer ", status: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/api/v1/feeds", nil)
			req.Header.Set("Authorization", tt.header)
			r := e.do(req)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status == 200 {
				var out feedsResponse
				if err := json.Unmarshal([]byte(r.body), &out); err != nil || len(out.Feeds) != 2 {
					t.Errorf("feeds = %v (%v)", out.Feeds, err)
				}
			}
		})
	}
	// A token does not open the HTML pages: those use the session.
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if r := e.do(req); r.status != 303 {
		t.Errorf("page with a bearer token = %d, want 303", r.status)
	}
}

func TestCSRFOnForms(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	e := newEnv(t, st, envOpts{})
	good := e.csrf("/sources")

	tests := []struct {
		name   string
		path   string
		token  string
		status int
	}{
		{name: "add feed without token", path: "/sources", status: 403},
		{name: "add feed with wrong token", path: "/sources", token: strings.Repeat("0", 64), status: 403},
		{name: "add feed with malformed token", path: "/sources", token: "zz", status: 403},
		{name: "import without token", path: "/sources/import", status: 403},
		{name: "logout without token", path: "/logout", status: 403},
		{name: "add feed with token", path: "/sources", token: good, status: 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.postForm(tt.path, url.Values{"csrf": {tt.token}, "url": {"https://new.example/feed"}})
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status == 403 && !strings.Contains(r.body, "Reload the page") {
				t.Error("403 page without an explanation")
			}
		})
	}

	// A token is bound to the browser's cookie: another browser cannot use it.
	other := newClient(t)
	e.client = other
	e.get("/sources")
	if r := e.postForm("/sources", url.Values{"csrf": {good}, "url": {"https://other.example/feed"}}); r.status != 403 {
		t.Errorf("token from another browser = %d, want 403", r.status)
	}
}

func TestDesktopModeRefusesForeignHost(t *testing.T) {
	st := openStore(t)
	e := newEnv(t, st, envOpts{})
	tests := []struct {
		name   string
		host   string
		path   string
		status int
	}{
		{name: "page via rebinding name", host: "attacker.example:8080", path: "/", status: 403},
		{name: "api via rebinding name", host: "attacker.example", path: "/api/v1/feeds", status: 403},
		{name: "localhost", host: "localhost:8080", path: "/", status: 200},
		{name: "ipv6 loopback", host: "[::1]:8080", path: "/api/v1/feeds", status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, e.ts.URL+tt.path, nil)
			req.Host = tt.host
			if r := e.do(req); r.status != tt.status {
				t.Errorf("status %d, want %d", r.status, tt.status)
			}
		})
	}
}

func TestSessionValue(t *testing.T) {
	st := openStore(t)
	e := newEnv(t, st, envOpts{})
	s := e.srv
	valid := s.sessionValue(7, testNow.Add(time.Hour))
	payload, sig, _ := strings.Cut(valid, ".")
	other := *s
	other.key = []byte("another key, 32 bytes long......")

	tests := []struct {
		name  string
		value string
		ok    bool
	}{
		{name: "valid", value: valid, ok: true},
		{name: "expired", value: s.sessionValue(7, testNow.Add(-time.Second)), ok: false},
		{name: "signed with another key", value: other.sessionValue(7, testNow.Add(time.Hour)), ok: false},
		{name: "payload swapped", value: strings.Split(s.sessionValue(8, testNow.Add(time.Hour)), ".")[0] + "." + sig, ok: false},
		{name: "no signature", value: payload, ok: false},
		{name: "garbage", value: "!!!.???", ok: false},
		{name: "empty", value: "", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := s.parseSession(tt.value)
			if ok != tt.ok || (ok && id != 7) {
				t.Errorf("parseSession = %d, %v; want ok=%v", id, ok, tt.ok)
			}
		})
	}
}

func TestPasswordsAndTokens(t *testing.T) {
	hash, err := HashPassword(testPass)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{name: "right", pw: testPass, ok: true},
		{name: "wrong", pw: testPass + "!", ok: false},
		{name: "empty", pw: "", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPassword(hash, tt.pw); got != tt.ok {
				t.Errorf("CheckPassword = %v, want %v", got, tt.ok)
			}
		})
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("short password accepted")
	}
	if _, err := HashPassword(strings.Repeat("x", 73)); err == nil {
		t.Error("password over 72 bytes accepted")
	}
	if CheckPassword("not a hash", testPass) {
		t.Error("garbage hash matched")
	}

	a, err1 := NewToken()
	b, err2 := NewToken()
	if err1 != nil || err2 != nil || a == b || !strings.HasPrefix(a, "nt_") || len(a) != 67 {
		t.Errorf("NewToken = %q, %q (%v, %v)", a, b, err1, err2)
	}
	if h := HashToken(a); len(h) != 64 || h != HashToken(a) || h == HashToken(b) {
		t.Errorf("HashToken(%q) = %q", a, h)
	}
	// sha256("abc"), so other implementations can check stored hashes.
	if got := HashToken("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashToken(abc) = %s", got)
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "local path", in: "/sources?x=1", want: "/sources?x=1"},
		{name: "empty", in: "", want: "/"},
		{name: "absolute url", in: "https://evil.example/", want: "/"},
		{name: "protocol relative", in: "//evil.example/", want: "/"},
		{name: "backslash trick", in: `/\evil.example`, want: "/"},
		{name: "header injection", in: "/a\r\nSet-Cookie: x", want: "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := safeNext(tt.in); got != tt.want {
				t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNewValidatesConfig(t *testing.T) {
	st := openStore(t)
	tests := []struct {
		name string
		cfg  Config
	}{
		{name: "no store", cfg: Config{SessionKey: make([]byte, 32)}},
		{name: "short key", cfg: Config{Store: st, SessionKey: []byte("short")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); err == nil {
				t.Error("New accepted a bad config")
			}
		})
	}
}
