package alert

import (
	"net/url"
	"slices"
	"strings"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// redacted replaces a secret wherever one would be shown.
const redacted = "REDACTED"

// minSecret is the shortest string treated as a secret; shorter ones would
// blank out ordinary words in error messages.
const minSecret = 4

// Redactor removes known secrets from text: every configured token,
// password and webhook secret, in plain and URL-escaped form, and the
// credentials of any URL.
type Redactor struct {
	secrets []string // longest first, so a secret inside another goes too
}

// NewRedactor returns a Redactor for the secrets of the given alerts.
func NewRedactor(alerts []*Config) *Redactor {
	var raw []string
	for _, a := range alerts {
		raw = append(raw, Secrets(a)...)
	}
	set := map[string]bool{}
	for _, s := range raw {
		if len(s) < minSecret {
			continue
		}
		for _, v := range []string{s, url.PathEscape(s), url.QueryEscape(s)} {
			set[v] = true
		}
	}
	r := &Redactor{}
	for s := range set {
		r.secrets = append(r.secrets, s)
	}
	slices.SortFunc(r.secrets, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return r
}

// Secrets returns the secret values of one alert: token, password,
// webhook secret, header values, and the parts of its URL that carry
// credentials (user info, path segments and query values of a service URL
// often hold tokens).
func Secrets(a *Config) []string {
	out := []string{a.Token, a.Password, a.Secret}
	for _, v := range a.Headers {
		out = append(out, v)
		if _, tok, ok := strings.Cut(v, " "); ok { // "Bearer xyz"
			out = append(out, tok)
		}
	}
	if a.URL != "" {
		out = append(out, urlSecrets(a.URL, a.Kind == KindURL)...)
	}
	for _, u := range a.URLs {
		out = append(out, urlSecrets(u, false)...)
	}
	return slices.DeleteFunc(out, func(s string) bool { return len(s) < minSecret })
}

// urlSecrets returns the credential-like parts of a URL: the password, long
// path segments and query values, and values of secret-looking keys. For a
// service URL (all) shorter segments and the user name count too: services
// put tokens there.
func urlSecrets(raw string, all bool) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return []string{raw}
	}
	var out []string
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			out = append(out, p)
		}
		if all && len(u.User.Username()) >= 8 { // discord://token@id
			out = append(out, u.User.Username())
		}
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if len(seg) >= 16 || (all && len(seg) >= 8) { // long path segments are tokens
			out = append(out, seg)
		}
	}
	if all && u.Opaque != "" {
		out = append(out, u.Opaque)
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			if len(v) >= 16 || (all && len(v) >= 8) || monitor.SecretQueryKey(k) {
				out = append(out, v)
			}
		}
	}
	return out
}

// Redact returns s with every secret replaced, and every URL in it
// redacted as monitor.RedactURL does.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return monitor.RedactURLs(s)
}

// Error returns the redacted text of err, or "" for nil.
func (r *Redactor) Error(err error) string {
	if err == nil {
		return ""
	}
	return r.Redact(err.Error())
}
