package config

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/upbeat-monitor/upbeat/engine"
)

// Warning keys (Engine.Warn) under which the watcher shows problems.
const (
	// WarnKey: the last reload was refused (cleared by a good one).
	WarnKey = "config"
	// WarnRestartKey: keys read only at start differ from the file.
	WarnRestartKey = "config-restart"
	// WarnWatchKey: the file's changes are not watched; SIGHUP still works.
	WarnWatchKey = "config-watch"
)

// Watcher reloads the configuration when asked (a signal, usually SIGHUP)
// or when the file changes. A config that does not load is refused: the
// old one keeps running and Warn shows why in every attached dashboard;
// a good one is applied and the warning cleared. Keys that are read only
// at start ([api] listen, [settings] location, …) are reported as
// needing a restart for as long as the file differs from them.
type Watcher struct {
	// Path is the config file. Its directory is watched, so that editors
	// that save by renaming a new file into place are seen.
	Path string
	// Load reads and validates the file (config.Load).
	Load func(path string) (*Config, error)
	// Apply puts a config in force (the runtime's reload) and says what changed.
	Apply func(*Config) ([]string, error)
	// Warn shows (msg != "") or clears (msg == "") a warning (Engine.Warn).
	Warn func(key, msg string)
	// Trigger forces a reload on every receive, e.g. a channel given to
	// signal.Notify for SIGHUP. nil: file changes only.
	Trigger <-chan os.Signal
	// Debounce is how long the file must be quiet before it is read
	// (default 300ms): editors write in several steps.
	Debounce time.Duration
	// Logger receives what was reloaded and why not; nil: discarded.
	Logger *slog.Logger
	// Current returns the config in force when Run starts:
	// the values that keys read only at start keep until a restart.
	// nil: what needs a restart is not reported.
	Current func() *Config
	// SetTokens, if set, puts new [api] tokens in force at once
	// (Server.SetTokens); nil: a token change needs a restart.
	SetTokens func(token, readOnly string) error
	// Reloaded, if set, is called after every attempt with the changes
	// applied (restart notes included) or the error that refused the config.
	Reloaded func(changes []string, err error)
}

// WatchOptions are the optional parts of WatchConfig.
type WatchOptions struct {
	// Logger receives every reload, accepted (what changed) or refused
	// (the file:line errors), and watcher failures; nil: discarded.
	Logger *slog.Logger
	// SetTokens, if set, puts new [api] tokens in force at once
	// (api.Server.SetTokens), so that a SIGHUP revokes a leaked token;
	// without it a token change needs a restart.
	SetTokens func(token, readOnly string) error
	// Current returns the config in force when watching starts, to tell
	// which changes need a restart. nil: that is not reported.
	Current func() *Config
}

// WatchConfig runs a Watcher until ctx is done. hup is the channel main
// passes to signal.Notify for SIGHUP (nil: file changes only); library
// code never installs signal handlers itself. When the file cannot be
// watched (the inotify limit, say), it warns and goes on with SIGHUP alone.
func WatchConfig(ctx context.Context, path string, load func(path string) (*Config, error),
	apply func(*Config) ([]string, error), warn func(key, msg string), hup <-chan os.Signal,
	opts WatchOptions) error {
	w := &Watcher{Path: path, Load: load, Apply: apply, Warn: warn, Trigger: hup, Logger: opts.Logger,
		Current: opts.Current, SetTokens: opts.SetTokens}
	return w.Run(ctx)
}

