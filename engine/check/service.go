package check

// What the checks of the services behind a site share: grpc.go, ws.go,
// postgres.go, mysql.go, redis.go and smtp.go.
//
// Each of them talks to its server through the ecosystem's client library,
// over a connection opened by the injected Dialer and wrapped in a
// svcConn, so that every check knows, whatever the library reports, how far
// it got: connected, TLS done, logged in (the protocol's own handshake),
// asked. A deadline is then named after the phase it cut short
// (connect_timeout, tls_timeout, postgres_login_timeout,
// postgres_query_timeout, …), and the first bytes the server sent tell a
// server that speaks TLS on a plain connection (tls_required) from one that
// closed it for another reason.
//
// Phases: Connect and DNS as for tcp://, TLS the handshake, FirstByte the
// protocol's handshake (greeting, login, upgrade) and Transfer the round
// trip of the query, command or message.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The failure classes of the services behind a site. A deadline in the
// connect or TLS phase is connect_timeout or tls_timeout, as for HTTP
// (classify.go).
const (
	ClassTLSRequired    = "tls_required"    // the server accepts only TLS, and the check spoke plain text
	ClassTLSUnavailable = "tls_unavailable" // the check asked for TLS and the server does not offer it

	ClassGRPCNotServing       = "grpc_not_serving"       // the health service answered NOT_SERVING (or UNKNOWN)
	ClassGRPCServiceUnknown   = "grpc_service_unknown"   // the health service does not know the service named
	ClassGRPCNoHealth         = "grpc_no_health"         // the server has no health service (UNIMPLEMENTED)
	ClassGRPCError            = "grpc_error"             // the health call failed with another gRPC status
	ClassGRPCHandshakeTimeout = "grpc_handshake_timeout" // connected, no HTTP/2 session before the deadline
	ClassGRPCCallTimeout      = "grpc_call_timeout"      // the session is up, the health call went unanswered

	ClassWSHandshake        = "ws_handshake"         // the server refused the upgrade (an HTTP status in Code)
	ClassWSClosed           = "ws_closed"            // the server closed the WebSocket (the close code in Code)
	ClassWSReplyMismatch    = "ws_reply_mismatch"    // the reply lacks expect_body or fails expect_json
	ClassWSHandshakeTimeout = "ws_handshake_timeout" // connected, no answer to the upgrade request
	ClassWSReplyTimeout     = "ws_reply_timeout"     // the message was sent, no reply came

	ClassPostgresAuth         = "postgres_auth_failed"    // wrong user name or password
	ClassPostgresNotAllowed   = "postgres_not_allowed"    // pg_hba.conf has no line letting this client in
	ClassPostgresNoDatabase   = "postgres_no_database"    // the database in the URL does not exist
	ClassPostgresUnavailable  = "postgres_unavailable"    // starting, stopping, in recovery or out of connections
	ClassPostgresQuery        = "postgres_query_failed"   // the query returned an error
	ClassPostgresValue        = "postgres_value_mismatch" // the query's value is not the one expected
	ClassPostgresLoginTimeout = "postgres_login_timeout"  // connected, the startup and login did not finish
	ClassPostgresQueryTimeout = "postgres_query_timeout"  // logged in, the query did not answer

	ClassMySQLAuth         = "mysql_auth_failed"    // wrong user name or password (1045)
	ClassMySQLNotAllowed   = "mysql_not_allowed"    // the host may not connect, or is blocked (1130, 1129)
	ClassMySQLNoDatabase   = "mysql_no_database"    // the database in the URL does not exist (1049)
	ClassMySQLUnavailable  = "mysql_unavailable"    // too many connections, or shutting down
	ClassMySQLQuery        = "mysql_query_failed"   // the query returned an error
	ClassMySQLValue        = "mysql_value_mismatch" // the query's value is not the one expected
	ClassMySQLLoginTimeout = "mysql_login_timeout"  // connected, no greeting or the login did not finish
	ClassMySQLQueryTimeout = "mysql_query_timeout"  // logged in, the query did not answer

	ClassRedisAuth           = "redis_auth_failed"     // wrong password or user, or a password is needed
	ClassRedisUnavailable    = "redis_unavailable"     // loading its data set, or its master is down
	ClassRedisCommand        = "redis_command_failed"  // the command returned an error
	ClassRedisValue          = "redis_value_mismatch"  // the command's value is not the one expected
	ClassRedisLoginTimeout   = "redis_login_timeout"   // connected, no answer to HELLO or AUTH
	ClassRedisCommandTimeout = "redis_command_timeout" // logged in, the command did not answer
	ClassRedisBadReply       = "redis_bad_reply"       // the answer is not Redis's protocol, or larger than max_body

	ClassSMTPBadGreeting   = "smtp_bad_greeting"   // the server's first line is not an SMTP greeting
	ClassSMTPBannerTimeout = "smtp_banner_timeout" // connected, no greeting came
	ClassSMTPReplyTimeout  = "smtp_reply_timeout"  // greeted, a command (EHLO, STARTTLS, QUIT) went unanswered
)

