package check

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/testcert"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// resultText is everything of a result a person or a script could see.
func resultText(t *testing.T, r monitor.Result) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + r.Error + r.Detail + r.FinalURL
}

// noSecret fails the test when a secret shows anywhere in r.
func noSecret(t *testing.T, r monitor.Result, secrets ...string) {
	t.Helper()
	text := resultText(t, r)
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("secret %q in the result: %s", s, text)
		}
	}
}

func TestHTTP2ByALPN(t *testing.T) {
	p := pki(t)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, r.Proto) })
	h2 := httptest.NewUnstartedServer(h)
	h2.EnableHTTP2 = true
	h2.TLS = &tls.Config{Certificates: []tls.Certificate{p.valid}}
	h2.StartTLS()
	defer h2.Close()
	h1 := tlsServer(t, p.valid, h) // offers http/1.1 only
	plain := httptest.NewServer(h)
	defer plain.Close()

	checker := New(Options{})[monitor.KindHTTP]
	for _, tt := range []struct {
		name, url, require string
		status             monitor.Status
		class, version     string
	}{
		{"h2 server, as a browser", h2.URL, "", monitor.StatusUp, "", "2"},
		{"h1 server, as a browser", h1.URL, "", monitor.StatusUp, "", "1.1"},
		{"plain http", plain.URL, "", monitor.StatusUp, "", "1.1"},
		{"h2 required and spoken", h2.URL, "2", monitor.StatusUp, "", "2"},
		{"h2 required, server cannot", h1.URL, "2", monitor.StatusDown, ClassHTTPVersion, ""},
		{"h2 required over plain http, server cannot", plain.URL, "2", monitor.StatusDown, ClassHTTPVersion, ""},
		{"1.1 required of an h2 server", h2.URL, "1.1", monitor.StatusUp, "", "1.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := testMonitor(tt.url)
			m.CAFile, m.HTTPVersion = p.caFile, tt.require
			r := run(t, checker, m, 0)
			if r.Status != tt.status || r.Class != tt.class || r.HTTPVersion != tt.version {
				t.Fatalf("got %v/%q HTTP/%q (%q; %q), want %v/%q HTTP/%q", r.Status, r.Class, r.HTTPVersion, r.Error, r.Detail,
					tt.status, tt.class, tt.version)
			}
			if strings.Contains(r.Error, "http2:") || strings.Contains(r.Error, "tls:") {
				t.Errorf("library text as the message: %q", r.Error)
			}
		})
	}
}

// backloggedListener returns a loopback address whose SYNs are never
// answered: a listening socket with a backlog of 0 whose one queue slot is
// taken by a connection nobody accepts. Linux drops a SYN for a listener
// whose accept queue is full, and the client's connect waits for an answer
// that never comes: what a firewall that drops packets looks like, without
// root or packet filters.
func backloggedListener(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	// Fill the queue: the first connection completes and waits, unaccepted.
	// Whether one or two fit depends on the kernel; dial until one hangs.
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond) // loopback answers in microseconds
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				return addr
			}
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if i > 8 {
			t.Skip("this kernel answers SYNs beyond the backlog; no way to reproduce an unanswered SYN here")
		}
	}
}

// A SYN never answered is a connect_timeout; a connection that opens and
// never answers is a timeout; a TLS handshake never finished is a
// tls_timeout. Each message says what was waited for and for how long.
func TestTimeoutsNameTheirPhase(t *testing.T) {
	t.Parallel()
	synDrop := backloggedListener(t)
	hung := rawServer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	checkers := New(Options{})
	for _, tt := range []struct {
		name, url, class, says string
	}{
		{"syn unanswered, http", "http://" + synDrop + "/", ClassConnectTimeout, "no TCP connection to " + synDrop + " within 300ms"},
		{"syn unanswered, tcp", "tcp://" + synDrop, ClassConnectTimeout, "within 300ms"},
		{"syn unanswered, tls", "tls://" + synDrop, ClassConnectTimeout, "within 300ms"},
		{"connected, no answer", "http://" + hung + "/", ClassTimeout, "no answer came within 300ms"},
		{"handshake never finished, https", "https://" + hung + "/", ClassTLSTimeout, "TLS handshake did not finish within 300ms"},
		{"handshake never finished, tls", "tls://" + hung, ClassTLSTimeout, "TLS handshake did not finish within 300ms"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := testMonitor(tt.url)
			r := run(t, checkers[m.Kind], m, 300*time.Millisecond)
			if r.Status != monitor.StatusDown || r.Class != tt.class || !strings.Contains(r.Error, tt.says) {
				t.Fatalf("got %v/%q %q, want down/%q saying %q", r.Status, r.Class, r.Error, tt.class, tt.says)
			}
			if strings.Contains(r.Error, "deadline") || strings.Contains(r.Error, "i/o timeout") {
				t.Errorf("Go's error text as the message: %q", r.Error)
			}
			if r.Detail == "" {
				t.Error("no detail")
			}
		})
	}
}

