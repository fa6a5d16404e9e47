package config

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/itchyny/gojq"
	"golang.org/x/net/http/httpguts"

	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The keys of issue 10: how an http(s) request is made and what its
// answer must hold besides the status and body. Secrets (passwords, client
// secrets) come from ${VAR}s or files and are checked here, never echoed
// in a message.

// requestKeys lists the keys monitorRequest reads, with the kinds that
// use each (merged into monitorKeys and monitorKeyKinds).
var requestKeys = map[string][]monitor.Kind{
	"http_version":      {monitor.KindHTTP},
	"body_file":         {monitor.KindHTTP},
	"basic_auth":        {monitor.KindHTTP},
	"bearer_token_file": {monitor.KindHTTP},
	"client_cert":       {monitor.KindHTTP, monitor.KindTLS},
	"client_key":        {monitor.KindHTTP, monitor.KindTLS},
	"oauth2":            {monitor.KindHTTP},
	"proxy":             {monitor.KindHTTP},
	"expect_body_regex": {monitor.KindHTTP},
	"expect_headers":    {monitor.KindHTTP},
	"ip_version":        {monitor.KindHTTP, monitor.KindTCP, monitor.KindTLS},
	"resolve":           {monitor.KindHTTP, monitor.KindTCP, monitor.KindTLS},
}

// requestKeyOrder is requestKeys in the order the documentation gives them.
var requestKeyOrder = []string{
	"http_version", "body_file", "basic_auth", "bearer_token_file", "client_cert", "client_key", "oauth2",
	"proxy", "expect_body_regex", "expect_headers", "ip_version", "resolve",
}

func init() {
	for _, k := range requestKeyOrder {
		monitorKeys = append(monitorKeys, k)
		monitorKeyKinds[k] = requestKeys[k]
	}
	tableKeys["monitor"] = monitorKeys
}

// monitorRequest reads the request keys of one [[monitor]].
func (l *loader) monitorRequest(t *table, m *monitor.Monitor) {
	if v, ok := t.str("http_version"); ok {
		switch v {
		case "1.1", "2":
			m.HTTPVersion = v
		case "2.0", "h2":
			t.errorf("http_version", "write \"2\" for HTTP/2")
		default:
			t.errorf("http_version", "%q: use \"1.1\" or \"2\" (leave it out to use HTTP/2 where the server offers it)", v)
		}
	}
	if p, ok := t.filePath("body_file"); ok {
		if t.has("body") {
			t.errorf("body_file", "set body or body_file, not both")
		} else if b, err := l.readFile(p); err != nil {
			t.errorf("body_file", "cannot read it: %v", err)
		} else {
			m.Body = string(b)
		}
	}
	l.requestAuth(t, m)
	l.clientCert(t, m)
	if v, ok := t.str("proxy"); ok {
		if u, ok := proxyURL(t, v); ok {
			m.Proxy = u
		}
	}
	expectAnswer(t, m)
	if n, ok := t.integer("ip_version"); ok {
		if n != 4 && n != 6 {
			t.errorf("ip_version", "must be 4 or 6, not %d (leave it out to use either)", n)
		} else {
			m.IPVersion = n
		}
	}
	if pins, ok := t.list("resolve"); ok {
		for _, p := range pins {
			if _, _, _, err := settings.ParseResolve(p); err != nil {
				t.errorf("resolve", "%v", err)
			}
		}
		m.Resolve = pins
	}
}

// requestAuth reads how the request signs in. Each way sends its own
// Authorization header, so one at most may be set.
func (l *loader) requestAuth(t *table, m *monitor.Monitor) {
	auths := 0
	if a, ok := l.basicAuth(t); ok {
		m.BasicAuth = a
		auths++
	}
	if p, ok := t.filePath("bearer_token_file"); ok {
		if b, err := l.readFile(p); err != nil {
			t.errorf("bearer_token_file", "cannot read it: %v", err)
		} else if strings.TrimSpace(string(b)) == "" {
			t.errorf("bearer_token_file", "%s is empty", p)
		}
		m.BearerTokenFile = p
		auths++
	}
	if o, ok := l.oauth2(t); ok {
		m.OAuth2 = o
		auths++
	}
	if auths > 1 {
		t.errorf("basic_auth", "set one of basic_auth, bearer_token_file and oauth2: each sends its own Authorization header")
	}
}

