package statuspage

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestNegotiation(t *testing.T) {
	live := &fakeLive{states: secretMonitors()}
	_, ts := newTestServer(t, live, &Config{Path: "/status", Title: "Shop", Public: true})
	for _, c := range []struct {
		path string
		hdr  []string
		want string
	}{
		{"/status", []string{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent", "Mozilla/5.0"}, "text/html; charset=utf-8"},
		{"/status", []string{"User-Agent", "curl/8.5.0", "Accept", "*/*"}, "text/plain; charset=utf-8"},
		{"/status", []string{"User-Agent", "Wget/1.21.4"}, "text/plain; charset=utf-8"},
		{"/status", []string{"Accept", "application/json"}, "application/json"},
		{"/status", []string{"Accept", "text/plain"}, "text/plain; charset=utf-8"},
		{"/status", nil, "text/html; charset=utf-8"},
		{"/status.json", []string{"Accept", "text/html"}, "application/json"},
		{"/status.txt", []string{"Accept", "text/html"}, "text/plain; charset=utf-8"},
	} {
		resp, body := get(t, ts.URL+c.path, c.hdr...)
		if got := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || got != c.want {
			t.Errorf("%s %v: %s %s, want %s", c.path, c.hdr, resp.Status, got, c.want)
		}
		if c.path == "/status" && !strings.Contains(resp.Header.Get("Vary"), "Accept") {
			t.Errorf("%s: Vary %q", c.path, resp.Header.Get("Vary"))
		}
		if strings.HasPrefix(c.want, "text/plain") && strings.Contains(body, "\x1b[") {
			t.Errorf("%s %v: colours without being asked", c.path, c.hdr)
		}
	}
	_, body := get(t, ts.URL+"/status.txt?color=1")
	if !strings.Contains(body, "\x1b[31m✕ down") {
		t.Errorf("?color=1 paints no status:\n%s", body)
	}
	resp, body := get(t, ts.URL+"/status", "Accept", "text/html")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, jsHash) {
		t.Errorf("CSP %q", csp)
	}
	if !strings.Contains(body, "<script>"+pageJS+"</script>") || !strings.Contains(body, "<style>"+pageCSS+"</style>") {
		t.Error("the inline script or style is not served byte for byte as hashed")
	}
	if resp.Header.Get("Cache-Control") != "public, no-cache" || resp.Header.Get("ETag") == "" {
		t.Errorf("Cache-Control %q, ETag %q", resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
	}
	if r, b := get(t, ts.URL+"/status", "Accept", "text/html", "If-None-Match", resp.Header.Get("ETag")); r.StatusCode != http.StatusNotModified || b != "" {
		t.Errorf("the page again with its ETag: %s", r.Status)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/status", nil)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %v %v", r.Status, err)
	}
	for _, p := range []string{"/status/", "/status/badge/nobody/status.svg", "/status/badge/shop/bogus.svg", "/status/badge/shop", "/statusx"} {
		if r, _ := get(t, ts.URL+p); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %s, want 404", p, r.Status)
		}
	}
}

func TestJSON(t *testing.T) {
	live := &fakeLive{states: secretMonitors()}
	_, ts := newTestServer(t, live, &Config{Path: "/status", Title: "Shop", Public: true,
		Groups: []Group{{Name: "Web", Tags: []string{"web"}}, {Name: "Infra", Tags: []string{"infra"}}}})
	_, body := get(t, ts.URL+"/status.json")
	var p wire.StatusPage
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != monitor.StatusDown || p.Summary != "Partial outage" || len(p.Groups) != 2 || len(p.Groups[0].Monitors) != 2 {
		t.Fatalf("page = %+v", p)
	}
	shop := p.Groups[0].Monitors[0]
	if shop.Name != "shop" || shop.Status != monitor.StatusUp || shop.LatencyMS == nil || *shop.LatencyMS != 123 ||
		len(shop.Days) != NumDays || shop.Days[NumDays-1].Date != "2026-03-12" || shop.Uptime.H24 == nil || *shop.Uptime.H24 != 0.9931 ||
		shop.Uptime.D90 == nil || shop.Badges.Uptime["30d"] != "/status/badge/shop/uptime-30d.svg" {
		t.Errorf("shop = %+v", shop)
	}
	if len(p.Incidents) != 2 || p.Incidents[0].Monitor != "checkout-api" && p.Incidents[1].Monitor != "checkout-api" {
		t.Errorf("incidents = %+v", p.Incidents)
	}
}

