package history

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// modes returns the mode of every file and directory under dir that the
// history keeps, by relative path.
func modes(t *testing.T, dir string) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	for _, sub := range []string{"", segDir, rollupDir} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			rel := filepath.Join(sub, e.Name())
			if sub == "" && e.IsDir() && e.Name() != segDir && e.Name() != rollupDir {
				continue
			}
			fi, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			out[rel] = fi.Mode().Perm()
		}
	}
	return out
}

func TestAccessModes(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, dir string, file, d fs.FileMode, foreign map[string]fs.FileMode) {
		t.Helper()
		n := 0
		for rel, m := range modes(t, dir) {
			want, ok := foreign[rel]
			switch {
			case ok:
			case rel == segDir || rel == rollupDir:
				want = d
			default:
				want = file
			}
			if m != want {
				t.Errorf("%s: mode %v, want %v", rel, m, want)
			}
			n++
		}
		if n < 5 {
			t.Fatalf("only %d files and directories: %v", n, modes(t, dir))
		}
	}
	write := func(t *testing.T, dir string, o Options) {
		c := newClock(goldenEnd.Add(time.Hour))
		o.Now, o.SyncInterval = c.Now, -1
		l := mustOpen(t, dir, o)
		for i := range 3 {
			r := httpRecord("m", c.Now(), i)
			if err := l.Append(&r); err != nil {
				t.Fatal(err)
			}
			c.Add(time.Minute)
		}
		if err := l.AddNote(&monitor.Note{Monitor: "m", Time: c.Now(), Kind: monitor.NoteText, Text: "looking"}); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("owner only by default", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "history")
		write(t, dir, Options{})
		check(t, dir, 0o600, 0o700, nil)
		if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
			t.Errorf("the directory it made: %v", fi.Mode().Perm())
		}
	})

	// A history written world-readable (files 0644 in 0755 directories,
	// as format 1 did), next to files that are not the history's.
	dir := copyDir(t, goldenDir)
	foreign := map[string]fs.FileMode{"ssh_host_ed25519_key": 0o600, "controls.json": 0o644}
	for name, m := range foreign {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), m); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(dir, name), m)
	}
	t.Run("an open closes an old history", func(t *testing.T) {
		write(t, dir, Options{})
		check(t, dir, 0o600, 0o700, foreign)
	})
	t.Run("group readable when asked", func(t *testing.T) {
		write(t, dir, Options{GroupReadable: true})
		check(t, dir, 0o640, 0o750, foreign)
		ro := testOptions(t, newClock(goldenEnd))
		ro.ReadOnly = true
		l := mustOpen(t, dir, ro)
		defer l.Close()
		if got, err := l.Last("m", 10); err != nil || len(got) != 6 {
			t.Errorf("read back %d results: %v", len(got), err)
		}
	})
}
