package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/upbeat-monitor/upbeat/api/wire"
)

// trust is where a request came in.
type trust uint8

const (
	trustRemote   trust = iota // a TCP listener on a non-loopback address (and the default)
	trustLoopback              // a TCP listener on a loopback address
	trustSocket                // the unix socket: its file mode is the access control
)

type trustKey struct{}

// role is what a request's bearer token allows.
type role uint8

const (
	roleNone  role = iota // no token presented
	roleRead              // the read-only token
	roleAdmin             // the token
)

func allowedHosts(opts Options) map[string]bool {
	h := map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	for _, a := range opts.AllowedHosts {
		h[strings.ToLower(hostOnly(a))] = true
	}
	if opts.Listen != "" {
		if host := hostOnly(opts.Listen); host != "" && host != "0.0.0.0" && host != "::" {
			h[strings.ToLower(host)] = true
		}
	}
	return h
}

// hostOnly strips a port and IPv6 brackets from a Host value.
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
}

// tokenEqual compares in constant time, whatever the lengths.
func tokenEqual(got, want string) bool {
	if want == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// tokens are the bearer tokens in force. A Server holds them behind an
// atomic pointer so that a reload can replace them (SetTokens); revoked
// is closed when they are replaced, which makes every event stream
// check its request again.
type tokens struct {
	admin, read string
	revoked     chan struct{}
}

func newTokens(admin, read string) *tokens {
	return &tokens{admin: admin, read: read, revoked: make(chan struct{})}
}

type tokensKey struct{}

// SetTokens puts new bearer tokens in force for every request from now
// on, as a reload that rotates a leaked token does; event streams whose
// request they no longer admit are ended. When both are empty and the
// server listens on a non-loopback address, the error wraps
// ErrTokenRequired: they are put in force all the same, so that address
// refuses every request until a token is set again.
func (s *Server) SetTokens(token, readOnly string) error {
	s.mu.Lock()
	remote := s.remote
	old := s.tok.Swap(newTokens(token, readOnly))
	s.mu.Unlock()
	close(old.revoked)
	if remote && token == "" && readOnly == "" {
		return fmt.Errorf("api listen %s: %w", s.opts.Listen, ErrTokenRequired)
	}
	return nil
}

// roleOf checks the Authorization header against tk. ok is false when a
// token was presented and matches neither token. On the unix socket the
// file mode is the access control: whatever was presented (a token
// exported for another daemon, say) is ignored and the role is the
// socket's, which may act. On loopback with no token configured a
// presented one is ignored too: reads are open there anyway.
func roleOf(r *http.Request, tr trust, tk *tokens) (role, bool) {
	if tr == trustSocket {
		return roleAdmin, true
	}
	h := r.Header.Get("Authorization")
	if h == "" || tr == trustLoopback && tk.admin == "" && tk.read == "" {
		return roleNone, true
	}
	scheme, tok, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return roleNone, false
	}
	tok = strings.TrimSpace(tok)
	// compare against both so that the time taken says nothing of which matched
	admin, read := tokenEqual(tok, tk.admin), tokenEqual(tok, tk.read)
	switch {
	case admin:
		return roleAdmin, true
	case read:
		return roleRead, true
	}
	return roleNone, false
}

// access decides whether the tokens tk admit a request that came in
// through tr: 0 when they do, else the status code and why not.
func (s *Server) access(r *http.Request, tr trust, tk *tokens) (int, wire.Error) {
	ro, valid := roleOf(r, tr, tk)
	if !valid {
		return http.StatusUnauthorized, wire.Error{Code: wire.CodeUnauthorized, Error: "invalid token"}
	}
	if tr != trustSocket && ro == roleNone && !s.hosts[strings.ToLower(hostOnly(r.Host))] {
		return http.StatusForbidden, wire.Error{Code: wire.CodeHostNotAllowed, Error: "host not allowed (add it to [api] allowed_hosts)"}
	}
	act := isAction(r)
	switch {
	case tr == trustRemote && ro == roleNone:
		return http.StatusUnauthorized, wire.Error{Code: wire.CodeUnauthorized, Error: "a bearer token is required"}
	case act && ro == roleRead:
		return http.StatusForbidden, wire.Error{Code: wire.CodeForbidden, Error: "this token may watch but not act"}
	case act && ro == roleNone && tr == trustLoopback && tk.admin != "":
		return http.StatusUnauthorized, wire.Error{Code: wire.CodeUnauthorized, Error: "a bearer token is required for actions"}
	}
	return 0, wire.Error{}
}

// isAction tells whether a request changes something (every non-safe method).
func isAction(r *http.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
}

// guard applies, in order: the body limit, the public routes (push and
// healthz, which need no token), the status pages (see servePage), the
// bearer token, the Host allow-list
// against DNS rebinding (TCP requests without a valid token), the
// cross-origin check on actions, and the read/act permission.
func (s *Server) guard(next http.Handler) http.Handler {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, wire.CodeCrossOrigin, "cross-origin request refused")
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBody)
		}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		tr, _ := r.Context().Value(trustKey{}).(trust)

		if strings.HasPrefix(r.URL.Path, "/push/") || r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		if s.opts.Pages != nil {
			if public, ok := s.opts.Pages.Match(r.URL.Path); ok {
				s.servePage(w, r, tr, public)
				return
			}
		}
		tk := s.tok.Load()
		if status, e := s.access(r, tr, tk); status != 0 {
			if status == http.StatusUnauthorized {
				h.Set("WWW-Authenticate", `Bearer realm="upbeat"`)
			}
			writeJSON(w, status, e)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), tokensKey{}, tk))
		act := isAction(r)
		if act && tr != trustSocket {
			csrf.Handler(next).ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