func TestBadges(t *testing.T) {
	live := &fakeLive{states: secretMonitors()}
	_, ts := newTestServer(t, live, &Config{Path: "/status", Public: true}, &Config{Path: "/team"})
	for _, c := range []struct{ path, label, value, color string }{
		{"/status/badge/shop/status.svg", "shop", "up", colorBrightGreen},
		{"/status/badge/checkout-api/status.svg", "checkout-api", "down", colorRed},
		{"/status/badge/shop/uptime-24h.svg", "uptime 24h", "99.31%", colorGreen},
		{"/status/badge/shop/uptime-30d.svg", "uptime 30d", "100%", colorBrightGreen},
		{"/status/badge/shop/response.svg", "response time", "123ms", colorBrightGreen},
		{"/status/badge/shop/status.svg?label=Our%20shop%20%3Cb%3E", "Our shop <b>", "up", colorBrightGreen},
	} {
		resp, body := get(t, ts.URL+c.path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", c.path, resp.Status)
		}
		var svg struct {
			Label string `xml:"aria-label,attr"`
			Title string `xml:"title"`
			Rects []struct {
				Fill string `xml:"fill,attr"`
			} `xml:"g>rect"`
		}
		if err := xml.Unmarshal([]byte(body), &svg); err != nil {
			t.Fatalf("%s: not XML: %v\n%s", c.path, err, body)
		}
		if want := c.label + ": " + c.value; svg.Label != want || svg.Title != want || len(svg.Rects) < 2 || svg.Rects[1].Fill != c.color {
			t.Errorf("%s: %q %q %+v, want %q in %s", c.path, svg.Label, svg.Title, svg.Rects, want, c.color)
		}
		etag := resp.Header.Get("ETag")
		if etag == "" || resp.Header.Get("Cache-Control") != "public, max-age=60" {
			t.Errorf("%s: not cacheable: %v", c.path, resp.Header)
		}
		if r, b := get(t, ts.URL+c.path, "If-None-Match", etag); r.StatusCode != http.StatusNotModified || b != "" {
			t.Errorf("%s with its ETag: %s", c.path, r.Status)
		}
	}
	if r, _ := get(t, ts.URL+"/team/badge/shop/status.svg"); r.Header.Get("Cache-Control") != "private, max-age=60" {
		t.Errorf("a private page's badge: %q", r.Header.Get("Cache-Control"))
	}
}

// TestLiveUpdate: a viewer of the live stream gets the change of one
// monitor's status, the new banner and the notices, and nothing more.
func TestLiveUpdate(t *testing.T) {
	live := &fakeLive{states: secretMonitors()[:1]}
	s, ts := newTestServer(t, live, &Config{Path: "/status", Public: true})
	resp, err := http.Get(ts.URL + "/status/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	next := func() wire.PageUpdate {
		t.Helper()
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var u wire.PageUpdate
				if err := json.Unmarshal([]byte(data), &u); err != nil {
					t.Fatal(err)
				}
				return u
			}
		}
		t.Fatalf("stream ended: %v", sc.Err())
		return wire.PageUpdate{}
	}
	first := next()
	if len(first.Monitors) != 1 || first.Monitors[0].Status != monitor.StatusUp || first.Overall == nil || first.Notices == nil {
		t.Fatalf("first update = %+v", first)
	}
	// The viewer was counted before its first update was sent: changes
	// from now on reach it.
	live.set("shop", monitor.StatusDown, 0)
	u := next()
	if len(u.Monitors) != 1 || u.Monitors[0] != (wire.PageLive{Key: "shop", Status: monitor.StatusDown, Latency: "–"}) ||
		u.Overall == nil || u.Overall.Text != "Major outage" || u.Notices == nil || !strings.Contains(*u.Notices, "shop</span> is down") {
		t.Fatalf("update = %+v", u)
	}
	s.Close() // ends the stream
	for sc.Scan() {
	}
}

// With no one watching a live page, results do not make the server copy
// the engine's states: that was four copies of every monitor a second.
func TestNoSnapshotWithoutWatchers(t *testing.T) {
	live := &fakeLive{states: secretMonitors()}
	s, _ := newTestServer(t, live, &Config{Path: "/status", Title: "Shop", Public: true})
	s.publish()
	live.mu.Lock()
	n := live.snaps
	live.mu.Unlock()
	if n != 0 {
		t.Errorf("%d snapshots of the engine with no page watched", n)
	}
}
