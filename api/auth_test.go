package api

import (
	"bufio"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
)

// On the socket the file mode is the access control: a token exported
// for another daemon (or one this daemon does not know) is ignored.
func TestSocketIgnoresPresentedToken(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{})
	for _, opts := range []Options{
		{Socket: socketPath(t)}, // no tokens configured at all
		{Socket: socketPath(t), Listen: "127.0.0.1:0", Token: "admin-tok", ReadOnlyToken: "view-tok"},
	} {
		s := startServer(t, New(backend(e), opts))
		c := unixClient(t, opts.Socket)
		for _, tc := range []struct {
			method, path, token string
		}{
			{"GET", "/api/v1/monitors", "remote-daemon-tok"},
			{"GET", "/metrics", "remote-daemon-tok"},
			{"POST", "/api/v1/monitors/a/check", "remote-daemon-tok"},
			{"POST", "/api/v1/monitors/a/check", "view-tok"}, // the socket's role, not the token's
		} {
			if got := do(t, c, tc.method, "http://localhost"+tc.path, tc.token, nil); got != 200 {
				t.Errorf("socket (tokens %q/%q) %s %s token=%q: %d, want 200",
					opts.Token, opts.ReadOnlyToken, tc.method, tc.path, tc.token, got)
			}
		}
		// a malformed Authorization header is no reason to refuse either
		req, _ := http.NewRequest("GET", "http://localhost/api/v1/monitors", nil)
		req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("socket with Basic auth: %d, want 200", resp.StatusCode)
		}

		if opts.Listen == "" {
			continue
		}
		// TCP still refuses a wrong token, even on loopback.
		tcp := &http.Client{Timeout: 10 * time.Second}
		defer tcp.CloseIdleConnections()
		base := "http://" + s.TCPAddr()
		if got := do(t, tcp, "GET", base+"/api/v1/monitors", "remote-daemon-tok", nil); got != 401 {
			t.Errorf("loopback TCP with a wrong token: %d, want 401", got)
		}
	}
}

// On loopback with no token configured, reads and actions are open; a
// presented token changes nothing (it is not a 401), and it does not lift
// the Host allow-list either.
func TestLoopbackWithoutTokensIgnoresPresentedToken(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{})
	s := startServer(t, New(backend(e), Options{Listen: "127.0.0.1:0"}))
	c := &http.Client{Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	base := "http://" + s.TCPAddr()
	for _, tc := range []struct {
		method, path, token string
		want                int
	}{
		{"GET", "/api/v1/monitors", "some-tok", 200},
		{"GET", "/metrics", "some-tok", 200},
		{"POST", "/api/v1/monitors/a/check", "some-tok", 200},
	} {
		if got := do(t, c, tc.method, base+tc.path, tc.token, nil); got != tc.want {
			t.Errorf("%s %s token=%q: %d, want %d", tc.method, tc.path, tc.token, got, tc.want)
		}
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/monitors", nil)
	req.Host = "evil.example"
	req.Header.Set("Authorization", "Bearer some-tok")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("ignored token with a foreign Host: %d, want 403", resp.StatusCode)
	}
}

// SetTokens rotates the tokens at once; a stream admitted with the old
// token ends.
func TestSetTokensRotates(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{})
	s := New(backend(e), Options{Token: "old-admin", ReadOnlyToken: "old-view"})
	ts := httptest.NewServer(s.Handler()) // treated as a remote listener
	defer ts.Close()
	c := ts.Client()
	list, check := ts.URL+"/api/v1/monitors", ts.URL+"/api/v1/monitors/a/check"

	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer old-view")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("events with the old token: %d", resp.StatusCode)
	}
	sse := &sseReader{resp: resp, r: bufio.NewReader(resp.Body)}
	sse.nextNamed(t, "hello")

	if err := s.SetTokens("new-admin", "new-view"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, url, token string
		want               int
	}{
		{"GET", list, "old-view", 401},
		{"POST", check, "old-admin", 401},
		{"GET", list, "new-view", 200},
		{"POST", check, "new-view", 403},
		{"POST", check, "new-admin", 200},
	} {
		if got := do(t, c, tc.method, tc.url, tc.token, nil); got != tc.want {
			t.Errorf("after rotation %s %s token=%q: %d, want %d", tc.method, strings.TrimPrefix(tc.url, ts.URL), tc.token, got, tc.want)
		}
	}
	// the stream opened with the old token is ended by the server
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		for {
			if _, err := sse.next(); err != nil {
				return
			}
		}
	}()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		resp.Body.Close()
		<-ended
		t.Error("the stream admitted with a rotated-out token goes on")
	}
}

// A stream whose token is still in force after a change goes on.
func TestSetTokensKeepsValidStream(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{})
	s := startServer(t, New(backend(e), Options{Listen: "127.0.0.1:0", Token: "admin", ReadOnlyToken: "view"}))
	c := &http.Client{Timeout: 10 * time.Second} // bounds the whole stream: a stuck test fails
	defer c.CloseIdleConnections()
	req, _ := http.NewRequest("GET", "http://"+s.TCPAddr()+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer view")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sse := &sseReader{resp: resp, r: bufio.NewReader(resp.Body)}
	sse.nextNamed(t, "hello")
	if err := s.SetTokens("admin-2", "view"); err != nil {
		t.Fatal(err)
	}
	// the stream still delivers: a warning raised after the change reaches it
	e.Warn("test", "still streaming")
	for {
		ev := sse.nextNamed(t, "warning")
		if strings.Contains(ev.data, "still streaming") {
			break
		}
	}
}

// With no token left on a non-loopback listener, SetTokens says so and
// the listener refuses everything (it fails closed).
func TestSetTokensNoneOffLoopback(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{})
	s := New(backend(e), Options{Token: "admin"})
	s.remote = true // as Start sets it for a non-loopback Listen address
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	if err := s.SetTokens("", ""); !errors.Is(err, ErrTokenRequired) {
		t.Errorf("SetTokens with none off loopback: %v, want ErrTokenRequired", err)
	}
	for _, tok := range []string{"", "admin"} {
		if got := do(t, ts.Client(), "GET", ts.URL+"/api/v1/monitors", tok, nil); got != 401 {
			t.Errorf("token=%q after removing every token: %d, want 401", tok, got)
		}
	}
}
