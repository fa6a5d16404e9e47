package importer

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/upbeat-monitor/upbeat/config"
)

// Helpers shared by the sources: status code ranges, JSON paths in jq,
// hosts and durations.

// statusRange lists the registered HTTP status codes from lo to hi: a
// range such as "200-299" becomes the codes that exist in it, not a
// hundred numbers.
func statusRange(lo, hi int) []int {
	var out []int
	for c := max(lo, 100); c <= min(hi, 599); c++ {
		if http.StatusText(c) != "" {
			out = append(out, c)
		}
	}
	return out
}

// isDefaultStatus reports whether codes are exactly what upbeat counts as
// up when expect_status is not set, or 2xx alone (redirects are followed,
// so a final 3xx is rare and the default is the closer match).
func isDefaultStatus(codes []int) bool {
	return equalInts(codes, statusRange(200, 299)) || equalInts(codes, statusRange(200, 399))
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// addCodes adds codes to list, keeping it sorted and without repeats.
func addCodes(list []int, codes ...int) []int {
	for _, c := range codes {
		i := 0
		for i < len(list) && list[i] < c {
			i++
		}
		if i < len(list) && list[i] == c {
			continue
		}
		list = append(list[:i], append([]int{c}, list[i:]...)...)
	}
	return list
}

// identRE is a JSON key that jq takes after a dot.
var identRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

// pathSegRE splits a dotted path with [N] indexes: a.b[0].c.
// Both are compiled when first needed, not at start-up.
var pathSegRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([^.\[\]]+)?((?:\[-?[0-9]+\])*)$`) })

// jqPath turns a dotted path (a.b[0].c, as Gatus writes after [BODY] and
// as the simple JSONata queries of Uptime Kuma are) into a jq path. An
// empty path is the whole document, ".".
func jqPath(p string) (string, bool) {
	p = strings.TrimSpace(p)
	p = strings.TrimPrefix(strings.TrimPrefix(p, "$"), ".")
	if p == "" {
		return ".", true
	}
	var b strings.Builder
	for _, seg := range splitPath(p) {
		m := pathSegRE().FindStringSubmatch(seg)
		if m == nil || m[1] == "" && m[2] == "" {
			return "", false
		}
		key := strings.Trim(m[1], "`")
		switch {
		case key == "":
		case identRE().MatchString(key):
			b.WriteString("." + key)
		default:
			if strings.ContainsAny(key, "*()$&|=<>!'\" ") {
				return "", false // an expression, not a key
			}
			b.WriteString(`.["` + key + `"]`)
		}
		b.WriteString(m[2])
	}
	s := b.String()
	if strings.HasPrefix(s, "[") {
		s = "." + s
	}
	return s, true
}

// splitPath splits a path at dots outside backticks.
func splitPath(p string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range p {
		switch {
		case r == '`':
			quoted = !quoted
			cur.WriteRune(r)
		case r == '.' && !quoted:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, cur.String())
}

// jqString quotes s as a jq string literal.
func jqString(s string) string {
	q, _ := jsonMarshal(s)
	return q
}

// jqValue writes a condition's right-hand side as jq: a number, true,
// false or null as it is, anything else as a string.
func jqValue(s string) string {
	s = strings.TrimSpace(s)
	switch s {
	case "true", "false", "null":
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXpP_") {
		return s
	}
	return jqString(strings.Trim(s, `"`))
}

// globRegexp turns a pattern with * wildcards into an anchored regular
// expression.
func globRegexp(p string) string {
	parts := strings.Split(p, "*")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return "^" + strings.Join(parts, ".*") + "$"
}

// registrable is the domain one registers for host ("shop.example.co.uk"
// is "example.co.uk"), what a domain:// monitor checks.
func registrable(host string) (string, bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" || net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return "", false
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	return d, err == nil
}

// hostOf returns the host of a URL, or of a bare host name.
func hostOf(raw string) string {
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.Host != "" {
		return u.Hostname()
	}
	h := strings.TrimSpace(raw)
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return strings.Trim(h, "[]/")
}

// hostPort joins a host and a port, bracketing IPv6 addresses.
func hostPort(host string, port int) string {
	return net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(port))
}

// bracketHost brackets an IPv6 address for use in a URL.
func bracketHost(host string) string {
	host = strings.Trim(host, "[]")
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

// parseDuration reads a duration as the sources write them: Go durations
// ("30s", "1h30m"), plus a bare number in the given unit.
func parseDuration(s string, unit time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(f * float64(unit)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration", s)
	}
	return d, nil
}

// bound brings m's values within the bounds upbeat's config loader
// enforces (config.MinInterval and the rest), each to the nearest value
// allowed, so that the config written always validates. It returns one
// line per value changed, e.g. "retries 20 → 10: upbeat allows at most 10".
func bound(m *Monitor) []string {
	var notes []string
	atLeast := func(key string, d *time.Duration, lo time.Duration) {
		if *d > 0 && *d < lo {
			notes = append(notes, fmt.Sprintf("%s %s → %s: upbeat allows at least %s", key, formatDuration(*d), formatDuration(lo), formatDuration(lo)))
			*d = lo
		}
	}
	atMost := func(key string, n *int, hi int) {
		switch {
		case n == nil:
		case *n > hi:
			notes = append(notes, fmt.Sprintf("%s %d → %d: upbeat allows at most %d", key, *n, hi, hi))
			*n = hi
		case *n < 0:
			notes = append(notes, fmt.Sprintf("%s %d → 0: upbeat allows no fewer than 0", key, *n))
			*n = 0
		}
	}
	atLeast("interval", &m.Interval, config.MinInterval)
	atLeast("timeout", &m.Timeout, config.MinTimeout)
	if m.Timeout > 0 && m.Interval > 0 && m.Timeout > m.Interval {
		notes = append(notes, fmt.Sprintf("timeout %s → %s: upbeat allows at most the interval", formatDuration(m.Timeout), formatDuration(m.Interval)))
		m.Timeout = m.Interval
	}
	atMost("retries", m.Retries, config.MaxRetries)
	atLeast("retry_interval", &m.RetryInterval, config.MinRetryInterval)
	atMost("max_redirects", m.MaxRedirects, config.MaxMaxRedirects)
	atMost("cert_warn_days", m.CertWarnDays, config.MaxCertWarnDays)
	return notes
}

// add bounds m (see bound), notes what that changed in the report and in
// m's comments, and adds m under a unique name.
func (b *builder) add(m *Monitor, item, fallback string) {
	for _, n := range bound(m) {
		m.Comments = append(m.Comments, n)
		b.partial(item, "%s", n)
	}
	b.addMonitor(m, fallback)
}

func intp(n int) *int { return &n }

// sortedKV lists a map's entries in key order, the values as text, so
// that what an import writes does not depend on map order.
func sortedKV[V any](m map[string]V) []KV {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []KV
	for _, k := range keys {
		out = append(out, KV{k, fmt.Sprint(m[k])})
	}
	return out
}
