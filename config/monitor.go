package config

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/itchyny/gojq"
	"github.com/miekg/dns"
	"golang.org/x/net/http/httpguts"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// schemes are the URL schemes a monitor may use, for messages.
var schemes = slices.Concat([]string{"http", "https", "tcp", "tls", "icmp", "dns", "domain", "push"}, serviceSchemes)

// urlExamples show each kind's URL, for messages.
var urlExamples = map[monitor.Kind]string{
	monitor.KindHTTP:   "https://shop.example.com/health",
	monitor.KindTCP:    "tcp://db.example.com:5432",
	monitor.KindTLS:    "tls://mail.example.com:465",
	monitor.KindICMP:   "icmp://router.example.com",
	monitor.KindDNS:    "dns://1.1.1.1/example.com?type=A",
	monitor.KindDomain: "domain://example.com",
	monitor.KindPush:   "push://a-long-random-token",
	// services.go
	monitor.KindGRPC:     serviceURLExamples[monitor.KindGRPC],
	monitor.KindWS:       serviceURLExamples[monitor.KindWS],
	monitor.KindPostgres: serviceURLExamples[monitor.KindPostgres],
	monitor.KindMySQL:    serviceURLExamples[monitor.KindMySQL],
	monitor.KindRedis:    serviceURLExamples[monitor.KindRedis],
	monitor.KindSMTP:     serviceURLExamples[monitor.KindSMTP],
}

// monitor checks one [[monitor]]. Settings supply what it does not set;
// alerts are the names of the [[alert]] tables.
func (l *loader) monitor(t *table, s *engine.Settings, alerts []string) *monitor.Monitor {
	m := &monitor.Monitor{
		Retries:       s.Retries,
		RetryInterval: s.RetryInterval,
		CertWarnDays:  s.CertWarnDays,
		MaxBody:       s.MaxBody,
		MaxRedirects:  DefaultMaxRedirects,
		Method:        DefaultMethod,
	}
	m.Name = name(t, "monitor")
	if !t.has("url") {
		t.errorf("url", "is missing; every monitor needs one, e.g. %s", urlExamples[monitor.KindHTTP])
	} else if raw, ok := t.str("url"); ok {
		if u, kind, ok := monitorURL(t, raw); ok {
			m.URL, m.Parsed, m.Kind = raw, u, kind
		}
	}

	monitorTiming(t, m, s)
	monitorLabels(t, m, alerts)

	l.monitorHTTP(t, m)
	l.monitorRequest(t, m)
	l.monitorServices(t, m) // services.go
	if v, ok := t.str("expect_answer"); ok {
		m.ExpectAnswer = v
	}
	if v, ok := t.str("rdap_server"); ok {
		if _, err := checkURL(v, "https", "http"); err != nil {
			t.errorf("rdap_server", "%v", err)
		}
		m.RDAPServer = v
	}
	l.monitorTrust(t, m)
	if m.Kind == monitor.KindPush {
		m.Grace = m.Interval / 2
	}
	if d, ok := t.nonNegative("grace"); ok {
		m.Grace = d
	}

	monitorIssue12(t, m, s)
	checkKindKeys(t, m)
	t.checkUnknown()
	return m
}

// monitorTiming reads when and how patiently the monitor checks. The
// timeout defaults to the settings' but never beyond the interval; one
// set beyond it is a mistake unless the interval was not read (its own
// error says so already).
func monitorTiming(t *table, m *monitor.Monitor, s *engine.Settings) {
	m.Interval = s.Interval
	d, intervalOK := t.positive("interval")
	if intervalOK {
		m.Interval = d
	}
	if d, ok := t.positive("timeout"); ok {
		if d > m.Interval && (intervalOK || !t.has("interval")) {
			t.errorf("timeout", "%s is longer than the interval %s", formatDuration(d), formatDuration(m.Interval))
		}
		m.Timeout = d
	} else {
		m.Timeout = min(s.Timeout, m.Interval)
	}
	if n, ok := t.atLeast("retries", 0); ok {
		m.Retries = n
	}
	if d, ok := t.nonNegative("retry_interval"); ok {
		m.RetryInterval = d
	}
	if d, ok := t.positive("max_latency"); ok {
		m.MaxLatency = d
	}
	if n, ok := t.atLeast("cert_warn_days", 0); ok {
		m.CertWarnDays = n
	}
}

