package monitor

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Redacted stands in for the secret parts of a URL wherever one is shown
// or stored. It is what net/url's Redacted puts in place of a password.
const Redacted = "xxxxx"

// PushURL is how a push monitor's URL is shown: the token is its only
// secret and all there is to it.
const PushURL = "push://…"

// RedactURL returns raw fit to show and to store: its user info replaced
// whole (a user name may be a token as well as the password), the values of query and fragment parameters
// whose names look secret (SecretQueryKey) replaced, and a push URL's token
// hidden. It works on text that is no valid URL too, taking everything
// before the last "@" for user info, so that the URL in a message about a
// mistake never shows the password that caused it. It is the one function
// every part of upbeat uses for this; applying it twice changes nothing.
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	if strings.HasPrefix(strings.ToLower(raw), "push:") {
		return PushURL
	}
	if !strings.ContainsAny(raw, "@?#") {
		return raw // nothing that can hold a secret: the common case, kept cheap
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User == nil && (bareAt(u.RawQuery) || bareAt(u.EscapedFragment())) {
		// "https://bob:12#pw@host" parses, with the password's end taken
		// for the fragment: read by the text, the "@" ends user info.
		return redactText(raw)
	}
	if u.User != nil {
		u.User = url.User(Redacted)
	}
	if u.RawQuery != "" {
		u.RawQuery = redactParams(u.RawQuery)
	}
	if f := u.EscapedFragment(); strings.ContainsAny(f, "=@") {
		if r := redactParams(f); r != f {
			if unescaped, err := url.PathUnescape(r); err == nil {
				u.Fragment, u.RawFragment = unescaped, r
			} else {
				u.Fragment, u.RawFragment = Redacted, ""
			}
		}
	}
	return u.String()
}

// redactText redacts what does not parse as a URL, by its text alone:
// everything between the scheme and the last "@" is user info, and the
// parameters after the first "?" (or "#") are parameters.
func redactText(raw string) string {
	prefix, rest := "", raw
	if i := strings.Index(raw, "://"); i > 0 && isScheme(raw[:i]) {
		prefix, rest = raw[:i+3], raw[i+3:]
	} else if i := strings.IndexByte(raw, ':'); i > 0 && isScheme(raw[:i]) && strings.Contains(raw[i:], "@") {
		prefix, rest = raw[:i+1], raw[i+1:] // opaque, e.g. "discord:token@id"
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = Redacted + rest[at:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i+1] + redactParams(rest[i+1:])
	}
	return prefix + rest
}

// bareAt reports whether parameters hold a part with an "@" and no "=".
func bareAt(q string) bool {
	for part := range strings.FieldsFuncSeq(q, func(r rune) bool { return r == '&' || r == ';' }) {
		if !strings.Contains(part, "=") && strings.Contains(part, "@") {
			return true
		}
	}
	return false
}

// isScheme reports whether s is a URL scheme: a letter, then letters,
// digits, "+", "-" or ".".
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// redactParams replaces the values of secret-looking parameters in
// "a=1&token=2" (also separated by ";"), keeping everything else as written.
func redactParams(q string) string {
	var b strings.Builder
	b.Grow(len(q))
	start := 0
	for i := 0; i <= len(q); i++ {
		if i < len(q) && q[i] != '&' && q[i] != ';' {
			continue
		}
		part := q[start:i]
		if k, _, ok := strings.Cut(part, "="); !ok && strings.Contains(part, "@") {
			part = Redacted // see bareAt
		} else if ok {
			name, err := url.QueryUnescape(k)
			if err != nil {
				name = k
			}
			if SecretQueryKey(name) {
				part = k + "=" + Redacted
			}
		}
		b.WriteString(part)
		if i < len(q) {
			b.WriteByte(q[i])
		}
		start = i + 1
	}
	return b.String()
}

// secretNames are parameter names that hold a secret; secretParts are
// parts of names that do ("access_token", "client_secret", "X-Amz-Signature").
var (
	secretNames = []string{"key", "sig", "sign", "auth", "pass", "pwd", "code", "session", "sessionid", "sid", "jwt", "hmac"}
	secretParts = []string{"token", "secret", "passw", "signature", "apikey", "api_key", "credential", "private", "authorization"}
)

// SecretQueryKey reports whether a query parameter of this name holds a
// secret, whatever its case: token, key, apikey, api_key, access_token,
// sig, signature, secret, password, auth and names built from them.
func SecretQueryKey(name string) bool {
	k := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	for _, n := range secretNames {
		if k == n {
			return true
		}
	}
	for _, p := range secretParts {
		if strings.Contains(k, p) {
			return true
		}
	}
	return strings.HasSuffix(k, "key") || strings.HasSuffix(k, "_sig") || strings.HasSuffix(k, "auth")
}

// urlInText finds URLs in free text: one in double quotes whole (net/http
// quotes the URL of a failed request, and it may hold spaces), else up to
// white space or a quote. It is compiled when first needed, not at
// start-up.
var urlInText = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`"[a-zA-Z][a-zA-Z0-9+.-]*:[^"]*"|[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)
})

// RedactURLs returns s with every URL in it passed through RedactURL, for
// messages (errors of libraries, logs) that may quote a URL.
func RedactURLs(s string) string {
	if !strings.Contains(s, ":") {
		return s
	}
	return urlInText().ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, `"`) {
			inner := m[1 : len(m)-1]
			if !strings.Contains(inner, "//") && !strings.Contains(inner, "@") {
				return m // a quoted word with a colon, not a URL
			}
			return `"` + RedactURL(inner) + `"`
		}
		return RedactURL(m)
	})
}
