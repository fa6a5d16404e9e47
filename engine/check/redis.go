package check

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Redis checks redis:// and rediss:// monitors through redigo: connect
// (TLS for rediss://, verified against the system pool plus ca_file unless
// insecure = true, the expiry judged like a tls:// check's), log in with
// HELLO (with the monitor's password, and the user name of the URL), run
// the command (PING by default) and compare its value with expect_value
// and max_value. The server's version comes with HELLO's answer, at no
// cost of a round trip.
//
// redigo reads and writes the protocol (RESP2) over a connection this
// check opens itself: one connection per check, no pool, no retries, no
// goroutine of the library's.
type Redis struct{ b *base }

var _ engine.Checker = (*Redis)(nil)

var redisTimeouts = svcTimeouts{
	handshake: ClassRedisLoginTimeout, handshakeWhat: "HELLO (the login)",
	request: ClassRedisCommandTimeout, requestWhat: "the command",
}

// Check connects, logs in and runs one command for m.
func (c *Redis) Check(ctx context.Context, m *monitor.Monitor) (r monitor.Result) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()

	u, err := parsedURL(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	t, err := redisTargetOf(u)
	if err != nil {
		fail(&r, ClassConfig, "redis url: "+err.Error())
		return r
	}
	args, err := settings.RedisCommand(m.Query)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	var tlsCfg *tls.Config
	if u.Scheme == "rediss" {
		if tlsCfg, err = c.b.serviceTLS(m, u.Hostname()); err != nil {
			fail(&r, ClassConfig, err.Error())
			return r
		}
	}
	p := newProbe(c.b, m, tlsCfg != nil)
	defer p.finish(&r)
	if m.Password != "" {
		t.password = m.Password
	}

	conn, err := redisDial(ctx, p, t.addr, tlsCfg, maxBody(m))
	if err != nil {
		c.failure(ctx, &r, p, err)
		return r
	}
	defer conn.close()
	version, err := conn.login(t)
	addVersion(&r, version)
	if err != nil {
		c.failure(ctx, &r, p, err)
		return r
	}
	p.loggedInNow()
	res, err := conn.do(args[0].(string), args[1:]...)
	if err != nil {
		c.failure(ctx, &r, p, err)
		return r
	}
	p.answeredNow()
	r.Status = monitor.StatusUp
	value, have := redisValue(res)
	judgeValue(&r, m, ClassRedisValue, "the command", value, have)
	if r.Status != monitor.StatusDown {
		p.judgeServiceCert(&r, m)
	}
	return r
}

// redisTarget is what a redis URL says: where, as whom, which database.
type redisTarget struct {
	addr           string
	user, password string
	db             int
	clientName     string // client_name=, the name the server shows in CLIENT LIST
}

// redisIgnored are the query options of go-redis's URLs, which this
// check took before it spoke through redigo: pool sizes, retries and
// timeouts mean nothing to a check (its own timeout bounds it, its one
// connection is closed after it), skip_verify gives way to the
// monitor's insecure, and protocol to RESP2. They are accepted, so that
// a URL that worked keeps working, and ignored.
var redisIgnored = []string{
	"protocol", "max_retries", "min_retry_backoff", "max_retry_backoff",
	"dial_timeout", "read_timeout", "write_timeout",
	"pool_fifo", "pool_size", "pool_timeout", "min_idle_conns", "max_idle_conns",
	"max_active_conns", "max_concurrent_dials",
	"pipeline_pool_size", "pipeline_read_buffer_size", "pipeline_write_buffer_size",
	"conn_max_idle_time", "idle_timeout", "conn_max_lifetime", "max_conn_age",
	"conn_max_lifetime_jitter", "skip_verify",
}

// redisTargetOf reads a redis:// or rediss:// URL: the user name and
// password of its userinfo, the host (port 6379 unless given), the
// database from the path (/N) or db=N, and client_name. Its errors never
// hold the URL, whose userinfo may hold the password.
func redisTargetOf(u *url.URL) (redisTarget, error) {
	t := redisTarget{}
	if u.User != nil {
		t.user = u.User.Username()
		t.password, _ = u.User.Password()
	}
	host := u.Hostname()
	if host == "" {
		host = "localhost"
	}
	t.addr = hostPort(host, u.Port(), "6379")
	switch f := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' }); len(f) {
	case 0:
	case 1:
		n, err := redisDB(f[0])
		if err != nil {
			return t, errors.New("the path is not a database number, e.g. /0")
		}
		t.db = n
	default:
		return t, errors.New("the path holds more than a database number")
	}
	q := u.Query()
	if v := q["db"]; len(v) > 0 && v[len(v)-1] != "" {
		n, err := redisDB(v[len(v)-1])
		if err != nil {
			return t, errors.New("db= is not a database number")
		}
		t.db = n
	}
	if v := q["client_name"]; len(v) > 0 {
		t.clientName = v[len(v)-1]
	}
	var unknown []string
	for k := range q {
		if k != "db" && k != "client_name" && !slices.Contains(redisIgnored, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return t, fmt.Errorf("unexpected option: %s", strings.Join(unknown, ", "))
	}
	return t, nil
}