// SMTPCodes are the SMTP reply codes the knowledge base explains one by
// one, as smtp_NNN classes; another code gets its family's entry
// (smtp_4xx, smtp_5xx).
var SMTPCodes = []int{421, 450, 451, 452, 454, 455, 500, 501, 502, 503, 504, 521, 530, 534, 535, 538, 550, 551, 552, 553, 554, 556}

// ServiceClasses lists every class the checks of the services behind a
// site report besides the shared ones in Classes and the smtp_NNN ones.
func ServiceClasses() []string {
	return []string{
		ClassTLSRequired, ClassTLSUnavailable,
		ClassGRPCNotServing, ClassGRPCServiceUnknown, ClassGRPCNoHealth, ClassGRPCError,
		ClassGRPCHandshakeTimeout, ClassGRPCCallTimeout,
		ClassWSHandshake, ClassWSClosed, ClassWSReplyMismatch, ClassWSHandshakeTimeout, ClassWSReplyTimeout,
		ClassPostgresAuth, ClassPostgresNotAllowed, ClassPostgresNoDatabase, ClassPostgresUnavailable,
		ClassPostgresQuery, ClassPostgresValue, ClassPostgresLoginTimeout, ClassPostgresQueryTimeout,
		ClassMySQLAuth, ClassMySQLNotAllowed, ClassMySQLNoDatabase, ClassMySQLUnavailable,
		ClassMySQLQuery, ClassMySQLValue, ClassMySQLLoginTimeout, ClassMySQLQueryTimeout,
		ClassRedisAuth, ClassRedisUnavailable, ClassRedisCommand, ClassRedisValue,
		ClassRedisLoginTimeout, ClassRedisCommandTimeout, ClassRedisBadReply,
		ClassSMTPBadGreeting, ClassSMTPBannerTimeout, ClassSMTPReplyTimeout,
	}
}

// SMTPClass is the class of an SMTP reply code: smtp_421, smtp_535, …
func SMTPClass(code int) string { return "smtp_" + strconv.Itoa(code) }

// The phases of a service check, in order.
type svcPhase uint8

const (
	phaseConnect   svcPhase = iota // opening the TCP connection
	phaseTLS                       // in the TLS handshake
	phaseHandshake                 // the protocol's greeting and login
	phaseRequest                   // the query, command, call or message
	phaseDone
)

// svcProbe follows one check of a service through its phases. Libraries
// call its hooks from their own goroutines (gRPC dials on one), hence the
// lock.
type svcProbe struct {
	b     *base
	m     *monitor.Monitor
	start time.Time
	tls   bool // the check asked for TLS (grpcs, wss, rediss, smtps, sslmode=require, …)
	// noSniff hands libraries the connection itself, unwrapped: gRPC reads
	// a *net.TCPConn with pooled buffers, and a wrapper would cost it a
	// 32 KiB buffer per connection. The first bytes are then unknown.
	noSniff bool

	mu        sync.Mutex
	phase     svcPhase
	trace     dialTrace
	dialErr   error
	connected time.Time
	tlsBegin  time.Time
	tlsTook   time.Duration
	tlsErr    error
	tlsState  *tls.ConnectionState
	loggedIn  time.Time
	answered  time.Time
	firstRead time.Time
	remote    string   // the address connected to
	first     []byte   // the first bytes the server sent, as they came over the wire
	plain     []byte   // the first bytes after TLS was taken off (plainConn)
	raw       net.Conn // the connection, for checks that must close it themselves (ws)
}

func newProbe(b *base, m *monitor.Monitor, useTLS bool) *svcProbe {
	return &svcProbe{b: b, m: m, start: time.Now(), tls: useTLS}
}

