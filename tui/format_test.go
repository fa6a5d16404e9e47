package tui

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestFmtLatency(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		400 * time.Microsecond:   "0.4ms",
		50 * time.Microsecond:    "<0.1ms",
		4200 * time.Microsecond:  "4.2ms",
		123 * time.Millisecond:   "123ms",
		1234 * time.Millisecond:  "1.23s",
		12300 * time.Millisecond: "12.3s",
		150 * time.Second:        "150s",
	} {
		if got := humanize.Latency(d); got != want {
			t.Errorf("humanize.Latency(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestFmtRatioNeverRoundsAFailureUp(t *testing.T) {
	t.Parallel()
	for r, want := range map[float64]string{1: "100%", 0.99999: "99.99%", 0.9995: "99.95%", 0.982: "98.2%", 0: "0.0%"} {
		if got := fmtRatio(r); got != want {
			t.Errorf("fmtRatio(%v) = %q, want %q", r, got, want)
		}
	}
}

func TestFmtDur(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		12 * time.Second: "12s", 4 * time.Minute: "4m", 3 * time.Hour: "3h", 50 * time.Hour: "2d", -time.Second: "0s",
	} {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRepeatAndFitNeverPanic(t *testing.T) {
	t.Parallel()
	for _, n := range []int{-5, -1, 0, 1} {
		_ = repeat("─", n)
		_ = spaces(n)
		_ = fit("abc", n)
		_ = fitRight("abc", n)
		_ = trunc("abc", n)
	}
	if got := fit("abcdef", 4); got != "abc…" {
		t.Errorf("fit cut = %q", got)
	}
	if got := fitRight("ab", 4); got != "  ab" {
		t.Errorf("fitRight = %q", got)
	}
}

func testStyles() *Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return NewStyles(r, true)
}

// A fast target with 0–1 ms of jitter must not look like it is spiking.
func TestSparklineHasAFloor(t *testing.T) {
	t.Parallel()
	now := time.Now()
	var samples []monitor.Sample
	for i := 0; i < 30; i++ {
		lat := 100 * time.Microsecond
		if i%2 == 0 {
			lat = time.Millisecond
		}
		samples = append(samples, monitor.Sample{Time: now.Add(time.Duration(i) * time.Second), Latency: lat, Status: monitor.StatusUp})
	}
	s := renderSpark(testStyles(), samples, 30, false)
	if strings.ContainsAny(s, "▄▅▆▇█") {
		t.Fatalf("0–1 ms jitter drawn as tall bars: %q", s)
	}
	if strings.Contains(s, " ") {
		t.Fatalf("a check that answered is drawn as nothing: %q", s)
	}
	// a real spike still shows
	samples[20].Latency = 200 * time.Millisecond
	if s := renderSpark(testStyles(), samples, 30, false); !strings.Contains(s, "█") {
		t.Fatalf("a 200 ms spike is not full height: %q", s)
	}
	// the scale comes from the window shown: an old outlier does not flatten it
	samples[0].Latency = 10 * time.Second
	if got := sparkScale(samples[len(samples)-9:]); got != sparkFloor {
		t.Fatalf("scale of the last 9 = %v, want the floor %v", got, sparkFloor)
	}
	// failed checks are marked, not drawn as latency
	samples[29].Status = monitor.StatusDown
	if s := renderSpark(testStyles(), samples, 30, false); !strings.HasSuffix(s, "✕") {
		t.Fatalf("a failed check is not marked: %q", s)
	}
	// and checks in a maintenance window too: the window hides whether
	// they failed, and a refused connection's latency would read as a fast
	// answer; nor do they set the scale
	samples[27].Status, samples[28].Status = monitor.StatusMaintenance, monitor.StatusMaintenance
	samples[28].Latency = 10 * time.Second
	if s := renderSpark(testStyles(), samples, 30, true); !strings.HasSuffix(s, "░░✕") || !strings.Contains(s, "█") {
		t.Fatalf("checks in a window are not marked: %q", s)
	}
	if got := lipgloss.Width(renderSpark(testStyles(), samples, 12, false)); got != 12 {
		t.Fatalf("sparkline width %d, want 12", got)
	}
}

func TestSparkCacheRedrawsOnlyOnChange(t *testing.T) {
	t.Parallel()
	sty := testStyles()
	var c sparkCache
	now := time.Now()
	s := []monitor.Sample{{Time: now, Latency: time.Millisecond, Status: monitor.StatusUp}}
	a := c.get(sty, "x", s, 10, false, false)
	e := c.m[sparkName{"x", false}]
	if b := c.get(sty, "x", s, 10, false, false); b != a || c.m[sparkName{"x", false}] != e {
		t.Fatal("same samples drawn again")
	}
	s = append(s, monitor.Sample{Time: now.Add(time.Second), Latency: 3 * time.Millisecond, Status: monitor.StatusUp})
	if b := c.get(sty, "x", s, 10, false, false); b == a {
		t.Fatal("new sample not drawn")
	}
}

func TestExplainLine(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		code  int
		class string
		want  string
	}{
		{502, "http_502", "502 Bad Gateway — "},
		{0, "refused", "Connection refused — "},
		{200, "json_assertion", " (HTTP 200) — "},
		{587, "", "587 "},
	} {
		if got := explainLine(c.code, c.class); !strings.Contains(got, c.want) {
			t.Errorf("explainLine(%d, %q) = %q, want it to contain %q", c.code, c.class, got, c.want)
		}
	}
}

func TestParseMaintDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"": 30 * time.Minute, "45": 45 * time.Minute, "2h": 2 * time.Hour, " 90m ": 90 * time.Minute,
		// 0 ends the maintenance
		"0": 0, "0m": 0, "off": 0, " End ": 0, "stop": 0} {
		got, err := ParseMaintDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseMaintDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"soon", "-5m", "-1", "1.5"} {
		if _, err := ParseMaintDuration(bad); err == nil {
			t.Errorf("ParseMaintDuration(%q) accepted", bad)
		}
	}
}

// A hyphen is part of its word: Retry-After and x-api-key never break
// across lines; lines break at spaces only, and the spaces inside a line
// stay as they were.
func TestWrapKeepsHyphenatedWordsWhole(t *testing.T) {
	t.Parallel()
	s := "A 503 may carry a Retry-After header; send the x-api-key header too."
	for w := 11; w <= 70; w++ {
		lines := wrap(s, w)
		for _, l := range lines {
			if width(l) > w {
				t.Fatalf("wrap at %d: line %q is wider", w, l)
			}
		}
		if got := strings.Join(lines, " "); got != s {
			t.Fatalf("wrap at %d lost or split words: %q", w, lines)
		}
		for _, word := range []string{"Retry-After", "x-api-key"} {
			if !strings.Contains(strings.Join(lines, "\n"), word) {
				t.Fatalf("wrap at %d broke %s: %q", w, word, lines)
			}
		}
	}
	for _, c := range []struct {
		in   string
		w    int
		want []string
	}{
		{"Status: ● up  ▲ degraded  ✕ down", 80, []string{"Status: ● up  ▲ degraded  ✕ down"}},
		{"Status: ● up  ▲ degraded  ✕ down", 12, []string{"Status: ● up", "▲ degraded", "✕ down"}},
		{"see https://example.test/a-very-long-path", 12, []string{"see", "https://exam", "ple.test/a-v", "ery-long-pat", "h"}},
		{"one\ntwo three", 20, []string{"one", "two three"}},
		{"", 10, []string{""}},
	} {
		if got := wrap(c.in, c.w); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
	if got := wrap("x", 0); got != nil {
		t.Errorf("wrap at 0 = %q", got)
	}
}
