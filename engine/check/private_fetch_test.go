package check

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/upbeat-monitor/upbeat/internal/testcert"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The requests a check makes to where a server, not the monitor, says: the
// AIA URL in a certificate, and an OAuth2 token endpoint's redirects. As
// in private_test.go, 127.0.0.2 and 127.0.0.3 play public sites
// (testPublic) and 127.0.0.1 the internal network.

// countingServer is a plain http server that counts the requests it gets.
type countingServer struct {
	*httptest.Server
	hits atomic.Int32
}

func newCounting(t *testing.T, addr string, h http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = listenOn(t, addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	return s
}

func (s *countingServer) port() string {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	return p
}

// serveTLS starts an HTTPS server presenting cert on addr ("127.0.0.2:0")
// and returns its address.
func serveTLS(t *testing.T, addr string, cert tls.Certificate) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	s.Listener.Close()
	s.Listener = ln
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point
	s.StartTLS()
	t.Cleanup(s.Close)
	return ln.Addr().String()
}

// aiaPKI is a root (in a ca_file) and the intermediate that signs the
// leaves, served at AIA URLs by an internal server that counts its hits.
type aiaPKI struct {
	inter    tls.Certificate
	rootFile string
	internal *countingServer // on 127.0.0.1
}

func newAIAPKI(t *testing.T) *aiaPKI {
	t.Helper()
	rootPEM, _, root := testcert.Generate(testcert.Options{IsCA: true, CommonName: "Guarded Root CA"})
	_, _, inter := testcert.Generate(testcert.Options{IsCA: true, CommonName: "Guarded Issuing CA", Parent: &root})
	p := &aiaPKI{inter: inter, rootFile: filepath.Join(t.TempDir(), "root.pem")}
	if err := os.WriteFile(p.rootFile, rootPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	p.internal = newCounting(t, "127.0.0.1:0", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/pkix-cert")
		_, _ = w.Write(inter.Certificate[0])
	})
	return p
}

// leafOnly is a leaf signed by the intermediate, naming aia as its
// issuer's URL, as a server that leaves the intermediate out sends it.
func (p *aiaPKI) leafOnly(aia string) tls.Certificate {
	_, _, full := testcert.Generate(testcert.Options{Hosts: []string{"127.0.0.1", "127.0.0.2"}, Parent: &p.inter,
		IssuingCertificateURL: []string{aia}})
	return tls.Certificate{Certificate: full.Certificate[:1], PrivateKey: full.PrivateKey, Leaf: full.Leaf}
}

// The messages trustFailure gives with and without the issuer fetched.
const (
	issuerFetched    = `does not send the intermediate certificate "Guarded Issuing CA"`
	issuerNotFetched = "could not be fetched either"
)

