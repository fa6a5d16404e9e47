package tui

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/canvas/runes"
	"github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
)

// latPoint is one latency sample for the detail chart.
type latPoint struct {
	t   time.Time
	lat time.Duration
}

// percentiles returns p50, p95 and p99 of the latencies (nearest rank).
func percentiles(pts []latPoint) (p [3]time.Duration, ok bool) {
	if len(pts) == 0 {
		return p, false
	}
	l := make([]time.Duration, len(pts))
	for i := range pts {
		l[i] = pts[i].lat
	}
	slices.Sort(l)
	for i, q := range []float64{0.50, 0.95, 0.99} {
		k := int(math.Ceil(q*float64(len(l)))) - 1
		p[i] = l[max(0, min(k, len(l)-1))]
	}
	return p, true
}

// chartKey identifies what a cached chart was drawn from.
type chartKey struct {
	w, h     int
	n, nf    int
	first    time.Time
	last     time.Time
	from, to time.Time
}

// latencyChart draws latency over time with ntcharts' time-series line
// chart and marks p50/p95/p99 as dotted lines labelled on the right. The
// result is cached: it is drawn again only when its data or size change.
type latencyChart struct {
	key   chartKey
	lines []string
}

const chartLabelW = 18 // " p99 1.23s" on the right of the chart

func (c *latencyChart) view(sty *Styles, pts []latPoint, fails []time.Time, from, to time.Time, w, h int) []string {
	if w < 20 || h < 4 || len(pts) == 0 {
		return nil
	}
	k := chartKey{w: w, h: h, n: len(pts), nf: len(fails), first: pts[0].t, last: pts[len(pts)-1].t, from: from, to: to}
	if k == c.key && c.lines != nil {
		return c.lines
	}
	c.key = k
	c.lines = drawLatencyChart(sty, pts, fails, from, to, w, h)
	return c.lines
}

// drawLatencyChart draws the successful checks' latency as a line, marks
// failed checks with ✕ along the top, and p50/p95/p99 as dotted lines,
// each labelled with its own value on the right. Marks that share a row
// share its label ("p50 39ms p95 97ms"); when that is longer than the
// room kept for labels, the chart is narrower. The rows of the marks are
// known from the chart's scale before anything is drawn, so the chart is
// drawn once, at the width it ends up with.
func drawLatencyChart(sty *Styles, pts []latPoint, fails []time.Time, from, to time.Time, w, h int) []string {
	pct, _ := percentiles(pts)
	labelW := chartLabelW
	lc := newLatencyChartModel(sty, pts, pct, from, to, w-labelW, h)
	if _, need := percentileMarks(lc, pct); need > chartLabelW && w-need >= 20 {
		labelW = need
		lc = newLatencyChartModel(sty, pts, pct, from, to, w-labelW, h)
	}
	for i := range pts {
		lc.Push(timeserieslinechart.TimePoint{Time: pts[i].t, Value: float64(pts[i].lat) / float64(time.Millisecond)})
	}
	lc.Draw()

	// dotted percentile lines on the empty cells of their rows
	rows, _ := percentileMarks(lc, pct)
	labels := map[int]string{}
	origin := lc.Origin()
	names := [3]string{"p50", "p95", "p99"}
	for i, p := range pct {
		y := rows[i]
		style := sty.Dim
		if i == 2 {
			style = sty.Warn
		}
		for x := origin.X + 1; x < lc.Canvas.Width(); x++ {
			pt := canvas.Point{X: x, Y: y}
			if lc.Canvas.Cell(pt).Rune == runes.Null {
				lc.Canvas.SetCell(pt, canvas.NewCellWithStyle('┄', style))
			}
		}
		labels[y] = markLabel(labels[y], names[i], p)
	}
	// failed checks: a ✕ on the top row, above where the line has a gap
	for _, t := range fails {
		sp := lc.ScaleFloat64PointForLine(canvas.Float64Point{X: float64(t.Unix()), Y: 0})
		pt := canvas.Point{X: origin.X + int(math.Round(sp.X)), Y: 0}
		if pt.X > origin.X && pt.X < lc.Canvas.Width() {
			lc.Canvas.SetCell(pt, canvas.NewCellWithStyle(sparkDown, sty.Status[monitor.StatusDown]))
		}
	}
	lines := strings.Split(lc.View(), "\n")
	for y, l := range labels {
		if y < len(lines) {
			lines[y] += " " + sty.Dim.Render(trunc(l, labelW-1))
		}
	}
	return lines
}

