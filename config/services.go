package config

import (
	"net/url"
	"slices"
	"strings"

	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The keys of the checks of the services behind a site: grpc, ws,
// postgres, mysql, redis and smtp. They are kept here, apart from the
// other kinds' keys.

// serviceSchemes are the URL schemes of those kinds, for messages.
var serviceSchemes = []string{"grpc", "grpcs", "ws", "wss", "postgres", "postgresql", "mysql", "redis", "rediss", "smtp", "smtps"}

// serviceURLExamples show each of those kinds' URL, for messages.
var serviceURLExamples = map[monitor.Kind]string{
	monitor.KindGRPC:     "grpc://api.example.com:50051/my.package.Service",
	monitor.KindWS:       "wss://chat.example.com/socket",
	monitor.KindPostgres: "postgres://upbeat@db.example.com:5432/shop",
	monitor.KindMySQL:    "mysql://upbeat@db.example.com:3306/shop",
	monitor.KindRedis:    "redis://cache.example.com:6379/0",
	monitor.KindSMTP:     "smtp://mail.example.com:25",
}

// serviceKeys are the monitor keys only those kinds use.
var serviceKeys = []string{"password", "password_file", "query", "expect_value", "max_value", "send", "starttls"}

// databases are the kinds that log in and run a query.
var databases = []monitor.Kind{monitor.KindPostgres, monitor.KindMySQL, monitor.KindRedis}

// serviceKeyKinds lists, for each key only some kinds use, those kinds;
// monitorKeyKinds is extended with it.
var serviceKeyKinds = map[string][]monitor.Kind{
	"password":      databases,
	"password_file": databases,
	"query":         databases,
	"expect_value":  databases,
	"max_value":     databases,
	"send":          {monitor.KindWS},
	"starttls":      {monitor.KindSMTP},
}

// tlsKinds are the kinds that may speak TLS and so take ca_file, insecure,
// cert_warn_days and allow_private_redirects.
var tlsKinds = []monitor.Kind{
	monitor.KindHTTP, monitor.KindTLS,
	monitor.KindGRPC, monitor.KindWS, monitor.KindPostgres, monitor.KindMySQL, monitor.KindRedis, monitor.KindSMTP,
}

// monitorServices reads the keys of the services behind a site.
func (l *loader) monitorServices(t *table, m *monitor.Monitor) {
	if v, ok := t.secret("password"); ok {
		if m.Parsed != nil && m.Parsed.User != nil {
			if _, has := m.Parsed.User.Password(); has {
				key := "password"
				if t.has("password_file") {
					key = "password_file"
				}
				t.errorf(key, "the url holds a password already; keep it in one place (the url's is shown nowhere either, but %s keeps it out of the file)", key)
			}
		}
		m.Password = v
	}
	if v, ok := t.str("query"); ok {
		switch {
		case strings.TrimSpace(v) == "":
			t.errorf("query", "must not be empty; leave it out for the default (%s)", defaultQuery(m.Kind))
		case m.Kind == monitor.KindRedis:
			if _, err := settings.RedisCommand(v); err != nil {
				t.errorf("query", "%v", err)
			}
		}
		m.Query = v
	}
	if v, ok := t.str("expect_value"); ok {
		m.ExpectValue = v
	}
	if v, ok := t.number("max_value"); ok {
		m.MaxValue = &v
	}
	if v, ok := t.str("send"); ok {
		if v == "" {
			t.errorf("send", "must not be empty; leave it out to send nothing")
		}
		m.Send = v
	}
	if v, ok := t.str("starttls"); ok {
		if !slices.Contains(settings.StartTLSModes, v) {
			t.errorf("starttls", "unknown mode %q; use %s", v, oneOf(settings.StartTLSModes))
		} else if m.Parsed != nil && m.Parsed.Scheme == "smtps" {
			t.errorf("starttls", "smtps:// speaks TLS from the start; starttls is for smtp://")
		}
		m.StartTLS = v
	}
}

// defaultQuery names a kind's default query, for messages.
func defaultQuery(k monitor.Kind) string {
	switch k {
	case monitor.KindRedis:
		return settings.DefaultRedisCommand
	case monitor.KindMySQL:
		return settings.DefaultMySQLQuery
	}
	return settings.DefaultPostgresQuery
}

// postgresSSLModes are the sslmode values libpq (and psql) know.
var postgresSSLModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// serviceURL checks what is particular to the URL of a service monitor;
// it reports false after reporting a mistake.
func serviceURL(t *table, raw string, u *url.URL, kind monitor.Kind) bool {
	bad := func(format string, args ...any) bool {
		t.errorf("url", format, args...)
		return false
	}
	switch kind {
	case monitor.KindPostgres:
		if mode := u.Query().Get("sslmode"); mode != "" && !slices.Contains(postgresSSLModes, mode) {
			return bad("sslmode=%s is not one of %s", mode, oneOf(postgresSSLModes))
		}
		if err := settings.CheckPostgresURL(raw); err != nil {
			return bad("%v", err)
		}
	case monitor.KindMySQL:
		if mode := u.Query().Get("tls"); mode != "" && !slices.Contains(settings.MySQLTLSModes, mode) {
			return bad("tls=%s is not one of %s", mode, oneOf(settings.MySQLTLSModes))
		}
	case monitor.KindRedis:
		if db := strings.Trim(u.Path, "/"); db != "" && strings.Trim(db, "0123456789") != "" {
			return bad("the path names the database by its number, e.g. %s; %q is not one", serviceURLExamples[kind], db)
		}
	case monitor.KindSMTP:
		if p := strings.Trim(u.Path, "/"); p != "" {
			return bad("an smtp url has no path; write e.g. %s", serviceURLExamples[kind])
		}
	case monitor.KindGRPC:
		if strings.Contains(strings.Trim(u.Path, "/"), "/") {
			return bad("the path names one service, e.g. %s", serviceURLExamples[kind])
		}
	}
	return true
}

// number reads a number, whole or not.
func (t *table) number(key string) (float64, bool) {
	v, ok := t.get(key)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	t.errorf(key, "must be a number, not %s", typeName(v))
	return 0, false
}

// withServiceKinds adds the service kinds' keys to the table of keys
// only some kinds use, and those kinds to the TLS keys.
func withServiceKinds(m map[string][]monitor.Kind) map[string][]monitor.Kind {
	for k, kinds := range serviceKeyKinds {
		m[k] = kinds
	}
	for _, k := range []string{"ca_file", "insecure", "cert_warn_days", "allow_private_redirects"} {
		for _, kind := range tlsKinds {
			if !slices.Contains(m[k], kind) {
				m[k] = append(m[k], kind)
			}
		}
	}
	for _, k := range []string{"expect_body", "expect_json", "headers", "max_body"} {
		m[k] = append(m[k], monitor.KindWS)
	}
	return m
}

// hidePassword replaces, in msg, the password of the URL raw (and raw
// itself, written with its password) by "xxxxx", so that no message about
// a database's URL shows its password. A URL that does not parse has its
// userinfo cut out as text.
func hidePassword(msg, raw string) string {
	pw := ""
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		pw, _ = u.User.Password()
	} else if i := strings.Index(raw, "://"); i >= 0 {
		rest := raw[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, p, ok := strings.Cut(rest[:at], ":"); ok {
				pw = p
			}
		}
	}
	if pw == "" {
		return msg
	}
	return strings.ReplaceAll(msg, pw, "xxxxx")
}
