package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Percentile marks that fall on the same row of the chart share its
// label, each with its own value: "p50 39ms p95 97ms", never "p50/p95
// 97ms" beside a legend that says p50 39ms.
func TestChartLabelsKeepEachValue(t *testing.T) {
	t.Parallel()
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	sty := NewStyles(r, true)
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	var pts []latPoint
	for i := range 100 {
		lat := 39 * time.Millisecond
		switch {
		case i%25 == 24:
			lat = 1300 * time.Millisecond
		case i%5 >= 3:
			lat = 97 * time.Millisecond
		}
		pts = append(pts, latPoint{t0.Add(time.Duration(i) * time.Minute), lat})
	}
	p, _ := percentiles(pts)
	if p[0] != 39*time.Millisecond || p[1] != 97*time.Millisecond {
		t.Fatalf("percentiles %v: the test needs p50 39ms and p95 97ms", p)
	}
	for _, w := range []int{60, 100} {
		v := strings.Join(drawLatencyChart(sty, pts, nil, t0, t0.Add(100*time.Minute), w, 8), "\n")
		if !strings.Contains(v, "p50 39ms") || !strings.Contains(v, "p95 97ms") || strings.Contains(v, "/p95") {
			t.Errorf("%d columns: labels lose a value:\n%s", w, v)
		}
		for _, l := range strings.Split(v, "\n") {
			if lipgloss.Width(l) > w {
				t.Errorf("%d columns: line %q is %d wide", w, l, lipgloss.Width(l))
			}
		}
		if legend := percentileLine(pts, 0, 0, "in 24h"); !strings.Contains(legend, "p50 39ms · p95 97ms") {
			t.Errorf("legend %q", legend)
		}
	}
}