// newLatencyChartModel is the time-series chart of pts, cw cells wide,
// with nothing pushed or drawn yet.
func newLatencyChartModel(sty *Styles, pts []latPoint, pct [3]time.Duration, from, to time.Time, cw, h int) *timeserieslinechart.Model {
	top := pct[2]
	for i := range pts {
		top = max(top, pts[i].lat)
	}
	top = max(top, sparkFloor, 2*pct[0])
	ymax := float64(top) / float64(time.Millisecond) * 1.1
	if !to.After(from) {
		to = from.Add(time.Minute)
	}
	loc := to.Location()
	span := to.Sub(from)
	xfmt := func(_ int, v float64) string {
		t := time.Unix(int64(v), 0).In(loc)
		if span > 36*time.Hour {
			return t.Format("Jan 2")
		}
		return t.Format("15:04")
	}
	yfmt := func(_ int, v float64) string {
		if v <= 0 {
			return "0"
		}
		return humanize.Latency(time.Duration(v * float64(time.Millisecond)))
	}
	lc := timeserieslinechart.New(cw, h,
		timeserieslinechart.WithTimeRange(from, to),
		timeserieslinechart.WithYRange(0, ymax),
		timeserieslinechart.WithXYSteps(12, 2),
		timeserieslinechart.WithXLabelFormatter(xfmt),
		timeserieslinechart.WithYLabelFormatter(yfmt),
		timeserieslinechart.WithAxesStyles(sty.Dim, sty.Dim),
		timeserieslinechart.WithLineStyle(runes.ArcLineStyle),
		timeserieslinechart.WithStyle(sty.status(monitor.StatusUp)),
	)
	return &lc
}

// percentileMarks returns the row of each percentile's mark on lc and the
// cells their labels need. They follow from the chart's y scale alone:
// neither the points pushed (the y range holds them all) nor the width
// change them.
func percentileMarks(lc *timeserieslinechart.Model, pct [3]time.Duration) (rows [3]int, need int) {
	origin := lc.Origin()
	labels := map[int]string{}
	names := [3]string{"p50", "p95", "p99"}
	for i, p := range pct {
		v := float64(p) / float64(time.Millisecond)
		sp := lc.ScaleFloat64PointForLine(canvas.Float64Point{X: lc.ViewMinX(), Y: v})
		y := origin.Y - int(math.Round(sp.Y))
		if y < 0 || y >= origin.Y {
			y = max(0, min(y, origin.Y-1))
		}
		rows[i] = y
		labels[y] = markLabel(labels[y], names[i], p)
	}
	for _, l := range labels {
		need = max(need, width(l)+1)
	}
	return rows, need
}

// markLabel adds a mark to the label of its row: marks on the same row
// share one label, each with its value ("p50 39ms p95 97ms", never
// "p50/p95 97ms").
func markLabel(row, name string, p time.Duration) string {
	l := name + " " + humanize.Latency(p)
	if row != "" {
		return row + " " + l
	}
	return l
}

// percentileLine is the legend under the chart; windowed checks (in a
// maintenance window) are left out of it, and said so.
func percentileLine(pts []latPoint, fails, windowed int, span string) string {
	pct, ok := percentiles(pts)
	left := ""
	if windowed > 0 {
		left = fmt.Sprintf(" (%d in a maintenance window left out)", windowed)
	}
	if !ok {
		if windowed > 0 && fails == 0 {
			return fmt.Sprintf("nothing to chart: the %s %s %s in a maintenance window",
				humanize.Count(windowed, "check", "checks"), span, map[bool]string{true: "was", false: "were"}[windowed == 1])
		}
		if fails > 0 {
			if fails == 1 {
				return "nothing to chart: the one check " + span + " failed"
			}
			return fmt.Sprintf("nothing to chart: all %d checks %s failed", fails, span)
		}
		return "no checks to chart yet"
	}
	return fmt.Sprintf("p50 %s · p95 %s · p99 %s · %s %s%s",
		humanize.Latency(pct[0]), humanize.Latency(pct[1]), humanize.Latency(pct[2]), humanize.Count(len(pts), "check", "checks"), span, left)
}