// monitorLabels reads the monitor's tags and the alerts it sends to,
// which must name [[alert]] tables.
func monitorLabels(t *table, m *monitor.Monitor, alerts []string) {
	if tags, ok := t.list("tags"); ok {
		for _, tag := range nfc(tags) {
			if p := nameProblem(tag); p != "" {
				t.errorf("tags", "a tag %s", p)
			} else if !slices.Contains(m.Tags, tag) {
				m.Tags = append(m.Tags, tag)
			}
		}
	}
	if names, ok := t.list("alerts"); ok {
		names = nfc(names)
		for _, a := range names {
			if !slices.Contains(alerts, a) {
				t.errorf("alerts", "%s", unknownName("alert", a, alerts))
			}
		}
		m.Alerts = names
	}
}

// monitorTrust reads how the server's certificate is verified: against
// a CA file, or not at all; not both.
func (l *loader) monitorTrust(t *table, m *monitor.Monitor) {
	if p, ok := t.filePath("ca_file"); ok {
		l.checkCAFile(t, p)
		m.CAFile = p
	}
	if b, ok := t.boolean("insecure"); ok {
		if b && t.has("ca_file") {
			t.errorf("insecure", "set ca_file or insecure, not both: insecure skips the verification ca_file is for")
		}
		m.Insecure = b
	}
}

// monitorHTTP reads the keys only http(s) monitors use.
func (l *loader) monitorHTTP(t *table, m *monitor.Monitor) {
	if t.has("expect_status") {
		m.ExpectStatus = statusCodes(t)
	}
	if v, ok := t.str("expect_body"); ok {
		m.ExpectBody = v
	}
	if exprs, ok := t.list("expect_json"); ok {
		for i, e := range exprs {
			if err := compileJQ(e); err != nil {
				t.errorf("expect_json", "expression %d (%s): %v", i+1, e, err)
			} else if err := lintJQ(e); err != nil {
				t.errorf("expect_json", "expression %d (%s) can never be a test: %v", i+1, e, err)
			}
		}
		m.ExpectJSON = exprs
	}
	if n, ok := t.size("max_body"); ok {
		m.MaxBody = n
	}
	if n, ok := t.atLeast("max_redirects", 0); ok {
		m.MaxRedirects = n
	}
	if b, ok := t.boolean("allow_private_redirects"); ok {
		// With no redirect followed, an https check may still fetch its
		// issuer's certificate (AIA) and an oauth2 one ask a token endpoint
		// that redirects: the key has something to allow in both.
		if b && m.MaxRedirects == 0 && t.has("max_redirects") && !t.has("oauth2") && (m.Parsed == nil || m.Parsed.Scheme != "https") {
			t.errorf("allow_private_redirects", "has nothing to allow with max_redirects = 0, which follows no redirect")
		}
		m.AllowPrivateRedirects = b
	}
	if v, ok := t.str("method"); ok {
		if !httpguts.ValidHeaderFieldName(v) { // a method is a token, as a header name is
			t.errorf("method", "%q is not an HTTP method", v)
		}
		m.Method = strings.ToUpper(v)
	}
	if h, ok := t.stringMap("headers"); ok {
		for name, value := range h {
			if !httpguts.ValidHeaderFieldName(name) {
				t.errorf(joinKey("headers", name), "%q is not a valid header name", name)
			}
			if !httpguts.ValidHeaderFieldValue(value) {
				t.errorf(joinKey("headers", name), "the value holds a line break or control character")
			}
		}
		m.Headers = h
	}
	if v, ok := t.str("body"); ok {
		m.Body = v
	}
}

// schemeHint suggests what a URL without a scheme may have meant: the
// scheme with its colon or slashes mistyped ("http//host", "https:/host",
// "http:host") is put right; otherwise https:// or tcp:// in front. A
// value with spaces is no URL to put a scheme in front of.
func schemeHint(raw string) string {
	if strings.ContainsAny(raw, " \t") {
		return "https://host/path"
	}
	lower := strings.ToLower(raw)
	for _, sc := range schemes {
		for _, typo := range []string{sc + "//", sc + ":/", sc + ":", sc + "/"} {
			if strings.HasPrefix(lower, typo) && !strings.HasPrefix(lower, sc+"://") {
				return sc + "://" + strings.TrimLeft(raw[len(typo):], "/:")
			}
		}
	}
	return fmt.Sprintf("https://%s or tcp://%s", raw, raw)
}

