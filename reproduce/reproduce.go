// Package reproduce writes the command a person can paste into a shell to
// run a monitor's check by hand: for an http(s) monitor a curl command
// pinned to the address the check connected to, printing the phases of
// the request; for the other kinds the nearest everyday tool.
//
// Nothing secret goes into a command: no password, token, Authorization
// or cookie header, secret query value or request body. What is left out
// is named in Command.Omitted, so that the person knows where to put it
// back. Every part is reduced to printable text and quoted for a POSIX
// shell, so that nothing a target or a config says can run as a command
// or reach a terminal as an escape sequence.
package reproduce

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Command is how to run a check by hand.
type Command struct {
	// Line is the command, on one line, ready to paste; empty when no
	// command reproduces the check (then Note says what to try).
	Line string
	// Args are the words of Line, each quoted as in Line, for a view
	// that breaks the command over several lines.
	Args []string
	// Omitted names what was left out of Line because it is secret
	// ("header Authorization", "the password of user alice").
	Omitted []string
	// Note is a remark for the person: why there is no command, or what
	// Line does not do as the check did.
	Note string
}

// PhasesFormat is curl's -w template: the status code and the phases, as
// curl measures them, each counted from the start of the request.
const PhasesFormat = `code %{http_code}  dns %{time_namelookup}s  connect %{time_connect}s  tls %{time_appconnect}s  ttfb %{time_starttransfer}s  total %{time_total}s\n`

// For returns the command that reproduces m's check; r is the result to
// reproduce (its Remote pins the address), nil for none.
func For(m *monitor.Monitor, r *monitor.Result) Command {
	c := command(m, r)
	if c.Line != "" {
		c.Args = splitQuoted(c.Line)
	}
	return c
}

func command(m *monitor.Monitor, r *monitor.Result) Command {
	if m == nil {
		return Command{}
	}
	u := m.Parsed
	if u == nil {
		var err error
		if u, err = url.Parse(m.URL); err != nil {
			return Command{Note: "the monitor's URL does not parse"}
		}
	}
	switch m.Kind {
	case monitor.KindHTTP:
		return curl(m, u, r)
	case monitor.KindTCP:
		return Command{Line: join("nc", "-vz", "-w", secs(m.Timeout), u.Hostname(), u.Port()),
			Note: "no curl equivalent for tcp; nc tries the connection"}
	case monitor.KindTLS:
		return Command{Line: join("openssl", "s_client", "-connect", hostPort(u, "443"), "-servername", u.Hostname(), "-showcerts") + " </dev/null",
			Note: "no curl equivalent for a certificate check; openssl shows the chain and its dates"}
	case monitor.KindICMP:
		return Command{Line: join("ping", "-c", "3", u.Hostname()), Note: "no curl equivalent for ping"}
	case monitor.KindDNS:
		return dig(u)
	case monitor.KindDomain:
		return Command{Line: join("whois", u.Hostname()), Note: "upbeat asks RDAP; whois shows the same registration"}
	case monitor.KindPush:
		return Command{Note: "no command reproduces a push monitor: it waits for beats from a job"}
	case monitor.KindGRPC:
		args := []string{"grpcurl"}
		if u.Scheme == "grpc" {
			args = append(args, "-plaintext")
		}
		if m.Insecure {
			args = append(args, "-insecure")
		}
		args = append(args, "-max-time", secs(m.Timeout), hostPort(u, "443"), "grpc.health.v1.Health/Check")
		return Command{Line: join(args...), Note: "no curl equivalent for gRPC; grpcurl asks the standard health service"}
	case monitor.KindWS:
		return Command{Line: join("websocat", "-v", monitor.RedactURL(stripUser(u))), Note: "no curl equivalent for a WebSocket exchange"}
	case monitor.KindPostgres:
		return service(u, []string{"pg_isready", "-h", u.Hostname(), "-p", port(u, "5432")}, "postgres")
	case monitor.KindMySQL:
		return service(u, []string{"mysqladmin", "ping", "-h", u.Hostname(), "-P", port(u, "3306")}, "mysql")
	case monitor.KindRedis:
		args := []string{"redis-cli", "-h", u.Hostname(), "-p", port(u, "6379")}
		if u.Scheme == "rediss" {
			args = append(args, "--tls")
		}
		return service(u, append(args, "ping"), "redis")
	case monitor.KindSMTP:
		if u.Scheme == "smtps" {
			return Command{Line: join("openssl", "s_client", "-connect", hostPort(u, "465"), "-crlf", "-quiet") + " </dev/null",
				Note: "no curl equivalent for an SMTP greeting"}
		}
		return Command{Line: join("openssl", "s_client", "-starttls", "smtp", "-connect", hostPort(u, "25"), "-crlf", "-quiet") + " </dev/null",
			Note: "no curl equivalent for an SMTP greeting"}
	}
	return Command{Note: "no command reproduces a " + safe(string(m.Kind)) + " check"}
}

