package check

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	neturl "net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Everything a test can reach is on loopback, so the tests say which
// loopback addresses count as public: 127.0.0.2 and 127.0.0.3 play two
// public sites, 127.0.0.1 the internal network.
var (
	publicSite = netip.MustParseAddr("127.0.0.2")
	thirdParty = netip.MustParseAddr("127.0.0.3")
)

func testPublic(a netip.Addr) bool {
	a = a.Unmap()
	return a == publicSite || a == thirdParty
}

// internalSecret is what the internal service answers; it must never show
// in a result unless the monitor allowed the redirect and the body came
// from its own host.
const internalSecret = "AKIA-INTERNAL-SECRET-do-not-leak"

// listenOn starts h on addr ("127.0.0.2:0").
func listenOn(t *testing.T, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	s := httptest.NewUnstartedServer(h)
	s.Listener.Close()
	s.Listener = ln
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// internalService is a metadata-like service on 127.0.0.1 that counts the
// requests it answers.
type internalService struct {
	*httptest.Server
	hits atomic.Int32
}

func newInternal(t *testing.T, addr string) *internalService {
	s := &internalService{}
	s.Server = listenOn(t, addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		w.Header().Set("X-Secret", internalSecret)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token": %q, "status": "internal"}`, internalSecret)
	}))
	return s
}

func (s *internalService) port() string {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	return p
}

// leaks reports whether the secret shows anywhere in r.
func leaks(r monitor.Result) bool {
	return strings.Contains(fmt.Sprintf("%+v", r), internalSecret)
}

// rebindDNS answers A queries for rebind.test with 127.0.0.2 the first
// time and 127.0.0.1 after, and internal.test with 127.0.0.1 always: a
// name that looks public when the monitor starts and turns internal.
func rebindDNS(t *testing.T) *net.Resolver {
	t.Helper()
	var rebindAsked atomic.Int32
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		ip := ""
		switch strings.ToLower(q.Name) {
		case "rebind.test.":
			ip = "127.0.0.1"
			if q.Qtype == dns.TypeA && rebindAsked.Add(1) == 1 {
				ip = "127.0.0.2"
			}
		case "internal.test.":
			ip = "127.0.0.1"
		default:
			m.Rcode = dns.RcodeNameError
		}
		if ip != "" && q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, mustRR(q.Name+" 0 IN A "+ip))
		}
		_ = w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &dns.Server{PacketConn: pc, Handler: h}
	started := make(chan struct{})
	s.NotifyStartedFunc = func() { close(started) }
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.ActivateAndServe()
	}()
	<-started
	t.Cleanup(func() {
		_ = s.Shutdown()
		<-done
	})
	return testResolver(pc.LocalAddr().String())
}

// samePort starts the public site on 127.0.0.2 and the internal service on
// 127.0.0.1 on one port number, so that a URL with a host name reaches
// either, depending on what the name resolves to.
func samePort(t *testing.T, site http.Handler) (*httptest.Server, *internalService) {
	t.Helper()
	for range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		ln2, err := net.Listen("tcp", "127.0.0.2:"+port)
		if err != nil {
			ln.Close()
			continue
		}
		ln.Close()
		ln2.Close()
		// Both ports were free a moment ago; taken again at once.
		in := newInternal(t, "127.0.0.1:"+port)
		return listenOn(t, "127.0.0.2:"+port, site), in
	}
	t.Skip("no port free on both 127.0.0.1 and 127.0.0.2")
	return nil, nil
}

