package tui

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// A monitor's detail view shows the certificate its own connections are
// served, not those of other ports of the same host, and names the
// monitor each date it borrows comes from.
func TestDetailShowsOnlyItsOwnCertificate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 14, 3, 0, 0, time.UTC)
	state := func(name, raw string, expiry time.Time) monitor.State {
		u, _ := url.Parse(raw)
		k, _ := monitor.KindOf(u.Scheme)
		m := &monitor.Monitor{Name: name, URL: raw, Parsed: u, Kind: k, CertWarnDays: 14}
		return monitor.State{Monitor: m, Status: monitor.StatusUp, Since: now.Add(-time.Hour),
			Last: monitor.Result{Monitor: name, Kind: k, Time: now, Status: monitor.StatusUp, CertExpiry: expiry, CertIssuer: "Example CA"}}
	}
	day := 24 * time.Hour
	app := state("app", "http://h.example.test:8080/health", time.Time{})
	site := state("site", "https://h.example.test/", time.Time{})
	cert443 := state("cert-443", "tls://h.example.test:443", now.Add(40*day))
	cert8443 := state("cert-8443", "tls://h.example.test:8443", now.Add(3*day))
	domain := state("domain", "domain://example.test", time.Time{})
	domain.Last.CertExpiry, domain.Last.Registrar = now.Add(90*day), "Example Registrar"
	all := []monitor.State{app, site, cert443, cert8443, domain}

	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	view := func(st monitor.State) string {
		d := NewDetail(NewStyles(r, true), DefaultKeyMap())
		d.SetSize(100, 200)
		d.Open(st, relatedStates(all, &st), true)
		d.SetNow(now)
		return d.View()
	}
	v := view(site)
	for _, want := range []string{"expires 2027-01-03 (in 40 days)", "from monitor cert-443", "from monitor domain"} {
		if !strings.Contains(v, want) {
			t.Errorf("https on 443: detail lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "cert-8443") || strings.Contains(v, "in 3 days") {
		t.Errorf("https on 443 shows the certificate of port 8443:\n%s", v)
	}
	if v := view(app); strings.Contains(v, "certificate") {
		t.Errorf("plain http on 8080 shows a certificate:\n%s", v)
	}
	if v := view(cert8443); !strings.Contains(v, "in 3 days") || strings.Contains(v, "from monitor cert-443") {
		t.Errorf("tls on 8443: its own certificate only, want in 3 days:\n%s", v)
	}
}
