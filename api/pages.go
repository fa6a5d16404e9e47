package api

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
)

// Pages are the status pages the daemon serves beside the API (package
// statuspage). The API decides who may read them; they serve.
type Pages interface {
	http.Handler
	// Match tells whether path is one of the pages' paths, and whether
	// that page is public.
	Match(path string) (public, ok bool)
}

// servePage serves a status page's path. A public page is anyone's: no
// token, no Host check, since it shows nothing that is not meant for
// everyone. Another page is read as the API is, with the token also
// accepted as the password of basic auth, which a browser asks for; a
// live stream it admitted ends when the tokens change.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, tr trust, public bool) {
	if public {
		s.opts.Pages.ServeHTTP(w, r)
		return
	}
	tk := s.tok.Load()
	if code, e := s.access(basicAsBearer(r), tr, tk); code != 0 {
		if code == http.StatusUnauthorized {
			w.Header().Add("WWW-Authenticate", `Basic realm="upbeat status page", charset="UTF-8"`)
			w.Header().Add("WWW-Authenticate", `Bearer realm="upbeat"`)
		}
		writeJSON(w, code, e)
		return
	}
	if strings.HasSuffix(r.URL.Path, "/events") {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		go func() {
			select {
			case <-tk.revoked:
				if code, _ := s.access(basicAsBearer(r), tr, s.tok.Load()); code != 0 {
					cancel()
				}
			case <-ctx.Done():
			}
		}()
		r = r.WithContext(ctx)
	}
	s.opts.Pages.ServeHTTP(w, r)
}

// basicAsBearer returns r with the password of its basic auth, if it has
// one, as a bearer token (the user name is ignored).
func basicAsBearer(r *http.Request) *http.Request {
	h := r.Header.Get("Authorization")
	scheme, rest, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return r
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return r
	}
	_, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return r
	}
	c := r.Clone(r.Context())
	c.Header.Set("Authorization", "Bearer "+pass)
	return c
}
