package api

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"early.upbeat.invalid/paths"
	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

func TestSocketRoundTrip(t *testing.T) {
	chk := newSwitch()
	chk.set("shop", monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502", Error: "bad gateway",
		Latency: 40 * time.Millisecond, Phases: monitor.Phases{DNS: time.Millisecond, FirstByte: 30 * time.Millisecond}})
	odd := "odd/name with space"
	e := runEngine(t, config("eu-west", testMonitor("shop", "https://user:secret@shop.example/health", "prod", "web"),
		testMonitor(odd, "tcp://db.example:5432"), testMonitor("beat", "push://s3cret-token")), chk, engine.Options{})
	sock := socketPath(t)
	startServer(t, New(backend(e), Options{Socket: sock, Version: "test"}))

	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode %v, want a socket with 0660", fi.Mode())
	}
	c := unixClient(t, sock)
	base := "http://localhost/api/v1/monitors"

	var list []wire.Monitor
	if code := do(t, c, "GET", base, "", &list); code != 200 {
		t.Fatalf("list: %d", code)
	}
	if len(list) != 3 || list[0].Monitor != "shop" || list[0].Status != monitor.StatusPending || list[0].Location != "eu-west" {
		t.Fatalf("list = %+v", list)
	}
	if strings.Contains(list[0].URL, "secret") || list[2].URL != "push://…" {
		t.Errorf("secrets not redacted: %q, %q", list[0].URL, list[2].URL)
	}
	if list[0].Config == nil || list[0].Config.IntervalMS != 3600000 || strings.Join(list[0].Tags, ",") != "prod,web" {
		t.Errorf("config/tags = %+v %v", list[0].Config, list[0].Tags)
	}

	sub := watch(e)
	defer sub.Close()
	if code := do(t, c, "POST", base+"/shop/check", "", nil); code != 200 {
		t.Fatalf("check: %d", code)
	}
	sub.wait(t, isResult("shop"))
	var m wire.Monitor
	if code := do(t, c, "GET", base+"/shop", "", &m); code != 200 {
		t.Fatalf("get: %d", code)
	}
	if m.Status != monitor.StatusDown || m.Code != 502 || m.Class != "http_502" || m.LatencyMS != 40 || m.Attempts != 1 ||
		m.Last == nil || m.Last.Phases == nil || m.Last.Phases.FirstByte != 30 || m.LastCheck.IsZero() {
		t.Errorf("after check: %+v last=%+v", m, m.Last)
	}

	// names that need escaping reach the right monitor
	esc := base + "/" + url.PathEscape(odd)
	if code := do(t, c, "GET", esc, "", &m); code != 200 || m.Monitor != odd {
		t.Errorf("escaped name: %d %q", code, m.Monitor)
	}
	if code := do(t, c, "POST", esc+"/pause", "", nil); code != 200 {
		t.Fatalf("pause: %d", code)
	}
	if st, _ := e.State(odd); !st.Paused || st.Status != monitor.StatusPaused {
		t.Errorf("after pause: %v paused=%v", st.Status, st.Paused)
	}
	if code := do(t, c, "POST", esc+"/resume", "", nil); code != 200 {
		t.Fatalf("resume: %d", code)
	}
	if st, _ := e.State(odd); st.Paused {
		t.Error("still paused after resume")
	}
	if code := do(t, c, "POST", base+"/shop/ack", "", nil); code != 200 {
		t.Fatalf("ack: %d", code)
	}
	if st, _ := e.State("shop"); !st.Acked {
		t.Error("not acked")
	}
	if code := do(t, c, "POST", base+"/shop/maintenance", "", nil); code != 400 {
		t.Errorf("maintenance without for: %d, want 400", code)
	}
	if code := do(t, c, "POST", base+"/shop/maintenance?for=30m", "", nil); code != 200 {
		t.Fatalf("maintenance: %d", code)
	}
	sub.wait(t, func(ev source.Event) bool {
		return ev.Kind == monitor.EventChange && ev.To == monitor.StatusMaintenance
	})
	if code := do(t, c, "POST", base+"/nope/check", "", nil); code != 404 {
		t.Errorf("unknown monitor: %d, want 404", code)
	}
	if code := do(t, c, "GET", base+"/nope", "", nil); code != 404 {
		t.Errorf("unknown monitor: %d, want 404", code)
	}
	if code := do(t, c, "DELETE", base+"/shop", "", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d, want 405", code)
	}
	var h wire.Health
	if code := do(t, c, "GET", "http://localhost/healthz", "", &h); code != 200 || h.Service != "upbeat" || h.Monitors != 3 {
		t.Errorf("healthz: %d %+v", code, h)
	}
	var withRecent []wire.Monitor
	do(t, c, "GET", base+"?recent=10", "", &withRecent)
	if len(withRecent[0].Recent) == 0 || withRecent[0].Recent[0].Code != 502 {
		t.Errorf("recent = %+v", withRecent[0].Recent)
	}
}