// TestRedirectPrivate is a hostile public site that redirects the check
// into the internal network, by address, by name, and by a name that
// resolves differently the second time. Each must be refused before the
// internal service is asked, with redirect_private and without the secret.
func TestRedirectPrivate(t *testing.T) {
	in := newInternal(t, "127.0.0.1:0")
	inURL := "http://127.0.0.1:" + in.port()
	site := http.NewServeMux()
	site.HandleFunc("/to-ip", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inURL+"/latest/meta-data/", http.StatusFound)
	})
	site.HandleFunc("/to-localhost", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:"+in.port()+"/", http.StatusMovedPermanently)
	})
	site.HandleFunc("/to-name", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://internal.test:"+in.port()+"/", http.StatusFound)
	})
	closed := closedPort(t)
	_, closedP, _ := net.SplitHostPort(closed)
	site.HandleFunc("/to-closed", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://internal.test:"+closedP+"/", http.StatusFound)
	})
	site.HandleFunc("/fine", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/landed", http.StatusFound)
	})
	site.HandleFunc("/landed", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "healthy")
	})
	site.HandleFunc("/hop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/to-ip", http.StatusFound) // via a second public hop
	})
	pub := listenOn(t, "127.0.0.2:0", site)

	rebindSite, rebindIn := samePort(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/secret", http.StatusFound) // the same host, the same name
	}))
	_, rebindPort, _ := net.SplitHostPort(rebindSite.Listener.Addr().String())

	resolver := rebindDNS(t)
	checker := New(Options{Resolver: resolver, public: testPublic})[monitor.KindHTTP]

	tests := []struct {
		name, url, addr string
		internal        *internalService
	}{
		{"to an address", pub.URL + "/to-ip", "127.0.0.1", in},
		{"after a public hop", pub.URL + "/hop", "127.0.0.1", in},
		{"to localhost", pub.URL + "/to-localhost", "localhost", in},
		{"to a name that resolves inside", pub.URL + "/to-name", "127.0.0.1", in},
		{"DNS rebinding", "http://rebind.test:" + rebindPort + "/start", "127.0.0.1", rebindIn},
		// With a *net.Dialer the address is refused before a connection
		// is attempted: a closed port gives redirect_private, not refused.
		{"before connecting", pub.URL + "/to-closed", "127.0.0.1", in},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.internal.hits.Load()
			m := testMonitor(tt.url)
			m.MaxRedirects = 10
			m.ExpectBody = "healthy"
			r := run(t, checker, m, 0)
			if r.Status != monitor.StatusDown || r.Class != ClassRedirectPrivate {
				t.Fatalf("got %v/%q (%q), want down/%s", r.Status, r.Class, r.Error, ClassRedirectPrivate)
			}
			if r.Code < 300 || r.Code > 399 {
				t.Errorf("code %d, want the redirect's", r.Code)
			}
			if !strings.Contains(r.Error, tt.addr) || !strings.Contains(r.Error, "allow_private_redirects") {
				t.Errorf("error %q: want the address refused and the key that allows it", r.Error)
			}
			if leaks(r) {
				t.Errorf("the internal answer leaked: %+v", r)
			}
			if n := tt.internal.hits.Load() - before; n != 0 {
				t.Errorf("the internal service was asked %d times", n)
			}

		})
	}

	t.Run("allowed", func(t *testing.T) {
		before := in.hits.Load()
		m := testMonitor(pub.URL + "/to-ip")
		m.MaxRedirects = 10
		m.AllowPrivateRedirects = true
		m.ExpectBody = internalSecret
		if r := run(t, checker, m, 0); r.Status != monitor.StatusUp || r.FinalURL != inURL+"/latest/meta-data/" {
			t.Errorf("got %v/%q (%q) final %q, want up at the internal URL", r.Status, r.Class, r.Error, r.FinalURL)
		}
		m.ExpectBody = "healthy" // followed, but the body of another host is never quoted
		r := run(t, checker, m, 0)
		if r.Class != ClassBodyMismatch || leaks(r) || !strings.Contains(r.Error, "127.0.0.1:"+in.port()) {
			t.Errorf("got %q (%q): want body_mismatch naming the host, without the body", r.Class, r.Error)
		}
		if n := in.hits.Load() - before; n != 2 {
			t.Errorf("the internal service was asked %d times, want 2", n)
		}
	})

	// Through a proxy the checker never learns where a name leads, but an
	// address in the redirect is refused all the same; the proxy itself,
	// on an internal address, is no redirect and is used.
	t.Run("through a proxy", func(t *testing.T) {
		proxy, forwarded := forwardProxy(t)
		before := in.hits.Load()
		m := testMonitor(pub.URL + "/to-ip")
		m.MaxRedirects, m.Proxy, m.ExpectBody = 10, proxy, "healthy"
		r := run(t, checker, m, 0)
		if r.Class != ClassRedirectPrivate || leaks(r) || in.hits.Load() != before {
			t.Errorf("got %q (%q): want redirect_private", r.Class, r.Error)
		}
		m = testMonitor(pub.URL + "/fine")
		m.MaxRedirects, m.Proxy, m.ExpectBody = 10, proxy, "healthy"
		if r := run(t, checker, m, 0); r.Status != monitor.StatusUp || forwarded.Load() != 3 { // /to-ip, /fine, /landed
			t.Errorf("got %v/%q (%q), %d forwarded: want up through the proxy", r.Status, r.Class, r.Error, forwarded.Load())
		}
	})

	t.Run("no redirects followed", func(t *testing.T) {
		m := testMonitor(pub.URL + "/to-ip")
		m.MaxRedirects = 0 // the 302 itself is judged
		if r := run(t, checker, m, 0); r.Status != monitor.StatusUp || r.Code != http.StatusFound {
			t.Errorf("got %v/%q code %d, want up with the 302", r.Status, r.Class, r.Code)
		}
	})

	t.Run("an internal monitor stays inside", func(t *testing.T) {
		inner := listenOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, inURL+"/", http.StatusFound)
		}))
		m := testMonitor(inner.URL + "/")
		m.MaxRedirects = 10
		m.ExpectBody = internalSecret
		if r := run(t, checker, m, 0); r.Status != monitor.StatusUp {
			t.Errorf("got %v/%q (%q): a monitor configured on an internal address may follow redirects inside", r.Status, r.Class, r.Error)
		}
	})
}

