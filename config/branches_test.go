package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRequestKeyErrors pins the message of each mistake in the request
// keys of a monitor that the testdata/invalid-* files do not make.
func TestRequestKeyErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte("t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ keys, want string }{
		{`http_version = "h2"`, `monitor.http_version: write "2" for HTTP/2`},
		{`http_version = "3"`, `monitor.http_version: "3": use "1.1" or "2"`},
		{`body_file = "` + missing + `"`, "monitor.body_file: cannot read it:"},
		{"body = \"x\"\nbody_file = \"" + token + `"`, "monitor.body_file: set body or body_file, not both"},
		{`bearer_token_file = "` + missing + `"`, "monitor.bearer_token_file: cannot read it:"},
		{`bearer_token_file = "` + empty + `"`, "monitor.bearer_token_file: " + empty + " is empty"},
		{"bearer_token_file = \"" + token + "\"\nbasic_auth = { user = \"u\", password = \"p\" }", "monitor.basic_auth: set one of basic_auth, bearer_token_file and oauth2"},
		{`proxy = "http://a b:3128"`, `monitor.proxy: "http://a b:3128" is not a URL`},
		{`proxy = "proxy.example.com"`, "monitor.proxy: is not a URL; write e.g. http://proxy.example.com:3128"},
		{`proxy = "ftp://proxy.example.com"`, `monitor.proxy: unsupported scheme "ftp"`},
		{`expect_body_regex = "("`, "monitor.expect_body_regex: missing closing )"},
		{`expect_headers = { "Bad Name" = "x", Server = "(" }`, `monitor.expect_headers.Bad Name: "Bad Name" is not a valid header name`},
		{`expect_headers = { Server = "(" }`, "monitor.expect_headers.Server: missing closing )"},
		{`ip_version = 5`, "monitor.ip_version: must be 4 or 6, not 5"},
		{`resolve = ["nonsense"]`, "monitor.resolve:"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			es := parseErrors(t, "[[monitor]]\nname = \"m\"\nurl = \"https://a.example.com/\"\n"+tc.keys+"\n")
			if !strings.Contains(es.Error(), tc.want) {
				t.Errorf("got:\n%v\nwant %q", es, tc.want)
			}
		})
	}
}

// TestRequestKeys checks that the request keys, when right, reach the
// monitor.
func TestRequestKeys(t *testing.T) {
	dir := t.TempDir()
	body := filepath.Join(dir, "body.json")
	if err := os.WriteFile(body, []byte(`{"a":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := mustParse(t, `[[monitor]]
name = "m"
url = "https://a.example.com/"
http_version = "1.1"
body_file = "`+body+`"
proxy = "socks5://proxy.example.com:1080"
expect_body_regex = "ok"
expect_headers = { Server = "^nginx" }
ip_version = 6
resolve = ["a.example.com:443:127.0.0.1"]
`)
	m := cfg.Monitors[0]
	if m.HTTPVersion != "1.1" || m.Body != `{"a":1}` || m.Proxy == nil || m.Proxy.Host != "proxy.example.com:1080" ||
		m.ExpectBodyRegex != "ok" || m.ExpectHeaders["Server"] != "^nginx" || m.IPVersion != 6 || len(m.Resolve) != 1 {
		t.Errorf("%+v", m)
	}
}

// TestMonitorKeyErrors pins messages of the common monitor keys,
// including when one is not given: a timeout beyond a bad interval is
// not reported twice.
func TestMonitorKeyErrors(t *testing.T) {
	for _, tc := range []struct{ keys, want, not string }{
		{`rdap_server = "ftp://rdap.example.com"`, "monitor.rdap_server:", ""},
		{"interval = \"1m\"\ntimeout = \"2m\"", "monitor.timeout: 2m is longer than the interval 1m", ""},
		{`timeout = "10m"`, "monitor.timeout: 10m is longer than the interval", ""},
		{"interval = \"soon\"\ntimeout = \"10m\"", "monitor.interval:", "monitor.timeout"},
		{`tags = ["ok", ""]`, "monitor.tags: a tag", ""},
		{`alerts = ["pager"]`, "monitor.alerts:", ""},
		{"ca_file = \"testdata/nonexistent.pem\"\ninsecure = true", "monitor.insecure: set ca_file or insecure, not both", ""},
	} {
		t.Run(tc.want, func(t *testing.T) {
			es := parseErrors(t, "[[monitor]]\nname = \"m\"\nurl = \"https://a.example.com/\"\n"+tc.keys+"\n")
			if !strings.Contains(es.Error(), tc.want) || tc.not != "" && strings.Contains(es.Error(), tc.not) {
				t.Errorf("got:\n%v\nwant %q and not %q", es, tc.want, tc.not)
			}
		})
	}
}
