package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/fleet"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/sshd"
	"github.com/upbeat-monitor/upbeat/tui"
)

func cmdDaemon(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "daemon", "daemon [--config FILE] [--shard I/N] [--ssh ADDR --authorized-keys FILE]",
		"Runs the engine headless until SIGTERM: checks, history, alerts, the HTTP API on a unix\n"+
			"socket (and [api] listen), /metrics and push URLs. SIGHUP or a change of the config file\n"+
			"reloads it; a config with mistakes is refused and the old one keeps running.\n"+
			"With --ssh the dashboard is also served over SSH to the keys in --authorized-keys\n"+
			"(read-only unless a key's line carries the option "+sshd.ActionsOption+").")
	cfgPath := fs.String("config", "", "config `file` (default ./upbeat.toml, then the XDG config)")
	sshAddr := fs.String("ssh", "", "serve the dashboard over SSH on this `address` (e.g. :2222)")
	authKeys := fs.String("authorized-keys", "", "authorized keys `file` for --ssh (default ~/.ssh/authorized_keys)")
	hostKey := fs.String("host-key", "", "SSH host key `file`, generated if missing (default: in the history dir)")
	shardFlag := fs.String("shard", "", "check only shard `i/n` of the monitors (overrides [settings] shard)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	hup := make(chan os.Signal, 1) // from the start: a SIGHUP while starting is a reload, never an exit
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	var shard *fleet.Shard
	if *shardFlag != "" {
		sh, err := fleet.ParseShard(*shardFlag)
		if err != nil {
			fmt.Fprintln(e.stderr, "upbeat: --shard:", err)
			return exitConfig
		}
		shard = &sh
	}
	cfg, code := loadConfig(ctx, e, *cfgPath)
	if cfg == nil {
		return code
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil)) // under systemd: the journal
	rt, err := newRuntime(cfg, runtimeOptions{getenv: e.getenv, log: logger, tuneAlerts: e.tuneAlerts, shard: shard,
		checkDelivery: true})
	if err != nil {
		if errors.Is(err, history.ErrLocked) {
			fmt.Fprintln(e.stderr, "upbeat: another upbeat is already writing this history:", err)
			return exitConfig
		}
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	defer rt.Close()
	eng := rt.eng

	socket := cfg.API.Socket
	if socket == "" {
		socket = config.DefaultSocket()
	}
	src := rt.localSource(cfg.Path, false)
	pages := newPages(rt, src, logger)
	srv := api.New(src, api.Options{
		Socket: socket, Listen: cfg.API.Listen, Token: cfg.API.Token, ReadOnlyToken: cfg.API.ReadOnlyToken,
		AllowedHosts: cfg.API.AllowedHosts, Version: versionString(), Logger: logger, Pages: pages,
	})
	if err := srv.Start(); err != nil {
		if errors.Is(err, api.ErrDaemonRunning) {
			fmt.Fprintf(e.stderr, "upbeat: a daemon is already running on %s ('upbeat attach' shows it)\n", socket)
		} else {
			fmt.Fprintln(e.stderr, "upbeat: api:", err)
		}
		return exitConfig
	}
	defer srv.Close()
	pages.Start()
	defer pages.Close() // before the API server: its live streams end first

	if *sshAddr != "" {
		keys := *authKeys
		if keys == "" {
			home, _ := os.UserHomeDir()
			keys = filepath.Join(home, ".ssh", "authorized_keys")
		}
		hk := *hostKey
		if hk == "" {
			dir := cfg.Settings.HistoryDir
			if dir == "" {
				dir = config.DefaultHistoryDir()
			}
			hk = filepath.Join(dir, "ssh_host_ed25519_key")
		}
		ss, err := sshd.New(sshd.Options{
			Addr: *sshAddr, HostKeyPath: hk, AuthorizedKeys: keys, Source: src, Logger: logger,
			NewModel: func(src source.Source, r *lipgloss.Renderer, readOnly bool) tea.Model {
				return tui.New(src, tui.Options{Renderer: r, Clipboard: r.Output()}) // y copies to the SSH client's terminal
			},
		})
		if err != nil {
			fmt.Fprintln(e.stderr, "upbeat: ssh:", err)
			return exitConfig
		}
		go func() {
			if err := ss.ListenAndServe(); err != nil && ctx.Err() == nil {
				logger.Error("ssh server stopped", "err", err)
			}
		}()
		defer ss.Close()
	}

	if cfg.Path != "" {
		reload := func(next *config.Config) ([]string, error) {
			changes, err := rt.reload(next)
			if err == nil {
				pages.SetPages(next.StatusPages)
			}
			return changes, err
		}
		load := func(path string) (*config.Config, error) { return config.LoadWithEnv(path, e.lookup()) }
		go config.WatchConfig(ctx, cfg.Path, load, reload, eng.Warn, hup,
			config.WatchOptions{Logger: logger, SetTokens: srv.SetTokens, Current: func() *config.Config { return cfg }})
	}
	logger.Info("upbeat started", "version", versionString(), "monitors", len(rt.cfg.Monitors),
		"shard", rt.cfg.Settings.Shard.String(), "config", cfg.Path, "socket", socket, "listen", cfg.API.Listen)
	eng.Run(ctx)
	logger.Info("upbeat stopped")
	return exitOK
}
