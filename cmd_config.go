package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine/kb"
	"github.com/upbeat-monitor/upbeat/fleet"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/reproduce"
)

// loadConfig finds and loads the config, printing every mistake. It
// returns nil and the exit code when there is no usable config, or when
// ctx ends (a signal) first.
func loadConfig(ctx context.Context, e *env, explicit string) (*config.Config, int) {
	path, err := config.Find(explicit)
	if err != nil {
		if errors.Is(err, config.ErrNoConfig) {
			fmt.Fprintln(e.stderr, "upbeat: no config found (looked for ./upbeat.toml and the XDG config dir)")
			fmt.Fprintln(e.stderr, "create one with 'upbeat init', or try 'upbeat demo'")
		} else {
			printConfigErrors(e, err)
		}
		return nil, exitConfig
	}
	cfg, err := loadUntil(ctx, path, e.lookup())
	if errors.Is(err, errInterrupted) {
		fmt.Fprintln(e.stderr, "upbeat: interrupted while loading the config")
		return nil, exitInterrupted
	}
	if err != nil {
		printConfigErrors(e, err)
		return nil, exitConfig
	}
	return cfg, exitOK
}

// errInterrupted is loadUntil's error when ctx ended first.
var errInterrupted = errors.New("interrupted")

// loadUntil loads the config on a goroutine of its own and returns when it
// is loaded or when ctx ends, whichever is first: main's signal handler
// only cancels ctx, so a load that does not return (a file that is a pipe
// nobody writes, a parse that takes long) must not keep SIGINT or SIGTERM
// from ending the command. The load left behind ends with the process.
func loadUntil(ctx context.Context, path string, lookupEnv func(string) (string, bool)) (*config.Config, error) {
	type loaded struct {
		cfg *config.Config
		err error
	}
	done := make(chan loaded, 1)
	go func() {
		cfg, err := config.LoadWithEnv(path, lookupEnv)
		done <- loaded{cfg, err}
	}()
	select {
	case l := <-done:
		return l.cfg, l.err
	case <-ctx.Done():
		return nil, errInterrupted
	}
}

// printConfigErrors says what is wrong with the config: each mistake
// with its file:line, or that the file named is not there and how to
// write one.
func printConfigErrors(e *env, err error) {
	var missing *config.MissingError
	if errors.As(err, &missing) {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		fmt.Fprintln(e.stderr, "write a starter config there with: upbeat init", reproduce.Quote(missing.Path))
		return
	}
	var errs config.Errors
	if errors.As(err, &errs) {
		for _, x := range errs {
			fmt.Fprintln(e.stderr, x.Error())
		}
		fmt.Fprintf(e.stderr, "upbeat: %s in the config\n", humanize.Count(len(errs), "mistake", "mistakes"))
		return
	}
	fmt.Fprintln(e.stderr, "upbeat:", err)
}

func cmdValidate(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "validate", "validate [--config FILE]",
		"Checks the config and reports every mistake with file:line and key.\nExit status: 0 when it is valid, 2 otherwise.")
	cfgPath := fs.String("config", "", "config `file` (default ./upbeat.toml, then the XDG config)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() == 1 && *cfgPath == "" {
		*cfgPath = fs.Arg(0)
	}
	cfg, code := loadConfig(ctx, e, *cfgPath)
	if cfg == nil {
		return code
	}
	fmt.Fprintf(e.stdout, "%s: valid: %d monitor(s), %d alert channel(s), %d maintenance window(s)\n",
		cfg.Path, len(cfg.Monitors), len(cfg.Alerts), len(cfg.Maintenance))
	if len(cfg.Monitors) == 0 {
		fmt.Fprintln(e.stderr, "upbeat: warning: the config has no [[monitor]], so nothing will be checked")
	}
	if sh := cfg.Settings.Shard; sh.N > 1 {
		counts := make([]string, sh.N)
		for i := range sh.N {
			counts[i] = fmt.Sprintf("%d/%d: %d", i+1, sh.N, len(shardMonitors(cfg.Monitors, fleet.Shard{I: i + 1, N: sh.N})))
		}
		fmt.Fprintf(e.stdout, "shard %s: checks %d of the %d monitor(s) (%s)\n",
			sh, len(shardMonitors(cfg.Monitors, sh)), len(cfg.Monitors), strings.Join(counts, ", "))
	}
	return exitOK
}

func cmdInit(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "init", "init [--force] [FILE|-]",
		"Writes a commented starter config to FILE (default ./upbeat.toml; - for standard output).\n"+
			"It never overwrites a file unless --force is given.")
	force := fs.Bool("force", false, "overwrite an existing file")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	path := "upbeat.toml"
	if fs.NArg() > 0 {
		path = fs.Arg(0)
	}
	if path == "-" {
		e.stdout.Write(config.Starter())
		return exitOK
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if *force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fmt.Fprintln(e.stderr, "upbeat:", err)
			return exitConfig
		}
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			fmt.Fprintf(e.stderr, "upbeat: %s exists; use --force to overwrite it\n", path)
		} else {
			fmt.Fprintln(e.stderr, "upbeat:", err)
		}
		return exitConfig
	}
	_, err = f.Write(config.Starter())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	fmt.Fprintf(e.stdout, "wrote %s: edit the monitors, then run 'upbeat validate' and 'upbeat'\n", path)
	return exitOK
}

func cmdExplain(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "explain", "explain CODE|CLASS…  |  explain --list",
		"Prints what a status code (502, 524, 444) or an error class (timeout, refused,\n"+
			"tls_expired, dns_nxdomain) means, what usually causes it, and what to do first.")
	list := fs.Bool("list", false, "list every code and class the knowledge base knows")
	width := fs.Int("width", 80, "wrap text at this many `columns`")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if *list && fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "upbeat: explain: --list shows everything; leave out %s, or drop --list to explain it\n", strings.Join(fs.Args(), " "))
		return exitConfig
	}
	if *list {
		for _, k := range kb.Keys() {
			en, _ := kb.Lookup(k)
			fmt.Fprintf(e.stdout, "%-22s %s\n", k, en.Summary)
		}
		return exitOK
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitConfig
	}
	code := exitOK
	for i, key := range fs.Args() {
		en, ok := kb.Lookup(key)
		if !ok {
			fmt.Fprintf(e.stderr, "upbeat: nothing known about %q", key)
			if s := kb.Suggest(key); len(s) > 0 {
				fmt.Fprintf(e.stderr, "; did you mean %s?", strings.Join(s, ", "))
			}
			fmt.Fprintln(e.stderr, " ('upbeat explain --list' shows everything)")
			code = exitConfig
			continue
		}
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprint(e.stdout, kb.Format(en, *width))
	}
	return code
}