// proxyURL checks the proxy key's URL.
func proxyURL(t *table, v string) (*url.URL, bool) {
	u, err := url.Parse(v)
	switch {
	case err != nil: // never quoted whole: a proxy URL often holds a password
		t.errorf("proxy", "%q is not a URL: %s", monitor.RedactURL(v), urlProblem(v))
	case u.Host == "":
		t.errorf("proxy", "is not a URL; write e.g. http://proxy.example.com:3128")
	case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5":
		t.errorf("proxy", "unsupported scheme %q; use http, https or socks5", u.Scheme)
	default:
		return u, true
	}
	return nil, false
}

// expectAnswer reads what the answer must hold besides the status and
// the body text: a regular expression on the body, and one per header.
func expectAnswer(t *table, m *monitor.Monitor) {
	if v, ok := t.str("expect_body_regex"); ok {
		if _, err := regexp.Compile(v); err != nil {
			t.errorf("expect_body_regex", "%s", regexpError(err))
		}
		m.ExpectBodyRegex = v
	}
	h, ok := t.stringMap("expect_headers")
	if !ok {
		return
	}
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !httpguts.ValidHeaderFieldName(name) {
			t.errorf(joinKey("expect_headers", name), "%q is not a valid header name", name)
		}
		if _, err := regexp.Compile(h[name]); err != nil {
			t.errorf(joinKey("expect_headers", name), "%s", regexpError(err))
		}
	}
	m.ExpectHeaders = h
}

// regexpError is a regexp compile error without the package's prefix.
func regexpError(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

// subTable reads key as an inline table whose keys must be among known.
func subTable(t *table, key string, known []string) (map[string]any, bool) {
	v, ok := t.get(key)
	if !ok {
		return nil, false
	}
	sub, ok := v.(map[string]any)
	if !ok {
		t.errorf(key, "must be a table, e.g. %s = { %s = \"…\" }, not %s", key, known[0], typeName(v))
		return nil, false
	}
	good := true
	keys := make([]string, 0, len(sub))
	for k := range sub {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if slices.Contains(known, k) {
			continue
		}
		good = false
		if s, near := closest(k, known); near {
			t.errorf(joinKey(key, k), "unknown key; did you mean %s?", s)
		} else {
			t.errorf(joinKey(key, k), "unknown key; %s takes %s", key, allOf(known))
		}
	}
	return sub, good
}

// subString reads a string of a sub-table, ${VAR}s expanded.
func subString(t *table, key string, sub map[string]any, k string) (string, bool) {
	v, ok := sub[k]
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		t.errorf(joinKey(key, k), "must be a string, not %s", typeName(v))
		return "", false
	}
	return t.expand(joinKey(key, k), s)
}

// subSecret reads k of a sub-table, or the file named by k_file.
func (l *loader) subSecret(t *table, key string, sub map[string]any, k string) (string, bool) {
	fk := k + "_file"
	_, has := sub[k]
	_, hasFile := sub[fk]
	switch {
	case has && hasFile:
		t.errorf(joinKey(key, fk), "set %s or %s, not both", k, fk)
		return "", false
	case has:
		return subString(t, key, sub, k)
	case !hasFile:
		return "", false
	}
	p, ok := subString(t, key, sub, fk)
	if !ok {
		return "", false
	}
	if p == "" {
		t.errorf(joinKey(key, fk), "must not be empty")
		return "", false
	}
	p = l.path(p)
	b, err := l.readFile(p)
	if err != nil {
		t.errorf(joinKey(key, fk), "cannot read it: %v", err)
		return "", false
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		t.errorf(joinKey(key, fk), "%s is empty", p)
		return "", false
	}
	return s, true
}

// basicAuth reads basic_auth = { user = "…", password = "…" } (or
// password_file).
func (l *loader) basicAuth(t *table) (*monitor.BasicAuth, bool) {
	sub, ok := subTable(t, "basic_auth", []string{"user", "password", "password_file"})
	if !ok {
		return nil, false
	}
	user, ok := subString(t, "basic_auth", sub, "user")
	if !ok || user == "" {
		if _, has := sub["user"]; !has || ok {
			t.errorf("basic_auth", "needs a user")
		}
		return nil, false
	}
	if strings.ContainsRune(user, ':') {
		t.errorf(joinKey("basic_auth", "user"), "must not hold a colon: basic auth separates user and password with one")
		return nil, false
	}
	pw, ok := l.subSecret(t, "basic_auth", sub, "password")
	if !ok {
		if _, has := sub["password"]; !has {
			if _, hasFile := sub["password_file"]; !hasFile {
				t.errorf("basic_auth", "needs a password or a password_file")
			}
		}
		return nil, false
	}
	return &monitor.BasicAuth{User: user, Password: pw}, true
}

