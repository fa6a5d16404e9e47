package tui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// Run shows the dashboard on src until the person quits or ctx is done.
// When the output is not a terminal it prints the plain table once instead
// (see PrintPlain) rather than failing on /dev/tty. NO_COLOR in the
// environment turns colour off.
func Run(ctx context.Context, src source.Source, opts Options) error {
	out := opts.Output
	if out == nil {
		out = os.Stdout
	}
	in := opts.Input
	if in == nil {
		in = os.Stdin
	}
	if f, ok := out.(*os.File); ok && !term.IsTerminal(f.Fd()) {
		return PrintPlain(out, src.Snapshot(), 0)
	}
	if os.Getenv("NO_COLOR") != "" {
		opts.NoColor = true
	}
	if opts.Renderer == nil {
		opts.Renderer = lipgloss.NewRenderer(out)
	}
	if opts.Home == "" {
		opts.Home, _ = os.UserHomeDir() // none known: paths are named whole
	}
	if opts.Clipboard == nil {
		opts.Clipboard = out
		opts.ClipboardTmux = os.Getenv("TMUX") != ""
	}
	m := New(src, opts)
	defer m.Close()
	popts := []tea.ProgramOption{
		tea.WithContext(ctx),
		tea.WithAltScreen(),
		tea.WithOutput(out),
		tea.WithInput(in),
	}
	if opts.Mouse {
		popts = append(popts, tea.WithMouseCellMotion())
	}
	_, err := tea.NewProgram(m, popts...).Run()
	if err != nil && ctx.Err() != nil && errors.Is(err, tea.ErrProgramKilled) {
		return nil // the caller ended it
	}
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	return nil
}

// PrintPlain writes the monitors as a plain table (no colour, no escape
// sequences), worst first, for when the output is not a terminal. cols is
// the line width; 0 means at least 100, and as wide as every name takes
// whole: a pipe or a file has no width to keep to, and two names that
// differ only in their middle must not read alike.
func PrintPlain(w io.Writer, snapshot []monitor.State, cols int) error {
	whole := cols <= 0
	if whole {
		cols = 100
	}
	sty := NewStyles(lipgloss.NewRenderer(io.Discard), true)
	h := NewHeader(sty)
	h.SetData(snapshot, source.Info{}, nil, time.Time{})
	t := NewTable(sty, DefaultKeyMap())
	t.SetPlain(true)
	t.SetNow(time.Now())
	t.SetSize(cols, len(snapshot)+1)
	t.SetData(snapshot)
	if whole {
		longest := 0
		for i := range snapshot {
			if m := snapshot[i].Monitor; m != nil {
				n := width(clean(m.Name))
				if m.Insecure {
					n += width(" (insecure)")
				}
				longest = max(longest, n)
			}
		}
		// past a name of nameMax, the room given goes to the sparkline
		// up to sparkMax, then to the name
		if need := t.IdealWidth() + max(0, longest-nameMax) + sparkMax - 30; longest > nameMax && need > cols {
			t.SetSize(need, len(snapshot)+1)
		}
	}
	bw := bufio.NewWriter(w)
	c := h.Counts()
	fmt.Fprintf(bw, "%d down, %d degraded, %d up, %d pending, %d maintenance, %d paused\n",
		c[monitor.StatusDown], c[monitor.StatusDegraded], c[monitor.StatusUp],
		c[monitor.StatusPending], c[monitor.StatusMaintenance], c[monitor.StatusPaused])
	for _, l := range strings.Split(t.View(), "\n") {
		bw.WriteString(strings.TrimRight(l, " "))
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("print table: %w", err)
	}
	return nil
}
