package main

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine/alert/maint"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/statuspage"
)

func cmdStatusPage(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "status-page", "status-page build --out DIR [--config FILE] [--page PATH]… [--private]",
		"Writes the config's public status pages as files for a web server or a static host, from\n"+
			"the history on disk (it needs no running daemon, and reads while one writes): for a page\n"+
			"at /status, DIR/status.html, DIR/status.json, DIR/status.txt and the badges under\n"+
			"DIR/status/badge/. Run it from cron or a timer to keep them fresh; files are replaced\n"+
			"whole. A monitor without a result for three intervals is shown pending.")
	cfgPath := fs.String("config", "", "config `file` (default ./upbeat.toml, then the XDG config)")
	out := fs.String("out", "", "write the files under this `directory` (created if missing)")
	histDir := fs.String("history-dir", "", "read the history in this `directory` (default: the config's history_dir)")
	var only []string
	fs.Func("page", "build only the page at this `path` (repeat for several; default: every public page)", func(s string) error {
		only = append(only, s)
		return nil
	})
	private := fs.Bool("private", false, "also build pages that are not public (their files show URLs and errors to whoever can read them)")
	if len(args) > 0 && args[0] == "build" {
		args = args[1:]
	} else if len(args) == 0 || (args[0] != "-h" && args[0] != "--help" && args[0] != "-help") {
		fs.Usage()
		return exitConfig
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 0 || *out == "" {
		if *out == "" {
			fmt.Fprintln(e.stderr, "upbeat: status-page build needs --out DIR")
		}
		fs.Usage()
		return exitConfig
	}
	cfg, code := loadConfig(ctx, e, *cfgPath)
	if cfg == nil {
		return code
	}
	pages, code := exportPages(e, cfg, only, *private)
	if pages == nil {
		return code
	}
	now := time.Now()
	in := &statuspage.Inputs{Now: now}
	dir := *histDir
	if dir == "" {
		dir = cfg.Settings.HistoryDir
	}
	if dir == "" {
		dir = config.DefaultHistoryDir()
	}
	var db *history.DB
	if _, err := os.Stat(dir); err != nil && errors.Is(err, iofs.ErrNotExist) {
		fmt.Fprintf(e.stderr, "upbeat: no history in %s yet: every monitor is shown pending\n", dir)
	} else if db, err = history.Open(dir, history.Options{ReadOnly: true}); err != nil {
		fmt.Fprintln(e.stderr, "upbeat: open history:", err)
		return exitConfig
	} else {
		defer db.Close()
	}
	if db != nil {
		states, err := statuspage.StatesFromHistory(db, cfg.Monitors, now)
		if err != nil {
			fmt.Fprintln(e.stderr, "upbeat: reading the history:", err)
		}
		in.States = states
		var names []string
		for _, p := range pages {
			names = append(names, p.Names(cfg.Monitors)...)
		}
		if in.Days, err = statuspage.LoadDays(db, names, now); err != nil {
			fmt.Fprintln(e.stderr, "upbeat: reading the history:", err)
		}
	} else {
		states, _ := statuspage.StatesFromHistory(emptyHistory{}, cfg.Monitors, now)
		in.States = states
	}
	if w, err := maint.New(cfg.Maintenance); err == nil {
		in.Maintenance = w.Next(now, now.Add(statuspage.UpcomingHorizon))
	}
	files, err := statuspage.Export(*out, pages, in)
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitDown
	}
	for _, p := range pages {
		fmt.Fprintf(e.stdout, "%s → %s.html, .json, .txt and badges\n", p.Path, strings.TrimSuffix(*out, "/")+p.Path)
	}
	fmt.Fprintf(e.stdout, "%d files written to %s\n", len(files), *out)
	return exitOK
}

// exportPages picks the pages to build: those named, else every public
// one; a page that is not public only with --private.
func exportPages(e *env, cfg *config.Config, only []string, private bool) ([]*statuspage.Config, int) {
	if len(cfg.StatusPages) == 0 {
		fmt.Fprintf(e.stderr, "upbeat: %s has no [[status_page]]; config.toml.example shows one\n", cfg.Path)
		return nil, exitConfig
	}
	var paths []string
	for _, p := range cfg.StatusPages {
		paths = append(paths, p.Path)
	}
	for _, o := range only {
		if !slices.Contains(paths, o) {
			fmt.Fprintf(e.stderr, "upbeat: no status page at %q; the config has %s\n", o, strings.Join(paths, ", "))
			return nil, exitConfig
		}
	}
	var out []*statuspage.Config
	var skipped []string
	for _, p := range cfg.StatusPages {
		if len(only) > 0 && !slices.Contains(only, p.Path) {
			continue
		}
		if !p.Public && !private {
			skipped = append(skipped, p.Path)
			continue
		}
		out = append(out, p)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(e.stderr, "upbeat: not building %s: not public (--private builds it, with URLs and errors in the files)\n",
			strings.Join(skipped, ", "))
	}
	if len(out) == 0 {
		return nil, exitConfig
	}
	return out, exitOK
}

// emptyHistory is the history of a directory that does not exist yet.
type emptyHistory struct{}

func (emptyHistory) Daily(string, int, time.Time) ([]history.DayCount, error) { return nil, nil }
func (emptyHistory) Incidents(string, time.Time, time.Time) ([]monitor.Incident, error) {
	return nil, nil
}
func (emptyHistory) Monitor(string) (history.MonitorInfo, bool)             { return history.MonitorInfo{}, false }
func (emptyHistory) Tail(int) (map[string][]monitor.Result, error)          { return nil, nil }
func (emptyHistory) Uptime(string, time.Duration, time.Time) monitor.Uptime { return monitor.Uptime{} }
