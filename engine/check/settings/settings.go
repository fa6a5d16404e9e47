// Package settings holds what the check kinds accept in a monitor's
// settings: the defaults for what a monitor leaves out, the allowed modes,
// and the parsers that both a checker and the config loader use, so that a
// mistake is a config error before it can be a failed check.
//
// It is apart from package check so that the config loader does not link
// every protocol client (gRPC, Redis, MySQL, WebSocket) to read a file.
package settings

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// DefaultMaxBody is how many bytes of an HTTP or WebSocket body a check
// reads at most when a monitor sets no max_body.
const DefaultMaxBody = 1 << 20

// DefaultPostgresQuery is run when a postgres monitor sets no query.
const DefaultPostgresQuery = "SELECT 1"

// DefaultMySQLQuery is run when a mysql monitor sets no query.
const DefaultMySQLQuery = "SELECT 1"

// DefaultRedisCommand is run when a redis monitor sets no query.
const DefaultRedisCommand = "PING"

// MySQLTLSModes are the values of a mysql:// URL's tls parameter.
var MySQLTLSModes = []string{"preferred", "true", "skip-verify", "false"}

// StartTLSModes are the values of an smtp monitor's starttls, the default
// first.
var StartTLSModes = []string{"opportunistic", "mandatory", "none"}

// CheckPostgresURL reports what is wrong with a postgres:// URL (an
// unknown sslmode, a bad port, …).
func CheckPostgresURL(raw string) error {
	_, err := ParsePostgresURL(raw)
	return err
}

// ParsePostgresURL parses a connection URL. pgconn's own message quotes
// the URL and, in the error it wraps, may quote it again with the
// password: only what is wrong is kept, and never the password.
func ParsePostgresURL(raw string) (*pgconn.Config, error) {
	cfg, err := pgconn.ParseConfig(raw)
	if err == nil {
		return cfg, nil
	}
	msg := err.Error()
	if i := strings.Index(msg, "`: "); i >= 0 {
		msg = msg[i+3:]
	}
	if u, perr := url.Parse(raw); perr != nil || strings.Contains(msg, raw) {
		msg = "cannot be parsed"
	} else if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(msg, pw) {
		msg = "cannot be parsed"
	}
	return nil, fmt.Errorf("postgres url: %s", msg)
}

// RedisCommand splits a redis monitor's query into a command's words:
// separated by spaces, a word in double quotes may hold spaces. The config
// loader calls it so that a bad command is a config error.
func RedisCommand(q string) ([]any, error) {
	if strings.TrimSpace(q) == "" {
		q = DefaultRedisCommand
	}
	var args []any
	var word strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(q); i++ {
		ch := q[i]
		switch {
		case quoted && ch == '\\' && i+1 < len(q):
			i++
			word.WriteByte(q[i])
		case quoted && ch == '"':
			quoted = false
		case !quoted && ch == '"':
			quoted, inWord = true, true
		case !quoted && (ch == ' ' || ch == '\t'):
			if inWord {
				args = append(args, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteByte(ch)
			inWord = true
		}
	}
	if quoted {
		return nil, fmt.Errorf("a double quote is not closed in %q", q)
	}
	if inWord {
		args = append(args, word.String())
	}
	if args[0] == "" {
		return nil, errors.New(`the command's name is empty ("")`)
	}
	return args, nil
}

// ParseResolve splits a resolve entry "host:port:address" (the address
// may be an IPv6 one, bare or in brackets) and checks its parts.
func ParseResolve(s string) (host, port, addr string, err error) {
	host, rest, ok := strings.Cut(s, ":")
	port, addr, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || host == "" || port == "" || addr == "" {
		return "", "", "", fmt.Errorf("%q is not host:port:address, e.g. shop.example.com:443:192.0.2.10", s)
	}
	if n, err := parsePort(port); err != nil || n == 0 {
		return "", "", "", fmt.Errorf("%q: %q is not a port", s, port)
	}
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	if net.ParseIP(addr) == nil {
		return "", "", "", fmt.Errorf("%q: %q is not an IP address", s, addr)
	}
	return host, port, addr, nil
}

func parsePort(s string) (int, error) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 65535 {
			return 0, errors.New("not a port")
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, errors.New("not a port")
	}
	return n, nil
}
