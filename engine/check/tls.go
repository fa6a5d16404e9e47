package check

import (
	"context"
	"crypto/tls"
	"net"
	"net/http/httptrace"
	"strings"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// TLS checks tls://host:port monitors (port 443 when none is given): a
// TCP connection and a TLS handshake, the chain verified for the host, and
// the days left before the earliest expiry in the verified chain judged
// against cert_warn_days. Expired, not yet valid, wrong host and unknown
// authority are distinct classes; see cert.go for how trust is decided.
type TLS struct{ b *base }

var _ engine.Checker = (*TLS)(nil)

// Check performs one handshake for m.
func (c *TLS) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	var r monitor.Result
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	start := time.Now()

	u, err := parsedURL(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	host := u.Hostname()
	if host == "" {
		fail(&r, ClassConfig, "tls url has no host")
		return r
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	cfg, err := c.b.tlsConfig(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	cfg.ServerName = host

	var t dialTrace
	addr := net.JoinHostPort(host, port)
	conn, err := c.b.dialFunc(m.IPVersion, strings.Join(m.Resolve, ","))(t.with(ctx, c.b), "tcp", addr)
	r.Phases.DNS, r.Phases.Connect = t.phases()
	r.Remote = t.remote(conn)
	if err != nil {
		dialFailure(ctx, &r, start, addr, err)
		r.Latency = time.Since(start)
		return r
	}
	tc := tls.Client(conn, cfg)
	hs := time.Now()
	err = tc.HandshakeContext(ctx)
	r.Phases.TLS = time.Since(hs)
	r.Latency = time.Since(start)
	if err != nil {
		tc.Close()
		switch {
		case c.b.certFailure(ctx, &r, m, err, c.b.targetPublic(u, false, addrOf(r.Remote))):
		case handshakeClass(err) == ClassTimeout:
			tlsTimeout(ctx, &r, start, addr, err)
		case handshakeClass(err) == ClassCanceled:
			failErr(&r, err)
		default:
			fail(&r, ClassTLSHandshake, handshakeText(err, host, m.ClientCert != ""))
			setDetail(&r, err)
		}
		return r
	}
	st := tc.ConnectionState()
	tc.Close()
	r.Status = monitor.StatusUp
	c.b.judgeCert(&r, m, &st)
	return r
}

// dialTrace measures the DNS and connect phases of a dial made with a
// net.Dialer, through the same hooks net/http uses. Parallel dual-stack
// attempts may call the connect hooks concurrently, even after the dial
// returned: the first start and the first success count.
type dialTrace struct {
	mu           sync.Mutex
	dnsT, connT  time.Time
	dns, connect time.Duration
	addr         string // the address connected to, else the first one tried
	trace        httptrace.ClientTrace
}

func (t *dialTrace) with(ctx context.Context, b *base) context.Context {
	if !b.netDialer {
		return ctx
	}
	t.trace = httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) {
			t.mu.Lock()
			t.dnsT = time.Now()
			t.mu.Unlock()
		},
		DNSDone: func(httptrace.DNSDoneInfo) {
			t.mu.Lock()
			t.dns = time.Since(t.dnsT)
			t.mu.Unlock()
		},
		ConnectStart: func(_, addr string) {
			t.mu.Lock()
			if t.connT.IsZero() {
				t.connT = time.Now()
				t.addr = addr
			}
			t.mu.Unlock()
		},
		ConnectDone: func(_, addr string, err error) {
			t.mu.Lock()
			if err == nil && t.connect == 0 {
				t.connect = time.Since(t.connT)
				t.addr = addr
			}
			t.mu.Unlock()
		},
	}
	return httptrace.WithClientTrace(ctx, &t.trace)
}

// remote is the address a dial reached (conn, when it opened), else the
// one it tried first; "" when it got to no address (a DNS failure).
func (t *dialTrace) remote(conn net.Conn) string {
	if conn != nil && conn.RemoteAddr() != nil {
		return conn.RemoteAddr().String()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.addr
}

// phases returns the DNS and connect durations measured so far.
func (t *dialTrace) phases() (dns, connect time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.dns, t.connect
}
