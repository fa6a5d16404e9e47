package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The "did you mean" of a monitor name counts case for nothing.
func TestClosestIgnoresCase(t *testing.T) {
	names := []string{"web-a", "web-b", "db"}
	for in, want := range map[string]string{"Web-B": "web-b", "WEB-A": "web-a", "web-c": "web-a", "nothing-like": ""} {
		if got := closest(in, names); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}

// A name that is not there gets the nearest one as a question, else the
// names there are.
func TestNameHint(t *testing.T) {
	many := []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"}
	for _, c := range []struct {
		name  string
		names []string
		want  string
	}{
		{"web-c", []string{"web-a", "db"}, ` (did you mean "web-a"?)`},
		{"nosuch", []string{"shop", "api"}, "; there are shop, api"},
		{"nosuch", many, "; there are a1, a2, a3, a4, a5, a6, a7, a8 and 2 more"},
		{"nosuch", nil, "; there is none"},
	} {
		if got := nameHint(c.name, c.names); got != c.want {
			t.Errorf("nameHint(%q, %q) = %q, want %q", c.name, c.names, got, c.want)
		}
	}
}

// Run away from any config, the commands that read history say what to do,
// not only that a directory is missing.
func TestHistoryCommandsWithoutConfigSayWhatToDo(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	for _, args := range [][]string{{"history", "a"}, {"report"}, {"incident", "list"}} {
		_, errOut, code := runCmd(t, args...)
		if code != exitConfig || !strings.Contains(errOut, "no config found here, and no history in "+filepath.Join(data, "upbeat")) ||
			!strings.Contains(errOut, "give --config FILE or --history-dir DIR") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	// With a config that names a history not written yet: the daemon writes it.
	cfg := filepath.Join(t.TempDir(), "upbeat.toml")
	hist := filepath.Join(t.TempDir(), "none")
	if err := os.WriteFile(cfg, []byte("[settings]\nhistory_dir = \""+hist+"\"\n[[monitor]]\nname = \"a\"\nurl = \"https://a.example/\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCmd(t, "history", "a", "--config", cfg); code != exitConfig || !strings.Contains(errOut, "no history in "+hist+" yet: the daemon writes it") {
		t.Errorf("history with a config: exit %d, %q", code, errOut)
	}
}
