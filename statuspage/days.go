package statuspage

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Day is one UTC day of a monitor's bar.
type Day struct {
	Date      time.Time // 00:00 UTC
	Counted   uint64    // results that count toward uptime
	Down      uint64    // of them, down
	Incidents int       // incidents open at some time of the day
	DownFor   time.Duration
}

// Uptime is the day's share of counted results that were not down.
func (d *Day) Uptime() monitor.Uptime {
	r, ok := history.DayCount{Counted: d.Counted, Down: d.Down}.Uptime()
	return monitor.Uptime{Ratio: r, Valid: ok}
}

// Level names how good the day was, for its colour: "n" no data, "u"
// no failure, "m" minor (at least 99%), "p" partial (at least 95%), "d"
// below.
func (d *Day) Level() string {
	u := d.Uptime()
	switch {
	case !u.Valid:
		return "n"
	case u.Ratio >= 1:
		return "u"
	case u.Ratio >= 0.99:
		return "m"
	case u.Ratio >= 0.95:
		return "p"
	}
	return "d"
}

// Label says the day's figure and incidents in words: "12 Mar 2026: 99.93%
// up, 1 incident (4m down)".
func (d *Day) Label() string {
	var b strings.Builder
	b.WriteString(d.Date.Format("2 Jan 2006"))
	b.WriteString(": ")
	u := d.Uptime()
	if u.Valid {
		b.WriteString(Percent(u.Ratio))
		b.WriteString(" up")
	} else {
		b.WriteString("no data")
	}
	switch d.Incidents {
	case 0:
	case 1:
		b.WriteString(", 1 incident")
	default:
		fmt.Fprintf(&b, ", %d incidents", d.Incidents)
	}
	if d.DownFor > 0 {
		fmt.Fprintf(&b, " (%s down)", Duration(d.DownFor))
	}
	return b.String()
}

// Days is a monitor's bar: NumDays days, oldest first, the last one
// today so far, with their uptime together.
type Days struct {
	Days   []Day
	Uptime monitor.Uptime
	bar    template.HTML // rendered once: the bar of a big page is most of it
}

// NewDays makes a bar from a monitor's daily counts (oldest first, the
// last being the day of now) and its incidents over the period.
func NewDays(counts []history.DayCount, incidents []monitor.Incident, now time.Time) *Days {
	today := now.UTC().Truncate(24 * time.Hour)
	d := &Days{Days: make([]Day, NumDays)}
	var counted, down uint64
	for i := range d.Days {
		day := &d.Days[i]
		day.Date = today.AddDate(0, 0, i-NumDays+1)
		if j := i - (NumDays - len(counts)); j >= 0 && j < len(counts) {
			day.Counted, day.Down = counts[j].Counted, counts[j].Down
			counted += day.Counted
			down += min(day.Down, day.Counted)
		}
	}
	if r, ok := (history.DayCount{Counted: counted, Down: down}).Uptime(); ok {
		d.Uptime = monitor.Uptime{Ratio: r, Valid: true}
	}
	first := d.Days[0].Date
	for _, in := range incidents {
		end := in.End
		if end.IsZero() || end.After(now) {
			end = now
		}
		if !end.After(first) {
			continue
		}
		for i := range d.Days {
			day := &d.Days[i]
			ds, de := day.Date, day.Date.Add(24*time.Hour)
			if in.Start.Before(de) && end.After(ds) {
				day.Incidents++
				day.DownFor += in.Downtime(ds, minTime(de, now)) // a window in it is not downtime
			}
		}
	}
	d.bar = d.render()
	return d
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// render writes the bar as HTML: one element per day whose colour is its
// level and whose label (shown on hover and focus, read by screen
// readers) is its figure. The days that have something to say, and
// today, are in the tab order; the page's script lets arrow keys reach
// every other day.
func (d *Days) render() template.HTML {
	var b strings.Builder
	b.Grow(len(d.Days) * 64)
	b.WriteString(`<div class="bar" role="group" aria-label="Daily uptime, last ` + strconv.Itoa(len(d.Days)) + ` days">`)
	for i := range d.Days {
		day := &d.Days[i]
		lvl := day.Level()
		b.WriteString(`<i class="`)
		b.WriteString(lvl)
		b.WriteString(`" role="img" aria-label="`)
		template.HTMLEscape(&b, []byte(day.Label()))
		b.WriteString(`"`)
		if (lvl != "u" && lvl != "n") || day.Incidents > 0 || i == len(d.Days)-1 {
			b.WriteString(` tabindex="0"`)
		}
		b.WriteString(`></i>`)
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String())
}

// History is what status pages read of the past. *history.DB implements
// it.
type History interface {
	// Daily counts a monitor's results per UTC day for the n days that
	// end with the day holding now, oldest first.
	Daily(name string, n int, now time.Time) ([]history.DayCount, error)
	// Incidents returns a monitor's incidents that overlap [from, to).
	Incidents(name string, from, to time.Time) ([]monitor.Incident, error)
}

var _ History = (*history.DB)(nil)

// LoadDays reads the bars of the named monitors from h. A monitor whose
// history cannot be read gets an empty bar; the first error is returned
// with the bars.
func LoadDays(h History, names []string, now time.Time) (map[string]*Days, error) {
	out := make(map[string]*Days, len(names))
	from := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1-NumDays)
	var first error
	for _, n := range names {
		counts, err := h.Daily(n, NumDays, now)
		if err != nil {
			first = cmpErr(first, err)
			out[n] = NewDays(nil, nil, now)
			continue
		}
		incs, err := h.Incidents(n, from, now)
		if err != nil {
			first = cmpErr(first, err)
		}
		out[n] = NewDays(counts, incs, now)
	}
	return out, first
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// Percent writes an uptime ratio as people read it: "100%" only when
// nothing failed, else two decimals, cut rather than rounded so that
// 99.999% never shows as 100%.
func Percent(r float64) string {
	if r >= 1 {
		return "100%"
	}
	v := float64(int64(r*10000)) / 100
	return strconv.FormatFloat(v, 'f', 2, 64) + "%"
}

// Duration writes a length of time in its two largest units: "45s",
// "4m", "2h 5m", "3d 4h".
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return strconv.Itoa(h) + "h"
		}
		return strconv.Itoa(h) + "h " + strconv.Itoa(m) + "m"
	}
	days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return strconv.Itoa(days) + "d"
	}
	return strconv.Itoa(days) + "d " + strconv.Itoa(h) + "h"
}

// Latency writes a response time as every view of upbeat does; "–" when
// there is none.
func Latency(d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	return humanize.Latency(d)
}