// monitorURL checks a monitor's URL and finds its kind from the scheme.
// Messages show the URL without its secrets (monitor.RedactURL).
func monitorURL(t *table, raw string) (*url.URL, monitor.Kind, bool) {
	shown := monitor.RedactURL(raw)
	u, err := checkURL(raw)
	if err != nil {
		if strings.HasSuffix(err.Error(), "has no scheme") {
			err = fmt.Errorf("%q has no scheme; write e.g. %s", shown, schemeHint(shown))
		}
		t.errorf("url", "%s", hidePassword(err.Error(), raw)) // a second guard: services.go
		return nil, "", false
	}
	kind, ok := monitor.KindOf(u.Scheme)
	if !ok {
		if s, near := closest(u.Scheme, schemes); near {
			t.errorf("url", "unsupported scheme %q; did you mean %s?", u.Scheme, s)
		} else {
			t.errorf("url", "unsupported scheme %q; use %s", u.Scheme, oneOf(schemes))
		}
		return nil, "", false
	}
	if u.Host == "" {
		t.errorf("url", "%q has no host; write e.g. %s", shown, urlExamples[kind])
		return nil, "", false
	}
	switch kind {
	case monitor.KindTCP, monitor.KindTLS:
		if u.Port() == "" {
			t.errorf("url", "%q has no port; write e.g. %s", shown, urlExamples[kind])
			return nil, "", false
		}
	case monitor.KindDNS:
		if strings.Trim(u.Path, "/") == "" {
			t.errorf("url", "%q names no record to look up; write e.g. %s", shown, urlExamples[kind])
			return nil, "", false
		}
		if typ := u.Query().Get("type"); typ != "" {
			if _, ok := dns.StringToType[strings.ToUpper(typ)]; !ok {
				t.errorf("url", "unknown DNS record type %q; use e.g. A, AAAA, CNAME, MX, TXT, NS", typ)
				return nil, "", false
			}
		}
	case monitor.KindGRPC, monitor.KindWS, monitor.KindPostgres, monitor.KindMySQL, monitor.KindRedis, monitor.KindSMTP:
		if !serviceURL(t, raw, u, kind) { // services.go
			return nil, "", false
		}
	case monitor.KindPush:
		if strings.IndexFunc(u.Host, func(r rune) bool { return !isTokenRune(r) }) >= 0 {
			t.errorf("url", "a push token may hold only letters, digits, '-', '_', '.' and '~'")
			return nil, "", false
		}
	}
	return u, kind, true
}

func isTokenRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.~", r)
}

// statusCodes reads expect_status: a code or a list of codes.
func statusCodes(t *table) []int {
	v, _ := t.get("expect_status")
	var list []any
	switch v := v.(type) {
	case int64:
		list = []any{v}
	case []any:
		list = v
	default:
		t.errorf("expect_status", "must be a list of HTTP status codes, e.g. [200, 204], not %s", typeName(v))
		return nil
	}
	var codes []int
	for _, e := range list {
		n, ok := e.(int64)
		if !ok {
			t.errorf("expect_status", "must be a list of HTTP status codes, e.g. [200, 204], but holds %s", typeName(e))
			return nil
		}
		if n < 100 || n > 599 {
			t.errorf("expect_status", "%d is not an HTTP status code (100 to 599)", n)
			continue
		}
		codes = append(codes, int(n))
	}
	return codes
}

// compileJQ parses and compiles one expect_json expression.
func compileJQ(expr string) error {
	q, err := gojq.Parse(expr)
	if err != nil {
		return err
	}
	_, err = gojq.Compile(q)
	return err
}

// checkCAFile checks that a ca_file holds at least one PEM certificate.
func (l *loader) checkCAFile(t *table, path string) {
	b, err := l.readFile(path)
	if err != nil {
		t.errorf("ca_file", "cannot read it: %v", err)
		return
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		t.errorf("ca_file", "%s holds no PEM certificate", path)
	}
}

// checkKindKeys reports keys that the monitor's kind of check does not use.
func checkKindKeys(t *table, m *monitor.Monitor) {
	if m.Kind == "" {
		return // the URL is wrong already
	}
	for _, k := range t.keysInOrder() {
		kinds, ok := monitorKeyKinds[k]
		if !ok || slices.Contains(kinds, m.Kind) {
			continue
		}
		names := make([]string, len(kinds))
		for i, kind := range kinds {
			names[i] = kindName(kind)
		}
		t.errorf(k, "only %s monitors use it, and this is a %s monitor", oneOf(names), kindName(m.Kind))
	}
}

func kindName(k monitor.Kind) string {
	switch k {
	case monitor.KindHTTP:
		return "http(s)"
	case monitor.KindWS:
		return "ws(s)"
	}
	return string(k)
}

// unknownName says that name is not among names, suggesting the closest.
func unknownName(what, name string, names []string) string {
	if s, ok := closest(name, names); ok {
		return fmt.Sprintf("no %s is named %q; did you mean %s?", what, name, s)
	}
	if len(names) == 0 {
		return fmt.Sprintf("no %s is named %q: the file has none", what, name)
	}
	return fmt.Sprintf("no %s is named %q", what, name)
}