// redisDB reads a database number. The messages of its callers do not
// repeat what was written: a password put in the wrong place stays
// unshown.
func redisDB(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err == nil && n < 0 {
		err = errors.New("negative")
	}
	return n, err
}

// redisConn is a check's one connection to the server.
type redisConn struct {
	rc       redis.Conn
	deadline time.Time
	stop     func() bool // of the context.AfterFunc that closes the connection when the check is canceled
}

// redisDial opens the connection through the probe, which times the
// connect and the TLS handshake. Every read and write of it ends by the
// deadline of ctx, and redigo reads it through a respGuard that holds
// each reply to limit bytes.
func redisDial(ctx context.Context, p *svcProbe, addr string, tlsCfg *tls.Config, limit int64) (*redisConn, error) {
	conn, err := p.dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	raw := conn
	if tlsCfg != nil {
		tc, err := p.handshakeTLS(ctx, conn, tlsCfg)
		if err != nil {
			conn.Close()
			return nil, err
		}
		conn = tc
	}
	dl, _ := ctx.Deadline() // withDeadline gave it one
	if err := conn.SetWriteDeadline(dl); err != nil {
		conn.Close()
		return nil, err
	}
	// Closed, not given a deadline, when the check is canceled: redigo
	// sets the read deadline itself after it wrote a command, which would
	// undo one set in between.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	// No timeouts of redigo's own: a write timeout of 0 leaves the
	// deadline above alone, and do gives each read what is left.
	return &redisConn{rc: redis.NewConn(newRESPGuard(conn, limit), 0, 0), deadline: dl, stop: stop}, nil
}

func (c *redisConn) close() {
	c.stop()
	c.rc.Close()
}

// do runs one command, reading its reply until the deadline.
func (c *redisConn) do(cmd string, args ...any) (any, error) {
	// A read timeout of 0 would mean none at all.
	left := max(time.Until(c.deadline), time.Nanosecond)
	return redis.DoWithTimeout(c.rc, left, cmd, args...)
}

// login sends HELLO 2 (RESP2, the protocol redigo reads) with the
// password and user name if there is a password, then SELECT for a
// database other than 0. A server that does not know HELLO (Redis before
// 6, or a proxy), or does not let the default user run it (Redis 6.0),
// gets AUTH instead. It returns the version HELLO's answer holds.
func (c *redisConn) login(t redisTarget) (string, error) {
	hello := []any{"2"}
	if t.password != "" {
		user := t.user
		if user == "" {
			user = "default"
		}
		hello = append(hello, "AUTH", user, t.password)
	}
	if t.clientName != "" {
		hello = append(hello, "SETNAME", t.clientName)
	}
	reply, err := c.do("HELLO", hello...)
	var version string
	switch {
	case err == nil:
		version = redisVersion(reply)
	case t.password == "" && redisErrorWord(err) == "NOAUTH":
		// No password to give: the command will be refused with the
		// plain "NOAUTH Authentication required." rather than HELLO's
		// advice to send it a password.
	case redisHelloUnknown(err) || redisErrorWord(err) == "NOPERM":
		// Redis 6.0 judges HELLO by the ACL of the user not yet
		// logged in: a default user that may run little more than
		// PING is refused HELLO itself, and AUTH is still allowed.
		if err := c.legacyLogin(t); err != nil {
			return "", err
		}
	default:
		return "", err
	}
	if t.db != 0 {
		if _, err := c.do("SELECT", t.db); err != nil {
			return version, &redisSelectError{db: t.db, err: err}
		}
	}
	return version, nil
}