// oauth2 reads oauth2 = { token_url, client_id, client_secret or
// client_secret_file, scopes, params }.
func (l *loader) oauth2(t *table) (*monitor.OAuth2, bool) {
	const key = "oauth2"
	sub, ok := subTable(t, key, []string{"token_url", "client_id", "client_secret", "client_secret_file", "scopes", "params"})
	if !ok {
		return nil, false
	}
	o := &monitor.OAuth2{}
	good := true
	for _, req := range []struct {
		k  string
		to *string
	}{{"token_url", &o.TokenURL}, {"client_id", &o.ClientID}} {
		v, ok := subString(t, key, sub, req.k)
		if !ok || v == "" {
			if _, has := sub[req.k]; !has || ok {
				t.errorf(key, "needs %s", req.k)
			}
			good = false
			continue
		}
		*req.to = v
	}
	if o.TokenURL != "" {
		if _, err := checkURL(o.TokenURL, "https", "http"); err != nil {
			t.errorf(joinKey(key, "token_url"), "%v", err)
			good = false
		}
	}
	secret, ok := l.subSecret(t, key, sub, "client_secret")
	if !ok {
		if _, has := sub["client_secret"]; !has {
			if _, hasFile := sub["client_secret_file"]; !hasFile {
				t.errorf(key, "needs a client_secret or a client_secret_file")
			}
		}
		good = false
	}
	o.ClientSecret = secret
	if v, has := sub["scopes"]; has {
		list, ok := v.([]any)
		if !ok {
			t.errorf(joinKey(key, "scopes"), "must be a list of strings, not %s", typeName(v))
			good = false
		}
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				t.errorf(joinKey(key, "scopes"), "must be a list of strings, but holds %s", typeName(e))
				good = false
				break
			}
			o.Scopes = append(o.Scopes, s)
		}
	}
	if v, has := sub["params"]; has {
		m, ok := v.(map[string]any)
		if !ok {
			t.errorf(joinKey(key, "params"), "must be a table of strings, e.g. params = { audience = \"…\" }, not %s", typeName(v))
			good = false
		}
		for k, e := range m {
			s, ok := e.(string)
			if !ok {
				t.errorf(joinKey(key, "params."+k), "must be a string, not %s", typeName(e))
				good = false
				continue
			}
			if o.Params == nil {
				o.Params = map[string]string{}
			}
			if s, ok = t.expand(joinKey(key, "params."+k), s); ok {
				o.Params[k] = s
			}
		}
	}
	return o, good
}

// clientCert reads client_cert and client_key, which go together, and
// checks that they load as a pair.
func (l *loader) clientCert(t *table, m *monitor.Monitor) {
	cert, hasCert := t.filePath("client_cert")
	key, hasKey := t.filePath("client_key")
	switch {
	case hasCert && !hasKey:
		t.errorf("client_cert", "needs client_key, the file with its private key")
		return
	case hasKey && !hasCert:
		t.errorf("client_key", "needs client_cert, the file with the certificate")
		return
	case !hasCert:
		return
	}
	certPEM, err := l.readFile(cert)
	if err != nil {
		t.errorf("client_cert", "cannot read it: %v", err)
		return
	}
	keyPEM, err := l.readFile(key)
	if err != nil {
		t.errorf("client_key", "cannot read it: %v", err)
		return
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		// The library's text names no key material; it says what is wrong.
		t.errorf("client_cert", "%s and %s do not load as a certificate and its key: %s", cert, key,
			strings.TrimPrefix(err.Error(), "tls: "))
		return
	}
	m.ClientCert, m.ClientKey = cert, key
}

// lintJQ rejects an expect_json expression that can never be a test: one
// that assigns or updates (`.status = "UP"` is jq's assignment, always
// truthy), or whose value is known not to be a boolean (a string, a
// number, arithmetic).
func lintJQ(expr string) error {
	q, err := parseJQ(expr)
	if err != nil {
		return err
	}
	if op, ok := findAssign(q); ok {
		if q.Op == gojq.OpAssign {
			return fmt.Errorf("%q assigns in jq, it does not compare; write %s == %s", op, q.Left, q.Right)
		}
		return fmt.Errorf("%q changes the value instead of testing it; an assertion compares, e.g. .status == \"UP\"", op)
	}
	if kind := valueKind(q); kind != "" {
		return fmt.Errorf("it gives %s, never true or false; make it a test, e.g. .status == \"UP\" or .count > 0", kind)
	}
	return nil
}