func TestSocketStaleAndBusy(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{})
	sock := socketPath(t)

	// a stale socket file from a daemon that died
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	s1 := startServer(t, New(backend(e), Options{Socket: sock}))

	// a second daemon on the same socket is refused, and leaves the first alone
	err = New(backend(e), Options{Socket: sock}).Start()
	if !errors.Is(err, ErrDaemonRunning) {
		t.Fatalf("second daemon: %v, want ErrDaemonRunning", err)
	}
	if code := do(t, unixClient(t, sock), "GET", "http://localhost/healthz", "", nil); code != 200 {
		t.Errorf("first daemon after refusal: %d", code)
	}
	s1.Close()
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left behind after Close: %v", err)
	}

	// a directory others may write to is refused
	open := filepath.Join(t.TempDir(), "shared")
	os.Mkdir(open, 0o777)
	os.Chmod(open, 0o777)
	if err := New(backend(e), Options{Socket: filepath.Join(open, "upbeat.sock")}).Start(); !errors.Is(err, ErrUnsafeDir) {
		t.Errorf("world-writable socket dir: %v, want ErrUnsafeDir", err)
	}

	// a file that is not a socket is never removed
	os.WriteFile(sock, []byte("mine"), 0o600)
	if err := New(backend(e), Options{Socket: sock}).Start(); !errors.Is(err, ErrNotSocket) {
		t.Errorf("regular file: %v, want ErrNotSocket", err)
	}
}

func TestTokenRequiredOffLoopback(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{})
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		err := New(backend(e), Options{Listen: addr}).Start()
		if !errors.Is(err, ErrTokenRequired) {
			t.Errorf("listen %s without token: %v, want ErrTokenRequired", addr, err)
		}
	}

	// A remote listener is simulated by serving the handler on loopback
	// without the loopback mark on the connection: the same code path as
	// a real non-loopback address, without leaving 127.0.0.1.
	s := New(backend(e), Options{Token: "admin-tok", ReadOnlyToken: "view-tok"})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	c := ts.Client()
	list, check := ts.URL+"/api/v1/monitors", ts.URL+"/api/v1/monitors/a/check"
	for _, tc := range []struct {
		method, url, token string
		want               int
	}{
		{"GET", list, "", 401},
		{"GET", ts.URL + "/metrics", "", 401},
		{"GET", list, "wrong", 401},
		{"GET", list, "view-tok", 200},
		{"GET", ts.URL + "/metrics", "view-tok", 200},
		{"POST", check, "view-tok", 403},
		{"POST", check, "", 401},
		{"POST", check, "admin-tok", 200},
		{"GET", ts.URL + "/healthz", "", 200},
		{"GET", ts.URL + "/push/unknown", "", 404},
	} {
		if got := do(t, c, tc.method, tc.url, tc.token, nil); got != tc.want {
			t.Errorf("%s %s token=%q: %d, want %d", tc.method, strings.TrimPrefix(tc.url, ts.URL), tc.token, got, tc.want)
		}
	}
}

