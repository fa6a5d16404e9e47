package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// URLs in the config may carry a password, a token in the query string,
// or (for alert services) a token anywhere. Every message about a URL
// shows it redacted, and a URL that does not parse is never quoted through
// net/url's error, whose text holds the whole input.

// checkURL parses raw and checks that it has one of schemes (any scheme
// when none is given) and a host. Its errors show the URL as
// monitor.RedactURL does.
func checkURL(raw string, schemes ...string) (*url.URL, error) {
	return checkURLShown(raw, monitor.RedactURL(raw), schemes...)
}

// checkURLShown is checkURL with the URL shown as shown in its errors.
func checkURLShown(raw, shown string, schemes ...string) (*url.URL, error) {
	u, err := url.Parse(raw)
	noScheme := hostPortOnly(raw)
	if err != nil && !noScheme {
		return nil, fmt.Errorf("%q is not a URL: %s", shown, urlProblem(raw))
	}
	if noScheme || u.Scheme == "" {
		if len(schemes) > 0 {
			example := schemes[0]
			if slices.Contains(schemes, "https") {
				example = "https"
			}
			return nil, fmt.Errorf("%q has no scheme; write e.g. %s://%s", shown, example, shown)
		}
		return nil, fmt.Errorf("%q has no scheme", shown)
	}
	if len(schemes) > 0 && !slices.Contains(schemes, u.Scheme) {
		return nil, fmt.Errorf("unsupported scheme %q; use %s", u.Scheme, oneOf(schemes))
	}
	if u.Host == "" && len(schemes) > 0 {
		return nil, fmt.Errorf("%q has no host", shown)
	}
	return u, nil
}

// hostPortOnly reports whether raw is a host and a port with no scheme
// ("127.0.0.1:8080", "localhost:8080/health"): net/url refuses the first (a
// colon in the first path segment) and reads the second as the scheme
// "localhost", but a person meant a place to connect to.
func hostPortOnly(raw string) bool {
	if strings.Contains(raw, "://") {
		return false
	}
	hostport, _, _ := strings.Cut(raw, "/")
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || host == "" || port == "" {
		return false
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// urlProblem says what keeps raw from parsing as a URL, in words that
// quote nothing of its user info.
func urlProblem(raw string) string {
	if ui, ok := userinfoText(raw); ok {
		if p := userinfoProblem(ui); p != "" {
			return "the user name or password in it holds " + p
		}
	}
	// With the user info and secret parameters replaced, what still fails
	// is in the scheme, host, port or path, which the message may name.
	_, err := url.Parse(monitor.RedactURL(raw))
	var esc url.EscapeError
	if errors.As(err, &esc) { // its text quotes the escape, maybe of a token in the path
		return `it holds a "%" that starts no escape; write "%" itself as %25`
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return strings.TrimPrefix(ue.Err.Error(), "net/url: ")
	}
	return "the user name or password in it does not parse; write its special characters as %XX escapes"
}

// userinfoText returns what a person meant as user info: the text between
// "scheme://" and the last "@", read by the text alone (a "/" or "#" in a
// password ends the user info for a URL parser, not for the person).
func userinfoText(raw string) (string, bool) {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "", false
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return "", false
	}
	return rest[:at], true
}

// userinfoProblem names the first character user info may not hold as
// written, and how to write it; "" when there is none.
func userinfoProblem(ui string) string {
	for i := 0; i < len(ui); i++ {
		c := ui[i]
		switch {
		case c == '%':
			if i+2 < len(ui) && isHex(ui[i+1]) && isHex(ui[i+2]) {
				i += 2
				continue
			}
			return `a "%" that starts no escape; write "%" itself as %25`
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0:
			continue
		case c == ' ':
			return "a space; write it as %20"
		case c < 0x20 || c == 0x7f:
			return "a control character"
		case c >= 0x80:
			return "a character outside ASCII; write each of its UTF-8 bytes as a %XX escape"
		default:
			return fmt.Sprintf("a %q; write it as %%%02X", string(c), c)
		}
	}
	return ""
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// alertURLShown is how messages show an alert's URL: a webhook's scheme
// and host (its path often is the token, as with Slack's), and only the
// scheme of a notification-service URL, whose every part may be a token.
func alertURLShown(raw string, service bool) string {
	r := monitor.RedactURL(raw)
	prefix, rest, ok := strings.Cut(r, "://")
	switch {
	case ok && service:
		return prefix + "://…"
	case service:
		if s, _, ok := strings.Cut(r, ":"); ok && s != "" {
			return s + ":…"
		}
		return "…"
	case ok:
		prefix += "://"
	default:
		prefix, rest = "", r
	}
	host, more, _ := strings.Cut(rest, "/")
	if i := strings.IndexAny(host, "?#"); i >= 0 {
		host, more = host[:i], "…"
	}
	if more != "" {
		return prefix + host + "/…"
	}
	return prefix + host
}
