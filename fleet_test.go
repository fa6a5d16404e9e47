package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// allSeen is a writer that cancels once it has seen every one of marks.
type allSeen struct {
	mu     sync.Mutex
	buf    strings.Builder
	marks  []string
	cancel func()
}

func (w *allSeen) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for _, m := range w.marks {
		if !strings.Contains(w.buf.String(), m) {
			return len(p), nil
		}
	}
	w.cancel()
	return len(p), nil
}

// TestAttachToTheFleetOfAConfig: `upbeat attach` with no address and a
// config whose [fleet] lists the daemons (two shards of one config)
// shows every monitor of the fleet, each once.
func TestAttachToTheFleetOfAConfig(t *testing.T) {
	t.Parallel()
	target := newSwitchable(t)
	var body strings.Builder
	var names []string
	for i := range 6 {
		names = append(names, fmt.Sprintf("site-%d", i))
		fmt.Fprintf(&body, "[[monitor]]\nname = %q\nurl = %q\n\n", names[i], target.URL)
	}
	var socks []string
	for _, sh := range []string{"1/2", "2/2"} {
		d := startDaemon(t, "shard "+sh, "interval = \"1h\"\nshard = \""+sh+"\"", "", body.String(), nil)
		socks = append(socks, fmt.Sprintf("%q", d.socket))
	}
	cfg := writeConfig(t, fmt.Sprintf("[fleet]\ndaemons = [%s]\n", strings.Join(socks, ", ")))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := &allSeen{marks: names, cancel: cancel}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: io.Discard, getenv: func(string) string { return "" }}
	if code := run(ctx, e, []string{"attach", "--config", cfg}); code != exitOK {
		t.Fatalf("attach exit %d", code)
	}
	got := out.buf.String()
	table := got[strings.LastIndex(got[:strings.LastIndex(got, names[0])], "\n\n")+1:]
	for _, n := range names {
		if c := strings.Count(table, n+" "); c != 1 {
			t.Errorf("%s shows %d times in the last table, want once:\n%s", n, c, table)
		}
	}

	// without [fleet], the config's [api] socket, where nothing answers here
	sock := filepath.Join(t.TempDir(), "none.sock")
	_, errOut, code := runCmd(t, "attach", "--config", writeConfig(t, fmt.Sprintf("[settings]\nretries = 0\n[api]\nsocket = %q\n", sock)))
	if code != exitConfig || !strings.Contains(errOut, "no daemon answers on "+sock) {
		t.Errorf("attach --config without [fleet]: %d %q", code, errOut)
	}
}
