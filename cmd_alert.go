package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

func cmdAlert(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "alert", "alert test [--config FILE] NAME",
		"Sends a test message through the [[alert]] channel called NAME and says whether it\n"+
			"was delivered. Exit status: 0 when it was, 1 when delivery failed, 2 on a usage or config error.")
	cfgPath := fs.String("config", "", "config `file` (default ./upbeat.toml, then the XDG config)")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	if len(args) > 0 && args[0] == "test" {
		args = args[1:]
	} else if len(args) == 0 || (args[0] != "-h" && args[0] != "--help" && args[0] != "-help") {
		fs.Usage()
		return exitConfig
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitConfig
	}
	name := fs.Arg(0)
	cfg, code := loadConfig(ctx, e, *cfgPath)
	if cfg == nil {
		return code
	}
	var known []string
	for _, a := range cfg.Alerts {
		known = append(known, a.Name)
	}
	found := false
	for _, k := range known {
		found = found || k == name
	}
	if !found {
		fmt.Fprintf(e.stderr, "upbeat: no [[alert]] named %q", name)
		if s := closest(name, known); s != "" {
			fmt.Fprintf(e.stderr, " (did you mean %q?)", s)
		}
		fmt.Fprintln(e.stderr)
		if len(known) == 0 {
			fmt.Fprintf(e.stderr, "%s has no [[alert]]; config.toml.example shows each kind\n", cfg.Path)
		} else {
			quoted := make([]string, len(known))
			for i, k := range known {
				quoted[i] = fmt.Sprintf("%q", k)
			}
			fmt.Fprintf(e.stderr, "the alerts in %s: %s\n", cfg.Path, strings.Join(quoted, ", "))
		}
		return exitConfig
	}
	var term io.Writer // nil, not a nil *os.File: the terminal channel then says it has no terminal
	if e.isTTY {
		term = e.stdout
	}
	rt, err := newRuntime(cfg, runtimeOptions{getenv: e.getenv, terminal: term, noHistory: true})
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	defer rt.Close()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if err := rt.alerts.Current().Test(ctx, name); err != nil {
		fmt.Fprintf(e.stderr, "upbeat: %s: not delivered: %v\n", name, err)
		return exitDown
	}
	fmt.Fprintf(e.stdout, "%s: test message delivered\n", name)
	return exitOK
}
