package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Postgres checks postgres://user@host:port/db monitors through pgconn,
// pgx's protocol layer (no pool, no type system): connect, TLS as the
// URL's sslmode says (prefer when it says nothing, as psql does),
// authenticate with the monitor's password, run the query (SELECT 1 by
// default) and compare its first value with expect_value and max_value.
// The server's version comes with the login for free.
//
// With sslmode=verify-ca or verify-full the chain is verified against the
// system pool plus ca_file (insecure = true skips that), and with any
// sslmode that requires TLS the certificate's expiry is judged like a
// tls:// check's.
type Postgres struct {
	b       *base
	configs sync.Map // pgKey → *pgEntry
}

var _ engine.Checker = (*Postgres)(nil)

var pgTimeouts = svcTimeouts{
	handshake: ClassPostgresLoginTimeout, handshakeWhat: "the startup and login",
	request: ClassPostgresQueryTimeout, requestWhat: "the query",
}

type pgKey struct {
	url, password string
	roots         *x509.CertPool
	insecure      bool
}

type pgEntry struct {
	once     sync.Once
	cfg      *pgconn.Config
	needsTLS bool // the sslmode requires TLS: no plain-text fallback
	err      error
}

type pgProbeKey struct{}

// Check connects, logs in and runs one query for m.
func (c *Postgres) Check(ctx context.Context, m *monitor.Monitor) (r monitor.Result) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()

	cfg, needsTLS, err := c.config(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	p := newProbe(c.b, m, needsTLS)
	defer p.finish(&r)
	pctx := context.WithValue(ctx, pgProbeKey{}, p)

	conn, err := pgconn.ConnectConfig(pctx, cfg)
	if err != nil {
		c.failure(ctx, &r, p, err, cfg)
		return r
	}
	defer conn.Close(ctx)
	p.loggedInNow()
	addVersion(&r, conn.ParameterStatus("server_version"))

	query := m.Query
	if query == "" {
		query = settings.DefaultPostgresQuery
	}
	results, err := conn.Exec(ctx, query).ReadAll()
	if err == nil {
		for _, res := range results {
			if res.Err != nil {
				err = res.Err
				break
			}
		}
	}
	p.answeredNow()
	r.Status = monitor.StatusUp
	if err != nil {
		c.failure(ctx, &r, p, err, cfg)
		return r
	}
	value, have := pgFirstValue(results)
	judgeValue(&r, m, ClassPostgresValue, "the query", value, have)
	if r.Status != monitor.StatusDown {
		p.judgeServiceCert(&r, m)
	}
	return r
}

// pgFirstValue is the first column of the first row of the last result
// that has rows; a NULL is "NULL".
func pgFirstValue(results []*pgconn.Result) (string, bool) {
	for i := len(results) - 1; i >= 0; i-- {
		res := results[i]
		if len(res.Rows) > 0 && len(res.Rows[0]) > 0 {
			if v := res.Rows[0][0]; v != nil {
				return string(v), true
			}
			return "NULL", true
		}
	}
	return "", false
}

// config returns the connection configuration for m, parsed once per
// URL, password and trust pool.
func (c *Postgres) config(m *monitor.Monitor) (*pgconn.Config, bool, error) {
	roots, err := c.b.rootsFor(m)
	if err != nil {
		return nil, false, err
	}
	key := pgKey{url: m.URL, password: m.Password, roots: roots, insecure: m.Insecure}
	v, ok := c.configs.Load(key)
	if !ok {
		v, _ = c.configs.LoadOrStore(key, &pgEntry{})
	}
	e := v.(*pgEntry)
	e.once.Do(func() { e.cfg, e.needsTLS, e.err = c.parse(m, roots) })
	return e.cfg, e.needsTLS, e.err
}

func (c *Postgres) parse(m *monitor.Monitor, roots *x509.CertPool) (*pgconn.Config, bool, error) {
	u, err := parsedURL(m)
	if err != nil {
		return nil, false, err
	}
	if u.Hostname() == "" {
		return nil, false, errors.New("postgres url has no host: postgres://user@host:5432/database")
	}
	cfg, err := settings.ParsePostgresURL(m.URL)
	if err != nil {
		return nil, false, err
	}
	if m.Password != "" {
		cfg.Password = m.Password
	}
	cfg.ConnectTimeout = 0 // the context's deadline bounds the check
	cfg.Fallbacks = slicesDeleteUnixSockets(cfg.Fallbacks)
	// The dialer resolves the name, so that the DNS phase is measured and
	// the injected resolver used.
	cfg.LookupFunc = func(_ context.Context, host string) ([]string, error) { return []string{host}, nil }
	cfg.DialFunc = pgDial
	cfg.AfterNetConnect = pgAfterNetConnect
	cfg.RuntimeParams["application_name"] = "upbeat"
	explicitRoot := u.Query().Get("sslrootcert") != ""
	needsTLS := cfg.TLSConfig != nil
	configs := []*tls.Config{cfg.TLSConfig}
	for _, f := range cfg.Fallbacks {
		configs = append(configs, f.TLSConfig)
		if f.TLSConfig == nil {
			needsTLS = false
		}
	}
	for _, tc := range configs {
		if tc == nil {
			continue
		}
		if !explicitRoot {
			tc.RootCAs = roots
		}
		tc.Time = c.b.now
		if m.Insecure {
			tc.InsecureSkipVerify, tc.VerifyPeerCertificate = true, nil
		}
	}
	return cfg, needsTLS, nil
}

