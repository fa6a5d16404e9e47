package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/upbeat-monitor/upbeat/engine"
)

// WarnKey is the warning key under which a refused reload is shown.
const WarnKey = "config"

// Watcher reloads the configuration when asked (a signal, usually SIGHUP)
// or when the file changes. A config that does not load is refused: the
// old one keeps running and Warn shows why in every attached dashboard;
// a good one is applied and the warning cleared.
type Watcher struct {
	// Path is the config file. Its directory is watched, so that editors
	// that save by renaming a new file into place are seen.
	Path string
	// Load reads and validates the file (config.Load).
	Load func(path string) (*engine.Config, error)
	// Apply puts a config in force (Engine.Reload) and says what changed.
	Apply func(*engine.Config) ([]string, error)
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
	// Reloaded, if set, is called after every attempt with the changes
	// applied or the error that refused the config.
	Reloaded func(changes []string, err error)
}

// WatchConfig runs a Watcher until ctx is done. hup is the channel main
// passes to signal.Notify for SIGHUP (nil: file changes only); library
// code never installs signal handlers itself.
func WatchConfig(ctx context.Context, path string, load func(path string) (*engine.Config, error),
	apply func(*engine.Config) ([]string, error), warn func(key, msg string), hup <-chan os.Signal) error {
	w := &Watcher{Path: path, Load: load, Apply: apply, Warn: warn, Trigger: hup}
	return w.Run(ctx)
}

// Run watches until ctx is done; it returns ctx's error, or an error when
// the directory cannot be watched at all.
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
		return fmt.Errorf("watch config: %w", err)
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch config: %w", err)
	}
	defer fw.Close()
	if err := fw.Add(filepath.Dir(path)); err != nil {
		return fmt.Errorf("watch config dir: %w", err)
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
				log.Info("config reloaded", "path", path, "changes", len(changes))
				if w.Reloaded != nil {
					w.Reloaded(changes, nil)
				}
				return
			}
		}
		last = sum // the same broken content is not re-read on every event; a signal still retries
		msg := "config not reloaded: " + oneLine(err.Error())
		w.Warn(WarnKey, msg)
		log.Warn("config not reloaded", "path", path, "err", err)
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
		case ev, ok := <-fw.Events:
			if !ok {
				return fmt.Errorf("watch config: watcher closed")
			}
			if filepath.Clean(ev.Name) != path || ev.Op == fsnotify.Chmod {
				continue
			}
			timer.Reset(w.Debounce)
		case err, ok := <-fw.Errors:
			if !ok {
				return fmt.Errorf("watch config: watcher closed")
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

func hashFile(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	s := sha256.Sum256(b)
	return s[:]
}

// oneLine joins a multi-line error (one mistake per line) with "; " and
// cleans it for display.
func oneLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return engine.Sanitize(strings.Join(lines, "; "), 600)
}
