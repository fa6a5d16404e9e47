package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/invalid-*.err from what Load reports")

// TestInvalid loads each testdata/invalid-*.toml and compares the errors
// with the sibling .err file, which holds the exact text `upbeat validate`
// prints for it. Run with -update to rewrite the .err files, then read the
// diff.
func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/invalid-*.toml")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".toml"), func(t *testing.T) {
			_, err := Load(f)
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("Load = %v, want Errors", err)
			}
			for _, e := range es {
				if e.File != f || e.Line <= 0 {
					t.Errorf("error without its place: %+v", e)
				}
			}
			got := err.Error() + "\n"
			errFile := strings.TrimSuffix(f, ".toml") + ".err"
			if *update {
				if err := os.WriteFile(errFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(errFile)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
