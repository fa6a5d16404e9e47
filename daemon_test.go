package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/client"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// cancelAfter is a writer that keeps what it is given and cancels once it
// has seen a line containing mark.
type cancelAfter struct {
	mu     sync.Mutex
	buf    strings.Builder
	mark   string
	cancel func()
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.mark) {
		w.cancel()
	}
	return len(p), nil
}

func (w *cancelAfter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestDaemonAndAttach(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer target.Close()
	dir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(dir, "run")) // the default socket lives there
	sock := filepath.Join(dir, "run", "upbeat.sock")
	cfg := writeConfig(t, fmt.Sprintf(`
[settings]
history_dir = %q
retries = 0
location = "test-site"

[[monitor]]
name = "maint-page"
url = %q
interval = "1s"
timeout = "500ms"
`, filepath.Join(dir, "history"), target.URL))

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	pr, pw := io.Pipe()
	daemonEnv := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: pw, getenv: func(string) string { return "" }}
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, daemonEnv, []string{"daemon", "--config", cfg}); pw.Close() }()
	started := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "upbeat started") {
				close(started)
			}
		}
	}()
	select {
	case <-started:
	case code := <-exited:
		t.Fatalf("daemon exited with %d before starting", code)
	case <-time.After(30 * time.Second):
		t.Fatal("daemon did not start")
	}

	// a second daemon on the same history and socket is refused at once
	_, errOut, code := runCmd(t, "daemon", "--config", cfg)
	if code != exitConfig || !strings.Contains(errOut, "already") {
		t.Errorf("second daemon: exit %d, %q", code, errOut)
	}

	// its first check at once, rather than spread over the first interval,
	// and its result waited for on the daemon's event stream
	watch, err := client.Dial(ctx, []string{sock}, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	sub := watch.Subscribe()
	defer sub.Close()
	checkNowOn(t, sock, "maint-page")
	if st := watch.Snapshot(); len(st) != 1 || st[0].Status != monitor.StatusDown {
		waitChange(t, sub, monitor.StatusDown)
	}

	// attach with no terminal: the plain table, once, and it ends by
	// itself (it printed a table every few seconds until killed)
	actx, acancel := context.WithTimeout(ctx, 30*time.Second)
	defer acancel()
	var out, aerr syncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &aerr, getenv: func(string) string { return "" }}
	if code := run(actx, e, []string{"attach", sock}); code != exitOK || actx.Err() != nil {
		t.Fatalf("attach exit %d, %v", code, actx.Err())
	}
	if got := out.String(); !strings.Contains(got, "maint-page") || !strings.Contains(got, "✕ down") || strings.Count(got, "maint-page") != 1 {
		t.Errorf("attach did not show the monitor down, once:\n%s", got)
	}
	if got := aerr.String(); !strings.Contains(got, "printed once") || !strings.Contains(got, "upbeat status --json") {
		t.Errorf("attach did not say what a script reads instead: %q", got)
	}

	// plain `upbeat`, no arguments, in a directory with no config: it finds
	// the daemon on the default socket and shows it rather than the demo
	t.Chdir(t.TempDir())
	pctx, pcancel := context.WithTimeout(ctx, 30*time.Second)
	defer pcancel()
	var plain syncBuffer
	pe := &env{stdin: strings.NewReader(""), stdout: &plain, stderr: io.Discard, getenv: func(string) string { return "" }}
	if code := run(pctx, pe, nil); code != exitOK || pctx.Err() != nil {
		t.Fatalf("plain upbeat exit %d, %v", code, pctx.Err())
	}
	if got := plain.String(); strings.Contains(got, "shop") || !strings.Contains(got, "maint-page") {
		t.Errorf("plain upbeat did not attach to the daemon:\n%s", got)
	}

	stop()
	if code := <-exited; code != exitOK {
		t.Errorf("daemon exit %d after SIGTERM-like cancel", code)
	}
	// the history it wrote is readable afterwards
	hout, herr, code := runCmd(t, "history", "maint-page", "--history-dir", filepath.Join(dir, "history"), "--format", "csv")
	if code != 0 || !strings.Contains(hout, "503") {
		t.Errorf("history after the daemon: %d %q %q", code, hout, herr)
	}
	rout, rerr, code := runCmd(t, "report", "--history-dir", filepath.Join(dir, "history"), "--cost-per-hour", "100")
	if code != 0 || !strings.Contains(rout, "maint-page") {
		t.Errorf("report after the daemon: %d %q %q", code, rout, rerr)
	}
	if _, rerr, code := runCmd(t, "report", "maint-pag", "--history-dir", filepath.Join(dir, "history")); code != exitConfig || !strings.Contains(rerr, `did you mean "maint-page"`) {
		t.Errorf("report of an unknown monitor: %d %q", code, rerr)
	}
	// a config whose alert secret only the daemon's environment has still
	// tells history where to read
	broken := writeConfig(t, fmt.Sprintf("[settings]\nhistory_dir = %q\n[[alert]]\nname = \"h\"\nkind = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\nsecret = \"${UPBEAT_TEST_UNSET_SECRET}\"\n",
		filepath.Join(dir, "history")))
	if hout, herr, code := runCmd(t, "history", "maint-page", "--config", broken); code != 0 || !strings.Contains(hout, "503") {
		t.Errorf("history with a config missing a secret: %d %q %q", code, hout, herr)
	}
}
