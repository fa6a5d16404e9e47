package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/upbeat-monitor/upbeat/engine/config"
)

func cmdDaemon(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "daemon", "daemon [--config FILE]",
		"Runs the engine headless until SIGTERM: checks, history, alerts, the HTTP API and\n/metrics. SIGHUP reloads the config; a config with mistakes is refused and the old one kept.")
	cfgPath := fs.String("config", "", "config `file` (default ./upbeat.toml, then the XDG config)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	cfg, code := loadConfig(e, *cfgPath)
	if cfg == nil {
		return code
	}
	rt, err := newRuntime(cfg, runtimeOptions{getenv: e.getenv})
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	defer rt.Close()
	eng := rt.eng
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for range hup {
			next, err := config.Load(cfg.Path)
			if err != nil {
				eng.Warn("config", "config not reloaded: "+err.Error())
				continue
			}
			if _, err := rt.reload(next); err != nil {
				eng.Warn("config", "config not reloaded: "+err.Error())
				continue
			}
			eng.Warn("config", "")
		}
	}()
	fmt.Fprintf(e.stderr, "upbeat %s: watching %d monitor(s) from %s\n", versionString(), len(cfg.Monitors), cfg.Path)
	eng.Run(ctx)
	return exitOK
}
