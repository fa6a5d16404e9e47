package tui

import (
	"slices"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// sparkFloor is the least full-scale value of a sparkline, so that 0–1 ms
// of jitter on a fast target is not drawn as full-height spikes.
const sparkFloor = 5 * time.Millisecond

// sparkDown marks a failed check in a sparkline: the same glyph as the
// down status, so that it reads without colour.
const sparkDown = '✕'

// sparkWindow marks a check in a maintenance window: the window hides
// whether it failed, so its latency (a refused connection's is next to
// nothing) is not drawn as if it answered.
const sparkWindow = '░'

// drawsLatency reports whether a sample is drawn as a bar of its latency:
// not a failed check, nor one in a window.
func drawsLatency(s *monitor.Sample) bool {
	return s.Status != monitor.StatusDown && s.Status != monitor.StatusMaintenance
}

// sparkScale returns the full-scale latency for a window of samples: the
// slowest successful check, but at least twice the median and at least
// sparkFloor. Failed checks do not count (a timeout would flatten the
// rest), nor checks in a window.
func sparkScale(win []monitor.Sample) time.Duration {
	lat := make([]time.Duration, 0, len(win))
	for i := range win {
		if drawsLatency(&win[i]) {
			lat = append(lat, win[i].Latency)
		}
	}
	top := sparkFloor
	if len(lat) == 0 {
		return top
	}
	slices.Sort(lat)
	if m := 2 * lat[len(lat)/2]; m > top {
		top = m
	}
	if m := lat[len(lat)-1]; m > top {
		top = m
	}
	return top
}

// renderSpark draws a one-line response-time sparkline of the last w
// samples with ntcharts. plain leaves out every style (for the selected
// row, which is drawn in reverse as a whole).
func renderSpark(sty *Styles, samples []monitor.Sample, w int, plain bool) string {
	if w <= 0 {
		return ""
	}
	win := samples
	if len(win) > w {
		win = win[len(win)-w:]
	}
	top := sparkScale(win)
	maxv := float64(top) / float64(time.Millisecond)
	base := sty.R.NewStyle()
	sp := sparkline.New(w, 1, sparkline.WithNoAutoMaxValue(), sparkline.WithMaxValue(maxv), sparkline.WithStyle(base))
	least := maxv / 8 // the lowest block: a check that answered is never drawn as nothing
	for i := range win {
		v := 0.0
		if drawsLatency(&win[i]) {
			v = float64(win[i].Latency) / float64(time.Millisecond)
			if v < least {
				v = least
			}
			if v > maxv {
				v = maxv
			}
		}
		sp.Push(v)
	}
	sp.Draw()
	start := w - len(win)
	for i := range win {
		p := canvas.Point{X: start + i, Y: 0}
		switch win[i].Status {
		case monitor.StatusPending: // a check that judged nothing: no latency to draw
			st := sty.Dim
			if plain {
				st = base
			}
			sp.Canvas.SetCell(p, canvas.NewCellWithStyle(sparkPending, st))
		case monitor.StatusDown:
			st := sty.Status[monitor.StatusDown]
			if plain {
				st = base
			}
			sp.Canvas.SetCell(p, canvas.NewCellWithStyle(sparkDown, st))
		case monitor.StatusDegraded:
			if !plain {
				sp.Canvas.SetCellStyle(p, sty.Status[monitor.StatusDegraded])
			}
		case monitor.StatusMaintenance:
			st := sty.Status[monitor.StatusMaintenance]
			if plain {
				st = base
			}
			sp.Canvas.SetCell(p, canvas.NewCellWithStyle(sparkWindow, st))
		}
	}
	return sp.View()
}

// sparkPending marks a check that judged nothing (a push monitor waiting
// for its first beat).
const sparkPending = '·'

// renderBeats draws a push monitor's recent checks as a strip of statuses
// instead of latencies, which it has none of: flat while the beats come on
// time, taller when one is late, ✕ when it is missing, · before the first.
// plain leaves out every style.
func renderBeats(sty *Styles, samples []monitor.Sample, w int, plain bool) string {
	if w <= 0 {
		return ""
	}
	win := samples
	if len(win) > w {
		win = win[len(win)-w:]
	}
	var b strings.Builder
	b.WriteString(spaces(w - len(win)))
	for i := range win {
		var g string
		st := sty.status(win[i].Status)
		switch win[i].Status {
		case monitor.StatusUp:
			g = "▁"
		case monitor.StatusDegraded:
			g = "▄"
		case monitor.StatusDown:
			g = string(sparkDown)
		case monitor.StatusPending:
			g, st = string(sparkPending), sty.Dim
		case monitor.StatusMaintenance:
			g = string(sparkWindow)
		default:
			g = " "
		}
		if plain {
			b.WriteString(g)
		} else {
			b.WriteString(st.Render(g))
		}
	}
	return b.String()
}

// sparkKey identifies what a cached sparkline was drawn from.
type sparkKey struct {
	n     int
	last  time.Time
	lastL time.Duration
	lastS monitor.Status
	w     int
	plain bool
	beats bool
}

type sparkEntry struct {
	key  sparkKey
	view string
	used uint64
}

// sparkCache keeps rendered sparklines between frames: canvas.View styles
// every cell, so a row is drawn again only when its samples changed.
type sparkCache struct {
	m     map[sparkName]*sparkEntry
	frame uint64
}

// sparkName keeps the plain (selected row) drawing apart from the styled one,
// so that moving the selection redraws nothing.
type sparkName struct {
	name  string
	plain bool
}

// get returns the sparkline of a monitor, drawing it only when needed;
// beats draws a push monitor's strip of statuses instead (renderBeats).
func (c *sparkCache) get(sty *Styles, name string, samples []monitor.Sample, w int, plain, beats bool) string {
	if c.m == nil {
		c.m = make(map[sparkName]*sparkEntry)
	}
	id := sparkName{name, plain}
	k := sparkKey{n: len(samples), w: w, plain: plain, beats: beats}
	if n := len(samples); n > 0 {
		k.last = samples[n-1].Time
		k.lastL = samples[n-1].Latency
		k.lastS = samples[n-1].Status
	}
	e := c.m[id]
	if e != nil && e.key == k {
		e.used = c.frame
		return e.view
	}
	var v string
	if beats {
		v = renderBeats(sty, samples, w, plain)
	} else {
		v = renderSpark(sty, samples, w, plain)
	}
	if e == nil {
		e = &sparkEntry{}
		c.m[id] = e
	}
	e.key, e.view, e.used = k, v, c.frame
	return v
}

// sweep drops entries not used in the last frames, so that scrolling
// through 10,000 monitors does not keep 10,000 strings.
func (c *sparkCache) sweep() {
	c.frame++
	if c.frame%64 != 0 || len(c.m) < 512 {
		return
	}
	for k, e := range c.m {
		if c.frame-e.used > 64 {
			delete(c.m, k)
		}
	}
}