// certChain is a private PKI: a root, an intermediate it signed (served
// at an AIA URL), and leaves.
type certChain struct {
	rootFile                                     string
	full, leafOnly, selfSigned, own, ownLeafOnly tls.Certificate
}

func newCertChain(t *testing.T) *certChain {
	t.Helper()
	rootPEM, _, root := testcert.Generate(testcert.Options{IsCA: true, CommonName: "Example Root CA"})
	_, _, inter := testcert.Generate(testcert.Options{IsCA: true, CommonName: "Example Issuing CA 2", Parent: &root})
	aia := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/pkix-cert")
		_, _ = w.Write(inter.Certificate[0])
	}))
	t.Cleanup(aia.Close)
	_, _, full := testcert.Generate(testcert.Options{Parent: &inter, IssuingCertificateURL: []string{aia.URL + "/issuer.cer"}})
	_, _, self := testcert.Generate(testcert.Options{CommonName: "appliance.local"})
	c := &certChain{
		rootFile:   filepath.Join(t.TempDir(), "root.pem"),
		full:       full, // leaf + intermediate + root
		leafOnly:   tls.Certificate{Certificate: full.Certificate[:1], PrivateKey: full.PrivateKey, Leaf: full.Leaf},
		selfSigned: self,
	}
	_, _, c.own = testcert.Generate(testcert.Options{Parent: &root}) // no AIA: a private CA's leaf
	c.ownLeafOnly = tls.Certificate{Certificate: c.own.Certificate[:1], PrivateKey: c.own.PrivateKey, Leaf: c.own.Leaf}
	if err := os.WriteFile(c.rootFile, rootPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCertificateTrustToldApart(t *testing.T) {
	c := newCertChain(t)
	checkers := New(Options{})
	for _, tt := range []struct {
		name   string
		cert   tls.Certificate
		caFile bool
		class  string
		says   string
	}{
		{"full chain, CA trusted", c.full, true, "", ""},
		{"self-signed", c.selfSigned, false, ClassTLSSelfSigned, `"appliance.local" is self-signed and not trusted; trust it with ca_file`},
		{"missing intermediate", c.leafOnly, true, ClassTLSIncomplete, `"Example Issuing CA 2"`},
		{"private CA without ca_file", c.own, false, ClassTLSUnknownCA, `"Example Root CA", a CA that is not trusted; if it is your own CA, add it with ca_file`},
		{"private CA, root not sent", c.ownLeafOnly, false, ClassTLSUnknownCA, `issued by "Example Root CA", a CA that is not trusted; if it is your own CA, add it with ca_file`},
		{"private CA with ca_file", c.own, true, "", ""},
	} {
		for _, scheme := range []string{"https", "tls"} {
			t.Run(scheme+" "+tt.name, func(t *testing.T) {
				srv := tlsServer(t, tt.cert, nil)
				m := testMonitor(scheme + "://" + srv.Listener.Addr().String())
				if tt.caFile {
					m.CAFile = c.rootFile
				}
				r := run(t, checkers[m.Kind], m, 0)
				if r.Class != tt.class || !strings.Contains(r.Error, tt.says) {
					t.Fatalf("got %v/%q %q, want %q saying %q", r.Status, r.Class, r.Error, tt.class, tt.says)
				}
				if tt.class != "" && (strings.Contains(r.Error, "x509:") || r.Detail == "" || !r.CertUnverified) {
					t.Errorf("error %q detail %q unverified %v: want plain words, the x509 text as detail", r.Error, r.Detail, r.CertUnverified)
				}
			})
		}
	}
}

// An expired certificate says "expired N days ago" with the same N as
// cert_days (issue 10: they disagreed by one).
func TestExpiredDaysAgree(t *testing.T) {
	p := pki(t) // expired 2 days and an hour ago
	srv := tlsServer(t, p.expired, nil)
	m := testMonitor(srv.URL)
	m.CAFile = p.caFile
	r := run(t, New(Options{})[monitor.KindHTTP], m, 0)
	if r.Class != ClassTLSExpired || !strings.Contains(r.Error, fmt.Sprintf("(%d days ago)", -r.CertDays)) {
		t.Errorf("error %q with cert_days %d", r.Error, r.CertDays)
	}
}

func TestJSONAssertionNotBoolean(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"status":"DOWN","count":3}`)
	}))
	defer srv.Close()
	checker := New(Options{})[monitor.KindHTTP]
	for _, tt := range []struct{ expr, class string }{
		{`.status`, ClassJSONNotBoolean}, // "DOWN" is truthy for jq -e: never up here
		{`.count`, ClassJSONNotBoolean},
		{`.missing`, ClassJSONAssertion},
		{`.status == "UP"`, ClassJSONAssertion},
		{`.count > 2`, ""},
	} {
		m := testMonitor(srv.URL)
		m.ExpectJSON = []string{tt.expr}
		if r := run(t, checker, m, 0); r.Class != tt.class || (tt.class == "") != (r.Status == monitor.StatusUp) {
			t.Errorf("%s: got %v/%q (%q), want %q", tt.expr, r.Status, r.Class, r.Error, tt.class)
		}
	}
}

func TestBasicAuthBearerAndExpectations(t *testing.T) {
	const pw, token = "s3cret-basic-pw", "bearer-token-XYZ"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		switch {
		case ok && user == "upbeat" && pass == pw, r.Header.Get("Authorization") == "Bearer "+token:
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, _ = io.WriteString(w, `{"version": "2.4.1"}`)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "bad credentials %s:%s", user, pass) // a server that echoes what it got
		}
	}))
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	checker := New(Options{})[monitor.KindHTTP]
	for _, tt := range []struct {
		name  string
		setup func(m *monitor.Monitor)
		class string
	}{
		{"basic auth", func(m *monitor.Monitor) { m.BasicAuth = &monitor.BasicAuth{User: "upbeat", Password: pw} }, ""},
		{"wrong password", func(m *monitor.Monitor) { m.BasicAuth = &monitor.BasicAuth{User: "upbeat", Password: pw + "x"} }, "http_401"},
		{"bearer token file", func(m *monitor.Monitor) { m.BearerTokenFile = tokenFile }, ""},
		{"body regex", func(m *monitor.Monitor) { m.BearerTokenFile, m.ExpectBodyRegex = tokenFile, `"version":\s*"2\.` }, ""},
		{"body regex fails", func(m *monitor.Monitor) { m.BearerTokenFile, m.ExpectBodyRegex = tokenFile, `"version":\s*"3\.` }, ClassBodyMismatch},
		{"headers", func(m *monitor.Monitor) {
			m.BearerTokenFile, m.ExpectHeaders = tokenFile, map[string]string{"Content-Type": "^application/json"}
		}, ""},
		{"header mismatch", func(m *monitor.Monitor) {
			m.BearerTokenFile, m.ExpectHeaders = tokenFile, map[string]string{"Content-Type": "^text/html"}
		}, ClassHeaderMismatch},
		{"header missing", func(m *monitor.Monitor) {
			m.BearerTokenFile, m.ExpectHeaders = tokenFile, map[string]string{"X-Served-By": "."}
		}, ClassHeaderMismatch},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := testMonitor(srv.URL)
			tt.setup(m)
			r := run(t, checker, m, 0)
			if r.Class != tt.class {
				t.Fatalf("got %v/%q (%q), want %q", r.Status, r.Class, r.Error, tt.class)
			}
			noSecret(t, r, pw, token)
		})
	}
}

