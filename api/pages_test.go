package api

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/statuspage"
)

// pageLive adapts an engine to statuspage.Live.
type pageLive struct{ e *engine.Engine }

func (l pageLive) Snapshot() []monitor.State    { return l.e.Snapshot() }
func (l pageLive) Subscribe() statuspage.Events { return pageEvents{l.e.Subscribe()} }

type pageEvents struct{ *source.Subscription }

func (p pageEvents) Drain() bool { p.Subscription.Drain(); return true }

// TestStatusPageAccess: off loopback, a public page and its badges are
// anyone's and show no URL, address, error or secret, while a page that
// is not public needs a token (the read-only one will do, as bearer or as
// basic auth's password), and the API's own rules do not change.
func TestStatusPageAccess(t *testing.T) {
	chk := newSwitch()
	chk.set("api", monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502",
		Error: "502 from 10.9.8.7:8443, dial tcp 10.9.8.7:8443: connection refused", Detail: "upstream said no"})
	e := runEngine(t, config("", testMonitor("shop", "https://admin:hunter2-SECRET@shop.internal.example:8443/health?token=tok-SECRET"),
		testMonitor("api", "https://10.9.8.7:8443/health")), chk, engine.Options{})
	e.CheckNow("api")
	e.CheckNow("shop")
	w := watch(e)
	w.wait(t, isResult("api"))
	w.Close()
	pages := statuspage.NewServer([]*statuspage.Config{{Path: "/status", Public: true}, {Path: "/team"}}, statuspage.Options{Live: pageLive{e}})
	pages.Start()
	defer pages.Close()
	s := New(backend(e), Options{Listen: "0.0.0.0:0", Token: "admin-tok", ReadOnlyToken: "read-tok", Pages: pages})
	ts := httptest.NewServer(s.Handler()) // as a remote client sees it
	defer ts.Close()

	host := "status.example.com" // not an allowed host: public pages do not care
	get := func(path string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Host = host
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	public := []string{"/status", "/status.json", "/status.txt", "/status.txt?color=1&debug=1",
		"/status/badge/shop/status.svg", "/status/badge/api/uptime-30d.svg", "/status/badge/api/response.svg?label=x"}
	for _, p := range public {
		for _, hdr := range [][]string{nil, {"Accept", "application/json"}, {"Authorization", "Bearer admin-tok"}, {"User-Agent", "curl/8"}} {
			resp, body := get(p, hdr...)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %v: %s", p, hdr, resp.Status)
			}
			for _, f := range []string{"SECRET", "hunter2", "admin", "shop.internal", "8443", "10.9.8.7", "connection refused",
				"dial tcp", "upstream", "http_502", "Bad Gateway", "https://"} {
				if strings.Contains(body, f) {
					t.Errorf("%s %v shows %q", p, hdr, f)
				}
			}
		}
	}
	if _, body := get("/status.txt"); !strings.Contains(body, "✕ down") || !strings.Contains(body, "shop") {
		t.Errorf("the public page does not show its monitors:\n%s", body)
	}

	// Other pages: the API's rules. A Host it does not know is refused
	// without a token, as for the API (against DNS rebinding) ...
	if resp, _ := get("/team"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("/team from an unknown host without a token: %s", resp.Status)
	}
	host = "127.0.0.1" // ... and from one it knows, a token is asked for.
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	for _, c := range []struct {
		path, auth string
		want       int
	}{
		{"/team", "", http.StatusUnauthorized},
		{"/team.json", "", http.StatusUnauthorized},
		{"/team/badge/shop/status.svg", "", http.StatusUnauthorized},
		{"/team/events", "", http.StatusUnauthorized},
		{"/team", "Bearer wrong", http.StatusUnauthorized},
		{"/team", basic("x", "wrong"), http.StatusUnauthorized},
		{"/team", "Bearer read-tok", http.StatusOK},
		{"/team.txt", basic("", "read-tok"), http.StatusOK},
		{"/team/badge/shop/status.svg", basic("anyone", "admin-tok"), http.StatusOK},
		{"/api/v1/monitors", "", http.StatusUnauthorized},
		{"/api/v1/monitors", basic("", "read-tok"), http.StatusUnauthorized}, // the API itself takes bearer tokens only
		{"/api/v1/monitors", "Bearer read-tok", http.StatusOK},
	} {
		resp, body := get(c.path, "Authorization", c.auth)
		if resp.StatusCode != c.want {
			t.Errorf("%s with %q: %s, want %d", c.path, c.auth, resp.Status, c.want)
		}
		if c.want == http.StatusUnauthorized && strings.HasPrefix(c.path, "/team") &&
			!strings.Contains(strings.Join(resp.Header.Values("WWW-Authenticate"), " "), "Basic") {
			t.Errorf("%s: no basic challenge for a browser: %v", c.path, resp.Header)
		}
		if c.want == http.StatusOK && c.path == "/team.txt" && !strings.Contains(body, "shop.internal.example") {
			t.Errorf("the team's page does not show the URL:\n%s", body)
		}
		if strings.Contains(body, "SECRET") || strings.Contains(body, "hunter2") {
			t.Errorf("%s shows a secret", c.path)
		}
	}
	// The page paths take GET only, whoever asks.
	req, _ := http.NewRequest("POST", ts.URL+"/status", nil)
	req.Header.Set("Authorization", "Bearer admin-tok")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to a page: %s", resp.Status)
	}
}
