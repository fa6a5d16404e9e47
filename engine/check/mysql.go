package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/go-sql-driver/mysql"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// MySQL checks mysql://user@host:port/db monitors (MySQL and MariaDB)
// through go-sql-driver/mysql, used as a bare driver (a driver.Connector,
// no database/sql pool): connect, read the server's greeting (which names
// its version), TLS as the URL's tls parameter says, log in with the
// monitor's password, run the query (SELECT 1 by default) and compare its
// first value with expect_value and max_value.
//
// tls=preferred (the default, as the mysql client has it) uses TLS when the
// server offers it, without verifying; tls=true requires it and verifies
// the chain against the system pool plus ca_file (insecure = true skips
// that); tls=skip-verify requires it without verifying; tls=false never
// uses it. When TLS is required the certificate's expiry is judged like a
// tls:// check's.
type MySQL struct {
	b          *base
	connectors sync.Map // mysqlKey → *mysqlEntry
}

var _ engine.Checker = (*MySQL)(nil)

var mysqlTimeouts = svcTimeouts{
	handshake: ClassMySQLLoginTimeout, handshakeWhat: "the greeting and login",
	request: ClassMySQLQueryTimeout, requestWhat: "the query",
}

type mysqlKey struct {
	url, password string
	roots         *x509.CertPool
	insecure      bool
}

type mysqlEntry struct {
	once      sync.Once
	connector driver.Connector
	needsTLS  bool
	// overTLS logs in over TLS, unverified: with tls=false, a refused
	// login is tried once more with it, since MariaDB refuses a plain
	// login under require_secure_transport as if the password were wrong.
	overTLS driver.Connector
	err     error
}

type mysqlProbeKey struct{}

// Check connects, logs in and runs one query for m.
func (c *MySQL) Check(ctx context.Context, m *monitor.Monitor) (r monitor.Result) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()

	e, err := c.connector(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	p := newProbe(c.b, m, e.needsTLS)
	defer p.finish(&r)

	dc, err := e.connector.Connect(context.WithValue(ctx, mysqlProbeKey{}, p))
	addVersion(&r, mysqlVersion(p.firstBytes()))
	if err != nil {
		c.failure(ctx, &r, p, err)
		if r.Class == ClassMySQLAuth && e.overTLS != nil && mysqlOffersTLS(p.firstBytes()) {
			c.tryOverTLS(ctx, &r, m, e.overTLS)
		}
		return r
	}
	defer dc.Close()
	p.loggedInNow()

	query := m.Query
	if query == "" {
		query = settings.DefaultMySQLQuery
	}
	value, have, err := mysqlQuery(ctx, dc, query)
	p.answeredNow()
	r.Status = monitor.StatusUp
	if err != nil {
		c.failure(ctx, &r, p, err)
		return r
	}
	judgeValue(&r, m, ClassMySQLValue, "the query", value, have)
	if r.Status != monitor.StatusDown {
		p.judgeServiceCert(&r, m)
	}
	return r
}

// mysqlQuery runs query and returns the first column of its first row.
func mysqlQuery(ctx context.Context, dc driver.Conn, query string) (string, bool, error) {
	q, ok := dc.(driver.QueryerContext)
	if !ok {
		return "", false, errors.New("the MySQL driver cannot run queries")
	}
	rows, err := q.QueryContext(ctx, query, nil)
	if err != nil {
		return "", false, err
	}
	defer rows.Close()
	cols := rows.Columns()
	if len(cols) == 0 {
		return "", false, nil
	}
	dest := make([]driver.Value, len(cols))
	if err := rows.Next(dest); err != nil {
		if errors.Is(err, io.EOF) {
			return "", false, nil
		}
		return "", false, err
	}
	switch v := dest[0].(type) {
	case nil:
		return "NULL", true, nil
	case []byte:
		return string(v), true, nil
	case string:
		return v, true, nil
	default:
		return fmt.Sprint(v), true, nil
	}
}

// mysqlVersion reads the server's version from its greeting: a packet
// header, protocol version 10, then the version as a NUL-terminated
// string.
func mysqlVersion(greeting []byte) string {
	if len(greeting) < 6 || greeting[4] != 10 {
		return ""
	}
	rest := greeting[5:]
	end := bytes.IndexByte(rest, 0)
	if end <= 0 {
		return ""
	}
	v := string(rest[:end])
	// MariaDB puts "5.5.5-" in front, for clients that compare versions
	// with MySQL's; a person wants the real one.
	if r, ok := strings.CutPrefix(v, "5.5.5-"); ok && strings.Contains(r, "MariaDB") {
		v = r
	}
	return v
}

// tryOverTLS logs in once more over TLS after a plain login was refused:
// if that works, the server requires TLS, and r says so.
func (c *MySQL) tryOverTLS(ctx context.Context, r *monitor.Result, m *monitor.Monitor, overTLS driver.Connector) {
	p := newProbe(c.b, m, true)
	dc, err := overTLS.Connect(context.WithValue(ctx, mysqlProbeKey{}, p))
	if err != nil {
		return
	}
	dc.Close()
	fail(r, ClassTLSRequired, r.Error+"; the same login over TLS succeeds, so the server requires TLS (require_secure_transport): use tls=preferred or tls=true")
}

