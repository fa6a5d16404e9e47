package tui

import (
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/reproduce"
	"github.com/upbeat-monitor/upbeat/source"
)

// maxClipboard bounds what is put on the clipboard: terminals refuse (or
// cut) long OSC 52 strings, and no command is that long.
const maxClipboard = 8 << 10

// OSC52 returns the sequence that asks the terminal to put text on the
// clipboard, wrapped for tmux's passthrough as well when tmux is set.
// The text is reduced to printable characters first, so whatever it holds
// cannot end the sequence early or start another; it travels as base64.
func OSC52(text string, tmux bool) string {
	text = reproduce.Safe(text)
	if len(text) > maxClipboard {
		text = text[:maxClipboard]
	}
	seq := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\x07"
	if tmux {
		seq += "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
	}
	return seq
}

// reproduceFor is the command that reproduces the failure the detail view
// explains: the last check when it failed, else the last failure known,
// else the last check.
func (d *Detail) reproduceFor() (reproduce.Command, *monitor.Result) {
	r := &d.st.Last
	if !source.HasError(r) {
		if f, ok := d.lastFailure(); ok {
			r = &f
		}
	}
	return reproduce.For(d.st.Monitor, r), r
}

// reproduceLines shows the command that reproduces r, broken over lines
// of w cells at its words, each but the last ending in " \" as a shell
// reads them, and what was left out of it.
func (d *Detail) reproduceLines(r *monitor.Result, w int) []string {
	s := d.sty
	c := reproduce.For(d.st.Monitor, r)
	k, _ := d.keys.Copy.hint()
	out := []string{"", s.Bold.Render("Reproduce") + s.Dim.Render(" · "+k+" copies it")}
	if c.Line == "" {
		return append(out, wrap(s.Dim.Render(clean(c.Note)), w)...)
	}
	line := ""
	for i, a := range c.Args {
		switch {
		case i > 0 && c.Args[i-1] == "-w" && width(line)+1+width(a) > w && strings.Contains(a, "  "):
			// curl's output template is wider than the screen: it goes on
			// over lines inside its quotes, where a line break is only one
			// more in what curl prints (y copies it on one line).
			fields := strings.Split(a, "  ")
			out = append(out, line+" \\")
			line = "  " + fields[0]
			for _, f := range fields[1:] {
				out = append(out, line)
				line = "  " + f
			}
		case line == "":
			line = a
		case width(line)+1+width(a)+2 > w:
			out = append(out, line+" \\")
			line = "  " + a
		default:
			line += " " + a
		}
	}
	out = append(out, line)
	if len(c.Omitted) > 0 {
		out = append(out, wrap(s.Dim.Render("left out: "+clean(strings.Join(c.Omitted, "; "))), w)...)
	}
	if c.Note != "" {
		out = append(out, wrap(s.Dim.Render(clean(c.Note)), w)...)
	}
	return out
}

// copyReproduce puts the command that reproduces the detail view's
// failure on the clipboard of the terminal the dashboard is seen in (over
// SSH, the client's), through OSC 52.
func (m *Model) copyReproduce() tea.Cmd {
	c, _ := m.detail.reproduceFor()
	if c.Line == "" {
		return m.setFlash(clean(c.Note), false)
	}
	cb := m.opts.Clipboard
	if cb == nil {
		return m.setFlash("no terminal to copy to", true)
	}
	seq := OSC52(c.Line, m.opts.ClipboardTmux)
	if _, err := io.WriteString(cb, seq); err != nil {
		return m.setFlash("copy failed: "+clean(err.Error()), true)
	}
	msg := fmt.Sprintf("copied: %s (the terminal must allow OSC 52)", trunc(c.Line, 40))
	return m.setFlash(msg, false)
}
