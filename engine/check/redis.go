package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Redis checks redis:// and rediss:// monitors through go-redis: connect
// (TLS for rediss://, verified against the system pool plus ca_file unless
// insecure = true, the expiry judged like a tls:// check's), log in with
// HELLO (with the monitor's password, and the user name of the URL), run
// the command (PING by default) and compare its value with expect_value
// and max_value. The server's version comes with HELLO's answer, read off
// the wire so that it costs no round trip.
//
// A client lives for one check: one connection, no retries, no pool kept.
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
	opt, err := redis.ParseURL(m.URL)
	if err != nil {
		fail(&r, ClassConfig, "redis url: "+redisParseProblem(err, u.String()))
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
		opt.Password = m.Password
	}
	opt.TLSConfig = nil // the dialer below does the handshake, to time it
	opt.Dialer = func(ctx context.Context, _, addr string) (net.Conn, error) {
		conn, err := p.dial(ctx, addr)
		if err != nil || tlsCfg == nil {
			return conn, err
		}
		tc, err := p.handshakeTLS(ctx, conn, tlsCfg)
		if err != nil {
			conn.Close()
			return nil, err
		}
		return &plainConn{Conn: tc, p: p}, nil
	}
	opt.OnConnect = func(context.Context, *redis.Conn) error { p.loggedInNow(); return nil }
	opt.MaxRetries = -1
	opt.DialerRetries = 1 // a refused port is an answer, not something to try five times
	// Two slots for the one connection a check makes: once as many dials
	// have failed as the pool has slots, go-redis starts a goroutine that
	// dials the target again in the background, a second apart, until the
	// pool is closed. With one slot every failed dial (a refused port, a
	// TLS handshake that timed out) left that goroutine behind for up to a
	// second after the check, dialling through this check's probe.
	opt.PoolSize, opt.MinIdleConns, opt.MaxIdleConns = 2, 0, 0
	opt.ContextTimeoutEnabled = true
	if dl, ok := ctx.Deadline(); ok {
		left := max(timeUntil(dl), 1)
		opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = left, left, left
	}
	opt.DisableIdentity = true // no CLIENT SETINFO: one round trip fewer
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	quietRedis()
	client := redis.NewClient(opt)
	defer client.Close()

	res, err := client.Do(ctx, args...).Result()
	reply := p.plainBytes()
	addVersion(&r, redisVersion(reply))
	if err != nil && !errors.Is(err, redis.Nil) {
		c.failure(ctx, &r, p, err)
		return r
	}
	p.answeredNow()
	r.Status = monitor.StatusUp
	value, have := redisValue(res)
	if errors.Is(err, redis.Nil) {
		value, have = "", false
	}
	judgeValue(&r, m, ClassRedisValue, "the command", value, have)
	if r.Status != monitor.StatusDown {
		p.judgeServiceCert(&r, m)
	}
	return r
}

// quietRedis stops go-redis from writing its own log lines (a refused
// dial, …) to the standard logger: what a check finds goes into its
// result. The library's logger is global, hence the Once.
var quietRedis = sync.OnceFunc(func() { redis.SetLogger(nopRedisLogger{}) })

type nopRedisLogger struct{}

func (nopRedisLogger) Printf(context.Context, string, ...any) {}

// redisValue turns a reply into the value compared: a string or number as
// it is, the first element of an array.
func redisValue(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return fmtNum(v), true
	case bool:
		if v {
			return "1", true
		}
		return "0", true
	case []any:
		if len(v) == 0 {
			return "", false
		}
		return redisValue(v[0])
	default:
		return fmt.Sprint(v), true
	}
}

// redisVersion finds the version in HELLO's answer, a map (RESP3) or a
// flat array (RESP2) holding the bulk string "version" and then the value.
func redisVersion(reply []byte) string {
	const key = "$7\r\nversion\r\n$"
	i := bytes.Index(reply, []byte(key))
	if i < 0 {
		return ""
	}
	rest := reply[i+len(key):]
	nl := bytes.Index(rest, []byte("\r\n"))
	if nl <= 0 {
		return ""
	}
	n, err := strconv.Atoi(string(rest[:nl]))
	rest = rest[nl+2:]
	if err != nil || n <= 0 || n > 64 || len(rest) < n {
		return ""
	}
	return string(rest[:n])
}

// redisParseProblem is what is wrong with a redis URL, without the URL.
func redisParseProblem(err error, raw string) string {
	msg := err.Error()
	if strings.Contains(msg, raw) || strings.Contains(msg, "@") {
		return "cannot be parsed"
	}
	return strings.TrimPrefix(msg, "redis: ")
}

// failure classifies an error from the login or the command.
func (c *Redis) failure(ctx context.Context, r *monitor.Result, p *svcProbe, err error) {
	var re redis.Error
	if errors.As(err, &re) {
		msg := re.Error()
		switch word, _, _ := strings.Cut(strings.TrimPrefix(msg, "failed to authenticate: "), " "); word {
		case "WRONGPASS", "NOAUTH", "NOPERM":
			fail(r, ClassRedisAuth, msg)
			return
		case "LOADING", "MASTERDOWN", "BUSY", "TRYAGAIN", "CLUSTERDOWN":
			fail(r, ClassRedisUnavailable, msg)
			return
		}
		if strings.Contains(msg, "invalid password") || strings.Contains(msg, "invalid username-password") {
			fail(r, ClassRedisAuth, msg)
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

// plainConn notes the first bytes that arrive after TLS is taken off, for
// what a library reads itself (HELLO's answer).
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
