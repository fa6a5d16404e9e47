package testserver

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// A template is built once per key, copied whole (modes, links) into every
// directory that asks for it, and replaced when the key changes.
func TestTemplateBuiltOnceAndCopied(t *testing.T) {
	cache, work := t.TempDir(), t.TempDir()
	var builds atomic.Int32
	build := func(dst string) error {
		builds.Add(1)
		if err := os.MkdirAll(filepath.Join(dst, "base"), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, "base", "table"), []byte("rows"), 0o640); err != nil {
			return err
		}
		return os.Symlink("base/table", filepath.Join(dst, "link"))
	}
	var wg sync.WaitGroup
	for i := range 4 { // at once: the others wait for the first build
		wg.Go(func() {
			if err := fromTemplateIn(cache, "db", "v1", filepath.Join(work, "a", string(rune('0'+i))), build); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Fatalf("%d builds for one key, want 1", n)
	}
	for i := range 4 {
		dir := filepath.Join(work, "a", string(rune('0'+i)))
		b, err := os.ReadFile(filepath.Join(dir, "link"))
		if err != nil || string(b) != "rows" {
			t.Errorf("%s: %q %v", dir, b, err)
		}
		st, err := os.Stat(filepath.Join(dir, "base", "table"))
		if err != nil || st.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v %v, want 0640", dir, st.Mode(), err)
		}
		st, err = os.Stat(filepath.Join(dir, "base"))
		if err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("%s/base: mode %v %v, want 0700", dir, st.Mode(), err)
		}
	}
	// What a server writes into its copy never reaches the template.
	os.WriteFile(filepath.Join(work, "a", "0", "base", "table"), []byte("changed"), 0o640)
	if err := fromTemplateIn(cache, "db", "v1", filepath.Join(work, "b"), build); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(work, "b", "base", "table")); string(b) != "rows" {
		t.Errorf("the template changed: %q", b)
	}
	// A new version builds a new template and removes the old one.
	if err := fromTemplateIn(cache, "db", "v2", filepath.Join(work, "c"), build); err != nil {
		t.Fatal(err)
	}
	if n := builds.Load(); n != 2 {
		t.Errorf("%d builds after a new key, want 2", n)
	}
	if olds, _ := filepath.Glob(filepath.Join(cache, "db-*")); len(olds) != 1 {
		t.Errorf("templates kept: %v, want only the new one", olds)
	}
}

// Without a cache directory every server builds its own.
func TestTemplateWithoutCache(t *testing.T) {
	n := 0
	for range 2 {
		dst := filepath.Join(t.TempDir(), "data")
		if err := fromTemplateIn("", "db", "v1", dst, func(dst string) error { n++; return os.Mkdir(dst, 0o700) }); err != nil {
			t.Fatal(err)
		}
	}
	if n != 2 {
		t.Errorf("%d builds, want 2", n)
	}
}

// A build that fails leaves no template: the next server builds again.
func TestTemplateNotKeptWhenTheBuildFails(t *testing.T) {
	cache := t.TempDir()
	fail := func(string) error { return os.ErrPermission }
	if err := fromTemplateIn(cache, "db", "v1", filepath.Join(t.TempDir(), "data"), fail); err != os.ErrPermission {
		t.Fatalf("error %v, want the build's", err)
	}
	built := false
	if err := fromTemplateIn(cache, "db", "v1", filepath.Join(t.TempDir(), "data"), func(dst string) error { built = true; return os.Mkdir(dst, 0o700) }); err != nil || !built {
		t.Errorf("built %v, %v: want a new build after a failed one", built, err)
	}
}

// A template that cannot be copied (here it holds a named pipe, which a
// data directory never does) is built again, and the server gets the new
// build.
func TestTemplateThatCannotBeCopiedIsBuiltAgain(t *testing.T) {
	cache, work := t.TempDir(), t.TempDir()
	n := 0
	build := func(dst string) error {
		n++
		if err := os.Mkdir(dst, 0o700); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, "table"), []byte("rows"), 0o600)
	}
	if err := fromTemplateIn(cache, "db", "v1", filepath.Join(work, "a"), build); err != nil {
		t.Fatal(err)
	}
	olds, _ := filepath.Glob(filepath.Join(cache, "db-*"))
	if len(olds) != 1 {
		t.Fatalf("templates %v", olds)
	}
	if err := syscall.Mkfifo(filepath.Join(olds[0], "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := fromTemplateIn(cache, "db", "v1", filepath.Join(work, "b"), build); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(work, "b", "table")); n != 2 || string(b) != "rows" {
		t.Errorf("%d builds, %q %v: want the template built again", n, b, err)
	}
}
