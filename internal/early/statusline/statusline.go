// Package statusline is `upbeat status`: one short line about the running
// daemon ("✕2 ▲1 ●37") for a tmux status bar or a shell prompt, which run
// it every few seconds, a prompt at every command.
//
// Most of what the upbeat binary costs to start is initialising the
// packages it links (the dashboard, the check kinds' protocol clients,
// Prometheus's client), none of which the status line uses. Go
// initialises, among the packages whose imports are ready, the one whose
// import path sorts first (Go 1.21 and later), and this module's path
// sorts before every other module upbeat links; so Quick, called from
// the init of package quickstatus, answers `upbeat status` and exits while
// most of the rest is still uninitialised. It imports no net package,
// which Go initialises late: it speaks HTTP/1.0 to the daemon's unix
// socket through system calls.
//
// Whatever it is not sure to answer as the full command would (an
// address or token named on the command line, --timeout, --verbose, a
// config that is not a regular file or whose [api] socket needs ${VAR}
// expanding or does not read, a reply in a shape it does not expect) it
// leaves to the full command in package main, which then runs as if this
// package were not there. Both read of the config only the [api] socket.
package statusline

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Summary is the answer of GET /api/v1/summary: monitors counted by
// status (api/wire.Summary is this type).
type Summary struct {
	Location    string   `json:"location,omitempty"`
	Total       int      `json:"total"`
	Down        int      `json:"down"`
	Degraded    int      `json:"degraded"`
	Up          int      `json:"up"`
	Pending     int      `json:"pending"`
	Maintenance int      `json:"maintenance"`
	Paused      int      `json:"paused"`
	Acked       int      `json:"acked"`         // of the down ones, how many are acknowledged
	DownNames   []string `json:"down_monitors"` // in configuration order; never null
	Warnings    int      `json:"warnings"`      // problems with upbeat itself in force
	// WarningMessages says what Warnings counts, oldest first; left out
	// when there is none.
	WarningMessages []string `json:"warning_messages,omitempty"`
}

// LineVersion is the version of what Write writes. A daemon writes the
// line for `upbeat status`'s first path (atonce), which prints it only
// when the daemon's version of it is its own: a change to Write bumps it
// (TestStatusLineVersion holds it to the text).
const LineVersion = 1

// Timeout is how long status waits for a daemon before it prints nothing.
const Timeout = 500 * time.Millisecond

// MaxSummary is the most of a summary's body status reads.
const MaxSummary = 1 << 20

// Mode is how a summary is written.
type Mode int

const (
	Plain  Mode = iota // "✕2 ▲1 ●37 ◆2 ‖1"
	Tmux               // the same with tmux colour codes, for status-left/status-right
	Prompt             // only the problems, and nothing while all is well, for PS1
	JSON               // the summary as a JSON object
)

// Write writes s as mode asks, with a line break; in Prompt mode nothing
// at all while nothing is down or degraded.
func Write(w io.Writer, s Summary, mode Mode) {
	switch mode {
	case JSON:
		b, _ := json.Marshal(s)
		fmt.Fprintf(w, "%s\n", b)
	case Prompt:
		if line := Line(s, false, true); line != "" {
			fmt.Fprintln(w, line+" ") // the space parts it from the rest of the prompt
		}
	default:
		fmt.Fprintln(w, Line(s, mode == Tmux, false))
	}
}

// Line writes a summary as "✕2 ▲1 ●37 ○3 ◆2 ‖1": the glyphs the dashboard
// uses, a part only when its count is not zero (up is always there,
// unless problemsOnly, which leaves out up, pending, maintenance and
// paused). With tmux each part is wrapped in its tmux style, reset after;
// "!N" counts problems with upbeat itself (a stall, a full disk, an alert
// channel that gave up).
func Line(s Summary, tmux, problemsOnly bool) string {
	var parts []string
	add := func(glyph string, n int, always bool) {
		if n == 0 && !always {
			return
		}
		part := glyph + strconv.Itoa(n)
		if tmux {
			part = tmuxStyle(glyph) + part + "#[default]"
		}
		parts = append(parts, part)
	}
	add("✕", s.Down, false)
	add("▲", s.Degraded, false)
	if !problemsOnly {
		add("●", s.Up, true)
		add("○", s.Pending, false) // not checked yet: "●0" alone would read as nothing watched
		add("◆", s.Maintenance, false)
		add("‖", s.Paused, false)
	}
	add("!", s.Warnings, false)
	return strings.Join(parts, " ")
}

// tmuxStyle is the tmux style of each part of the status line.
func tmuxStyle(glyph string) string {
	switch glyph {
	case "✕":
		return "#[fg=red,bold]"
	case "▲":
		return "#[fg=yellow]"
	case "●":
		return "#[fg=green]"
	case "◆":
		return "#[fg=blue]"
	case "○", "‖":
		return "#[dim]"
	case "!":
		return "#[fg=magenta]"
	}
	return ""
}
