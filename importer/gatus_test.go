package importer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/testcert"
	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestGatus(t *testing.T) {
	data, err := os.ReadFile("testdata/gatus.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := FromGatus(data)
	if err != nil {
		t.Fatal(err)
	}
	cfg, text := load(t, c)
	noSecrets(t, text)

	fe := byName(t, cfg, "front-end")
	if !slices.Equal(fe.ExpectStatus, []int{200}) || !slices.Equal(fe.ExpectJSON, []string{`.status == "UP"`}) ||
		fe.MaxLatency != 500*time.Millisecond || fe.CertWarnDays != 2 || fe.Interval != 30*time.Second ||
		!slices.Equal(fe.Tags, []string{"core"}) || !slices.Equal(fe.Alerts, []string{"slack", "email"}) || fe.Retries != 3 {
		t.Errorf("front-end: %+v", fe)
	}
	dom := byName(t, cfg, "example.com registration")
	if dom.URL != "domain://example.com" || dom.CertWarnDays != 30 || !slices.Equal(dom.Alerts, fe.Alerts) {
		t.Errorf("domain monitor from [DOMAIN_EXPIRATION]: %+v", dom)
	}

	api := byName(t, cfg, "api")
	if api.Method != "POST" || api.Body != `{"probe": true}` || !api.Insecure || api.Timeout != 5*time.Second ||
		api.MaxRedirects != 0 || !slices.Equal(api.ExpectStatus, []int{200, 201}) {
		t.Errorf("api: %+v", api)
	}
	if api.Headers["X-Api-Key"] != dummy("API_X_API_KEY") || api.Headers["Content-Type"] != "application/json" {
		t.Errorf("api headers: %v", api.Headers)
	}
	if strings.Contains(api.URL, "@") || !strings.Contains(api.URL, "api_key=x-api-api-key&verbose=1") {
		t.Errorf("api URL %q: the key should come from a variable, and the user and password go to basic_auth", api.URL)
	}
	if a := api.BasicAuth; a == nil || a.User != "api" || a.Password != dummy("API_PASSWORD") {
		t.Errorf("api basic auth %+v: want user api and the password from API_PASSWORD", a)
	}
	if api.Proxy == nil || api.Proxy.String() != "http://proxy.example.com:3128" {
		t.Errorf("api proxy %v, want http://proxy.example.com:3128", api.Proxy)
	}
	// The JSON conditions mean what they meant in Gatus.
	good := map[string]any{"data": []any{1.0}, "version": "2.4.1", "checks": []any{map[string]any{"ok": true}}, "latency_ms": 200.0}
	bad := map[string]any{"data": []any{}, "errors": []any{"x"}, "version": "1.9", "checks": []any{map[string]any{"ok": false}}, "latency_ms": 300.0}
	if len(api.ExpectJSON) != 5 {
		t.Fatalf("api expect_json = %q, want 5 expressions", api.ExpectJSON)
	}
	for _, e := range api.ExpectJSON {
		if !jqTrue(t, e, good) {
			t.Errorf("%s is false on a body that meets the Gatus conditions", e)
		}
		if jqTrue(t, e, bad) {
			t.Errorf("%s is true on a body that fails the Gatus conditions", e)
		}
	}
	wantPartial(t, c, `endpoint "front-end"`, "degraded, not down")
	wantPartial(t, c, `endpoint "api"`, "[IP] == 10.0.0.1")

	api2 := byName(t, cfg, "api-2")
	if api2.ExpectBody != "<title>OK</title>" || api2.ExpectStatus != nil {
		t.Errorf("api-2 (the second endpoint named api): %+v", api2)
	}

	db := byName(t, cfg, `db "primary" / ünïcode 🚀`)
	if db.Kind != monitor.KindTCP || db.URL != "tcp://db.example.com:5432" || db.MaxLatency != 100*time.Millisecond ||
		!slices.Equal(db.Alerts, []string{"telegram"}) {
		t.Errorf("db: %+v", db)
	}
	if m := byName(t, cfg, "mail-cert"); m.Kind != monitor.KindTLS || m.CertWarnDays != 14 {
		t.Errorf("mail-cert: %+v", m)
	}
	if m := byName(t, cfg, "gateway"); m.Kind != monitor.KindICMP {
		t.Errorf("gateway: %+v", m)
	}
	if m := byName(t, cfg, "dns-check"); m.URL != "dns://8.8.8.8/example.com?type=A" || m.ExpectAnswer != "93.184.216.34" {
		t.Errorf("dns-check: %+v", m)
	}
	if m := byName(t, cfg, "status-codes"); slices.Contains(m.ExpectStatus, 204) || !slices.Contains(m.ExpectStatus, 200) || slices.Contains(m.ExpectStatus, 301) {
		t.Errorf("status-codes: [STATUS] != 204 and < 300 gave %v", m.ExpectStatus)
	}
	env := byName(t, cfg, "with-env")
	if env.URL != "https://host.example.com/health" || env.Headers["Authorization"] != "Bearer x-api-token" {
		t.Errorf("with-env: Gatus's $VARs should stay variables: %+v", env)
	}
	if !slices.Equal(env.Alerts, []string{"ntfy", "discord", "pagerduty", "gotify"}) {
		t.Errorf("with-env alerts: %q", env.Alerts)
	}

	push := byName(t, cfg, "nightly-backup")
	if push.Kind != monitor.KindPush || push.Interval != 24*time.Hour || !slices.Equal(push.Tags, []string{"jobs"}) {
		t.Errorf("nightly-backup: %+v", push)
	}
	if m := byName(t, cfg, "no-heartbeat"); m.Interval != time.Hour {
		t.Errorf("no-heartbeat: %+v", m)
	}
	wantPartial(t, c, `external endpoint "no-heartbeat"`, "no heartbeat interval")

	// Alerts.
	if a := alertByName(t, cfg, "slack"); a.Kind != "url" || !strings.HasPrefix(a.URL, "slack://hook:") || !slices.Equal(a.On, []string{"down", "up", "degraded"}) {
		t.Errorf("slack: %+v", a)
	}
	if a := alertByName(t, cfg, "email"); a.SMTPHost != "smtp.example.com" || a.SMTPPort != 465 || a.Password != dummy("EMAIL_PASSWORD") ||
		!slices.Equal(a.To, []string{"oncall@example.com", "team@example.com"}) {
		t.Errorf("email: %+v", a)
	}
	if a := alertByName(t, cfg, "telegram"); a.Token != dummy("TELEGRAM_TOKEN") || a.ChatID != "-100200300" || !slices.Equal(a.On, []string{"down", "degraded"}) {
		t.Errorf("telegram: %+v", a)
	}
	if a := alertByName(t, cfg, "custom"); a.Kind != "webhook" || a.Headers["Authorization"] != dummy("CUSTOM_AUTHORIZATION") || !strings.HasSuffix(a.URL, "?token="+dummy("CUSTOM_TOKEN")) {
		t.Errorf("custom: %+v", a)
	}
	if a := alertByName(t, cfg, "gotify"); a.URL != "gotify://gotify.example.com/Aaaaaaaaaaaaaaa" {
		t.Errorf("gotify (its token was a variable already): %+v", a)
	}
	if !slices.ContainsFunc(c.Env, func(v EnvVar) bool { return v.Name == "GOTIFY_TOKEN" }) {
		t.Errorf("GOTIFY_TOKEN, a variable in the Gatus config, is not listed: %+v", c.Env)
	}

	// Maintenance.
	if len(cfg.Maintenance) != 2 {
		t.Fatalf("%d maintenance windows, want 2", len(cfg.Maintenance))
	}
	if w := cfg.Maintenance[0]; w.At != "23:00" || w.Duration != time.Hour || !slices.Equal(w.Weekdays, []string{"mon", "thu"}) ||
		w.Timezone != "Europe/Amsterdam" || w.Monitors != nil {
		t.Errorf("global maintenance: %+v", w)
	}
	if w := cfg.Maintenance[1]; !slices.Equal(w.Monitors, []string{"with-env"}) || w.At != "02:00" || w.Duration != 30*time.Minute {
		t.Errorf("endpoint maintenance: %+v", w)
	}

	// The services behind a site.
	if m := byName(t, cfg, "starttls"); m.Kind != monitor.KindSMTP || m.URL != "smtp://smtp.example.com:587" || m.StartTLS != "mandatory" || m.CertWarnDays != 10 {
		t.Errorf("starttls: %+v", m)
	}
	if n := noteFor(c, `endpoint "starttls-imap"`, true); len(n) != 1 || !strings.Contains(n[0].Reason, "port 143 is not an SMTP port") {
		t.Errorf("starttls-imap: the report should leave it out because 143 is not an SMTP port; it says %v", n)
	}
	if m := byName(t, cfg, "grpc"); m.Kind != monitor.KindGRPC || m.URL != "grpc://grpc.example.com:443" {
		t.Errorf("grpc: %+v", m)
	}
	noNotes(t, c, `endpoint "grpc"`)
	if m := byName(t, cfg, "grpcs"); m.URL != "grpcs://orders.example.com:443" || !m.Insecure || m.CertWarnDays != 7 {
		t.Errorf("grpcs: %+v", m)
	}
	ws := byName(t, cfg, "websocket")
	if ws.Kind != monitor.KindWS || ws.URL != "wss://ws.example.com/echo" || ws.Send != `{"op":"ping"}` || ws.ExpectBody != "pong" ||
		!slices.Equal(ws.ExpectJSON, []string{`.op == "pong"`}) || ws.Headers["Authorization"] != dummy("WEBSOCKET_AUTHORIZATION") {
		t.Errorf("websocket: %+v", ws)
	}
	noNotes(t, c, `endpoint "websocket"`)

	// How requests are made.
	o := byName(t, cfg, "oauth-api").OAuth2
	if o == nil || o.TokenURL != "https://auth.example.com/oauth/token" || o.ClientID != "gatus" || o.ClientSecret != dummy("OAUTH_API_CLIENT_SECRET") ||
		!slices.Equal(o.Scopes, []string{"status:read"}) {
		t.Errorf("oauth-api: %+v", o)
	}
	if m := byName(t, cfg, "mtls-api"); m.ClientCert != "" || !strings.Contains(text, `# client_cert = "/nonexistent/gatus/client.pem"`) {
		t.Errorf("mtls-api: files that cannot be read here are written as comments; client_cert %q", m.ClientCert)
	}
	wantPartial(t, c, `endpoint "mtls-api"`, "cannot be read here")
	v4 := byName(t, cfg, "v4-only")
	if v4.IPVersion != 4 || v4.Proxy == nil || v4.Proxy.String() != "socks5://gatus:"+dummy("V4_ONLY_PROXY_PASSWORD")+"@socks.example.com:1080" {
		t.Errorf("v4-only: ip_version %d, proxy %v", v4.IPVersion, v4.Proxy)
	}
	wantPartial(t, c, `endpoint "v4-only"`, "became ip_version = 4")
	wantPartial(t, c, `endpoint "v4-only"`, "dns-resolver tcp://9.9.9.9:53 is not kept")
	wantPartial(t, c, `endpoint "v4-only"`, "identity-aware-proxy is not kept")
	wantPartial(t, c, `endpoint "gateway6"`, "network ip6 is not kept")
	if m := byName(t, cfg, "gateway6"); m.URL != "icmp://[2001:db8::1]" {
		t.Errorf("gateway6: url %q, want the IPv6 address in brackets", m.URL)
	}

	// Whole-body conditions that a piece of text cannot say.
	if m := byName(t, cfg, "exact-body"); m.ExpectBodyRegex != "(?s)^pong$" || m.ExpectBody != "" {
		t.Errorf("exact-body: %+v", m)
	}
	pat := regexp.MustCompile(byName(t, cfg, "pattern-body").ExpectBodyRegex)
	if !pat.MatchString("build-1234: ok") || pat.MatchString("build-1234: failed") || pat.MatchString("x build-1: ok") {
		t.Errorf("pattern-body: %s does not mean pat(build-*: ok)", pat)
	}

	// Values beyond upbeat's bounds become the nearest allowed, with a note.
	if m := byName(t, cfg, "hammered"); m.Interval != time.Second || m.Timeout != 10*time.Millisecond || m.Retries != 10 || m.CertWarnDays != 365 {
		t.Errorf("hammered: interval %s, timeout %s, retries %d, cert_warn_days %d; want 1s, 10ms, 10, 365", m.Interval, m.Timeout, m.Retries, m.CertWarnDays)
	}
	for _, n := range []string{"interval 500ms → 1s: upbeat allows at least 1s", "timeout 5ms → 10ms: upbeat allows at least 10ms",
		"retries 24 → 10: upbeat allows at most 10", "cert_warn_days 375 → 365: upbeat allows at most 365"} {
		wantPartial(t, c, `endpoint "hammered"`, n)
	}

	// What was left out, each named with why.
	left := []string{`endpoint "starttls-imap"`, `endpoint "udp"`, `endpoint "ssh"`, `endpoint "disabled"`,
		`suite "login-flow"`, `alerting provider "twilio"`}
	wantSkipped(t, c, left...)
	if n := len(c.Skipped()); n != len(left) {
		t.Errorf("%d items left out, want %d:\n%s", n, len(left), notes(c))
	}
	wantPartial(t, c, `alerting provider "custom"`, "body")
}

func TestGatusEmpty(t *testing.T) {
	for _, doc := range []string{"endpoints: []\n", "# nothing yet\n", "alerting: {}\n"} {
		c, err := FromGatus([]byte(doc))
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		cfg, text := load(t, c)
		if len(cfg.Monitors) != 0 || !strings.Contains(text, "no monitor") {
			t.Errorf("%q: %d monitors; text:\n%s", doc, len(cfg.Monitors), text)
		}
	}
}

func TestGatusCorrupt(t *testing.T) {
	for _, doc := range []string{"endpoints:\n  - name: [unclosed\n", "endpoints: 3\n", "\tendpoints:\n"} {
		_, err := FromGatus([]byte(doc))
		if err == nil || !strings.HasPrefix(err.Error(), "not a Gatus config: ") {
			t.Errorf("%q: err = %v, want a clear error", doc, err)
		}
	}
}

func TestBodyCondition(t *testing.T) {
	for _, tc := range []struct {
		cond    string
		yes, no string
	}{
		{"[BODY].status == UP", `{"status":"UP"}`, `{"status":"DOWN"}`},
		{"[BODY].status != DOWN", `{"status":"UP"}`, `{"status":"DOWN"}`},
		{"[BODY].count > 5", `{"count":6}`, `{"count":5}`},
		{"[BODY].a.b[1].c == 3", `{"a":{"b":[{},{"c":3}]}}`, `{"a":{"b":[{},{"c":4}]}}`},
		{"[BODY][0].id == 7", `[{"id":7}]`, `[{"id":8}]`},
		{"[BODY].status == any(UP, OK)", `{"status":"OK"}`, `{"status":"DOWN"}`},
		{"[BODY].name == pat(web-*)", `{"name":"web-1"}`, `{"name":"db-1"}`},
		{"[BODY].name != pat(web-*)", `{"name":"db-1"}`, `{"name":"web-1"}`},
		{"len([BODY].items) == 2", `{"items":[1,2]}`, `{"items":[1]}`},
		{"has([BODY].error) == true", `{"error":"x"}`, `{}`},
		{"[BODY].key-with-dash == yes", `{"key-with-dash":"yes"}`, `{"key-with-dash":"no"}`},
	} {
		left, op, right, ok := splitCondition(tc.cond)
		if !ok {
			t.Fatalf("%s: not split", tc.cond)
		}
		expr, ok := bodyCondition(left, op, right)
		if !ok {
			t.Errorf("%s: not mapped", tc.cond)
			continue
		}
		var yes, no any
		json.Unmarshal([]byte(tc.yes), &yes)
		json.Unmarshal([]byte(tc.no), &no)
		if !jqTrue(t, expr, yes) || jqTrue(t, expr, no) {
			t.Errorf("%s became %s, which does not tell %s from %s", tc.cond, expr, tc.yes, tc.no)
		}
	}
}

// TestGatusClientCert maps a client certificate whose files are there, by
// absolute path and by a path relative to where Gatus ran, and checks that
// the loader takes them as a pair.
func TestGatusClientCert(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM, _ := testcert.Generate(testcert.Options{Hosts: []string{"upbeat-client"}, ClientAuth: true})
	if err := os.MkdirAll(filepath.Join(dir, "certs"), 0o700); err != nil {
		t.Fatal(err)
	}
	cert, key := filepath.Join(dir, "certs", "client.pem"), filepath.Join(dir, "certs", "client.key")
	os.WriteFile(cert, certPEM, 0o600)
	os.WriteFile(key, keyPEM, 0o600)
	t.Chdir(dir) // Gatus takes relative paths from its working directory
	doc := `endpoints:
  - name: absolute
    url: https://mtls.example.com/
    client:
      tls: {certificate-file: "` + cert + `", private-key-file: "` + key + `"}
  - name: relative
    url: tls://mtls.example.com:443
    client:
      tls: {certificate-file: certs/client.pem, private-key-file: certs/client.key, renegotiation: freely}
  - name: grpc
    url: grpcs://mtls.example.com:443
    client:
      tls: {certificate-file: certs/client.pem, private-key-file: certs/client.key}
`
	c, err := FromGatus([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := load(t, c)
	for _, name := range []string{"absolute", "relative"} {
		if m := byName(t, cfg, name); m.ClientCert != cert || m.ClientKey != key {
			t.Errorf("%s: client_cert %q, client_key %q; want %q and %q", name, m.ClientCert, m.ClientKey, cert, key)
		}
	}
	noNotes(t, c, `endpoint "absolute"`)
	wantPartial(t, c, `endpoint "relative"`, `renegotiation "freely"`)
	if m := byName(t, cfg, "grpc"); m.ClientCert != "" {
		t.Errorf("grpc: upbeat's gRPC check sends no client certificate, yet client_cert is %q", m.ClientCert)
	}
	wantPartial(t, c, `endpoint "grpc"`, "client tls is not kept")
}
