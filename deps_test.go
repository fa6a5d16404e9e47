package main

import (
	"go/build"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const modulePath = "github.com/upbeat-monitor/upbeat"

// upbeatDeps returns every upbeat package that pkg (a path inside the
// module, "" for the root) imports, directly or not, tests left out. It
// reads only import clauses, with go/build.
func upbeatDeps(t *testing.T, pkg string) []string {
	t.Helper()
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		bp, err := build.ImportDir(filepath.FromSlash("./"+p), 0)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, imp := range bp.Imports {
			rel, ok := strings.CutPrefix(imp, modulePath+"/")
			if !ok || seen[rel] {
				continue
			}
			seen[rel] = true
			walk(rel)
		}
	}
	walk(pkg)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Dependencies point the way ARCHITECTURE.md draws them.
func TestDependenciesPointOneWay(t *testing.T) {
	t.Parallel()
	for _, rule := range []struct {
		pkg   string
		never []string // nil: no upbeat package at all
		why   string
	}{
		{"monitor", nil, "the domain types import nothing of upbeat"},
		{"engine", []string{"tui", "api", "client", "source/local", "statuspage", "config", "engine/check", "history"},
			"the engine knows nothing of views, and reaches checkers and history through its interfaces"},
		{"history", []string{"tui", "api", "client", "source/local", "statuspage", "config", "engine"},
			"history knows nothing of views or of the engine"},
		{"client", []string{"tui"}, "client never imports tui"},
		{"config", []string{"engine/check"}, "config reads check settings through engine/check/settings, without every protocol client"},
	} {
		deps := upbeatDeps(t, rule.pkg)
		if rule.never == nil && len(deps) > 0 {
			t.Errorf("%s imports %v: %s", rule.pkg, deps, rule.why)
		}
		for _, bad := range rule.never {
			if slices.Contains(deps, bad) {
				t.Errorf("%s imports %s: %s", rule.pkg, bad, rule.why)
			}
		}
	}
}
