package wire

import (
	"testing"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Results kept by an older version may hold a token in a query string:
// what the API hands out is redacted whatever the history holds.
func TestFromResultRedactsURLs(t *testing.T) {
	r := FromResult(&monitor.Result{Monitor: "a", Kind: monitor.KindHTTP,
		URL: "https://api.example/x?token=T0KEN", FinalURL: "https://bob:pw@api.example/y?sig=S1G"})
	if r.URL != "https://api.example/x?token=xxxxx" || r.FinalURL != "https://xxxxx@api.example/y?sig=xxxxx" {
		t.Errorf("URL %q, final URL %q", r.URL, r.FinalURL)
	}
}