// dial opens a connection to addr through the base dialer, measuring the
// DNS and connect phases and noting the first bytes the server sends.
func (p *svcProbe) dial(ctx context.Context, addr string) (net.Conn, error) {
	conn, err := p.b.dialer.DialContext(p.trace.with(ctx, p.b), "tcp", addr)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		if p.dialErr == nil {
			p.dialErr = err
		}
		return nil, err
	}
	p.connected = time.Now()
	if a := conn.RemoteAddr(); a != nil {
		p.remote = a.String()
	}
	if p.phase < phaseHandshake {
		p.phase = phaseHandshake
	}
	if p.noSniff {
		return conn, nil
	}
	return &svcConn{Conn: conn, p: p}, nil
}

// beginTLS notes that a TLS handshake starts now.
func (p *svcProbe) beginTLS() {
	p.mu.Lock()
	p.tlsBegin = time.Now()
	p.phase = phaseTLS
	p.mu.Unlock()
}

// endTLS notes the end of the TLS handshake and, when it succeeded, the
// connection's state.
func (p *svcProbe) endTLS(st *tls.ConnectionState, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case !p.tlsBegin.IsZero():
		p.tlsTook += time.Since(p.tlsBegin)
		p.tlsBegin = time.Time{}
	case err == nil && p.tlsTook == 0 && !p.firstRead.IsZero():
		// A library ran the handshake (verifyHook): it began after the
		// server's last plain-text word, its consent to TLS.
		p.tlsTook = time.Since(p.firstRead)
	}
	if err != nil {
		if p.tlsErr == nil {
			p.tlsErr = err
		}
		return
	}
	if p.tlsState == nil && st != nil {
		s := *st
		p.tlsState = &s
	}
	p.phase = phaseHandshake
}

// handshakeTLS runs a client handshake over conn, noting it. cfg nil:
// conn is a *tls.Conn set up by a library, whose handshake is run here.
func (p *svcProbe) handshakeTLS(ctx context.Context, conn net.Conn, cfg *tls.Config) (*tls.Conn, error) {
	tc, ok := conn.(*tls.Conn)
	if cfg != nil || !ok {
		tc = tls.Client(conn, cfg)
	}
	p.beginTLS()
	err := tc.HandshakeContext(ctx)
	if err != nil {
		p.endTLS(nil, err)
		return nil, err
	}
	st := tc.ConnectionState()
	p.endTLS(&st, nil)
	return tc, nil
}

// verifyHook returns cfg cloned with a VerifyConnection hook that notes
// the handshake's end and state, for libraries that run the handshake
// themselves (pgconn, the MySQL driver, go-smtp). The handshake's start is
// taken as the moment the server's last plain-text reply arrived, or the
// connection opened.
func (p *svcProbe) verifyHook(cfg *tls.Config) *tls.Config {
	c := cfg.Clone()
	prev := c.VerifyConnection
	c.VerifyConnection = func(st tls.ConnectionState) error {
		if prev != nil {
			if err := prev(st); err != nil {
				return err
			}
		}
		p.endTLS(&st, nil)
		return nil
	}
	return c
}

// loggedInNow notes that the protocol's handshake (greeting, login) is done.
func (p *svcProbe) loggedInNow() {
	p.mu.Lock()
	p.loggedIn = time.Now()
	p.phase = phaseRequest
	p.mu.Unlock()
}

// answeredNow notes that the query, command or message was answered.
func (p *svcProbe) answeredNow() {
	p.mu.Lock()
	p.answered = time.Now()
	if p.phase == phaseRequest {
		p.phase = phaseDone
	}
	p.mu.Unlock()
}

// firstBytes returns the first bytes the server sent on the connection.
func (p *svcProbe) firstBytes() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.first
}

// notePlain keeps the first bytes read through a plainConn.
func (p *svcProbe) notePlain(b []byte) {
	p.mu.Lock()
	if len(p.plain) < sniffLen {
		p.plain = append(p.plain, b[:min(len(b), sniffLen-len(p.plain))]...)
	}
	p.mu.Unlock()
}

// plainConn notes the first bytes that arrive after TLS is taken off, for
// what a library reads itself (the SMTP greeting).
type plainConn struct {
	net.Conn
	p *svcProbe
}

func (c *plainConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.p.notePlain(b[:n])
	}
	return n, err
}

// plainBytes returns the first bytes the server sent, TLS taken off.
func (p *svcProbe) plainBytes() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.plain == nil && !p.tls {
		return p.first
	}
	return p.plain
}

// tlsConnState is the TLS state of the connection, if TLS was used.
func (p *svcProbe) tlsConnState() *tls.ConnectionState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tlsState
}

