package alert

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/upbeat-monitor/upbeat/engine"
)

// terminal notifies through the terminal the dashboard runs in: OSC 9
// (iTerm2, WezTerm, Windows Terminal, kitty, foot, …) and OSC 777 (rxvt,
// Ghostty, foot, WezTerm, …) ask the terminal emulator for a desktop
// notification — on the laptop in front of the person, even when upbeat
// runs on a jump host over SSH — and BEL rings for urgent ones. Inside tmux
// each sequence is wrapped for passthrough (tmux needs
// "set -g allow-passthrough on" from 3.3 on).
type terminal struct {
	name string
	w    io.Writer
	tmux bool
	mu   sync.Mutex
}

// newTerminal returns a terminal channel writing to opts.Terminal.
func newTerminal(name string, opts ChannelOptions) *terminal {
	t := &terminal{name: name, w: opts.Terminal}
	if opts.Env != nil && opts.Env("TMUX") != "" {
		t.tmux = true
	}
	return t
}

// Name implements Channel.
func (t *terminal) Name() string { return t.name }

// Send implements Channel: the notification sequences and the bell are
// written in one Write call.
func (t *terminal) Send(ctx context.Context, m Message) error {
	if t.w == nil {
		return Permanent(fmt.Errorf("terminal: %w", ErrNoTerminal))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	seq := TerminalSequence(m, t.tmux)
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := io.WriteString(t.w, seq); err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	return nil
}

// TerminalSequence returns the bytes a terminal channel writes for m: OSC 9
// and OSC 777 notifications (wrapped for tmux passthrough when tmux is
// set) and, for urgent messages, BEL. Text is sanitized so a monitored
// target cannot smuggle escape sequences into the terminal.
func TerminalSequence(m Message, tmux bool) string {
	title := oscText("upbeat: "+m.Title, 200)
	body := oscText(firstLine(m.Text), 300)
	osc9 := "\x1b]9;" + title + "\x07"
	osc777 := "\x1b]777;notify;" + strings.ReplaceAll(title, ";", ",") + ";" + strings.ReplaceAll(body, ";", ",") + "\x07"
	var b strings.Builder
	for _, s := range []string{osc9, osc777} {
		if tmux {
			s = "\x1bPtmux;" + strings.ReplaceAll(s, "\x1b", "\x1b\x1b") + "\x1b\\"
		}
		b.WriteString(s)
	}
	if m.Urgent || m.Event == EventTest {
		b.WriteByte('\a')
	}
	return b.String()
}

// oscText makes s safe inside an OSC string: no escape sequences, no
// control characters (BEL or ESC would end the string early), at most max
// runes.
func oscText(s string, max int) string {
	return strings.TrimSpace(engine.Sanitize(s, max))
}

// firstLine returns the first line of s.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// cleanLines sanitizes each line of s and keeps the line breaks; the whole
// is cut to about max runes.
func cleanLines(s string, max int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	var b strings.Builder
	left := max
	for i, l := range lines {
		if left <= 0 {
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		l = engine.Sanitize(l, left)
		left -= utf8.RuneCountInString(l) + 1
		b.WriteString(l)
	}
	return b.String()
}