func TestLoopbackActionsNeedConfiguredToken(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{})
	s := startServer(t, New(backend(e), Options{Listen: "127.0.0.1:0", Token: "admin-tok", ReadOnlyToken: "view-tok"}))
	base := "http://" + s.TCPAddr()
	c := &http.Client{Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	for _, tc := range []struct {
		method, path, token string
		want                int
	}{
		{"GET", "/api/v1/monitors", "", 200},
		{"POST", "/api/v1/monitors/a/check", "", 401},
		{"POST", "/api/v1/monitors/a/check", "view-tok", 403},
		{"POST", "/api/v1/monitors/a/check", "admin-tok", 200},
	} {
		if got := do(t, c, tc.method, base+tc.path, tc.token, nil); got != tc.want {
			t.Errorf("%s %s token=%q: %d, want %d", tc.method, tc.path, tc.token, got, tc.want)
		}
	}
}

func TestHostAllowList(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/"), testMonitor("p", "push://tok")), newSwitch(), engine.Options{})
	s := startServer(t, New(backend(e), Options{Listen: "127.0.0.1:0", AllowedHosts: []string{"dash.example:9477"}}))
	_, port, _ := net.SplitHostPort(s.TCPAddr())
	c := &http.Client{Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	get := func(host, path string, hdr map[string]string, method string) int {
		req, _ := http.NewRequest(method, "http://"+s.TCPAddr()+path, nil)
		req.Host = host
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		host, path string
		want       int
	}{
		{"evil.example", "/api/v1/monitors", 403},
		{"evil.example:" + port, "/metrics", 403},
		{"localhost:" + port, "/api/v1/monitors", 200},
		{"127.0.0.1:" + port, "/api/v1/monitors", 200},
		{"[::1]:" + port, "/api/v1/monitors", 200},
		{"dash.example", "/api/v1/monitors", 200},
		{"evil.example", "/push/tok", 200}, // push tokens are secrets: nothing to rebind to
		{"evil.example", "/healthz", 200},
	} {
		if got := get(tc.host, tc.path, nil, "GET"); got != tc.want {
			t.Errorf("Host %s %s: %d, want %d", tc.host, tc.path, got, tc.want)
		}
	}
	// a browser's cross-site POST is refused even from an allowed host
	if got := get("localhost", "/api/v1/monitors/a/pause", map[string]string{"Sec-Fetch-Site": "cross-site"}, "POST"); got != 403 {
		t.Errorf("cross-site POST: %d, want 403", got)
	}
	if got := get("localhost", "/api/v1/monitors/a/check", nil, "POST"); got != 200 {
		t.Errorf("plain POST: %d, want 200", got)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel() // net/http waits 500 ms (rstAvoidanceDelay) before it closes a connection with a body it did not read
	e := runEngine(t, config("x", testMonitor("p", "push://tok")), newSwitch(), engine.Options{})
	sock := socketPath(t)
	startServer(t, New(backend(e), Options{Socket: sock, MaxBody: 1024}))
	c := unixClient(t, sock)
	resp, err := c.Post("http://localhost/push/tok", "application/x-www-form-urlencoded",
		strings.NewReader("msg="+strings.Repeat("x", 4096)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d, want 413", resp.StatusCode)
	}
	resp, err = c.Post("http://localhost/push/tok", "application/x-www-form-urlencoded", strings.NewReader("status=down&msg=disk+full"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st, _ := e.State("p"); resp.StatusCode != 200 || st.Status != monitor.StatusDown || st.Last.Error != "disk full" {
		t.Errorf("form push: %d %v %q", resp.StatusCode, st.Status, st.Last.Error)
	}
}

// fakeQuerier answers history questions from a fixed list.
type fakeQuerier struct{ rs []monitor.Result }

func (q fakeQuerier) Results(m string, from, to time.Time) ([]monitor.Result, error) {
	var out []monitor.Result
	for _, r := range q.rs {
		if r.Monitor == m && !r.Time.Before(from) && r.Time.Before(to) {
			out = append(out, r)
		}
	}
	return out, nil
}
func (q fakeQuerier) Incidents(m string, from, to time.Time) ([]monitor.Incident, error) {
	return []monitor.Incident{{Monitor: m, Start: from.Add(time.Hour), End: from.Add(2 * time.Hour), Codes: []int{502}}}, nil
}
func (q fakeQuerier) ErrorsByHour(m string, from, to time.Time) ([24]int, error) {
	return [24]int{3: 7}, nil
}

func TestHistory(t *testing.T) {
	now := time.Now()
	q := fakeQuerier{rs: []monitor.Result{
		{Monitor: "a", Time: now.Add(-48 * time.Hour), Status: monitor.StatusUp, Code: 200},
		{Monitor: "a", Time: now.Add(-time.Hour), Status: monitor.StatusDown, Code: 503, Latency: 1500 * time.Millisecond, RetryAfter: 2 * time.Minute},
	}}
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{Querier: q})
	sock := socketPath(t)
	startServer(t, New(backend(e), Options{Socket: sock}))
	c := unixClient(t, sock)
	base := "http://localhost/api/v1/monitors/a/"
	var rs []wire.Result
	if code := do(t, c, "GET", base+"history?since=24h", "", &rs); code != 200 || len(rs) != 1 ||
		rs[0].Code != 503 || rs[0].LatencyMS != 1500 || rs[0].RetryAfterMS != 120000 {
		t.Errorf("history 24h: %d %+v", code, rs)
	}
	if code := do(t, c, "GET", base+"history?since=3d", "", &rs); code != 200 || len(rs) != 2 {
		t.Errorf("history 3d: %d %d results", code, len(rs))
	}
	if code := do(t, c, "GET", base+"history?since=3d&limit=1", "", &rs); code != 200 || len(rs) != 1 || rs[0].Code != 503 {
		t.Errorf("history limit: %d %+v", code, rs)
	}
	var inc []wire.Incident
	if code := do(t, c, "GET", base+"incidents?since=7d", "", &inc); code != 200 || len(inc) != 1 || inc[0].Codes[0] != 502 {
		t.Errorf("incidents: %d %+v", code, inc)
	}
	var hours [24]int
	if code := do(t, c, "GET", base+"errors_by_hour?since=30d", "", &hours); code != 200 || hours[3] != 7 {
		t.Errorf("errors_by_hour: %d %v", code, hours)
	}
	if code := do(t, c, "GET", base+"history?since=yesterday", "", nil); code != 400 {
		t.Errorf("bad since: %d, want 400", code)
	}
	if code := do(t, c, "GET", "http://localhost/api/v1/monitors/nope/history", "", nil); code != 404 {
		t.Errorf("unknown monitor: %d, want 404", code)
	}

	e2 := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{})
	sock2 := socketPath(t)
	startServer(t, New(backend(e2), Options{Socket: sock2}))
	if code := do(t, unixClient(t, sock2), "GET", base+"history", "", nil); code != http.StatusNotImplemented {
		t.Errorf("no history: %d, want 501", code)
	}
}

// A socket path as long as a unix socket's may be is listened on (its
// temporary name, longer, is not used then), and one a byte longer is
// refused with what to do, not the kernel's "invalid argument".
func TestSocketPathAtTheLimit(t *testing.T) {
	dir := t.TempDir()
	const base = "upbeat.sock"
	room := paths.MaxSocket - len(dir) - len("/") - len(base) - len("/")
	if room < 1 {
		t.Skipf("the temporary directory %s is too long to build the path in", dir)
	}
	long := filepath.Join(dir, strings.Repeat("d", room))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	atLimit := filepath.Join(long, base)
	if len(atLimit) != paths.MaxSocket {
		t.Fatalf("built a path of %d bytes, want %d", len(atLimit), paths.MaxSocket)
	}
	l, err := listenSocket(atLimit)
	if err != nil {
		t.Fatalf("a socket path of %d bytes: %v", len(atLimit), err)
	}
	l.Close()
	os.Remove(atLimit)
	_, err = listenSocket(atLimit + "x")
	if err == nil || !strings.Contains(err.Error(), "set [api] socket to a shorter path") {
		t.Errorf("a socket path a byte too long: %v", err)
	}
	if entries, _ := os.ReadDir(long); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