func TestOAuth2ClientCredentials(t *testing.T) {
	const secret = "oauth-client-secret-42"
	var issued atomic.Int32
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, sec, _ := r.BasicAuth()
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "client_credentials" || id != "upbeat" || sec != secret {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"secret %s is wrong"}`, sec)
			return
		}
		n := issued.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600,"scope":%q}`, n, r.Form.Get("scope"))
	}))
	defer auth.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer tok-") {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer api.Close()

	checker := New(Options{})[monitor.KindHTTP]
	m := testMonitor(api.URL)
	m.OAuth2 = &monitor.OAuth2{TokenURL: auth.URL + "/token", ClientID: "upbeat", ClientSecret: secret, Scopes: []string{"status:read"}}
	for range 2 {
		if r := run(t, checker, m, 0); r.Status != monitor.StatusUp {
			t.Fatalf("got %v/%q (%q)", r.Status, r.Class, r.Error)
		}
	}
	if n := issued.Load(); n != 1 {
		t.Errorf("%d tokens fetched for two checks, want 1 reused while valid", n)
	}

	bad := testMonitor(api.URL)
	bad.OAuth2 = &monitor.OAuth2{TokenURL: auth.URL + "/token", ClientID: "upbeat", ClientSecret: "wrong-" + secret}
	r := run(t, checker, bad, 0)
	if r.Class != ClassOAuth2 || !strings.Contains(r.Error, "401") || !strings.Contains(r.Error, "invalid_client") {
		t.Errorf("got %v/%q (%q), want oauth2_error naming the answer", r.Status, r.Class, r.Error)
	}
	noSecret(t, r, secret)
}