// TestRedirectPrivateAnyDialer: with a Dialer that is not a *net.Dialer
// the address is judged once the connection is open, before the request
// is written on it.
func TestRedirectPrivateAnyDialer(t *testing.T) {
	site, in := samePort(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/secret", http.StatusFound)
	}))
	_, port, _ := net.SplitHostPort(site.Listener.Addr().String())
	var dials atomic.Int32
	d := dialerFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
		to := "127.0.0.1" // rebinding, done by the dialer: public first, internal after
		if dials.Add(1) == 1 {
			to = "127.0.0.2"
		}
		var nd net.Dialer
		return nd.DialContext(ctx, network, net.JoinHostPort(to, port))
	})
	checker := New(Options{Dialer: d, public: testPublic})[monitor.KindHTTP]
	m := testMonitor("http://shop.test:" + port + "/")
	m.MaxRedirects = 10
	m.ExpectBody = "healthy"
	r := run(t, checker, m, 0)
	if r.Class != ClassRedirectPrivate || leaks(r) || in.hits.Load() != 0 {
		t.Errorf("got %q (%q), internal asked %d times: want redirect_private before any request", r.Class, r.Error, in.hits.Load())
	}
}

// forwardProxy is a forward proxy for plain http on 127.0.0.1 that passes
// answers on whole, redirects included; it counts what it forwards.
func forwardProxy(t *testing.T) (*neturl.URL, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		n.Add(1)
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	u, _ := neturl.Parse(srv.URL)
	return u, &n
}

type dialerFunc func(ctx context.Context, network, addr string) (net.Conn, error)

func (f dialerFunc) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return f(ctx, network, addr)
}

