package daemonaddr

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"testing"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:9477":          "http://127.0.0.1:9477",
		"[::1]:9477":              "http://[::1]:9477",
		"upbeat.example.com:9477": "http://upbeat.example.com:9477",
		"/run/upbeat/upbeat.sock": "/run/upbeat/upbeat.sock",
		"upbeat.sock":             "upbeat.sock",
		"unix:///run/u.sock":      "unix:///run/u.sock",
		"https://h.example:9477":  "https://h.example:9477",
		"host:notaport":           "host:notaport",
		":9477":                   ":9477",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// A socket nobody serves reads as what the system said, not as the
// request the HTTP client was making.
func TestWhy(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}
	_, err := (&http.Client{Transport: tr}).Get("http://localhost/api/v1/events")
	if got := Why(err); got != "connect: no such file or directory" {
		t.Errorf("Why = %q", got)
	}
}