// mysqlOffersTLS reads the SSL capability from the server's greeting:
// after the version, a connection id (4 bytes), the first part of the
// scramble (8), a filler (1), then the capability flags' low half.
func mysqlOffersTLS(greeting []byte) bool {
	if len(greeting) < 6 || greeting[4] != 10 {
		return false
	}
	end := bytes.IndexByte(greeting[5:], 0)
	if end < 0 {
		return false
	}
	i := 5 + end + 1 + 4 + 8 + 1
	if len(greeting) < i+2 {
		return false
	}
	return (uint16(greeting[i])|uint16(greeting[i+1])<<8)&0x0800 != 0
}

func (c *MySQL) connector(m *monitor.Monitor) (*mysqlEntry, error) {
	roots, err := c.b.rootsFor(m)
	if err != nil {
		return nil, err
	}
	key := mysqlKey{url: m.URL, password: m.Password, roots: roots, insecure: m.Insecure}
	v, ok := c.connectors.Load(key)
	if !ok {
		v, _ = c.connectors.LoadOrStore(key, &mysqlEntry{})
	}
	e := v.(*mysqlEntry)
	e.once.Do(func() { e.err = c.build(m, e) })
	return e, e.err
}

func (c *MySQL) build(m *monitor.Monitor, e *mysqlEntry) error {
	u, err := parsedURL(m)
	if err != nil {
		return err
	}
	if u.Hostname() == "" {
		return errors.New("mysql url has no host: mysql://user@host:3306/database")
	}
	cfg := mysql.NewConfig()
	cfg.Logger = &mysql.NopLogger{}
	cfg.Net = "tcp"
	cfg.Addr = hostPort(u.Hostname(), u.Port(), "3306")
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	if m.Password != "" {
		cfg.Passwd = m.Password
	}
	cfg.DialFunc = mysqlDial
	needsTLS := false
	switch mode := u.Query().Get("tls"); mode {
	case "", "preferred":
		cfg.TLS = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // what the mysql client does by default
		cfg.AllowFallbackToPlaintext = true
	case "true":
		cfg.TLS, err = c.b.serviceTLS(m, u.Hostname())
		if err != nil {
			return err
		}
		needsTLS = true
	case "skip-verify":
		cfg.TLS = &tls.Config{InsecureSkipVerify: true, Time: c.b.now} //nolint:gosec // the URL asked for it
		needsTLS = true
	case "false":
		over := cfg.Clone()
		over.TLS = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // only to tell "needs TLS" from "wrong password"
		if e.overTLS, err = mysql.NewConnector(over); err != nil {
			return fmt.Errorf("mysql url: %v", err)
		}
	default:
		return fmt.Errorf("mysql url: tls=%s is not one of %s", mode, strings.Join(settings.MySQLTLSModes, ", "))
	}
	if cfg.TLS != nil {
		// Each check's own copy of the TLS configuration notes when the
		// handshake ends and what it saw.
		if err := cfg.Apply(mysql.BeforeConnect(func(ctx context.Context, cc *mysql.Config) error {
			if p, ok := ctx.Value(mysqlProbeKey{}).(*svcProbe); ok && cc.TLS != nil {
				cc.TLS = p.verifyHook(cc.TLS)
			}
			return nil
		})); err != nil {
			return err
		}
	}
	if e.connector, err = mysql.NewConnector(cfg); err != nil {
		return fmt.Errorf("mysql url: %v", err)
	}
	e.needsTLS = needsTLS
	return nil
}

func mysqlDial(ctx context.Context, _, addr string) (net.Conn, error) {
	p, ok := ctx.Value(mysqlProbeKey{}).(*svcProbe)
	if !ok {
		return nil, errors.New("mysql: dial outside a check")
	}
	return p.dial(ctx, addr)
}

// failure classifies an error from the login or the query.
func (c *MySQL) failure(ctx context.Context, r *monitor.Result, p *svcProbe, err error) {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		c.serverError(r, p, me)
		return
	}
	if errors.Is(err, mysql.ErrNoTLS) {
		fail(r, ClassTLSUnavailable, "the server does not offer TLS, and the url's tls parameter requires it")
		return
	}
	if p.failConn(ctx, r, err, mysqlTimeouts) {
		return
	}
	failErr(r, err) // plain words, the library's text as the detail
	if p.phaseNow() < phaseRequest {
		r.Error = engine.Sanitize("login: "+r.Error, maxError)
	}
}

// serverError classifies an error the server sent, by its number.
func (c *MySQL) serverError(r *monitor.Result, p *svcProbe, me *mysql.MySQLError) {
	r.Code = int(me.Number)
	msg := "error " + strconv.Itoa(int(me.Number)) + ": " + me.Message
	switch me.Number {
	case 1045, 1698, 1251:
		fail(r, ClassMySQLAuth, msg)
	case 1044, 1130, 1129, 1227:
		fail(r, ClassMySQLNotAllowed, msg)
	case 1049:
		fail(r, ClassMySQLNoDatabase, msg)
	case 1040, 1203, 1053, 1077, 1969:
		fail(r, ClassMySQLUnavailable, msg)
	case 3159, 1939: // MySQL's and MariaDB's "insecure transport prohibited"
		fail(r, ClassTLSRequired, msg+"; use tls=true or tls=preferred in the url")
	default:
		if p.phaseNow() < phaseRequest {
			fail(r, ClassMySQLAuth, "login: "+msg)
			return
		}
		fail(r, ClassMySQLQuery, "the query failed: "+msg)
	}
}
