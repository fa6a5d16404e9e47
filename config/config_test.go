package config

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"early.upbeat.invalid/paths"
	"github.com/upbeat-monitor/upbeat/fleet"
	"github.com/upbeat-monitor/upbeat/internal/testcert"
	"github.com/upbeat-monitor/upbeat/monitor"
)

const examplePath = "../config.toml.example"

// env is a fixed environment for parse.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func mustParse(t *testing.T, src string) *Config {
	t.Helper()
	cfg, err := parse("upbeat.toml", []byte(src), env(nil), os.ReadFile)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return cfg
}

func parseErrors(t *testing.T, src string) Errors {
	t.Helper()
	_, err := parse("upbeat.toml", []byte(src), env(nil), os.ReadFile)
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("parse: want Errors, got %v", err)
	}
	return es
}

// exampleEnv sets every ${VAR} that config.toml.example names.
func exampleEnv(t *testing.T) map[string]string {
	t.Helper()
	src, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`).FindAllStringSubmatch(string(src), -1) {
		vars[m[1]] = "value-of-" + m[1]
		t.Setenv(m[1], vars[m[1]])
	}
	return vars
}

func TestExampleLoads(t *testing.T) {
	exampleEnv(t)
	cfg, err := Load(examplePath)
	if err != nil {
		t.Fatalf("config.toml.example does not load:\n%v", err)
	}
	if cfg.Path != examplePath {
		t.Errorf("Path = %q", cfg.Path)
	}
	s := cfg.Settings
	if s.HistoryDir != "/var/lib/upbeat" || s.Location != "eu-west" || s.Retention != 30*24*time.Hour ||
		s.RollupRetention != 400*24*time.Hour || s.MaxBody != 1<<20 || s.ConnectivityURL == "" {
		t.Errorf("settings = %+v", s)
	}
	shop := cfg.Monitors[0]
	if shop.Name != "shop" || shop.Kind != monitor.KindHTTP || shop.Interval != 30*time.Second || shop.Retries != 2 ||
		shop.MaxBody != 256<<10 || shop.CertWarnDays != 21 || shop.MaxRedirects != 5 {
		t.Errorf("shop = %+v", shop)
	}
	if got := shop.Headers["Authorization"]; got != "Bearer value-of-SHOP_HEALTH_TOKEN" {
		t.Errorf("Authorization header = %q", got)
	}
	if len(cfg.Alerts) != 7 || cfg.Alerts[0].Secret != "value-of-WEBHOOK_SECRET" || cfg.Alerts[3].ChatID != "-1001234567890" {
		t.Errorf("alerts = %+v", cfg.Alerts)
	}
	if am := cfg.Alerts[6]; am.Kind != "alertmanager" || len(am.URLs) != 2 || am.Resend != time.Minute ||
		am.Labels["team"] != "platform" || !slices.Equal(am.On, []string{"down", "up"}) {
		t.Errorf("alertmanager alert = %+v", am)
	}
	if s.Shard != (fleet.Shard{I: 2, N: 4}) || len(cfg.Peers.URLs) != 2 || cfg.Peers.Quorum != 2 ||
		cfg.Peers.Timeout != 2*time.Second || cfg.Peers.Token != "value-of-UPBEAT_PEER_TOKEN" {
		t.Errorf("shard %v, peers %+v", s.Shard, cfg.Peers)
	}
	if len(cfg.Fleet.Daemons) != 4 || cfg.Fleet.Token != "value-of-UPBEAT_READ_TOKEN" {
		t.Errorf("fleet %+v", cfg.Fleet)
	}
	if cfg.API.Token != "value-of-UPBEAT_TOKEN" || cfg.API.Listen != "127.0.0.1:9477" {
		t.Errorf("api = %+v", cfg.API)
	}
	var push *monitor.Monitor
	for _, m := range cfg.Monitors {
		if m.Kind == monitor.KindPush {
			push = m
		}
	}
	if push == nil || push.Parsed.Host != "value-of-BACKUP_PUSH_TOKEN" || push.Grace != time.Hour {
		t.Errorf("push monitor = %+v", push)
	}
}

// TestExampleDocumentsEveryKey keeps config.toml.example from drifting:
// every key the loader knows is written there (or shown commented out) in
// its own table.
func TestExampleDocumentsEveryKey(t *testing.T) {
	src, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	header := regexp.MustCompile(`^\[\[?([a-z_]+)\]\]?\s*(#.*)?$`)
	// [[status_page.group]] documents the key group of [[status_page]],
	// and the keys under it stay with their page.
	subHeader := regexp.MustCompile(`^\[\[([a-z_]+)\.([a-z_]+)\]\]\s*(#.*)?$`)
	key := regexp.MustCompile(`^#?\s*([a-z_0-9]+)\s*=`)
	documented := map[string]map[string]bool{"": {}}
	table := ""
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if m := subHeader.FindStringSubmatch(line); m != nil && m[1] == table {
			documented[table][m[2]] = true
			continue
		}
		if m := header.FindStringSubmatch(line); m != nil {
			table = m[1]
			documented[""][table] = true
			if documented[table] == nil {
				documented[table] = map[string]bool{}
			}
			continue
		}
		if m := key.FindStringSubmatch(line); m != nil {
			documented[table][m[1]] = true
		}
	}
	for table, keys := range tableKeys {
		for _, k := range keys {
			if !documented[table][k] {
				t.Errorf("config.toml.example does not document %s in %s", k, tableHeader(table))
			}
		}
	}
}