// TestIssuerFetchPrivate: a public server whose certificate names an AIA
// URL on an internal address (by address, by a name that resolves inside,
// or through a public URL that redirects inside) does not get the checker
// to send a request there, for https, tls and a service kind (wss). The
// chain is still told incomplete, and the Detail says why the issuer was
// not fetched. An internal target, or allow_private_redirects, may have
// the URL fetched.
func TestIssuerFetchPrivate(t *testing.T) {
	p := newAIAPKI(t)
	internalAIA := "http://127.0.0.1:" + p.internal.port() + "/issuer.cer"
	redirector := newCounting(t, "127.0.0.3:0", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internalAIA, http.StatusFound)
	})
	resolver := rebindDNS(t) // internal.test is 127.0.0.1

	for _, tt := range []struct {
		name, aia, says string
	}{
		{"by address", internalAIA, "127.0.0.1, a loopback address"},
		{"localhost", "http://localhost:" + p.internal.port() + "/issuer.cer", "localhost (this machine)"},
		{"by a name resolving inside", "http://internal.test:" + p.internal.port() + "/issuer.cer", "127.0.0.1, a loopback address"},
		{"through a public redirect", redirector.URL + "/issuer.cer", "127.0.0.1, a loopback address"},
	} {
		public := serveTLS(t, "127.0.0.2:0", p.leafOnly(tt.aia))
		for _, url := range []string{"https://" + public + "/", "tls://" + public, "wss://" + public + "/"} {
			t.Run(tt.name+" "+url[:strings.Index(url, ":")], func(t *testing.T) {
				checkers := New(Options{Resolver: resolver, public: testPublic}) // a cache of its own
				before := p.internal.hits.Load()
				m := testMonitor(url)
				m.CAFile = p.rootFile
				r := run(t, checkers[m.Kind], m, 0)
				if r.Class != ClassTLSIncomplete || !strings.Contains(r.Error, issuerNotFetched) {
					t.Errorf("got %v/%q %q, want %s saying %q", r.Status, r.Class, r.Error, ClassTLSIncomplete, issuerNotFetched)
				}
				if !strings.Contains(r.Detail, tt.says) || !strings.Contains(r.Detail, "allow_private_redirects") {
					t.Errorf("detail %q: want the address refused (%s) and the key that allows it", r.Detail, tt.says)
				}
				if n := p.internal.hits.Load() - before; n != 0 {
					t.Errorf("the internal AIA server was asked %d times", n)
				}
				if tt.name == "through a public redirect" && redirector.hits.Load() == 0 {
					t.Error("the public AIA URL was never asked: the redirect was not what was refused")
				}
			})
		}
	}

	t.Run("https following redirects", func(t *testing.T) {
		// The site's own redirect guard is in use: its origin decides.
		public := serveTLS(t, "127.0.0.2:0", p.leafOnly(internalAIA))
		checker := New(Options{public: testPublic})[monitor.KindHTTP]
		before := p.internal.hits.Load()
		m := testMonitor("https://" + public + "/")
		m.CAFile, m.MaxRedirects = p.rootFile, 10
		r := run(t, checker, m, 0)
		if r.Class != ClassTLSIncomplete || !strings.Contains(r.Error, issuerNotFetched) || p.internal.hits.Load() != before {
			t.Errorf("got %q %q, internal asked %d times: want the issuer not fetched", r.Class, r.Error, p.internal.hits.Load()-before)
		}
	})

	t.Run("allowed", func(t *testing.T) {
		checkers := New(Options{public: testPublic})
		internalLeaf := p.leafOnly(internalAIA)
		internal := serveTLS(t, "127.0.0.1:0", internalLeaf)
		public := serveTLS(t, "127.0.0.2:0", internalLeaf)

		// An internal site with an internal CA: its AIA URL may be internal.
		before := p.internal.hits.Load()
		m := testMonitor("tls://" + internal)
		m.CAFile = p.rootFile
		if r := run(t, checkers[m.Kind], m, 0); r.Class != ClassTLSIncomplete || !strings.Contains(r.Error, issuerFetched) {
			t.Errorf("internal target: got %q %q, want the issuer fetched", r.Class, r.Error)
		}
		if n := p.internal.hits.Load() - before; n != 1 {
			t.Errorf("internal target: the AIA server was asked %d times, want 1", n)
		}

		// What an internal monitor fetched is not handed to a public target.
		before = p.internal.hits.Load()
		m = testMonitor("tls://" + public)
		m.CAFile = p.rootFile
		r := run(t, checkers[m.Kind], m, 0)
		if r.Class != ClassTLSIncomplete || !strings.Contains(r.Error, issuerNotFetched) || p.internal.hits.Load() != before {
			t.Errorf("public target after an internal one: got %q %q, internal asked %d times: want the issuer not fetched nor taken from the cache",
				r.Class, r.Error, p.internal.hits.Load()-before)
		}

		// allow_private_redirects lets a public target's AIA URL be internal.
		m = testMonitor("https://" + public + "/")
		m.CAFile, m.AllowPrivateRedirects = p.rootFile, true
		if r := run(t, New(Options{public: testPublic})[m.Kind], m, 0); r.Class != ClassTLSIncomplete || !strings.Contains(r.Error, issuerFetched) ||
			strings.Contains(r.Detail, "allow_private_redirects") {
			t.Errorf("allow_private_redirects: got %q %q (detail %q), want the issuer fetched", r.Class, r.Error, r.Detail)
		}
		if n := p.internal.hits.Load() - before; n != 1 {
			t.Errorf("allow_private_redirects: the AIA server was asked %d times, want 1", n)
		}
	})

	t.Run("public AIA URL", func(t *testing.T) {
		aia := newCounting(t, "127.0.0.3:0", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(p.inter.Certificate[0])
		})
		public := serveTLS(t, "127.0.0.2:0", p.leafOnly(aia.URL+"/issuer.cer"))
		checker := New(Options{public: testPublic})[monitor.KindTLS]
		m := testMonitor("tls://" + public)
		m.CAFile = p.rootFile
		for range 2 { // fetched once, then from the cache
			if r := run(t, checker, m, 0); r.Class != ClassTLSIncomplete || !strings.Contains(r.Error, issuerFetched) || r.Detail == "" {
				t.Errorf("got %q %q, want the issuer fetched", r.Class, r.Error)
			}
		}
		if n := aia.hits.Load(); n != 1 {
			t.Errorf("the public AIA server was asked %d times, want 1", n)
		}
	})
}

