package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	"go.uber.org/goleak"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/internal/testcert"
	"github.com/upbeat-monitor/upbeat/internal/testmain"
	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestMain(m *testing.M) {
	testmain.SkipRaceExitSleep()
	flag.Parse()
	waitersParallel()
	goleak.VerifyTestMain(stopServers{m}, goleak.Cleanup(testmain.Exit)) // servers_test.go
}

// waitParallel is how many parallel tests run at once here unless
// -parallel says otherwise.
const waitParallel = 8

// waitersParallel lets more parallel tests run at once than the default,
// GOMAXPROCS, unless -parallel was given. The parallel tests of this
// package spend their time waiting, not computing: on the deadlines they
// test (300 ms or so, against servers that never answer) and on servers
// in other processes (PostgreSQL, MariaDB, Postfix booting). On a
// two-core machine the default let two of them wait at a time.
func waitersParallel() {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given && runtime.GOMAXPROCS(0) < waitParallel {
		_ = flag.Set("test.parallel", strconv.Itoa(waitParallel))
	}
}

// testPKI is a set of certificates for the TLS tests: a trusted CA (and a
// second, short-lived trusted CA), an untrusted CA, and leaves for every
// case.
type testPKI struct {
	caPEM  []byte // both trusted CAs
	caFile string // caPEM in the test's temporary directory

	valid, expiring, expired, notYet, wrongHost, unknownCA, shortCA tls.Certificate
}

const day = 24 * time.Hour

var pkiOnce = sync.OnceValue(func() *testPKI {
	now := time.Now()
	caPEM, _, ca := testcert.Generate(testcert.Options{IsCA: true, CommonName: "upbeat test CA", ValidFor: 10 * 365 * day})
	shortPEM, _, short := testcert.Generate(testcert.Options{IsCA: true, CommonName: "short CA", NotAfter: now.Add(5*day + time.Hour)})
	_, _, other := testcert.Generate(testcert.Options{IsCA: true, CommonName: "unknown CA"})
	leaf := func(o testcert.Options) tls.Certificate {
		if o.Parent == nil {
			o.Parent = &ca
		}
		_, _, c := testcert.Generate(o)
		return c
	}
	return &testPKI{
		caPEM:     append(caPEM, shortPEM...),
		valid:     leaf(testcert.Options{}),
		expiring:  leaf(testcert.Options{NotAfter: now.Add(3*day + time.Hour)}),
		expired:   leaf(testcert.Options{NotBefore: now.Add(-30 * day), NotAfter: now.Add(-2*day - time.Hour)}),
		notYet:    leaf(testcert.Options{NotBefore: now.Add(2 * day), NotAfter: now.Add(300 * day)}),
		wrongHost: leaf(testcert.Options{Hosts: []string{"wrong.example"}}),
		unknownCA: leaf(testcert.Options{Parent: &other}),
		shortCA:   leaf(testcert.Options{Parent: &short}),
	}
})

func pki(t testing.TB) *testPKI {
	t.Helper()
	p := *pkiOnce()
	p.caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p.caFile, p.caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return &p
}

// tlsServer starts an HTTPS test server presenting cert.
func tlsServer(t testing.TB, cert tls.Certificate, h http.Handler) *httptest.Server {
	t.Helper()
	if h == nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	}
	s := httptest.NewUnstartedServer(h)
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// run checks m with a timeout, as the engine would.
func run(t testing.TB, c engine.Checker, m *monitor.Monitor, timeout time.Duration) monitor.Result {
	t.Helper()
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.Check(ctx, m)
}

// mapDialer dials 127.0.0.1 for every host name in names, keeping the
// port, so that tests can use several host names on loopback.
type mapDialer struct {
	names map[string]bool
	d     net.Dialer
}

func (m *mapDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err == nil && m.names[host] {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	return m.d.DialContext(ctx, network, addr)
}

// rawServer accepts connections on loopback and hands each to serve; it
// closes every connection and waits for serve to return at cleanup.
func rawServer(t testing.TB, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// closedPort returns a loopback address nothing listens on: a port held
// by a socket that is bound and never listens, so that connecting to it is
// refused. Holding it until the test ends, rather than closing a listener
// at once, keeps the kernel from giving the port to a listener that a
// test running in parallel opens meanwhile.
func closedPort(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
}

// dnsZone is what the test DNS server answers.
var dnsZone = map[string]func(q dns.Question, m *dns.Msg){
	"ok.test.": func(q dns.Question, m *dns.Msg) {
		if q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, mustRR("ok.test. 60 IN A 127.0.0.1"))
		}
	},
	"other.test.": func(q dns.Question, m *dns.Msg) {
		if q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, mustRR("other.test. 60 IN A 127.0.0.1"))
		}
	},
	"two.test.": func(q dns.Question, m *dns.Msg) {
		if q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, mustRR("two.test. 60 IN A 127.0.0.1"), mustRR("two.test. 60 IN A 127.0.0.2"))
		}
	},
	"txt.test.": func(q dns.Question, m *dns.Msg) {
		m.Answer = append(m.Answer, mustRR(`txt.test. 60 IN TXT "v=spf1 -all"`))
	},
	"evil.test.": func(q dns.Question, m *dns.Msg) {
		m.Answer = append(m.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
			Txt: []string{"a\x1b]0;pwned\x07b"}})
	},
	"empty.test.": func(dns.Question, *dns.Msg) {},
	"big.test.": func(q dns.Question, m *dns.Msg) {
		for i := range 120 {
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
				A: net.IPv4(127, 0, byte(i/250), byte(1+i%250))})
		}
	},
	"fail.test.":    func(_ dns.Question, m *dns.Msg) { m.Rcode = dns.RcodeServerFailure },
	"refused.test.": func(_ dns.Question, m *dns.Msg) { m.Rcode = dns.RcodeRefused },
}

func mustRR(s string) dns.RR {
	rr, err := dns.NewRR(s)
	if err != nil {
		panic(err)
	}
	return rr
}

// dnsServer starts a DNS server for dnsZone on 127.0.0.1, UDP and TCP on
// the same port, and returns its address.
func dnsServer(t testing.TB) string {
	t.Helper()
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		if f, ok := dnsZone[strings.ToLower(q.Name)]; ok {
			f(q, m)
		} else {
			m.Rcode = dns.RcodeNameError
		}
		if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
			m.Truncate(dns.MinMsgSize)
		}
		_ = w.WriteMsg(m)
	})
	var pc net.PacketConn
	var ln net.Listener
	for range 20 { // find a port free for both protocols
		var err error
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
		pc = nil
	}
	if pc == nil {
		t.Fatal("no port free for both udp and tcp")
	}
	for _, s := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
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
	}
	return pc.LocalAddr().String()
}

// testResolver is a Go resolver that asks the test DNS server only.
func testResolver(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

// clean reports whether s holds no control character or escape.
func clean(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return !bytes.ContainsRune([]byte(s), 0x1b)
}

func testMonitor(url string) *monitor.Monitor {
	kind, _ := monitor.KindOf(strings.SplitN(url, ":", 2)[0])
	u, _ := neturl.Parse(url) // as the config loader does
	return &monitor.Monitor{Name: "t", URL: url, Kind: kind, Parsed: u}
}