// TestEveryKnownKeyIsRead checks that each key the loader accepts is read
// by its table's function: a key accepted but never read would be
// silently ignored. The example holds every key but the _file variants and
// ca_file, which need real files; the second config holds those.
func TestEveryKnownKeyIsRead(t *testing.T) {
	vars := exampleEnv(t)
	read := map[string]bool{}
	example, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	l := newLoader(examplePath, env(vars), os.ReadFile)
	if _, err := l.load(example); err != nil {
		t.Fatal(err)
	}
	for k := range l.read {
		read[k] = true
	}

	dir := t.TempDir()
	writeFile(t, dir, "secret", "s3cret\n")
	writeFile(t, dir, "ca.pem", string(testCAPEM(t)))
	certPEM, keyPEM, _ := testcert.Generate(testcert.Options{})
	writeFile(t, dir, "client.pem", string(certPEM))
	writeFile(t, dir, "client.key", string(keyPEM))
	files := `
[settings]
peers = ["https://peer.example.com:9477"]
peer_token_file = "secret"

[fleet]
daemons = ["https://a.example.com:9477"]
token_file = "secret"

[[monitor]]
name = "a"
url = "https://a.example.com/"
ca_file = "ca.pem"

[[monitor]]
name = "request files"
url = "https://b.example.com/"
body_file = "secret"
bearer_token_file = "secret"
client_cert = "client.pem"
client_key = "client.key"

[[monitor]]
name = "oauth2"
url = "https://c.example.com/"
oauth2 = { token_url = "https://auth.example.com/token", client_id = "upbeat", client_secret_file = "secret" }

[[monitor]]
name = "db"
url = "postgres://upbeat@db.example.com/shop"
password_file = "secret"

[[alert]]
name = "w"
kind = "webhook"
url = "https://hooks.example.com/"
secret_file = "secret"

[[alert]]
name = "t"
kind = "telegram"
token_file = "secret"
chat_id = "@ops"

[[alert]]
name = "m"
kind = "email"
smtp_host = "smtp.example.com"
username = "u"
password_file = "secret"
from = "a@example.com"
to = "b@example.com"

[api]
token_file = "secret"
read_only_token_file = "read-only-secret"
`
	writeFile(t, dir, "read-only-secret", "other")
	l = newLoader(filepath.Join(dir, "upbeat.toml"), env(nil), os.ReadFile)
	if _, err := l.load([]byte(files)); err != nil {
		t.Fatal(err)
	}
	for k := range l.read {
		read[k] = true
	}
	for table, keys := range tableKeys {
		for _, k := range keys {
			if !read[joinKey(table, k)] {
				t.Errorf("%s is accepted but never read", joinKey(table, k))
			}
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStarterLoads(t *testing.T) {
	cfg, err := Parse("upbeat.toml", Starter())
	if err != nil {
		t.Fatalf("starter config does not load:\n%v", err)
	}
	if len(cfg.Monitors) == 0 || len(cfg.Alerts) == 0 {
		t.Errorf("starter has %d monitors and %d alerts", len(cfg.Monitors), len(cfg.Alerts))
	}
	if s := Starter(); &s[0] == &Starter()[0] {
		t.Error("Starter returns shared bytes")
	}
}

func TestDefaults(t *testing.T) {
	cfg := mustParse(t, `
[[monitor]]
name = "shop"
url = "https://shop.example.com/health"
`)
	want := Default()
	if cfg.Settings != want.Settings {
		t.Errorf("settings = %+v, want %+v", cfg.Settings, want.Settings)
	}
	if cfg.API.Socket != DefaultSocket() || cfg.API.Socket == "" {
		t.Errorf("socket = %q", cfg.API.Socket)
	}
	m := cfg.Monitors[0]
	if m.Kind != monitor.KindHTTP || m.Parsed == nil || m.Parsed.Host != "shop.example.com" ||
		m.Interval != 60*time.Second || m.Timeout != 10*time.Second || m.Retries != 1 ||
		m.RetryInterval != 5*time.Second || m.CertWarnDays != 14 || m.MaxBody != 1<<20 ||
		m.MaxRedirects != 10 || m.Method != "GET" || m.Grace != 0 {
		t.Errorf("monitor = %+v", m)
	}
}

func TestInheritance(t *testing.T) {
	cfg := mustParse(t, `
[settings]
interval = "2m"
timeout = "30s"
retries = 3
retry_interval = "1s"
cert_warn_days = 30
max_body = "64KiB"

[[monitor]]
name = "inherits"
url = "https://a.example.com/"

[[monitor]]
name = "own"
url = "https://b.example.com/"
interval = "10s"
timeout = "2s"
retries = 0
cert_warn_days = 7
max_body = 100

[[monitor]]
name = "short-interval"
url = "tcp://c.example.com:22"
interval = "10s"
`)
	a, b, c := cfg.Monitors[0], cfg.Monitors[1], cfg.Monitors[2]
	if a.Interval != 2*time.Minute || a.Timeout != 30*time.Second || a.Retries != 3 ||
		a.RetryInterval != time.Second || a.CertWarnDays != 30 || a.MaxBody != 64<<10 {
		t.Errorf("inherits = %+v", a)
	}
	if b.Interval != 10*time.Second || b.Timeout != 2*time.Second || b.Retries != 0 || b.CertWarnDays != 7 || b.MaxBody != 100 {
		t.Errorf("own = %+v", b)
	}
	// An inherited timeout is cut to a shorter interval.
	if c.Timeout != 10*time.Second {
		t.Errorf("short-interval timeout = %v, want 10s", c.Timeout)
	}
}

func TestSettingsIntervalShorterThanDefaultTimeout(t *testing.T) {
	cfg := mustParse(t, `
[settings]
interval = "5s"
[[monitor]]
name = "a"
url = "icmp://a.example.com"
`)
	if cfg.Settings.Timeout != 5*time.Second || cfg.Monitors[0].Timeout != 5*time.Second {
		t.Errorf("timeouts = %v, %v; want 5s", cfg.Settings.Timeout, cfg.Monitors[0].Timeout)
	}
}

func TestKinds(t *testing.T) {
	for url, kind := range map[string]monitor.Kind{
		"http://a.example.com/":               monitor.KindHTTP,
		"https://a.example.com/":              monitor.KindHTTP,
		"tcp://a.example.com:22":              monitor.KindTCP,
		"tls://a.example.com:443":             monitor.KindTLS,
		"icmp://a.example.com":                monitor.KindICMP,
		"dns://127.0.0.1:53/a.example.com":    monitor.KindDNS,
		"dns://1.1.1.1/a.example.com?type=mx": monitor.KindDNS,
		"domain://example.com":                monitor.KindDomain,
		"push://tok-EN_1.2~":                  monitor.KindPush,
	} {
		cfg := mustParse(t, "[[monitor]]\nname = \"m\"\nurl = \""+url+"\"\ninterval = \"1m\"\n")
		m := cfg.Monitors[0]
		if m.Kind != kind || m.URL != url || m.Parsed.String() != url {
			t.Errorf("%s: kind %q, parsed %v", url, m.Kind, m.Parsed)
		}
		if kind == monitor.KindPush && m.Grace != 30*time.Second {
			t.Errorf("push grace = %v, want half the interval", m.Grace)
		}
	}
}

func TestEnvExpansion(t *testing.T) {
	cfg, err := parse("upbeat.toml", []byte(`
[[monitor]]
name = "a"
url = "https://${HOST}/health"
tags = ["${TAG}", "literal $TAG"]
headers = { Authorization = "Bearer ${TOKEN}" }

[[alert]]
name = "mail"
kind = "email"
smtp_host = "smtp.example.com"
username = "me"
password = "pa$$w0rd${x$TAG}${TOKEN}"
from = "a@example.com"
to = ["b@example.com"]
`), env(map[string]string{"HOST": "h.example.com", "TAG": "prod", "TOKEN": "${HOST}"}), os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Monitors[0]
	if m.URL != "https://h.example.com/health" || m.Parsed.Host != "h.example.com" {
		t.Errorf("url = %q", m.URL)
	}
	if !slices.Equal(m.Tags, []string{"prod", "literal $TAG"}) {
		t.Errorf("tags = %q", m.Tags)
	}
	// The value put in is not expanded again.
	if m.Headers["Authorization"] != "Bearer ${HOST}" {
		t.Errorf("header = %q", m.Headers["Authorization"])
	}
	if got := cfg.Alerts[0].Password; got != "pa$$w0rd${x$TAG}${HOST}" {
		t.Errorf("password = %q", got)
	}
}

// LoadWithEnv and LoadEndpointsWithEnv read ${NAME} from the environment
// they are given, not from the process's.
func TestLoadWithEnv(t *testing.T) {
	p := filepath.Join(t.TempDir(), "upbeat.toml")
	body := "[api]\ntoken = \"${UPBEAT_TEST_GIVEN_TOKEN}\"\n\n[[monitor]]\nname = \"a\"\nurl = \"https://${UPBEAT_TEST_GIVEN_HOST}/\"\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	given := env(map[string]string{"UPBEAT_TEST_GIVEN_HOST": "h.example.com", "UPBEAT_TEST_GIVEN_TOKEN": "s3cret-token-of-32-characters-xx"})
	cfg, err := LoadWithEnv(p, given)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Monitors[0].URL != "https://h.example.com/" || cfg.API.Token != "s3cret-token-of-32-characters-xx" {
		t.Errorf("url %q, token %q: not from the given environment", cfg.Monitors[0].URL, cfg.API.Token)
	}
	ep, err := LoadEndpointsWithEnv(p, given)
	if err != nil || ep.API.Token != "s3cret-token-of-32-characters-xx" {
		t.Errorf("endpoints: token %q, %v", ep.API.Token, err)
	}
	var errs Errors
	if _, err := LoadWithEnv(p, env(nil)); !errors.As(err, &errs) || !strings.Contains(err.Error(), "UPBEAT_TEST_GIVEN_HOST") {
		t.Errorf("with nothing set: %v, want the variable named as missing", err)
	}
}

func TestExpand(t *testing.T) {
	lookup := env(map[string]string{"A": "1", "B_2": "two", "EMPTY": ""})
	for _, c := range []struct {
		in, want string
		missing  []string
	}{
		{"plain", "plain", nil},
		{"${A}", "1", nil},
		{"x${A}y${B_2}z", "x1ytwoz", nil},
		{"${EMPTY}", "", nil},
		{"$A $$ $ ${ ${A", "$A $$ $ ${ ${A", nil},
		{"${2A} ${A-B} ${} ${A B}", "${2A} ${A-B} ${} ${A B}", nil},
		{"${NOPE}-${A}-${ALSO_NOPE}", "-1-", []string{"NOPE", "ALSO_NOPE"}},
		{"$${A}", "$1", nil},
	} {
		got, missing := expand(c.in, lookup)
		if got != c.want || !slices.Equal(missing, c.missing) {
			t.Errorf("expand(%q) = %q, %q; want %q, %q", c.in, got, missing, c.want, c.missing)
		}
	}
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "token", "  abc$def  \n")
	cfg, err := Load(writeFile(t, dir, "upbeat.toml", `
[api]
token_file = "token"
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.API.Token != "abc$def" {
		t.Errorf("token = %q, want the file's content, trimmed", cfg.API.Token)
	}

	writeFile(t, dir, "empty", "\n")
	_, err = Load(writeFile(t, dir, "bad.toml", `
[[alert]]
name = "tg"
kind = "telegram"
token_file = "empty"
chat_id = 1
`))
	want := filepath.Join(dir, "bad.toml") + ":5: alert.token_file: " + filepath.Join(dir, "empty") + " is empty"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30s":     30 * time.Second,
		"1m30s":   90 * time.Second,
		"30d":     30 * 24 * time.Hour,
		"400d":    400 * 24 * time.Hour,
		"1d12h":   36 * time.Hour,
		"1.5d":    36 * time.Hour,
		"-5s":     -5 * time.Second,
		"250ms":   250 * time.Millisecond,
		"2h0m30s": 2*time.Hour + 30*time.Second,
	} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "10 seconds", "5", "d", "1x", "1.2.3d", "-", "99999999d"} {
		if got, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) = %v, want an error", in, got)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Second:        "10s",
		5 * time.Minute:         "5m",
		time.Hour:               "1h",
		90 * time.Second:        "1m30s",
		30 * 24 * time.Hour:     "30d",
		800 * time.Millisecond:  "800ms",
		time.Hour + time.Second: "1h0m1s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1024": 1024, "1MiB": 1 << 20, "512KiB": 512 << 10, "10MB": 10e6, "2 kb": 2000, "1g": 1 << 30, "0.5MiB": 1 << 19,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "lots", "-1", "1 TiB", "1e300GiB"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestClosest(t *testing.T) {
	for in, want := range map[string]string{
		"timout": "timeout", "intervall": "interval", "expected_status": "expect_status",
		"Timeout": "timeout", "retires": "retries", "tag": "tags",
	} {
		if got, ok := closest(in, monitorKeys); !ok || got != want {
			t.Errorf("closest(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got, ok := closest("frobnicate", monitorKeys); ok {
		t.Errorf("closest(frobnicate) = %q, want no suggestion", got)
	}
}

func TestAllMistakesReported(t *testing.T) {
	es := parseErrors(t, `
[settings]
interval = "0s"

[[monitor]]
name = "a"
url = "ftp://a.example.com"
timout = "5s"

[[monitor]]
name = "a"
url = "https://b.example.com"
retries = -1
`)
	var got []string
	for _, e := range es {
		got = append(got, e.Key)
		if e.File != "upbeat.toml" || e.Line == 0 {
			t.Errorf("error without a place: %+v", e)
		}
	}
	want := []string{"settings.interval", "monitor.url", "monitor.timout", "monitor.name", "monitor.retries"}
	if !slices.Equal(got, want) {
		t.Errorf("keys = %q, want %q\n%v", got, want, es)
	}
	if !slices.IsSortedFunc(es, func(a, b *Error) int { return a.Line - b.Line }) {
		t.Errorf("errors are not in line order:\n%v", es)
	}
}

func TestErrorFormat(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want string
	}{
		{Error{"upbeat.toml", 3, "monitor.url", "bad"}, "upbeat.toml:3: monitor.url: bad"},
		{Error{"upbeat.toml", 0, "monitor.url", "bad"}, "upbeat.toml: monitor.url: bad"},
		{Error{"upbeat.toml", 7, "", "not valid TOML: x"}, "upbeat.toml:7: not valid TOML: x"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
	es := Errors{{"f", 1, "a", "x"}, {"f", 2, "b", "y"}}
	if got := es.Error(); got != "f:1: a: x\nf:2: b: y" {
		t.Errorf("Errors.Error() = %q", got)
	}
}

func TestMaintenanceTimes(t *testing.T) {
	cfg := mustParse(t, `
[[maintenance]]
name = "string-local"
timezone = "Europe/Berlin"
start = "2026-07-01 02:00"
end = "2026-07-01T03:00:00"

[[maintenance]]
name = "toml-local"
timezone = "America/New_York"
start = 2026-01-10T02:00:00
end = 2026-01-10T03:00:00

[[maintenance]]
name = "toml-offset"
start = 2026-01-10T02:00:00+01:00
end = "2026-01-10T02:30:00Z"

[[maintenance]]
name = "weekly"
weekdays = ["Sunday", "MON"]
at = "02:30"
duration = "1h"
`)
	w := cfg.Maintenance
	if want := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC); !w[0].Start.Equal(want) || w[0].End.Sub(w[0].Start) != time.Hour {
		t.Errorf("string-local = %v .. %v, want start %v", w[0].Start, w[0].End, want)
	}
	if want := time.Date(2026, 1, 10, 7, 0, 0, 0, time.UTC); !w[1].Start.Equal(want) || w[1].Timezone != "America/New_York" {
		t.Errorf("toml-local start = %v, want %v", w[1].Start, want)
	}
	if want := time.Date(2026, 1, 10, 1, 0, 0, 0, time.UTC); !w[2].Start.Equal(want) || w[2].Timezone != "UTC" {
		t.Errorf("toml-offset start = %v, want %v", w[2].Start, want)
	}
	if !slices.Equal(w[3].Weekdays, []string{"sun", "mon"}) || w[3].At != "02:30" || w[3].Duration != time.Hour {
		t.Errorf("weekly = %+v", w[3])
	}
}

func TestAlertDefaults(t *testing.T) {
	cfg := mustParse(t, `
[[alert]]
name = "mail"
kind = "email"
smtp_host = "smtp.example.com"
from = "a@example.com"
to = "b@example.com"

[[alert]]
name = "tg"
kind = "telegram"
token = "t"
chat_id = "@ops"
`)
	mail, tg := cfg.Alerts[0], cfg.Alerts[1]
	if mail.SMTPPort != 587 || mail.StartTLS != "mandatory" || !slices.Equal(mail.To, []string{"b@example.com"}) ||
		!slices.Equal(mail.On, []string{"down", "up", "degraded"}) {
		t.Errorf("mail = %+v", mail)
	}
	if tg.BaseURL != "https://api.telegram.org" || tg.ChatID != "@ops" {
		t.Errorf("telegram = %+v", tg)
	}
	if mail.BaseURL != "" || tg.SMTPPort != 0 {
		t.Error("kind-specific defaults leak into other kinds")
	}
}

func TestAPILoopback(t *testing.T) {
	for _, listen := range []string{"127.0.0.1:9477", "[::1]:9477", "localhost:9477", "127.0.0.2:80"} {
		mustParse(t, "[api]\nlisten = \""+listen+"\"\n")
	}
	for _, listen := range []string{":9477", "0.0.0.0:9477", "[::]:9477", "192.0.2.1:9477", "upbeat.example.com:9477"} {
		es := parseErrors(t, "[api]\nlisten = \""+listen+"\"\n")
		if len(es) != 1 || es[0].Key != "api.listen" || !strings.Contains(es[0].Msg, "needs a token") {
			t.Errorf("%s: %v", listen, es)
		}
		mustParse(t, "[api]\nlisten = \""+listen+"\"\ntoken = \"t\"\n")
	}
}

func TestRelativePaths(t *testing.T) {
	dir := t.TempDir()
	cfg, err := Load(writeFile(t, dir, "upbeat.toml", "[settings]\nhistory_dir = \"data\"\n[api]\nsocket = \"/run/u.sock\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Settings.HistoryDir != filepath.Join(dir, "data") || cfg.API.Socket != "/run/u.sock" {
		t.Errorf("history_dir = %q, socket = %q", cfg.Settings.HistoryDir, cfg.API.Socket)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	cfg = mustParse(t, "[settings]\nhistory_dir = \"~/upbeat\"\n")
	if cfg.Settings.HistoryDir != filepath.Join(home, "upbeat") {
		t.Errorf("history_dir = %q", cfg.Settings.HistoryDir)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want a not-exist error", err)
	}
	var es Errors
	if errors.As(err, &es) {
		t.Error("a missing file is not a config mistake")
	}
	if err := Validate("testdata/invalid-unknown-key.toml"); err == nil {
		t.Error("Validate of an invalid file passed")
	}
	if err := Validate(writeFile(t, t.TempDir(), "upbeat.toml", string(Starter()))); err != nil {
		t.Errorf("Validate of the starter: %v", err)
	}
}

func TestFind(t *testing.T) {
	cwd, xdg := t.TempDir(), t.TempDir()
	t.Chdir(cwd)
	t.Setenv("XDG_CONFIG_HOME", xdg)
	t.Setenv("HOME", t.TempDir())

	if _, err := Find(""); !errors.Is(err, ErrNoConfig) {
		t.Errorf("nothing anywhere: err = %v, want ErrNoConfig", err)
	}
	if _, err := Find("missing.toml"); err == nil || errors.Is(err, ErrNoConfig) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing --config: err = %v", err)
	}

	xdgFile := filepath.Join(xdg, "upbeat", "config.toml")
	if err := os.MkdirAll(filepath.Dir(xdgFile), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Dir(xdgFile), "config.toml", "")
	if p, err := Find(""); err != nil || p != xdgFile {
		t.Errorf("XDG: %q, %v", p, err)
	}
	writeFile(t, cwd, "upbeat.toml", "")
	if p, err := Find(""); err != nil || p != "upbeat.toml" {
		t.Errorf("./upbeat.toml: %q, %v", p, err)
	}
	explicit := writeFile(t, cwd, "other.toml", "")
	if p, err := Find(explicit); err != nil || p != explicit {
		t.Errorf("explicit: %q, %v", p, err)
	}

	// A relative XDG_CONFIG_HOME is ignored, as the spec says.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "relative")
	if err := os.Remove(filepath.Join(cwd, "upbeat.toml")); err != nil {
		t.Fatal(err)
	}
	homeFile := filepath.Join(home, ".config", "upbeat", "config.toml")
	if err := os.MkdirAll(filepath.Dir(homeFile), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Dir(homeFile), "config.toml", "")
	if p, err := Find(""); err != nil || p != homeFile {
		t.Errorf("~/.config: %q, %v", p, err)
	}
}

func TestDefaultDirs(t *testing.T) {
	data, run := t.TempDir(), t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv("XDG_RUNTIME_DIR", run)
	if got := DefaultHistoryDir(); got != filepath.Join(data, "upbeat") {
		t.Errorf("DefaultHistoryDir = %q", got)
	}
	if got := DefaultSocket(); got != filepath.Join(run, "upbeat.sock") {
		t.Errorf("DefaultSocket = %q", got)
	}

	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("XDG_RUNTIME_DIR", "")
	if got := DefaultHistoryDir(); got != filepath.Join(home, ".local", "share", "upbeat") {
		t.Errorf("DefaultHistoryDir without XDG_DATA_HOME = %q", got)
	}
	got := DefaultSocket()
	if !strings.HasPrefix(got, os.TempDir()) || !strings.HasSuffix(got, "upbeat.sock") || got == filepath.Join(os.TempDir(), "upbeat.sock") {
		t.Errorf("DefaultSocket without XDG_RUNTIME_DIR = %q, want a per-user path under %s", got, os.TempDir())
	}
}

func TestCronForms(t *testing.T) {
	for _, spec := range []string{"0 2 * * *", "30 1 * * sun", "0 3 1 * *", "@daily", "@weekly"} {
		mustParse(t, "[[maintenance]]\nname = \"m\"\ncron = \""+spec+"\"\nduration = \"1h\"\n")
	}
	for _, spec := range []string{"@every 1h", "0 2 * *", "CRON_TZ=Europe/Berlin 0 2 * * *", "61 * * * *"} {
		es := parseErrors(t, "[[maintenance]]\nname = \"m\"\ncron = \""+spec+"\"\nduration = \"1h\"\n")
		if len(es) != 1 || es[0].Key != "maintenance.cron" || es[0].Line != 3 {
			t.Errorf("%q: %v", spec, es)
		}
	}
}

func TestNoFollowOnErrors(t *testing.T) {
	// One mistake is reported once, not again through what it leads to.
	for src, key := range map[string]string{
		"[[monitor]]\nname = \"a\"\nurl = \"https://a.example.com\"\ninterval = \"1 minute\"\ntimeout = \"90s\"\n": "monitor.interval",
		"[settings]\ninterval = \"soon\"\ntimeout = \"90s\"\n":                                                     "settings.interval",
		"[[monitor]]\nname = \"a\"\nurl = \"https://${UPBEAT_TEST_UNSET}/\"\n":                                     "monitor.url",
		"[[monitor]]\nname = \"${UPBEAT_TEST_UNSET}\"\nurl = \"https://a.example.com/\"\n":                         "monitor.name",
	} {
		es := parseErrors(t, src)
		if len(es) != 1 || es[0].Key != key {
			t.Errorf("%q:\n%v\nwant one error in %s", src, es, key)
		}
	}
}

func TestSchemeHint(t *testing.T) {
	for raw, want := range map[string]string{
		"http//127.0.0.1:8080/": "http://127.0.0.1:8080/",
		"https:/shop.example/":  "https://shop.example/",
		"tcp:db.example:5432":   "tcp://db.example:5432",
		"shop.example/health":   "https://shop.example/health or tcp://shop.example/health",
		"not a url":             "https://host/path",
	} {
		if got := schemeHint(raw); got != want {
			t.Errorf("schemeHint(%q) = %q, want %q", raw, got, want)
		}
	}
}

// An [api] socket too long for a unix socket is a mistake validate names,
// not the kernel's "invalid argument" when the daemon starts.
func TestSocketTooLong(t *testing.T) {
	long := "/run/" + strings.Repeat("d", paths.MaxSocket) + "/upbeat.sock"
	es := parseErrors(t, "[api]\nsocket = \""+long+"\"\n")
	if len(es) != 1 || es[0].Line != 2 || !strings.Contains(es[0].Msg, "choose a shorter one") {
		t.Errorf("got %v", es)
	}
	if _, err := parse("upbeat.toml", []byte("[api]\nsocket = \"/run/u/upbeat.sock\"\n"), env(nil), os.ReadFile); err != nil {
		t.Errorf("a short socket: %v", err)
	}
}