// finish fills r's latency and phases from what the probe saw.
func (p *svcProbe) finish(r *monitor.Result) {
	end := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	r.Latency = end.Sub(p.start)
	r.Phases.DNS, r.Phases.Connect = p.trace.phases()
	r.Remote = p.remote
	if r.Remote == "" {
		r.Remote = p.trace.remote(nil) // the address tried, when none answered
	}
	if r.Phases.Connect == 0 && !p.connected.IsZero() && !p.b.netDialer {
		r.Phases.Connect = p.connected.Sub(p.start) // an injected dialer: no trace hooks
	}
	r.Phases.TLS = p.tlsTook
	if p.connected.IsZero() {
		return
	}
	loggedIn := p.loggedIn
	if loggedIn.IsZero() {
		loggedIn = end
	}
	r.Phases.FirstByte = max(loggedIn.Sub(p.connected)-p.tlsTook, 0)
	if !p.loggedIn.IsZero() {
		answered := p.answered
		if answered.IsZero() {
			answered = end
		}
		r.Phases.Transfer = answered.Sub(p.loggedIn)
	}
}

// phaseNow is the phase the check is in.
func (p *svcProbe) phaseNow() svcPhase {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tlsBegin != (time.Time{}) {
		return phaseTLS
	}
	return p.phase
}

// svcTimeouts names the deadlines of one kind's own phases.
type svcTimeouts struct {
	handshake, request string // classes
	greeted            string // the class once the server has spoken, if another (smtp: no reply to EHLO)
	handshakeWhat      string // "the login", "the greeting", …, for messages
	requestWhat        string // "the query", "the command", …
}

// isTimeout reports whether err (or the context) says a deadline passed.
// Libraries that close the connection when the context ends report "use
// of closed network connection" instead: the context tells.
func isTimeout(ctx context.Context, err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(ctx.Err(), context.DeadlineExceeded)
}

// timeoutFail marks r down with the class of the phase the deadline cut
// short, and a message saying what was waited for and for how long.
func (p *svcProbe) timeoutFail(ctx context.Context, r *monitor.Result, to svcTimeouts) {
	waited := time.Since(p.start).Round(time.Millisecond)
	if dl, ok := ctx.Deadline(); ok {
		waited = dl.Sub(p.start).Round(time.Millisecond)
	}
	switch p.phaseNow() {
	case phaseConnect:
		fail(r, ClassConnectTimeout, fmt.Sprintf("no TCP connection within %s", waited))
	case phaseTLS:
		fail(r, ClassTLSTimeout, fmt.Sprintf("connected, but the TLS handshake did not finish within %s", waited))
	case phaseHandshake:
		class, msg := to.handshake, fmt.Sprintf("connected, but no answer to %s within %s", to.handshakeWhat, waited)
		if len(p.firstBytes()) == 0 && !p.noSniff {
			msg = fmt.Sprintf("connected, but the server sent nothing within %s (waiting for %s)", waited, to.handshakeWhat)
		} else if to.greeted != "" {
			class, msg = to.greeted, fmt.Sprintf("the server greeted, then did not answer within %s", waited)
		}
		fail(r, class, msg)
	default:
		fail(r, to.request, fmt.Sprintf("logged in, but %s did not answer within %s", to.requestWhat, waited))
	}
}

// failConn marks r down for an error from opening the connection, the TLS
// handshake or the protocol's handshake, as every service check sees
// them: a deadline named after its phase, a refused or unreachable port,
// a certificate problem, a server that wants TLS or has none. It reports
// false when err is none of these, leaving r alone for the kind's own
// classes.
func (p *svcProbe) failConn(ctx context.Context, r *monitor.Result, err error, to svcTimeouts) bool {
	p.mu.Lock()
	dialErr, tlsErr, remote := p.dialErr, p.tlsErr, p.remote
	connected := !p.connected.IsZero()
	p.mu.Unlock()
	switch {
	case dialErr != nil && !connected:
		if isTimeout(ctx, dialErr) {
			p.timeoutFail(ctx, r, to)
			return true
		}
		failErr(r, dialErr)
		return true
	case isTimeout(ctx, err):
		p.timeoutFail(ctx, r, to)
		setDetail(r, err)
		return true
	case errors.Is(ctx.Err(), context.Canceled):
		fail(r, ClassCanceled, "the check was canceled")
		return true
	}
	if tlsErr == nil {
		tlsErr = err
	}
	if p.b.certFailure(ctx, r, p.m, tlsErr, p.targetPublic(remote)) {
		return true
	}
	var rh tls.RecordHeaderError
	if errors.As(tlsErr, &rh) {
		fail(r, ClassTLSUnavailable, "the server answered in plain text, not TLS: it does not offer TLS on this port")
		setDetail(r, tlsErr)
		return true
	}
	if !p.tls && speaksTLS(p.firstBytes()) {
		fail(r, ClassTLSRequired, "the server answered with TLS: it accepts only TLS connections on this port")
		return true
	}
	var alert tls.AlertError
	if errors.As(tlsErr, &alert) {
		fail(r, ClassTLSHandshake, plainText(ClassTLSHandshake, tlsErr))
		setDetail(r, tlsErr)
		return true
	}
	return false
}

