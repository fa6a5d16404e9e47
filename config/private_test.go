package config

import "testing"

// allow_private_redirects is off unless set, and read for http, domain and
// every kind that speaks TLS (for the issuer's certificate a server's
// certificate names), also with max_redirects = 0 where an https or oauth2
// request may still lead inside (the refusals are in
// testdata/invalid-allow-private-redirects).
func TestAllowPrivateRedirects(t *testing.T) {
	cfg := mustParse(t, `
[[monitor]]
name = "default"
url = "https://shop.example.com/"

[[monitor]]
name = "allowed"
url = "https://sso.example.com/login"
allow_private_redirects = true

[[monitor]]
name = "domain"
url = "domain://example.com"
allow_private_redirects = true

[[monitor]]
name = "tls"
url = "tls://mail.example.com:993"
allow_private_redirects = true

[[monitor]]
name = "https, no redirect"
url = "https://api.example.com/"
max_redirects = 0
allow_private_redirects = true

[[monitor]]
name = "oauth2, no redirect"
url = "http://api.example.com/"
max_redirects = 0
allow_private_redirects = true
oauth2 = { token_url = "https://auth.example.com/token", client_id = "upbeat", client_secret = "s3cret" }
`)
	want := map[string]bool{"default": false, "allowed": true, "domain": true, "tls": true, "https, no redirect": true, "oauth2, no redirect": true}
	for _, m := range cfg.Monitors {
		if m.AllowPrivateRedirects != want[m.Name] {
			t.Errorf("%s: AllowPrivateRedirects = %v, want %v", m.Name, m.AllowPrivateRedirects, want[m.Name])
		}
	}
	if len(cfg.Monitors) != len(want) {
		t.Errorf("%d monitors, want %d", len(cfg.Monitors), len(want))
	}
}
