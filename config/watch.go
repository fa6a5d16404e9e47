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
	r := &watchRun{w: w, log: w.Logger}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	path, err := filepath.Abs(w.Path)
	if err != nil {
		path = filepath.Clean(w.Path) // only when the working directory is gone: use the path as given
	}
	r.path = path
	if w.Current != nil {
		r.started = w.Current()
	}
	if r.started != nil {
		r.tokens = [2]string{r.started.API.Token, r.started.API.ReadOnlyToken}
	}
	if fw := r.watch(); fw != nil {
		defer fw.Close()
	}
	r.last = hashFile(path) // the content in force: a touch or chmod reloads nothing
	r.timer = time.NewTimer(time.Hour)
	r.timer.Stop()
	defer r.timer.Stop()
	return r.loop(ctx)
}

// watchRun is the state of one Watcher.Run.
type watchRun struct {
	w       *Watcher
	log     *slog.Logger
	path    string  // the file, absolute
	started *Config // what keys read only at start hold until a restart
	tokens  [2]string
	// tokenNote is set while a token change left a listener refusing
	// everything.
	tokenNote string
	last      []byte // hash of the content in force
	events    <-chan fsnotify.Event
	errs      <-chan error
	timer     *time.Timer // the debounce
}

// watch starts watching the file's directory; nil when it cannot.
func (r *watchRun) watch() *fsnotify.Watcher {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		r.unwatched(fmt.Errorf("watch config: %w", err))
		return nil
	}
	if err := fw.Add(filepath.Dir(r.path)); err != nil {
		r.unwatched(fmt.Errorf("watch config dir: %w", err))
		return fw
	}
	r.events, r.errs = fw.Events, fw.Errors
	return fw
}

// unwatched says that file changes are no longer seen.
func (r *watchRun) unwatched(err error) {
	r.w.Warn(WarnWatchKey, "config file changes are not watched: "+oneLine(err.Error())+"; SIGHUP still reloads")
	r.log.Warn("config file changes are not watched; SIGHUP still reloads", "path", r.path, "err", err)
	r.events, r.errs = nil, nil
}

// loop reloads on every trigger and on every change of the file, once the
// file has been quiet for the debounce.
func (r *watchRun) loop(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case _, ok := <-r.w.Trigger:
			if !ok {
				r.w.Trigger = nil
				continue
			}
			r.timer.Stop()
			r.reload(true)
		case ev, ok := <-r.events:
			if !ok {
				r.unwatched(errors.New("watch config: watcher closed"))
				continue
			}
			if filepath.Clean(ev.Name) != r.path || ev.Op == fsnotify.Chmod {
				continue
			}
			r.timer.Reset(r.w.Debounce)
		case err, ok := <-r.errs:
			if !ok {
				r.unwatched(errors.New("watch config: watcher closed"))
				continue
			}
			r.log.Warn("config watcher", "err", err)
		case <-r.timer.C:
			if _, err := os.Stat(r.path); err != nil {
				continue // removed, or between an editor's remove and create: wait for the next event
			}
			r.reload(false)
		}
	}
}

// reload loads and applies the file unless its content is the one in
// force (force: whatever it is).
func (r *watchRun) reload(force bool) {
	sum := hashFile(r.path)
	if !force && sum != nil && bytes.Equal(sum, r.last) {
		return
	}
	cfg, err := r.w.Load(r.path)
	if err == nil {
		var changes []string
		if changes, err = r.w.Apply(cfg); err == nil {
			r.last = sum
			r.applied(cfg, changes)
			return
		}
	}
	r.last = sum // the same broken content is not re-read on every event; a signal still retries
	r.w.Warn(WarnKey, "config not reloaded: "+oneLine(err.Error()))
	r.log.Warn("config not reloaded", "path", r.path, "err", joinLines(err.Error()))
	if r.w.Reloaded != nil {
		r.w.Reloaded(nil, err)
	}
}

// applied reports a config put in force: the changes, new tokens, and
// what needs a restart.
func (r *watchRun) applied(cfg *Config, changes []string) {
	r.w.Warn(WarnKey, "")
	changes = append(changes, r.setTokens(cfg)...)
	var notes []string
	if r.started != nil {
		if n := restartNote(r.started, cfg, r.w.SetTokens == nil); n != "" {
			notes = append(notes, n)
		}
	}
	if r.tokenNote != "" {
		notes = append(notes, r.tokenNote)
	}
	r.w.Warn(WarnRestartKey, engine.Sanitize(strings.Join(notes, "; "), 600))
	changes = append(changes, notes...)
	what := "no change"
	if len(changes) > 0 {
		what = strings.Join(changes, ", ")
	}
	r.log.Info("config reloaded", "path", r.path, "changes", what)
	if r.w.Reloaded != nil {
		r.w.Reloaded(changes, nil)
	}
}

// setTokens puts cfg's [api] tokens in force when they changed and the
// watcher may, and says which changed.
func (r *watchRun) setTokens(cfg *Config) []string {
	next := [2]string{cfg.API.Token, cfg.API.ReadOnlyToken}
	if r.w.SetTokens == nil || next == r.tokens {
		return nil
	}
	err := r.w.SetTokens(next[0], next[1])
	changes := tokenChanges(r.tokens, next)
	r.tokens, r.tokenNote = next, ""
	if err != nil {
		r.tokenNote = "[api] no token left: the listen address refuses every request, and the daemon would not start"
	}
	return changes
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
	add(&set, "history_access", sa.HistoryAccess != sb.HistoryAccess)
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