// proxyServer is a forward proxy for plain http that wants basic
// credentials; it counts the requests it forwards.
func proxyServer(t *testing.T, user, pass string) (*url.URL, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Proxy-Authorization") != "Basic "+basic(user, pass) {
			w.WriteHeader(http.StatusProxyAuthRequired)
			return
		}
		if !r.URL.IsAbs() {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.Header.Del("Proxy-Authorization")
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		n.Add(1)
		w.Header().Set("Via", "1.1 test-proxy")
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword(user, pass)
	return u, &n
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

func basic(user, pass string) string {
	r, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
	r.SetBasicAuth(user, pass)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

func TestProxy(t *testing.T) {
	const proxyPass = "proxy-pass-777"
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer target.Close()
	proxy, forwarded := proxyServer(t, "ops", proxyPass)
	checker := New(Options{})[monitor.KindHTTP]

	m := testMonitor(target.URL)
	m.Proxy = proxy
	m.ExpectHeaders = map[string]string{"Via": "test-proxy"}
	if r := run(t, checker, m, 0); r.Status != monitor.StatusUp || forwarded.Load() != 1 {
		t.Fatalf("through the proxy: %v/%q (%q), %d forwarded", r.Status, r.Class, r.Error, forwarded.Load())
	}

	wrong := *proxy
	wrong.User = url.UserPassword("ops", "wrong-"+proxyPass)
	m.Proxy = &wrong
	r := run(t, checker, m, 0)
	if r.Status != monitor.StatusDown || r.Code != http.StatusProxyAuthRequired {
		t.Errorf("wrong proxy password: %v/%q code %d (%q)", r.Status, r.Class, r.Code, r.Error)
	}
	noSecret(t, r, proxyPass)

	dead, _ := url.Parse("http://ops:" + proxyPass + "@" + closedPort(t))
	m.Proxy = dead
	r = run(t, checker, m, 0)
	if r.Class != ClassProxy || !strings.Contains(r.Error, "refuses connections") {
		t.Errorf("dead proxy: %v/%q (%q), want proxy_error", r.Status, r.Class, r.Error)
	}
	noSecret(t, r, proxyPass)
}

// resolve pins a name to an address, as curl --resolve: no DNS is asked,
// and the name still goes in the Host header and SNI.
func TestResolveAndIPVersion(t *testing.T) {
	p := pki(t)
	var host atomic.Value
	srv := tlsServer(t, p.valid, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { host.Store(r.Host) }))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	checkers := New(Options{Resolver: testResolver(closedPort(t))}) // a resolver that cannot answer

	m := testMonitor("https://localhost:" + port + "/")
	m.CAFile, m.Resolve = p.caFile, []string{"localhost:" + port + ":127.0.0.1"}
	if r := run(t, checkers[monitor.KindHTTP], m, 0); r.Status != monitor.StatusUp || host.Load() != "localhost:"+port {
		t.Fatalf("pinned: %v/%q (%q), Host %v", r.Status, r.Class, r.Error, host.Load())
	}
	tcp := testMonitor("tcp://db.test:" + port)
	tcp.Resolve = []string{"db.test:" + port + ":127.0.0.1"}
	if r := run(t, checkers[monitor.KindTCP], tcp, 0); r.Status != monitor.StatusUp {
		t.Errorf("tcp pinned: %v/%q (%q)", r.Status, r.Class, r.Error)
	}

	// ip_version = 6 to a server on 127.0.0.1 only: the IPv6 pin is used.
	m.Resolve, m.IPVersion = []string{"localhost:" + port + ":127.0.0.1", "other:1:::1"}, 6
	if r := run(t, checkers[monitor.KindHTTP], m, 0); r.Status != monitor.StatusDown {
		t.Errorf("ip_version 6 to an IPv4 address: %v/%q (%q), want down", r.Status, r.Class, r.Error)
	}
}

// mTLS: a server that requires a client certificate refuses a monitor
// without one, in words that name client_cert, and accepts it with one.
func TestClientCertificate(t *testing.T) {
	p := pki(t)
	caPEM, _, ca := testcert.Generate(testcert.Options{IsCA: true, CommonName: "clients CA", ClientAuth: true})
	certPEM, keyPEM, _ := testcert.Generate(testcert.Options{Parent: &ca, CommonName: "upbeat", ClientAuth: true})
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	for f, b := range map[string][]byte{certFile: certPEM, keyFile: keyPEM} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	clients := x509.NewCertPool()
	clients.AppendCertsFromPEM(caPEM)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.valid}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clients}
	srv.Config.ErrorLog = discardLog()
	srv.StartTLS()
	defer srv.Close()
	checkers := New(Options{})
	for _, kind := range []string{"https", "tls"} {
		m := testMonitor(kind + "://" + srv.Listener.Addr().String())
		m.CAFile = p.caFile
		// (A tls:// check judges the server's certificate; under TLS 1.3
		// the server refuses a missing client certificate only after the
		// client's side of the handshake is done, so only https sees it.)
		if r := run(t, checkers[m.Kind], m, 0); kind == "https" &&
			(r.Status != monitor.StatusDown || r.Class != ClassTLSHandshake || !strings.Contains(r.Error, "client_cert")) {
			t.Errorf("%s without a client certificate: %v/%q (%q)", kind, r.Status, r.Class, r.Error)
		}
		m.ClientCert, m.ClientKey = certFile, keyFile
		if r := run(t, checkers[m.Kind], m, 0); r.Status != monitor.StatusUp {
			t.Errorf("%s with a client certificate: %v/%q (%q)", kind, r.Status, r.Class, r.Error)
		}
	}
}

