package main

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"

	"errors"
	"fmt"
	"os"
	"time"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/store"
)

// openHistoryReader opens the history read-only, so it works while a
// daemon writes. The directory is --history-dir, else the config's
// history_dir (when a config is found), else the XDG data dir.
func openHistoryReader(e *env, dirFlag, cfgPath string) (*history.DB, int) {
	dir := dirFlag
	noConfig := false
	if dir == "" {
		if p, err := config.Find(cfgPath); err == nil {
			if cfg, err := config.LoadWithEnv(p, e.lookup()); err == nil {
				dir = cfg.Settings.HistoryDir
			} else if dir, err = historyDirOnly(p); err != nil {
				printConfigErrors(e, err)
				return nil, exitConfig
			}
		} else if cfgPath != "" {
			printConfigErrors(e, err)
			return nil, exitConfig
		} else {
			noConfig = errors.Is(err, config.ErrNoConfig)
		}
	}
	if dir == "" {
		dir = config.DefaultHistoryDir()
	}
	if _, err := os.Stat(dir); err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist) && noConfig:
			fmt.Fprintf(e.stderr, "upbeat: no config found here, and no history in %s: run this where the config is,\n"+
				"or give --config FILE or --history-dir DIR\n", dir)
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(e.stderr, "upbeat: no history in %s yet: the daemon writes it once it runs\n", dir)
		default:
			fmt.Fprintf(e.stderr, "upbeat: no history in %s: %v\n", dir, err)
		}
		return nil, exitConfig
	}
	st, err := history.Open(dir, history.Options{ReadOnly: true})
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat: open history:", err)
		return nil, exitConfig
	}
	return st, exitOK
}

// reportObjectives returns the objectives the config gives its monitors,
// by name; none when there is no config or it does not load (the report
// then has no objectives section).
func reportObjectives(e *env, cfgPath string) map[string]store.Objective {
	p, err := config.Find(cfgPath)
	if err != nil {
		return nil
	}
	cfg, err := config.LoadWithEnv(p, e.lookup())
	if err != nil {
		return nil
	}
	out := map[string]store.Objective{}
	for _, m := range cfg.Monitors {
		if m.SLO > 0 {
			out[m.Name] = store.Objective{Objective: m.SLO, Window: m.SLOWindow}
		}
	}
	return out
}

// historyDirOnly reads just [settings] history_dir from a config that
// does not load as a whole (say, an alert secret that only the daemon's
// environment has): reading history needs nothing else.
func historyDirOnly(path string) (string, error) {
	var c struct {
		Settings struct {
			HistoryDir string `toml:"history_dir"`
		} `toml:"settings"`
	}
	if err := config.DecodeLenient(path, &c); err != nil {
		return "", err
	}
	dir := c.Settings.HistoryDir
	if strings.Contains(dir, "${") {
		return "", fmt.Errorf("%s: history_dir names an environment variable; use --history-dir", path)
	}
	if strings.HasPrefix(dir, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, dir[2:])
	}
	if dir != "" && !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.Dir(path), dir)
	}
	return dir, nil
}

// parseSince turns "7d", "36h" or an RFC 3339 time into a start time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := store.ParseDuration(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: want a duration like 7d or 36h, or an RFC 3339 time", s)
	}
	return now.Add(-d), nil
}

func cmdHistory(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "history", "history NAME [--since 7d] [--format table|csv|json]",
		"Prints a monitor's results over a period, oldest first. Reads while a daemon writes.")
	cfgPath := fs.String("config", "", "config `file`, for its history_dir")
	dir := fs.String("history-dir", "", "read the history in this `directory`")
	since := fs.String("since", "24h", "how far back: a duration (7d, 36h) or an RFC 3339 time")
	format := fs.String("format", "table", "table, csv or json (one object per line)")
	name, args := splitName(args)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	}
	if name == "" {
		fs.Usage()
		return exitConfig
	}
	switch *format {
	case "table", "csv", "json":
	default:
		fmt.Fprintf(e.stderr, "upbeat: --format %q: want table, csv or json\n", *format)
		return exitConfig
	}
	now := time.Now()
	from, err := parseSince(*since, now)
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	st, code := openHistoryReader(e, *dir, *cfgPath)
	if st == nil {
		return code
	}
	defer st.Close()
	if !hasMonitor(st, name) {
		fmt.Fprintf(e.stderr, "upbeat: no history for %q%s\n", name, nameHint(name, monitorNames(st)))
		return exitConfig
	}
	if err := store.Export(ctx, e.stdout, st, name, from, now, *format); err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	return exitOK
}

// splitName lets the monitor name come before the flags (history NAME --since 7d).
func splitName(args []string) (string, []string) {
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		return args[0], args[1:]
	}
	return "", args
}

func hasMonitor(st *history.DB, name string) bool {
	_, ok := st.Monitor(name)
	return ok
}

// monitorNames returns the names of the monitors on record, sorted.
func monitorNames(st *history.DB) []string {
	infos := st.Monitors()
	out := make([]string, len(infos))
	for i, m := range infos {
		out[i] = m.Name
	}
	return out
}

// haveHistory reports whether the history holds every monitor named,
// after saying which one it does not (and the closest name it has).
func haveHistory(e *env, st *history.DB, names []string) bool {
	for _, name := range names {
		if !hasMonitor(st, name) {
			fmt.Fprintf(e.stderr, "upbeat: no history for %q%s\n", name, nameHint(name, monitorNames(st)))
			return false
		}
	}
	return true
}

func cmdReport(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "report", "report [--since 30d] [--cost-per-hour N] [--json] [NAME…]",
		"Per monitor and overall: uptime %, incidents, longest outage, MTTR, total downtime and\n"+
			"what it cost, and the 5xx breakdown by code. Uptime counts from a monitor's first result.\n"+
			"Monitors with an slo in the config also get their error budget left over the objective's\n"+
			"window and their burn rates over 5m, 30m, 1h and 6h, as of now.")
	cfgPath := fs.String("config", "", "config `file`, for its history_dir")
	dir := fs.String("history-dir", "", "read the history in this `directory`")
	since := fs.String("since", "30d", "the period: a duration (30d, 90d) or an RFC 3339 time")
	cost := fs.Float64("cost-per-hour", 0, "what an hour of downtime costs (0: no cost shown)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if *cost < 0 {
		fmt.Fprintln(e.stderr, "upbeat: --cost-per-hour must not be negative")
		return exitConfig
	}
	now := time.Now()
	from, err := parseSince(*since, now)
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	st, code := openHistoryReader(e, *dir, *cfgPath)
	if st == nil {
		return code
	}
	defer st.Close()
	if !haveHistory(e, st, fs.Args()) {
		return exitConfig
	}
	rep, err := store.BuildReport(st, store.ReportOptions{From: from, To: now, CostPerHour: *cost, Monitors: fs.Args(),
		Objectives: reportObjectives(e, *cfgPath)})
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	if *asJSON {
		err = rep.WriteJSON(e.stdout)
	} else {
		err = rep.WriteText(e.stdout)
	}
	if err != nil && !errors.Is(err, os.ErrClosed) {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	return exitOK
}
