package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine/alert"
)

// Helpers for tests that run several daemons at once (HA pairs, shards,
// locations): each is the real `upbeat daemon` command, in-process, with
// its own history and socket.

// daemon is an `upbeat daemon` a test started.
type daemon struct {
	name   string
	dir    string
	socket string
	cancel context.CancelFunc
	exited chan int
	log    *syncBuffer
}

// syncBuffer is a buffer safe for a daemon's log writer and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fastAlerts takes out what keeps real incidents calm (the burst window,
// the resolve hold, flapping), so that tests may open and resolve
// incidents one after another without waiting.
func fastAlerts(o *alert.Options) { o.BurstWindow = -1; o.ResolveHold = -1; o.FlapChanges = 1 << 20 }

// startDaemon writes body (the config without [settings] history_dir and
// [api] socket, which it adds in a directory of its own) and runs
// `upbeat daemon` on it until the test ends or stop is called. settings
// is the body of [settings]; api the body of [api].
func startDaemon(t testing.TB, name, settings, api, body string, tune func(*alert.Options)) *daemon {
	t.Helper()
	dir := t.TempDir()
	d := &daemon{name: name, dir: dir, socket: filepath.Join(dir, "upbeat.sock"), exited: make(chan int, 1), log: &syncBuffer{}}
	cfg := fmt.Sprintf("[settings]\nhistory_dir = %q\n%s\n\n[api]\nsocket = %q\n%s\n\n%s",
		filepath.Join(dir, "history"), settings, d.socket, api, body)
	path := writeConfigIn(t, dir, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	pr, pw := io.Pipe()
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: pw, getenv: func(string) string { return "" },
		tuneAlerts: tune}
	started := make(chan struct{})
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			d.log.Write([]byte(sc.Text() + "\n"))
			if strings.Contains(sc.Text(), "upbeat started") {
				once.Do(func() { close(started) })
			}
		}
	}()
	go func() { code := run(ctx, e, []string{"daemon", "--config", path}); pw.Close(); d.exited <- code }()
	t.Cleanup(d.stop)
	select {
	case <-started:
	case code := <-d.exited:
		d.exited <- code
		t.Fatalf("daemon %s exited with %d before starting:\n%s", name, code, d.log.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("daemon %s did not start:\n%s", name, d.log.String())
	}
	return d
}

// stop ends the daemon (as SIGTERM would) and waits for it.
func (d *daemon) stop() {
	d.cancel()
	code := <-d.exited
	d.exited <- code
}

// checkNow asks the daemon, through its socket, to check the monitor at
// once rather than at its next interval.
func (d *daemon) checkNow(t testing.TB, monitor string) {
	t.Helper()
	checkNowOn(t, d.socket, monitor)
}

// checkNowOn asks the daemon whose API is on socket to check the monitor
// at once.
func checkNowOn(t testing.TB, socket, monitor string) {
	t.Helper()
	resp, err := socketClient(socket).Post("http://upbeat/api/v1/monitors/"+monitor+"/check", "", nil)
	if err != nil {
		t.Fatalf("%s: check %s now: %v", socket, monitor, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s: check %s now: %s", socket, monitor, resp.Status)
	}
}

// socketClient returns an HTTP client that reaches a daemon's API on its
// unix socket.
func socketClient(socket string) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "unix", socket)
	}}}
}

// status is the monitor's status at the daemon ("pending" before its
// first check), read from its API.
func (d *daemon) status(t testing.TB, monitor string) string {
	t.Helper()
	resp, err := d.client().Get("http://upbeat/api/v1/monitors/" + monitor)
	if err != nil {
		t.Fatalf("%s: status of %s: %v", d.name, monitor, err)
	}
	defer resp.Body.Close()
	var m wire.Monitor
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("%s: status of %s: %s: %v", d.name, monitor, resp.Status, err)
	}
	return m.Status.String()
}

// writeConfigIn writes a config file into dir.
func writeConfigIn(t testing.TB, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "upbeat.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// switchable is a target whose answer the test switches between up (200)
// and down (502); it counts the requests it gets.
type switchable struct {
	*httptest.Server
	down atomic.Bool
	hits atomic.Int64
}

func newSwitchable(t *testing.T) *switchable {
	s := &switchable{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if s.down.Load() {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	t.Cleanup(s.Close)
	return s
}
