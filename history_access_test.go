package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// [settings] history_access decides who may read what the daemon writes:
// its owner only unless the group is named.
func TestHistoryAccessFromConfig(t *testing.T) {
	for _, tc := range []struct {
		line      string
		file, dir os.FileMode
	}{
		{"", 0o600, 0o700},
		{`history_access = "owner"`, 0o600, 0o700},
		{`history_access = "group"`, 0o640, 0o750},
	} {
		hist := filepath.Join(t.TempDir(), "history")
		cfg, err := config.Load(writeConfig(t, fmt.Sprintf(
			"[settings]\nhistory_dir = %q\n%s\n\n[[monitor]]\nname = \"db\"\nurl = \"tcp://127.0.0.1:1\"\n", hist, tc.line)))
		if err != nil {
			t.Fatal(err)
		}
		rt, err := newRuntime(cfg, runtimeOptions{getenv: os.Getenv})
		if err != nil {
			t.Fatal(err)
		}
		r := monitor.Result{Monitor: "db", Kind: monitor.KindTCP, URL: "tcp://127.0.0.1:1", Time: time.Now(), Status: monitor.StatusUp}
		if err := rt.store.Append(&r); err != nil {
			t.Fatal(err)
		}
		rt.Close()
		for path, want := range map[string]os.FileMode{
			filepath.Join(hist, "segments"):             tc.dir,
			filepath.Join(hist, "segments", "00000001"): tc.file,
			filepath.Join(hist, "rollup", "checkpoint"): tc.file,
		} {
			fi, err := os.Stat(path)
			switch {
			case err != nil:
				t.Error(err)
			case fi.Mode().Perm() != want:
				t.Errorf("%q: %s is %v, want %v", tc.line, path, fi.Mode().Perm(), want)
			}
		}
	}
}