// curl builds the curl command of an http(s) check.
func curl(m *monitor.Monitor, u *url.URL, r *monitor.Result) Command {
	var c Command
	args := []string{"curl", "-sS", "-o", "/dev/null"} // never the body: it is the target's, and may hold escapes
	args = append(args, requestFlags(m, u, r)...)
	args = append(args, tlsFlags(m, u, r)...)
	args = c.withoutSecrets(m, args)
	args = append(args, "-w", PhasesFormat)
	shown := stripUser(u)
	if u.User != nil {
		c.Omitted = append(c.Omitted, "the user and password in the URL")
	}
	red := monitor.RedactURL(shown)
	if red != shown {
		c.Omitted = append(c.Omitted, "secret query values (shown as "+monitor.Redacted+")")
	}
	c.Line = join(append(args, red)...)
	if r != nil && r.Remote != "" && m.Proxy != nil {
		c.Note = "the check went through the proxy; the address is not pinned"
	}
	return c
}

// requestFlags are the method, redirects, the pinned address, the IP
// version and the timeouts.
func requestFlags(m *monitor.Monitor, u *url.URL, r *monitor.Result) []string {
	var args []string
	switch method := strings.ToUpper(m.Method); method {
	case "", "GET":
	case "HEAD":
		args = append(args, "--head")
	default:
		args = append(args, "-X", method)
	}
	if m.MaxRedirects > 0 {
		args = append(args, "-L", "--max-redirs", strconv.Itoa(m.MaxRedirects))
	}
	if pin := resolvePin(m, u, r); pin != "" {
		args = append(args, "--resolve", pin)
	}
	switch m.IPVersion {
	case 4:
		args = append(args, "-4")
	case 6:
		args = append(args, "-6")
	}
	if m.Timeout > 0 {
		args = append(args, "--connect-timeout", secs(m.Timeout), "--max-time", secs(m.Timeout))
	}
	return args
}

// tlsFlags are the protocol version and the TLS trust and identity.
func tlsFlags(m *monitor.Monitor, u *url.URL, r *monitor.Result) []string {
	var args []string
	switch {
	case m.HTTPVersion == "1.1":
		args = append(args, "--http1.1")
	case m.HTTPVersion == "2" && u.Scheme == "http":
		args = append(args, "--http2-prior-knowledge")
	case m.HTTPVersion == "2", r != nil && r.HTTPVersion == "2" && u.Scheme == "https":
		args = append(args, "--http2")
	}
	if m.Insecure {
		args = append(args, "-k")
	}
	if m.CAFile != "" {
		args = append(args, "--cacert", m.CAFile)
	}
	if m.ClientCert != "" {
		args = append(args, "--cert", m.ClientCert)
		if m.ClientKey != "" {
			args = append(args, "--key", m.ClientKey)
		}
	}
	return args
}

// withoutSecrets adds the proxy, the user and the headers to args, each
// without its secret, and names in c.Omitted what it left out.
func (c *Command) withoutSecrets(m *monitor.Monitor, args []string) []string {
	if m.Proxy != nil {
		p := *m.Proxy
		if p.User != nil {
			c.Omitted = append(c.Omitted, "the proxy's credentials")
		}
		p.User = nil
		args = append(args, "-x", monitor.RedactURL(p.String()))
	}
	if b := m.BasicAuth; b != nil {
		args = append(args, "-u", b.User) // curl asks for the password
		c.Omitted = append(c.Omitted, "the password of user "+safe(b.User)+" (curl asks for it)")
	}
	if m.BearerTokenFile != "" {
		c.Omitted = append(c.Omitted, "header Authorization (the bearer token of bearer_token_file)")
	}
	if m.OAuth2 != nil {
		c.Omitted = append(c.Omitted, "header Authorization (the OAuth2 token)")
	}
	for _, name := range sortedKeys(m.Headers) {
		if secretHeader(name) {
			c.Omitted = append(c.Omitted, "header "+safe(name))
			continue
		}
		args = append(args, "-H", name+": "+m.Headers[name])
	}
	if m.Body != "" {
		c.Omitted = append(c.Omitted, fmt.Sprintf("the request body (%d bytes; add --data-binary @FILE)", len(m.Body)))
	}
	return args
}

