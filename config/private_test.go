package config

import "testing"

// allow_private_redirects is off unless set, and read for http and domain
// monitors (the refusals are in testdata/invalid-allow-private-redirects).
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
`)
	want := map[string]bool{"default": false, "allowed": true, "domain": true}
	for _, m := range cfg.Monitors {
		if m.AllowPrivateRedirects != want[m.Name] {
			t.Errorf("%s: AllowPrivateRedirects = %v, want %v", m.Name, m.AllowPrivateRedirects, want[m.Name])
		}
	}
	if len(cfg.Monitors) != len(want) {
		t.Errorf("%d monitors, want %d", len(cfg.Monitors), len(want))
	}
}
