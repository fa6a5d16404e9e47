package main

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
)

// logPath is where the dashboard writes its log: never the terminal the
// dashboard draws on. $XDG_STATE_HOME/upbeat/upbeat.log.
func logPath(getenv func(string) string) string {
	dir := getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "upbeat", "upbeat.log")
}

// openLog sends slog and the standard logger (net/http writes there) to
// the log file. Without a usable file, logs are discarded rather than
// drawn over the dashboard.
func openLog(e *env) (*slog.Logger, func()) {
	var w io.Writer = io.Discard
	var f *os.File
	if p := logPath(e.getenv); p != "" {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err == nil {
			f, _ = os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		}
	}
	if f != nil {
		w = f
		fmt.Fprintln(f, "---- upbeat", versionString(), "started")
	}
	prev := log.Writer()
	log.SetOutput(w)
	logger := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return logger, func() {
		log.SetOutput(prev)
		if f != nil {
			f.Close()
		}
	}
}
