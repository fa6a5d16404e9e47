package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/internal/testmain"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/source/local"
)

func TestMain(m *testing.M) {
	testmain.SkipRaceExitSleep()
	goleak.VerifyTestMain(m, goleak.Cleanup(testmain.Exit))
}

// switchChecker answers what it is set to answer, per monitor.
type switchChecker struct {
	mu  sync.Mutex
	res map[string]monitor.Result
}

func newSwitch() *switchChecker { return &switchChecker{res: map[string]monitor.Result{}} }

func (c *switchChecker) set(name string, r monitor.Result) {
	c.mu.Lock()
	c.res[name] = r
	c.mu.Unlock()
}

func (c *switchChecker) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.res[m.Name]; ok {
		return r
	}
	return monitor.Result{Status: monitor.StatusUp, Code: 200, Latency: 12 * time.Millisecond}
}

func testMonitor(name, rawURL string, tags ...string) *monitor.Monitor {
	u, _ := url.Parse(rawURL)
	k, _ := monitor.KindOf(u.Scheme)
	return &monitor.Monitor{Name: name, URL: rawURL, Parsed: u, Kind: k, Interval: time.Hour,
		Timeout: time.Second, RetryInterval: time.Millisecond, Tags: tags, Grace: time.Minute}
}

func config(loc string, ms ...*monitor.Monitor) *engine.Config {
	return &engine.Config{Path: "upbeat.toml", Settings: engine.Settings{Location: loc, Concurrency: 8}, Monitors: ms}
}

// runEngine makes and runs an engine until the test ends.
func runEngine(t *testing.T, cfg *engine.Config, chk engine.Checker, opts engine.Options) *engine.Engine {
	t.Helper()
	if opts.Checkers == nil {
		opts.Checkers = map[monitor.Kind]engine.Checker{}
		for _, k := range []monitor.Kind{monitor.KindHTTP, monitor.KindTCP, monitor.KindTLS, monitor.KindDNS, monitor.KindICMP, monitor.KindDomain} {
			opts.Checkers[k] = chk
		}
	}
	e, err := engine.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return e
}

// backend serves e as the daemon does.
func backend(e *engine.Engine) Backend { return local.New(e, local.Options{}) }

// startServer starts s and closes it when the test ends.
func startServer(t *testing.T, s *Server) *Server {
	t.Helper()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func socketPath(t *testing.T) string { return filepath.Join(t.TempDir(), "upbeat.sock") }

// unixClient talks HTTP over a unix socket.
func unixClient(t *testing.T, path string) *http.Client {
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// do sends a request and decodes a JSON answer into out (if not nil).
func do(t *testing.T, c *http.Client, method, u, token string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, u, err)
		}
	} else {
		io.Copy(io.Discard, resp.Body)
	}
	return resp.StatusCode
}

// watcher collects an engine's events for a test to wait on.
type watcher struct {
	sub *source.Subscription
	buf []source.Event
}

func watch(e *engine.Engine) *watcher { return &watcher{sub: e.Subscribe()} }

func (w *watcher) Close() { w.sub.Close() }

// wait returns the next event matching ok (10s at most), keeping the
// events after it for the next wait.
func (w *watcher) wait(t *testing.T, ok func(source.Event) bool) source.Event {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		for i, ev := range w.buf {
			if ok(ev) {
				w.buf = w.buf[i+1:]
				return ev
			}
		}
		w.buf = w.buf[:0]
		select {
		case <-w.sub.Ready():
			evs, _ := w.sub.Drain()
			w.buf = append(w.buf, evs...)
		case <-deadline.C:
			t.Fatal("timed out waiting for an event")
		}
	}
}

func isResult(name string) func(source.Event) bool {
	return func(ev source.Event) bool { return ev.Kind == monitor.EventResult && ev.Monitor == name }
}

// sseEvent is one server-sent event as read by sseReader.
type sseEvent struct {
	id, name string
	data     string
}

// sseReader reads server-sent events from a response body.
type sseReader struct {
	resp *http.Response
	r    *bufio.Reader
}

func openSSE(t *testing.T, c *http.Client, u, lastID string) *sseReader {
	t.Helper()
	// an event that never comes fails the test rather than hanging it
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	cl := *c
	cl.Timeout = 0
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("events: status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events: content type %q", ct)
	}
	s := &sseReader{resp: resp, r: bufio.NewReader(resp.Body)}
	t.Cleanup(s.close)
	return s
}

func (s *sseReader) close() { s.resp.Body.Close() }

// next returns the next event, skipping comments (heartbeats).
func (s *sseReader) next() (sseEvent, error) {
	var ev sseEvent
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return ev, err
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if ev.name != "" || ev.data != "" {
				return ev, nil
			}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "id: "):
			ev.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.name = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.data += line[6:]
		}
	}
}

// nextNamed returns the next event called name, failing on an error.
func (s *sseReader) nextNamed(t *testing.T, name string) sseEvent {
	t.Helper()
	for {
		ev, err := s.next()
		if err != nil {
			t.Fatalf("waiting for %s: %v", name, err)
		}
		if ev.name == name {
			return ev
		}
	}
}

func decode[T any](t *testing.T, data string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		t.Fatalf("decode %q: %v", data, err)
	}
	return v
}
