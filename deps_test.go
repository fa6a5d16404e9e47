package main

import (
	"go/build"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const modulePath = "github.com/upbeat-monitor/upbeat"

// imports returns every upbeat package that pkg (a path inside the module,
// "" for the root) imports, directly or not, and every package from outside
// the module and the standard library that any of them imports directly;
// tests left out. It reads only import clauses, with go/build.
func imports(t *testing.T, pkg string) (upbeat, outside []string) {
	t.Helper()
	seen, out := map[string]bool{}, map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		bp, err := build.ImportDir(filepath.FromSlash("./"+p), 0)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, imp := range bp.Imports {
			rel, ok := strings.CutPrefix(imp, modulePath+"/")
			if !ok {
				if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") {
					out[imp] = true
				}
				continue
			}
			if !seen[rel] {
				seen[rel] = true
				walk(rel)
			}
		}
	}
	walk(pkg)
	return slices.Sorted(maps.Keys(seen)), slices.Sorted(maps.Keys(out))
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
		deps, _ := imports(t, rule.pkg)
		if rule.never == nil && len(deps) > 0 {
			t.Errorf("%s imports %v: %s", rule.pkg, deps, rule.why)
		}
		for _, bad := range rule.never {
			if slices.Contains(deps, bad) {
				t.Errorf("%s imports %s: %s", rule.pkg, bad, rule.why)
			}
		}
	}
	// What config links for check settings stays small: pgconn parses a
	// postgres:// URL as the checker will; no other client comes with it.
	deps, outside := imports(t, "engine/check/settings")
	if len(deps) > 0 || !slices.Equal(outside, []string{"github.com/jackc/pgx/v5/pgconn"}) {
		t.Errorf("engine/check/settings imports %v and, from outside, %v: want only pgconn", deps, outside)
	}
}