// Run watches until ctx is done and returns ctx's error. When the file
// cannot be watched, it says so through Warn and the Logger and goes on
// reloading on Trigger alone.
func (w *Watcher) Run(ctx context.Context) error {
	if w.Debounce <= 0 {
		w.Debounce = 300 * time.Millisecond
	}
	log := w.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	path, err := filepath.Abs(w.Path)
	if err != nil {
		path = filepath.Clean(w.Path) // only when the working directory is gone: use the path as given
	}
	var started *Config // what keys read only at start hold until a restart
	if w.Current != nil {
		started = w.Current()
	}
	var tokens [2]string // the tokens in force
	if started != nil {
		tokens = [2]string{started.API.Token, started.API.ReadOnlyToken}
	}
	tokenNote := "" // a token change that left a listener refusing everything

	var events <-chan fsnotify.Event
	var errs <-chan error
	unwatched := func(err error) {
		w.Warn(WarnWatchKey, "config file changes are not watched: "+oneLine(err.Error())+"; SIGHUP still reloads")
		log.Warn("config file changes are not watched; SIGHUP still reloads", "path", path, "err", err)
		events, errs = nil, nil
	}
	if fw, err := fsnotify.NewWatcher(); err != nil {
		unwatched(fmt.Errorf("watch config: %w", err))
	} else {
		defer fw.Close()
		if err := fw.Add(filepath.Dir(path)); err != nil {
			unwatched(fmt.Errorf("watch config dir: %w", err))
		} else {
			events, errs = fw.Events, fw.Errors
		}
	}
	last := hashFile(path) // the content in force: a touch or chmod reloads nothing
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()

	reload := func(force bool) {
		sum := hashFile(path)
		if !force && sum != nil && bytes.Equal(sum, last) {
			return
		}
		cfg, err := w.Load(path)
		if err == nil {
			var changes []string
			changes, err = w.Apply(cfg)
			if err == nil {
				last = sum
				w.Warn(WarnKey, "")
				if w.SetTokens != nil {
					next := [2]string{cfg.API.Token, cfg.API.ReadOnlyToken}
					if next != tokens {
						terr := w.SetTokens(next[0], next[1])
						changes = append(changes, tokenChanges(tokens, next)...)
						tokens, tokenNote = next, ""
						if terr != nil {
							tokenNote = "[api] no token left: the listen address refuses every request, and the daemon would not start"
						}
					}
				}
				var notes []string
				if started != nil {
					if n := restartNote(started, cfg, w.SetTokens == nil); n != "" {
						notes = append(notes, n)
					}
				}
				if tokenNote != "" {
					notes = append(notes, tokenNote)
				}
				w.Warn(WarnRestartKey, engine.Sanitize(strings.Join(notes, "; "), 600))
				changes = append(changes, notes...)
				what := "no change"
				if len(changes) > 0 {
					what = strings.Join(changes, ", ")
				}
				log.Info("config reloaded", "path", path, "changes", what)
				if w.Reloaded != nil {
					w.Reloaded(changes, nil)
				}
				return
			}
		}
		last = sum // the same broken content is not re-read on every event; a signal still retries
		w.Warn(WarnKey, "config not reloaded: "+oneLine(err.Error()))
		log.Warn("config not reloaded", "path", path, "err", joinLines(err.Error()))
		if w.Reloaded != nil {
			w.Reloaded(nil, err)
		}
	}

	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case _, ok := <-w.Trigger:
			if !ok {
				w.Trigger = nil
				continue
			}
			timer.Stop()
			reload(true)
		case ev, ok := <-events:
			if !ok {
				unwatched(errors.New("watch config: watcher closed"))
				continue
			}
			if filepath.Clean(ev.Name) != path || ev.Op == fsnotify.Chmod {
				continue
			}
			timer.Reset(w.Debounce)
		case err, ok := <-errs:
			if !ok {
				unwatched(errors.New("watch config: watcher closed"))
				continue
			}
			log.Warn("config watcher", "err", err)
		case <-timer.C:
			if _, err := os.Stat(path); err != nil {
				continue // removed, or between an editor's remove and create: wait for the next event
			}
			reload(false)
		}
	}
}

// tokenChanges says which tokens changed, never what they are.
func tokenChanges(old, next [2]string) []string {
	var out []string
	for i, key := range []string{"token", "read_only_token"} {
		switch {
		case old[i] == next[i]:
		case next[i] == "":
			out = append(out, "[api] "+key+" removed")
		case old[i] == "":
			out = append(out, "[api] "+key+" set")
		default:
			out = append(out, "[api] "+key+" replaced")
		}
	}
	return out
}

// restartNote names the keys read only at start that differ between the
// config the daemon started with and next ("" when none), as in
// "[api] listen and [settings] location changed: needs a restart to apply".
// tokens says whether the tokens count among them.
func restartNote(started, next *Config, tokens bool) string {
	a, b := started.API, next.API
	var api []string
	add := func(list *[]string, key string, changed bool) {
		if changed {
			*list = append(*list, key)
		}
	}
	add(&api, "listen", a.Listen != b.Listen)
	add(&api, "socket", a.Socket != b.Socket)
	add(&api, "token", tokens && a.Token != b.Token)
	add(&api, "read_only_token", tokens && a.ReadOnlyToken != b.ReadOnlyToken)
	add(&api, "allowed_hosts", !slices.Equal(a.AllowedHosts, b.AllowedHosts))
	sa, sb := started.Settings, next.Settings
	var set []string
	add(&set, "location", sa.Location != sb.Location)
	add(&set, "concurrency", sa.Concurrency != sb.Concurrency)
	add(&set, "history_dir", sa.HistoryDir != sb.HistoryDir)
	add(&set, "retention", sa.Retention != sb.Retention)
	add(&set, "rollup_retention", sa.RollupRetention != sb.RollupRetention)
	var parts []string
	if len(api) > 0 {
		parts = append(parts, "[api] "+strings.Join(api, ", "))
	}
	if len(set) > 0 {
		parts = append(parts, "[settings] "+strings.Join(set, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, " and ") + " changed: needs a restart to apply"
}

func hashFile(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	s := sha256.Sum256(b)
	return s[:]
}

// joinLines joins a multi-line error with "; ", whole, for the log.
func joinLines(s string) string {
	return strings.Join(strings.Split(strings.TrimSpace(s), "\n"), "; ")
}

// oneLine joins a multi-line error (one mistake per line) with "; " and
// cleans it for display.
func oneLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return engine.Sanitize(strings.Join(lines, "; "), 600)
}