// TestOAuth2RedirectPrivate: a token endpoint on a public address that
// redirects into the internal network (by address, to localhost, to a
// name resolving inside) fails the check as oauth2_error naming the kind
// of address, before the internal endpoint is asked and without the
// secret; an internal token endpoint, or allow_private_redirects, may.
func TestOAuth2RedirectPrivate(t *testing.T) {
	const secret = "oauth-client-secret-guarded"
	internal := newCounting(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-internal","token_type":"Bearer","expires_in":3600}`)
	})
	internalToken := "http://127.0.0.1:" + internal.port() + "/token"
	to := func(target string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target, http.StatusTemporaryRedirect) // a POST stays a POST, body and all
		}
	}
	api := listenOn(t, "127.0.0.2:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-internal" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	checker := New(Options{Resolver: rebindDNS(t), public: testPublic})[monitor.KindHTTP]
	monitorFor := func(tokenURL string) *monitor.Monitor {
		m := testMonitor(api.URL + "/status")
		m.OAuth2 = &monitor.OAuth2{TokenURL: tokenURL, ClientID: "upbeat", ClientSecret: secret}
		return m
	}

	for _, tt := range []struct{ name, target, says string }{
		{"by address", internalToken, "127.0.0.1, a loopback address (this machine)"},
		{"localhost", "http://localhost:" + internal.port() + "/token", "localhost (this machine)"},
		{"by a name resolving inside", "http://internal.test:" + internal.port() + "/token", "127.0.0.1, a loopback address (this machine)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			endpoint := newCounting(t, "127.0.0.2:0", to(tt.target))
			r := run(t, checker, monitorFor(endpoint.URL+"/token"), 0)
			if r.Status != monitor.StatusDown || r.Class != ClassOAuth2 {
				t.Fatalf("got %v/%q (%q), want down/%s", r.Status, r.Class, r.Error, ClassOAuth2)
			}
			if !strings.Contains(r.Error, tt.says) || !strings.Contains(r.Error, "allow_private_redirects") ||
				!strings.Contains(r.Error, "token endpoint") {
				t.Errorf("error %q: want the token endpoint, the address refused (%s) and the key that allows it", r.Error, tt.says)
			}
			if strings.Contains(fmt.Sprintf("%+v", r), secret) {
				t.Errorf("the client secret is in the result: %+v", r)
			}
			if n := internal.hits.Load(); n != 0 {
				t.Errorf("the internal token endpoint was asked %d times", n)
			}
			if endpoint.hits.Load() == 0 {
				t.Error("the public token endpoint was never asked: the test proves nothing")
			}
		})
	}

	t.Run("allowed", func(t *testing.T) {
		before := internal.hits.Load()
		public := newCounting(t, "127.0.0.2:0", to(internalToken))
		m := monitorFor(public.URL + "/token")
		m.AllowPrivateRedirects = true
		if r := run(t, checker, m, 0); r.Status != monitor.StatusUp {
			t.Errorf("allow_private_redirects: got %v/%q (%q), want up", r.Status, r.Class, r.Error)
		}
		// An internal token endpoint may redirect inside.
		inner := newCounting(t, "127.0.0.1:0", to(internalToken))
		if r := run(t, checker, monitorFor(inner.URL+"/token"), 0); r.Status != monitor.StatusUp {
			t.Errorf("internal token endpoint: got %v/%q (%q), want up", r.Status, r.Class, r.Error)
		}
		if n := internal.hits.Load() - before; n != 2 {
			t.Errorf("the internal token endpoint was asked %d times, want 2", n)
		}
	})
}
