package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
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

// roleOf checks the Authorization header. ok is false when a token was
// presented and matches neither configured token.
func (s *Server) roleOf(r *http.Request) (role, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return roleNone, true
	}
	scheme, tok, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return roleNone, false
	}
	tok = strings.TrimSpace(tok)
	// compare against both so that the time taken says nothing of which matched
	admin, read := tokenEqual(tok, s.opts.Token), tokenEqual(tok, s.opts.ReadOnlyToken)
	switch {
	case admin:
		return roleAdmin, true
	case read:
		return roleRead, true
	}
	return roleNone, false
}

// isAction tells whether a request changes something (every non-safe method).
func isAction(r *http.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
}

// guard applies, in order: the body limit, the public routes (push and
// healthz, which need no token), the bearer token, the Host allow-list
// against DNS rebinding (TCP requests without a valid token), the
// cross-origin check on actions, and the read/act permission.
func (s *Server) guard(next http.Handler) http.Handler {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request refused")
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
		ro, valid := s.roleOf(r)
		if !valid {
			h.Set("WWW-Authenticate", `Bearer realm="upbeat"`)
			writeError(w, http.StatusUnauthorized, "invalid token")
			return
		}
		if tr != trustSocket && ro == roleNone && !s.hosts[strings.ToLower(hostOnly(r.Host))] {
			writeError(w, http.StatusForbidden, "host not allowed (add it to [api] allowed_hosts)")
			return
		}
		act := isAction(r)
		switch {
		case tr == trustRemote && ro == roleNone:
			h.Set("WWW-Authenticate", `Bearer realm="upbeat"`)
			writeError(w, http.StatusUnauthorized, "a bearer token is required")
			return
		case act && ro == roleRead:
			writeError(w, http.StatusForbidden, "this token may watch but not act")
			return
		case act && ro == roleNone && tr == trustLoopback && s.opts.Token != "":
			h.Set("WWW-Authenticate", `Bearer realm="upbeat"`)
			writeError(w, http.StatusUnauthorized, "a bearer token is required for actions")
			return
		}
		if act && tr != trustSocket {
			csrf.Handler(next).ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
