package main

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/upbeat-monitor/upbeat/demo"
	"github.com/upbeat-monitor/upbeat/tui"
)

// TestDemoFirstFrames is the demo's first frame, as a person sees it the
// moment `upbeat demo` starts: the engine restored from the simulated
// week, before its first live check, at 80x24 and 200x50. Uptime, the
// sparklines, how long each monitor has been up and the log have
// something to say from the first second, and the header says the past is
// simulated. The clock and the demo's seed are fixed, so the frames are
// too (refresh with go test . -run TestDemoFirstFrames -update).
func TestDemoFirstFrames(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 15, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	origin, err := demo.Start(t.Context(), demo.Options{Now: clock, Seed: 14, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer origin.Close()
	dir := t.TempDir()
	if _, err := origin.WritePast(dir, now, demo.PastSpan); err != nil {
		t.Fatal(err)
	}
	rt, err := newRuntime(origin.Config(), runtimeOptions{getenv: func(string) string { return "" }, historyDir: dir, now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	src := rt.localSource("built-in demo", true)
	days := int(demo.PastSpan / (24 * time.Hour))
	for _, size := range []struct{ w, h int }{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			r := lipgloss.NewRenderer(io.Discard)
			r.SetColorProfile(termenv.Ascii)
			m := tui.New(src, tui.Options{Now: clock, Renderer: r, NoColor: true})
			defer m.Close()
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Log · newest first")) },
				teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			v := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).View()
			if want := "demo: " + strconv.Itoa(days) + " days of simulated history"; !strings.Contains(v, want) {
				t.Errorf("the first frame does not say %q:\n%s", want, v)
			}
			if strings.Contains(v, "○ pending") {
				t.Errorf("a monitor has nothing to show in the first frame:\n%s", v)
			}
			teatest.RequireEqualOutput(t, []byte(v))
		})
	}
}
