package config

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// switchChecker answers up with 200, or what it is set to answer.
type switchChecker struct {
	mu  sync.Mutex
	res map[string]monitor.Result
}

func newSwitch() *switchChecker { return &switchChecker{res: map[string]monitor.Result{}} }

func (c *switchChecker) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.res[m.Name]; ok {
		return r
	}
	return monitor.Result{Status: monitor.StatusUp, Code: 200, Latency: 12 * time.Millisecond}
}

func testMonitor(name, rawURL string) *monitor.Monitor {
	u, _ := url.Parse(rawURL)
	k, _ := monitor.KindOf(u.Scheme)
	return &monitor.Monitor{Name: name, URL: rawURL, Parsed: u, Kind: k, Interval: time.Hour,
		Timeout: time.Second, RetryInterval: time.Millisecond, Grace: time.Minute}
}

func testConfig(loc string, ms ...*monitor.Monitor) *Config {
	return &Config{Config: engine.Config{Path: "upbeat.toml", Settings: engine.Settings{Location: loc, Concurrency: 8}, Monitors: ms}}
}

// testEngine is an engine running until the test ends, with the config
// it was made from (what the watcher's Current reports).
type testEngine struct {
	*engine.Engine
	cfg *Config
}

func (e *testEngine) Reload(c *Config) ([]string, error) { return e.Engine.Reload(&c.Config) }
func (e *testEngine) Current() *Config                   { return e.cfg }

func runEngine(t *testing.T, cfg *Config, chk engine.Checker) *testEngine {
	t.Helper()
	checkers := map[monitor.Kind]engine.Checker{}
	for _, k := range []monitor.Kind{monitor.KindHTTP, monitor.KindTCP} {
		checkers[k] = chk
	}
	e, err := engine.New(&cfg.Config, engine.Options{Checkers: checkers})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &testEngine{Engine: e, cfg: cfg}
}

// do sends a request and returns its status code.
func do(t *testing.T, c *http.Client, method, u, token string) int {
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
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// watcher collects an engine's events for a test to wait on.
type watcher struct {
	sub *source.Subscription
	buf []monitor.Event
}

func watch(e *testEngine) *watcher { return &watcher{sub: e.Subscribe()} }

func (w *watcher) Close() { w.sub.Close() }

// wait returns the next event matching ok (10s at most), keeping the
// events after it for the next wait.
func (w *watcher) wait(t *testing.T, ok func(monitor.Event) bool) monitor.Event {
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
			for _, ev := range evs {
				w.buf = append(w.buf, ev.Event)
			}
		case <-deadline.C:
			t.Fatal("timed out waiting for an event")
		}
	}
}