// slicesDeleteUnixSockets keeps the fallbacks that are network hosts: a
// monitor checks over TCP.
func slicesDeleteUnixSockets(fs []*pgconn.FallbackConfig) []*pgconn.FallbackConfig {
	out := fs[:0]
	for _, f := range fs {
		if !strings.HasPrefix(f.Host, "/") {
			out = append(out, f)
		}
	}
	return out
}

func pgProbe(ctx context.Context) *svcProbe {
	p, _ := ctx.Value(pgProbeKey{}).(*svcProbe)
	return p
}

func pgDial(ctx context.Context, network, addr string) (net.Conn, error) {
	p := pgProbe(ctx)
	if p == nil {
		return nil, errors.New("postgres: dial outside a check")
	}
	return p.dial(ctx, addr)
}

// pgAfterNetConnect runs the TLS handshake that pgconn set up (it would
// otherwise run lazily with the first write), so that the probe can time
// it and see the certificates.
func pgAfterNetConnect(ctx context.Context, _ *pgconn.Config, conn net.Conn) (net.Conn, error) {
	tc, ok := conn.(*tls.Conn)
	p := pgProbe(ctx)
	if !ok || p == nil {
		return conn, nil
	}
	_, err := p.handshakeTLS(ctx, tc, nil)
	return conn, err // pgconn closes conn on an error
}

// failure classifies an error from the login or the query.
func (c *Postgres) failure(ctx context.Context, r *monitor.Result, p *svcProbe, err error, cfg *pgconn.Config) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		c.pgError(r, p, pe)
		return
	}
	if p.failConn(ctx, r, err, pgTimeouts) {
		return
	}
	msg := pgErrText(err)
	switch {
	case strings.Contains(msg, "server refused TLS connection"):
		fail(r, ClassTLSUnavailable, "the server does not offer TLS, and the sslmode requires it")
	default:
		failErr(r, errors.New(msg))
		if p.phaseNow() == phaseHandshake {
			r.Error = engine.Sanitize("login: "+r.Error, maxError)
		}
	}
}

// pgError classifies an error the server sent, by its SQLSTATE.
func (c *Postgres) pgError(r *monitor.Result, p *svcProbe, pe *pgconn.PgError) {
	msg := pe.Severity + " " + pe.Code + ": " + pe.Message
	if pe.Detail != "" {
		msg += " (" + pe.Detail + ")"
	}
	switch code := pe.Code; {
	case code == "28P01":
		fail(r, ClassPostgresAuth, msg)
	case code == "28000" && strings.Contains(pe.Message, "pg_hba.conf"):
		if st := p.tlsConnState(); st == nil && (strings.Contains(pe.Message, "no encryption") || strings.Contains(pe.Message, "SSL off")) &&
			strings.Contains(pe.Message, "rejects") {
			fail(r, ClassTLSRequired, msg+"; the server takes this user only over TLS (sslmode=require)")
			return
		}
		fail(r, ClassPostgresNotAllowed, msg)
	case code == "28000":
		fail(r, ClassPostgresAuth, msg)
	case code == "42501":
		fail(r, ClassPostgresNotAllowed, msg)
	case code == "3D000":
		fail(r, ClassPostgresNoDatabase, msg)
	case code == "57P03", code == "53300", code == "57P01", code == "57P02", code == "53000":
		fail(r, ClassPostgresUnavailable, msg)
	case p.phaseNow() < phaseRequest:
		fail(r, ClassPostgresAuth, msg)
	default:
		fail(r, ClassPostgresQuery, "the query failed: "+msg)
	}
}

// pgErrText is an error's message without pgconn's prefix, which names
// the user and database (already in the URL) and repeats the address.
func pgErrText(err error) string {
	msg := errorText(err)
	if i := strings.Index(msg, "`: "); i >= 0 && strings.HasPrefix(msg, "failed to connect to `") {
		msg = msg[i+3:]
	}
	return strings.TrimSpace(strings.ReplaceAll(msg, "\n\t", "; "))
}
