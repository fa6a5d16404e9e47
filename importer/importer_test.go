package importer

import (
	"bytes"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/itchyny/gojq"
	"github.com/nicholas-fedor/shoutrrr/pkg/router"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// dummySecret is a value for a variable the config needs, of the shape
// its service checks.
func dummySecret(v EnvVar) string {
	switch {
	case strings.Contains(v.What, "Slack"):
		return "T00000000-B00000000-XXXXXXXXXXXXXXXXXXXXXXXX"
	case strings.Contains(v.What, "Pushbullet"):
		return "o.abcdefghijklmnopqrstuvwxyz012345"
	case strings.Contains(v.What, "PagerDuty"):
		return "0123456789abcdef0123456789abcdef"
	case strings.Contains(v.What, "Gotify"):
		return "Aaaaaaaaaaaaaaa"
	case strings.HasSuffix(v.Name, "_HOST"):
		return "host.example.com"
	}
	return dummy(v.Name)
}

// load writes c as TOML, sets every variable it names, and loads it with
// the real config loader, as `upbeat validate` does. It also checks that
// each alert of kind url is a service URL the notification library takes.
func load(t *testing.T, c *Config) (*config.Config, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, c); err != nil {
		t.Fatal(err)
	}
	for _, v := range c.Env {
		t.Setenv(v.Name, dummySecret(v))
	}
	path := filepath.Join(t.TempDir(), "upbeat.toml")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		var lines []string
		for i, l := range strings.Split(buf.String(), "\n") {
			lines = append(lines, strings.TrimSpace(strings.Repeat(" ", 4)+itoa(i+1)+"  "+l))
		}
		t.Fatalf("the imported config does not validate:\n%v\n\n%s", err, strings.Join(lines, "\n"))
	}
	for _, a := range cfg.Alerts {
		if a.Kind != "url" {
			continue
		}
		if _, err := router.New(log.New(io.Discard, "", 0), a.URL); err != nil {
			t.Errorf("alert %q: the notification library refuses its URL %q: %v", a.Name, a.URL, err)
		}
	}
	return cfg, buf.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

// dummy is the test's value for a variable: unique, so that push tokens
// differ, and plain, so that it fits in a URL.
func dummy(name string) string { return "x-" + strings.ReplaceAll(strings.ToLower(name), "_", "-") }

// byName finds a monitor of the loaded config.
func byName(t *testing.T, cfg *config.Config, name string) *monitor.Monitor {
	t.Helper()
	for _, m := range cfg.Monitors {
		if m.Name == name {
			return m
		}
	}
	var names []string
	for _, m := range cfg.Monitors {
		names = append(names, m.Name)
	}
	t.Fatalf("no monitor %q; the config has %q", name, names)
	return nil
}