// TestExcerptOnlyFromOwnHost: a body, a header value or a JSON value is
// quoted in a message only when it came from the monitor's own host; after
// a redirect to another host the message names that host instead.
func TestExcerptOnlyFromOwnHost(t *testing.T) {
	third := listenOn(t, "127.0.0.3:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Secret", internalSecret)
		fmt.Fprintf(w, `{"token": %q, "ok": false}`, internalSecret)
	}))
	site := http.NewServeMux()
	site.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, third.URL+"/", http.StatusFound)
	})
	site.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new", http.StatusFound)
	})
	site.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "own host body "+internalSecret)
	})
	pub := listenOn(t, "127.0.0.2:0", site)
	checker := New(Options{public: testPublic})[monitor.KindHTTP]
	thirdHost := third.Listener.Addr().String()

	judges := []struct {
		name  string
		set   func(*monitor.Monitor)
		class string
	}{
		{"expect_body", func(m *monitor.Monitor) { m.ExpectBody = "healthy" }, ClassBodyMismatch},
		{"expect_body_regex", func(m *monitor.Monitor) { m.ExpectBodyRegex = "^healthy$" }, ClassBodyMismatch},
		{"expect_json false", func(m *monitor.Monitor) { m.ExpectJSON = []string{".ok"} }, ClassJSONAssertion},
		{"expect_json no test", func(m *monitor.Monitor) { m.ExpectJSON = []string{".token"} }, ClassJSONNotBoolean},
		{"expect_json error", func(m *monitor.Monitor) { m.ExpectJSON = []string{".token | keys | length > 0"} }, ClassJSONAssertion},
		{"expect_headers", func(m *monitor.Monitor) { m.ExpectHeaders = map[string]string{"X-Secret": "^nothing$"} }, ClassHeaderMismatch},
	}
	for _, j := range judges {
		t.Run(j.name, func(t *testing.T) {
			m := testMonitor(pub.URL + "/away")
			m.MaxRedirects = 10
			j.set(m)
			r := run(t, checker, m, 0)
			if r.Class != j.class || leaks(r) || !strings.Contains(r.Error, thirdHost) {
				t.Errorf("got %q (%q, detail %q): want %s naming %s, without the body", r.Class, r.Error, r.Detail, j.class, thirdHost)
			}
		})
	}

	t.Run("own host after a redirect", func(t *testing.T) {
		m := testMonitor(pub.URL + "/old")
		m.MaxRedirects = 10
		m.ExpectBody = "healthy"
		r := run(t, checker, m, 0)
		if r.Class != ClassBodyMismatch || !strings.Contains(r.Error, `it starts "own host body`) {
			t.Errorf("got %q (%q): the monitor's own host's body is quoted", r.Class, r.Error)
		}
	})
}

// TestRedirectPrivateRDAP: an RDAP server on a public address that
// redirects into the internal network is refused in the same way.
func TestRedirectPrivateRDAP(t *testing.T) {
	in := newInternal(t, "127.0.0.1:0")
	rdap := listenOn(t, "127.0.0.2:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:"+in.port()+r.URL.Path, http.StatusFound)
	}))
	checker := New(Options{public: testPublic})[monitor.KindDomain]
	m := testMonitor("domain://example.com")
	m.RDAPServer = rdap.URL
	r := run(t, checker, m, 0)
	if r.Class != ClassRedirectPrivate || leaks(r) || in.hits.Load() != 0 {
		t.Errorf("got %q (%q), internal asked %d times: want redirect_private", r.Class, r.Error, in.hits.Load())
	}
	m.AllowPrivateRedirects = true
	if r := run(t, checker, m, 0); r.Class == ClassRedirectPrivate || in.hits.Load() != 1 {
		t.Errorf("allowed: got %q (%q), internal asked %d times, want once", r.Class, r.Error, in.hits.Load())
	}
}

func TestPublicAddr(t *testing.T) {
	for _, tt := range []struct {
		addr   string
		public bool
	}{
		{"93.184.215.14", true},
		{"2606:4700:4700::1111", true},
		{"100.63.255.255", true},
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8
		{"127.0.0.1", false},
		{"127.8.9.10", false},
		{"::1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"100.64.0.1", false},
		{"100.100.100.200", false}, // a metadata address in carrier-grade NAT space
		{"169.254.169.254", false},
		{"fd00:ec2::254", false},
		{"fc00::1", false},
		{"fe80::1%eth0", false},
		{"0.0.0.0", false},
		{"::", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254
		{"2002:7f00:1::1", false},     // 6to4 of 127.0.0.1
		{"192.0.0.192", false},
		{"224.0.0.1", false},
		{"255.255.255.255", false},
	} {
		if got := publicAddr(netip.MustParseAddr(tt.addr)); got != tt.public {
			t.Errorf("publicAddr(%s) = %v, want %v", tt.addr, got, tt.public)
		}
	}
}
