package importer

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestUptimeRobot(t *testing.T) {
	data, err := os.ReadFile("testdata/uptimerobot.csv")
	if err != nil {
		t.Fatal(err)
	}
	c, err := FromUptimeRobot(data)
	if err != nil {
		t.Fatal(err)
	}
	cfg, text := load(t, c)
	noSecrets(t, text)
	if m := byName(t, cfg, "Shop"); m.URL != "https://shop.example.com/" || m.Interval != 5*time.Minute {
		t.Errorf("Shop: %+v", m)
	}
	if m := byName(t, cfg, "Shop-2"); m.URL != "https://shop.example.com/cart" || m.Interval != time.Minute {
		t.Errorf("Shop-2 (the second monitor named Shop): %+v", m)
	}
	if m := byName(t, cfg, "Login page"); m.ExpectBody != "Sign in" || m.Interval != 5*time.Minute {
		t.Errorf("Login page: %+v", m)
	}
	if m := byName(t, cfg, "Maintenance banner"); m.ExpectBody != "" {
		t.Errorf("Maintenance banner: an inverted keyword must not become expect_body: %+v", m)
	}
	wantPartial(t, c, `"Maintenance banner"`, "cannot invert")
	if m := byName(t, cfg, "Router"); m.Kind != monitor.KindICMP || m.URL != "icmp://203.0.113.1" {
		t.Errorf("Router: %+v", m)
	}
	if m := byName(t, cfg, "Mail"); m.URL != "tcp://mail.example.com:25" || m.Interval != 2*time.Minute {
		t.Errorf("Mail: %+v", m)
	}
	if m := byName(t, cfg, "Postgres"); m.URL != "tcp://db.example.com:5432" {
		t.Errorf("Postgres: %+v", m)
	}
	if m := byName(t, cfg, "Backups"); m.Kind != monitor.KindPush || m.Interval != 24*time.Hour {
		t.Errorf("Backups: %+v", m)
	}
	if m := byName(t, cfg, `Admin "area", EU`); m.URL != "https://admin.example.com/" || m.BasicAuth == nil ||
		m.BasicAuth.User != "admin" || m.BasicAuth.Password != dummy("ADMIN_AREA_EU_PASSWORD") {
		t.Errorf("Admin: want basic auth with user admin and the password from ADMIN_AREA_EU_PASSWORD: %+v", m)
	}
	wantSkipped(t, c, `"Paused site"`, `"Weird"`)
	if n := len(c.Skipped()); n != 2 {
		t.Errorf("%d left out, want 2:\n%s", n, notes(c))
	}
	wantPartial(t, c, "alert contacts", "by hand")
	if c.Found.Monitors != 11 || len(cfg.Monitors) != 9 {
		t.Errorf("found %d, wrote %d; want 11 and 9", c.Found.Monitors, len(cfg.Monitors))
	}
}

func TestUptimeRobotShapes(t *testing.T) {
	// Another header spelling, semicolons, a BOM, numeric types.
	data := "\xef\xbb\xbfName;URL/IP;Monitor Type;Port;Monitoring Interval\nA;https://a.example.com;1;;60\nB;b.example.com;4;8443;5\nC;c.example.com;3;;1 hour\n"
	c, err := FromUptimeRobot([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := load(t, c)
	got := []string{}
	for _, m := range cfg.Monitors {
		got = append(got, m.URL+" "+m.Interval.String())
	}
	want := []string{"https://a.example.com 1m0s", "tcp://b.example.com:8443 5m0s", "icmp://c.example.com 1h0m0s"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestUptimeRobotEmptyAndCorrupt(t *testing.T) {
	c, err := FromUptimeRobot([]byte("Friendly Name,URL,Type\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, _ := load(t, c); len(cfg.Monitors) != 0 {
		t.Errorf("a header alone gave %d monitors", len(cfg.Monitors))
	}
	for data, want := range map[string]string{
		"Friendly Name,URL\n\"unclosed,https://x\n": "not valid CSV: line",
		"Foo,Bar\n1,2\n": "has no name column",
	} {
		if _, err := FromUptimeRobot([]byte(data)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", data, err, want)
		}
	}
}