// A dial to a target that drops SYNs ends with its check: an
// http.Transport detaches its dials from the request, and without a
// bound this one would go on for the kernel's two minutes of retries,
// a socket and a goroutine a check. Not parallel: it counts the
// transport's dials in progress, and no other test dials meanwhile.
func TestDialEndsWithItsCheck(t *testing.T) {
	synDrop := backloggedListener(t)
	m := testMonitor("http://" + synDrop + "/")
	if r := run(t, New(Options{})[m.Kind], m, 200*time.Millisecond); r.Class != ClassConnectTimeout {
		t.Fatalf("got %s %q, want %s", r.Class, r.Error, ClassConnectTimeout)
	}
	dialing := func() bool {
		buf := make([]byte, 1<<20)
		return bytes.Contains(buf[:runtime.Stack(buf, true)], []byte("net/http.(*Transport).dialConnFor"))
	}
	deadline := time.Now().Add(5 * time.Second)
	for dialing() {
		if time.Now().After(deadline) {
			t.Fatal("the check ended 5s ago and its dial goes on")
		}
		time.Sleep(10 * time.Millisecond) // waits on the dial's end, not on a clock
	}
}

// A server that takes the connection and never answers the TLS handshake
// holds it no longer than the check: net/http shakes hands on a context
// that outlives the request, and the connection's deadline is the
// check's.
func TestTLSHandshakeEndsWithItsCheck(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	closed := make(chan struct{}, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(io.Discard, c) // the ClientHello, then nothing until the client closes
		closed <- struct{}{}
	}()
	m := testMonitor("https://" + ln.Addr().String() + "/")
	if r := run(t, New(Options{})[m.Kind], m, 200*time.Millisecond); r.Status != monitor.StatusDown {
		t.Fatalf("got %s %s %q, want down", r.Status, r.Class, r.Error)
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the check ended 5s ago and its TLS handshake still holds the connection")
	}
}