// resolvePin returns curl's --resolve value pinning the host the result
// connected to (the final URL's after redirects) to its address: the
// result's Remote, else the monitor's own pin for that host.
func resolvePin(m *monitor.Monitor, u *url.URL, r *monitor.Result) string {
	if m.Proxy != nil {
		return ""
	}
	host, defPort := u.Hostname(), defaultPort(u.Scheme)
	p := port(u, defPort)
	if r != nil && r.FinalURL != "" {
		if f, err := url.Parse(r.FinalURL); err == nil && f.Hostname() != "" {
			host, p = f.Hostname(), port(f, defaultPort(f.Scheme))
		}
	}
	if net.ParseIP(host) != nil {
		return "" // an address already
	}
	if r != nil && r.Remote != "" {
		ip, rp, err := net.SplitHostPort(r.Remote)
		if err == nil && net.ParseIP(ip) != nil && rp == p {
			return pinText(host, p, ip)
		}
	}
	for _, pin := range m.Resolve {
		h, rest, ok := strings.Cut(pin, ":")
		if !ok || !strings.EqualFold(h, host) {
			continue
		}
		pp, addr, ok := strings.Cut(rest, ":")
		if ok && pp == p {
			return pinText(host, p, strings.Trim(addr, "[]"))
		}
	}
	return ""
}

// pinText writes host:port:address, an IPv6 address in brackets.
func pinText(host, port, ip string) string {
	if strings.Contains(ip, ":") {
		ip = "[" + ip + "]"
	}
	return host + ":" + port + ":" + ip
}

// dig builds the dig command of a dns:// check.
func dig(u *url.URL) Command {
	name := strings.TrimPrefix(u.Path, "/")
	typ := u.Query().Get("type")
	if typ == "" {
		typ = "A"
	}
	args := []string{"dig"}
	if h := u.Hostname(); h != "" {
		args = append(args, "@"+h)
		if p := u.Port(); p != "" && p != "53" {
			args = append(args, "-p", p)
		}
	}
	return Command{Line: join(append(args, name, strings.ToUpper(typ))...), Note: "no curl equivalent for DNS"}
}

// service builds the command of a database or cache check, without its
// password.
func service(u *url.URL, args []string, kind string) Command {
	c := Command{Line: join(args...), Note: "no curl equivalent for " + kind + "; this asks whether it answers"}
	if _, ok := u.User.Password(); ok {
		c.Omitted = append(c.Omitted, "the password")
	}
	return c
}

// secretHeader reports whether a request header carries a secret.
func secretHeader(name string) bool {
	n := strings.ToLower(name)
	return monitor.SecretQueryKey(n) || strings.Contains(n, "cookie") || strings.Contains(n, "auth")
}

func stripUser(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

func defaultPort(scheme string) string {
	switch scheme {
	case "https", "wss", "grpcs":
		return "443"
	}
	return "80"
}

func port(u *url.URL, def string) string {
	if p := u.Port(); p != "" {
		return p
	}
	return def
}

func hostPort(u *url.URL, def string) string { return net.JoinHostPort(u.Hostname(), port(u, def)) }

// secs writes a timeout in seconds as curl and nc take it: "10", "2.5".
func secs(d time.Duration) string {
	if d <= 0 {
		d = 10 * time.Second
	}
	return strconv.FormatFloat(d.Round(time.Millisecond).Seconds(), 'f', -1, 64)
}

func sortedKeys(h map[string]string) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ { // a handful of headers: insertion sort
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// join quotes each argument for a POSIX shell (none when it needs none)
// and joins them with spaces. Each is first reduced to printable text.
func join(args ...string) string { return strings.Join(quoted(args), " ") }

func quoted(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = Quote(safe(a))
	}
	return out
}

// Quote quotes s for a POSIX shell: as it is when it holds only
// characters no shell treats specially, else in single quotes.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	plain := true
	for _, r := range s {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_./:=@%+,", r))) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// safe keeps the printable characters of s: no control characters (C0,
// DEL, C1: escape sequences begin with them), no format characters
// (bidirectional overrides that reorder what a person reads), no line
// breaks. A "\n" written as two characters (curl's -w) stays as it is.
func safe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == unicode.ReplacementChar:
			return -1
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r):
			return -1
		case !unicode.IsPrint(r) && r != ' ':
			return -1
		}
		return r
	}, s)
}

// Safe is what every part of a command goes through: s with everything
// but printable text taken out. Exported for the clipboard's last check.
func Safe(s string) string { return safe(s) }

// splitQuoted splits a line that join wrote back into its quoted words
// (a redirection such as "</dev/null" is a word of its own).
func splitQuoted(line string) []string {
	var out []string
	var cur strings.Builder
	inQuote, escaped := false, false
	for _, r := range line {
		switch {
		case escaped:
			escaped = false
			cur.WriteRune(r)
		case r == '\\' && !inQuote:
			escaped = true
			cur.WriteRune(r)
		case r == '\'':
			inQuote = !inQuote
			cur.WriteRune(r)
		case r == ' ' && !inQuote:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