func alertByName(t *testing.T, cfg *config.Config, name string) *alert.Config {
	t.Helper()
	for _, a := range cfg.Alerts {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no alert %q", name)
	return nil
}

// noteFor returns the notes about an item whose description contains s.
func noteFor(c *Config, s string, skipped bool) []Note {
	var out []Note
	for _, n := range c.Notes {
		if n.Skipped == skipped && strings.Contains(n.Item, s) {
			out = append(out, n)
		}
	}
	return out
}

// wantSkipped checks that the report names each item as left out.
func wantSkipped(t *testing.T, c *Config, items ...string) {
	t.Helper()
	for _, it := range items {
		if len(noteFor(c, it, true)) == 0 {
			t.Errorf("the report does not say %s was left out; it says:\n%s", it, notes(c))
		}
	}
}

// wantPartial checks that the report has a note on item containing text.
func wantPartial(t *testing.T, c *Config, item, text string) {
	t.Helper()
	for _, n := range noteFor(c, item, false) {
		if strings.Contains(n.Reason, text) {
			return
		}
	}
	t.Errorf("the report has no note on %s about %q; it says:\n%s", item, text, notes(c))
}

// noNotes checks that the report says nothing about item: it carried
// over whole.
func noNotes(t *testing.T, c *Config, item string) {
	t.Helper()
	for _, n := range c.Notes {
		if strings.Contains(n.Item, item) {
			t.Errorf("%s should carry over whole, but the report says: %s", item, n)
		}
	}
}

func notes(c *Config) string {
	var b strings.Builder
	for _, n := range c.Notes {
		b.WriteString("  " + n.String() + "\n")
	}
	return b.String()
}

// secretMark finds the secrets of the fixtures: each is written SECRET
// followed by lowercase letters or digits ("SECRETsmtp", "tk_SECRETntfy"),
// so that it is told from the names of variables such as
// OAUTH_CLIENT_SECRET, which the config rightly holds.
var secretMark = regexp.MustCompile(`SECRET[a-z0-9]`)

// noSecrets checks that no value marked SECRET in a fixture reached the
// config text.
func noSecrets(t *testing.T, text string) {
	t.Helper()
	for _, loc := range secretMark.FindAllStringIndex(text, -1) {
		i := loc[0]
		t.Errorf("a secret is in the config in clear: …%s…", text[max(0, i-60):min(len(text), i+40)])
	}
}

// jqTrue evaluates a jq expression on a JSON document.
func jqTrue(t *testing.T, expr string, doc any) bool {
	t.Helper()
	q, err := gojq.Parse(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	it := q.Run(doc)
	v, ok := it.Next()
	if !ok {
		return false
	}
	if err, ok := v.(error); ok {
		t.Fatalf("%s: %v", expr, err)
	}
	return v == true
}

func TestDetect(t *testing.T) {
	gatus, _ := os.ReadFile("testdata/gatus.yaml")
	robot, _ := os.ReadFile("testdata/uptimerobot.csv")
	for _, tc := range []struct {
		name string
		data []byte
		want Source
		err  error
	}{
		{"config.yaml", gatus, Gatus, nil},
		{"export.txt", robot, UptimeRobot, nil},
		{"kuma.db", []byte(sqliteMagic + "rest"), Kuma, nil},
		{"x.yaml", []byte("  \n\n"), "", ErrEmpty},
		{"x.yaml", []byte("foo: bar\n"), "", ErrUnknownFormat},
		{"x.csv", []byte("a,b\n1,2\n"), "", ErrUnknownFormat},
	} {
		got, err := Detect(tc.name, tc.data)
		if got != tc.want || err != tc.err {
			t.Errorf("Detect(%s) = %q, %v; want %q, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func TestNames(t *testing.T) {
	b := newBuilder(Gatus, "")
	for _, n := range []string{"api", "api", " api ", "line\nbreak\tand tab", "", "\x00\x01", "quote \" and \\ back", "api-2"} {
		b.addMonitor(&Monitor{Name: n, URL: "https://example.com/"}, "endpoint")
	}
	var got []string
	for _, m := range b.cfg.Monitors {
		got = append(got, m.Name)
	}
	want := []string{"api", "api-2", "api-3", "line break and tab", "endpoint", "endpoint-2", `quote " and \ back`, "api-2-2"}
	if !slices.Equal(got, want) {
		t.Errorf("names = %q, want %q", got, want)
	}
	cfg, _ := load(t, b.cfg)
	if len(cfg.Monitors) != len(want) {
		t.Errorf("loaded %d monitors, want %d", len(cfg.Monitors), len(want))
	}
	if !strings.Contains(strings.Join(b.cfg.Monitors[1].Comments, "\n"), `another monitor is called "api"`) {
		t.Errorf("a renamed monitor has no comment saying why: %q", b.cfg.Monitors[1].Comments)
	}
}

func TestEnvNames(t *testing.T) {
	b := newBuilder(Kuma, "")
	got := []string{
		b.secret("Ops Slack", "TOKEN", "x", "v"),
		b.secret("ops-slack", "TOKEN", "x", "v"),
		b.secret("🚀", "TOKEN", "x", "v"),
		b.secret("1st", "KEY", "x", "v"),
		b.secret("x", "TOKEN", "x", "${ALREADY_SET}"),
		b.secret("x", "TOKEN", "x", "$ALSO"),
	}
	want := []string{"${OPS_SLACK_TOKEN}", "${OPS_SLACK_TOKEN_2}", "${UPBEAT_TOKEN}", "${UPBEAT_1ST_KEY}", "${ALREADY_SET}", "${ALSO}"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain":           `"plain"`,
		`.status == "UP"`: `'.status == "UP"'`,
		`it's "x"`:        `"it's \"x\""`,
		"tab\there":       `"tab\there"`,
		"nul\x00":         `"nul\u0000"`,
		"bad \xff utf8":   "\"bad \uFFFD utf8\"",
		`back\slash`:      `'back\slash'`,
		"new\nline \"q\"": `"new\nline \"q\""`,
		"ünïcode 🚀":       `"ünïcode 🚀"`,
		"${SLACK_TOKEN}":  `"${SLACK_TOKEN}"`,
		"":                `""`,
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[string]string{"30s": "30s", "5m": "5m", "2h": "2h", "90m": "1h30m", "500ms": "500ms", "48h": "2d", "1.5s": "1500ms"} {
		pd, _ := parseDuration(d, 0)
		if got := formatDuration(pd); got != want {
			t.Errorf("formatDuration(%s) = %s, want %s", d, got, want)
		}
	}
}

// TestBound checks that every bounded value is brought to the nearest
// allowed one, with a line saying so, and that the result loads.
func TestBound(t *testing.T) {
	b := newBuilder(Kuma, "")
	m := &Monitor{Name: "tight", URL: "https://example.com/", Interval: 200 * time.Millisecond, Timeout: time.Millisecond,
		Retries: intp(99), RetryInterval: 10 * time.Millisecond, MaxRedirects: intp(-1), CertWarnDays: intp(1000)}
	b.add(m, `monitor "tight"`, "monitor")
	want := []string{
		"interval 200ms → 1s: upbeat allows at least 1s",
		"timeout 1ms → 10ms: upbeat allows at least 10ms",
		"retries 99 → 10: upbeat allows at most 10",
		"retry_interval 10ms → 100ms: upbeat allows at least 100ms",
		"max_redirects -1 → 0: upbeat allows no fewer than 0",
		"cert_warn_days 1000 → 365: upbeat allows at most 365",
	}
	var got []string
	for _, n := range b.cfg.Notes {
		got = append(got, n.Reason)
	}
	if !slices.Equal(got, want) || !slices.Equal(m.Comments, want) {
		t.Errorf("notes %q\ncomments %q\nwant %q", got, m.Comments, want)
	}
	long := &Monitor{Name: "long", URL: "tcp://db.example.com:5432", Interval: 20 * time.Second, Timeout: 48 * time.Second, Retries: intp(3)}
	b.add(long, `monitor "long"`, "monitor")
	wantPartial(t, b.cfg, `monitor "long"`, "timeout 48s → 20s: upbeat allows at most the interval")
	cfg, _ := load(t, b.cfg)
	if m := byName(t, cfg, "tight"); m.Interval != time.Second || m.Timeout != 10*time.Millisecond || m.Retries != 10 ||
		m.RetryInterval != 100*time.Millisecond || m.MaxRedirects != 0 || m.CertWarnDays != 365 {
		t.Errorf("tight: %+v", m)
	}
	if m := byName(t, cfg, "long"); m.Timeout != 20*time.Second || m.Retries != 3 {
		t.Errorf("long: %+v", m)
	}
}