// targetPublic reports whether the check's connection, to remote, went
// to a public address (by the URL's host when remote is unknown).
func (p *svcProbe) targetPublic(remote string) bool {
	u, err := parsedURL(p.m)
	if err != nil {
		return true // nothing to go by: the stricter answer
	}
	return p.b.targetPublic(u, false, addrOf(remote))
}

// speaksTLS reports whether b starts like a TLS record (an alert or a
// handshake): what a TLS server sends to a client that spoke plain text.
func speaksTLS(b []byte) bool {
	return len(b) >= 3 && (b[0] == 0x15 || b[0] == 0x16) && b[1] == 0x03 && b[2] <= 0x04
}

// svcConn is a connection that notes the first bytes the server sends,
// and when they came.
type svcConn struct {
	net.Conn
	p *svcProbe
}

const sniffLen = 512 // bytes of the server's first words kept

func (c *svcConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		p := c.p
		p.mu.Lock()
		if p.firstRead.IsZero() {
			p.firstRead = time.Now()
		}
		if len(p.first) < sniffLen {
			k := min(n, sniffLen-len(p.first))
			p.first = append(p.first, b[:k]...)
		}
		p.mu.Unlock()
	}
	return n, err
}

// judgeValue compares the first value of an answer with the monitor's
// expect_value and max_value, recording it in Answers. what names the
// query for messages.
func judgeValue(r *monitor.Result, m *monitor.Monitor, class, what, value string, have bool) {
	if !have {
		switch {
		case m.ExpectValue != "":
			fail(r, class, fmt.Sprintf("%s returned no value (no row, or a missing key), want %q", what, engine.Sanitize(m.ExpectValue, 120)))
		case m.MaxValue != nil:
			fail(r, class, fmt.Sprintf("%s returned no value (no row, or a missing key) to compare with max_value %s", what, fmtNum(*m.MaxValue)))
		}
		return
	}
	shown := engine.Sanitize(value, 120)
	r.Answers = append(r.Answers, "value "+shown)
	if m.ExpectValue != "" && value != m.ExpectValue {
		fail(r, class, fmt.Sprintf("%s returned %q, want %q", what, shown, engine.Sanitize(m.ExpectValue, 120)))
		return
	}
	if m.MaxValue != nil {
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			fail(r, class, fmt.Sprintf("%s returned %q, which is not a number to compare with max_value %s", what, shown, fmtNum(*m.MaxValue)))
			return
		}
		if v > *m.MaxValue {
			fail(r, class, fmt.Sprintf("%s returned %s, more than max_value %s", what, fmtNum(v), fmtNum(*m.MaxValue)))
		}
	}
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// addVersion records the server's version in Answers.
func addVersion(r *monitor.Result, v string) {
	if v = strings.TrimSpace(v); v != "" {
		r.Answers = append(r.Answers, "version "+engine.Sanitize(v, 80))
	}
}

// judgeServiceCert judges the certificate of a connection whose TLS the
// monitor asked for (with verification or not), like a tls:// check.
func (p *svcProbe) judgeServiceCert(r *monitor.Result, m *monitor.Monitor) {
	if st := p.tlsConnState(); st != nil && p.tls {
		p.b.judgeCert(r, m, st)
	}
}

// serviceTLS is the TLS configuration for a service monitor: the trust
// pool with the monitor's ca_file, insecure as asked, and the host name
// to verify.
func (b *base) serviceTLS(m *monitor.Monitor, host string) (*tls.Config, error) {
	cfg, err := b.tlsConfig(m)
	if err != nil {
		return nil, err
	}
	cfg.ServerName = host
	return cfg, nil
}

// hostPort is the URL's host and port, with the kind's default port.
func hostPort(host, port, def string) string {
	if port == "" {
		port = def
	}
	return net.JoinHostPort(host, port)
}

// firstLine is the first line of s, for messages.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}