// legacyLogin logs in where HELLO is unknown: AUTH with the password (and
// the user name, which Redis 6 takes and Redis 5 refuses), and CLIENT
// SETNAME for client_name.
func (c *redisConn) legacyLogin(t redisTarget) error {
	if t.password != "" {
		auth := []any{t.password}
		if t.user != "" {
			auth = []any{t.user, t.password}
		}
		if _, err := c.do("AUTH", auth...); err != nil {
			return err
		}
	}
	if t.clientName != "" {
		if _, err := c.do("CLIENT", "SETNAME", t.clientName); err != nil {
			return err
		}
	}
	return nil
}

// redisHelloUnknown reports whether err is HELLO's refusal by a server
// that does not have the command. Servers and proxies word it
// differently ("unknown command", "unsupported command", …), so, as
// go-redis did, every error reply counts but those that refuse the login
// or say the server cannot serve now: those are the answer.
func redisHelloUnknown(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && redisErrorClass(re.Error()) == ""
}

// redisErrorWord is the first word of a Redis error reply, its kind.
func redisErrorWord(err error) string {
	var re redis.Error
	if !errors.As(err, &re) {
		return ""
	}
	word, _, _ := strings.Cut(re.Error(), " ")
	return word
}

// redisErrorClass is the class of a Redis error reply known by its
// words, or "" for another.
func redisErrorClass(msg string) string {
	switch word, _, _ := strings.Cut(msg, " "); word {
	case "WRONGPASS", "NOAUTH", "NOPERM":
		return ClassRedisAuth
	case "LOADING", "MASTERDOWN", "BUSY", "TRYAGAIN", "CLUSTERDOWN":
		return ClassRedisUnavailable
	}
	if strings.Contains(msg, "invalid password") || strings.Contains(msg, "invalid username-password") {
		return ClassRedisAuth
	}
	return ""
}

// redisValue turns a reply into the value compared: a string or number as
// it is, the first element of an array.
func redisValue(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", false
	case string: // a status reply: +PONG
		return v, true
	case []byte: // a bulk string
		return string(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case []any:
		if len(v) == 0 {
			return "", false
		}
		return redisValue(v[0])
	case redis.Error: // in an array: EXEC's answers
		return v.Error(), true
	default:
		return fmt.Sprint(v), true
	}
}

// redisVersion finds the version in HELLO's answer, a flat array (RESP2)
// of names and values: "server", "redis", "version", "7.2.4", …
func redisVersion(reply any) string {
	a, _ := reply.([]any)
	for i := 0; i+1 < len(a); i += 2 {
		if k, _ := a[i].([]byte); string(k) == "version" {
			v, _ := a[i+1].([]byte)
			return string(v)
		}
	}
	return ""
}

// redisSelectError is a refused SELECT of the URL's database: the
// login went through, so it is no refused password ("ERR DB index is
// out of range": the server has fewer databases than the URL names).
type redisSelectError struct {
	db  int
	err error
}

func (e *redisSelectError) Error() string { return e.err.Error() }
func (e *redisSelectError) Unwrap() error { return e.err }

// failure classifies an error from the connection, the login or the
// command.
func (c *Redis) failure(ctx context.Context, r *monitor.Result, p *svcProbe, err error) {
	if se, ok := errors.AsType[*redisSelectError](err); ok && errors.As(se.err, new(redis.Error)) { // the server's answer, not a lost connection
		fail(r, ClassRedisCommand, fmt.Sprintf("SELECT %d, the database of the URL, failed: %s", se.db, se.err.Error()))
		return
	}
	var re redis.Error
	if errors.As(err, &re) {
		msg := re.Error()
		if class := redisErrorClass(msg); class != "" {
			fail(r, class, msg)
			return
		}
		if p.phaseNow() < phaseRequest {
			fail(r, ClassRedisAuth, "login: "+msg)
			return
		}
		fail(r, ClassRedisCommand, "the command failed: "+msg)
		return
	}
	if p.failConn(ctx, r, err, redisTimeouts) {
		return
	}
	var bad *redisReplyError
	if errors.As(err, &bad) {
		fail(r, ClassRedisBadReply, bad.Error())
		return
	}
	if c := Classify(err); !p.tls && len(p.firstBytes()) == 0 && (c == ClassEOF || c == ClassReset) {
		// Redis answers even a command it does not know; a server that
		// closes the connection without a word at HELLO is a TLS port
		// that could not make sense of plain text.
		fail(r, ClassTLSRequired, "the server closed the connection without answering HELLO, as a TLS-only port does; use rediss://")
		return
	}
	failErr(r, err) // plain words, the library's text as the detail
	if p.phaseNow() < phaseRequest {
		r.Error = engine.Sanitize("login: "+r.Error, maxError)
	}
}
