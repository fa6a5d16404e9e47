package tui

import (
	"slices"
	"strconv"
	"strings"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// where says how each location sees each monitor, by monitor name, when
// the source merges several daemons (source.Merged); nil otherwise.
type where map[string][]source.LocationState

// of returns the locations that see st's monitor.
func (w where) of(st *monitor.State) []source.LocationState {
	if w == nil || st.Monitor == nil {
		return nil
	}
	return w[st.Monitor.Name]
}

// LocationSummary says where a merged monitor stands, given how each
// location sees it, worst first: "down from eu-west, up from us-east";
// "down from eu-west and ap-south; up from us-east" when a status covers
// several locations. It is "" for a monitor seen from one location only.
func LocationSummary(locs []source.LocationState) string {
	if len(locs) < 2 {
		return ""
	}
	type group struct {
		status monitor.Status
		locs   []string
	}
	var groups []group
	for _, l := range locs {
		found := false
		for i := range groups {
			if groups[i].status == l.Status {
				groups[i].locs = append(groups[i].locs, clean(l.Location))
				found = true
				break
			}
		}
		if !found {
			groups = append(groups, group{l.Status, []string{clean(l.Location)}})
		}
	}
	// worst first, stable for equal severity
	for i := 1; i < len(groups); i++ {
		for j := i; j > 0 && groups[j].status.Severity() < groups[j-1].status.Severity(); j-- {
			groups[j], groups[j-1] = groups[j-1], groups[j]
		}
	}
	sep := ", "
	parts := make([]string, len(groups))
	for i, g := range groups {
		if len(g.locs) > 1 {
			sep = "; "
		}
		parts[i] = g.status.String() + " from " + andList(g.locs)
	}
	return strings.Join(parts, sep)
}

func andList(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// locationLabels returns the locations the table gives a column each, in
// the order they first appear: none unless some monitor is seen from more
// than one location.
func locationLabels(states []monitor.State, w where) []string {
	multi := false
	for i := range states {
		if len(w.of(&states[i])) > 1 {
			multi = true
			break
		}
	}
	if !multi {
		return nil
	}
	var out []string
	for i := range states {
		for _, l := range w.of(&states[i]) {
			if !slices.Contains(out, l.Location) {
				out = append(out, l.Location)
			}
		}
	}
	return out
}

// locationOf returns the monitor's state as seen from loc; locs is how
// each location sees it.
func locationOf(st *monitor.State, locs []source.LocationState, loc string) (source.LocationState, bool) {
	for _, l := range locs {
		if l.Location == loc {
			return l, true
		}
	}
	if len(locs) == 0 && st.Location == loc && st.Monitor != nil {
		r := &st.Last
		return source.LocationState{Location: loc, Status: st.Status, Code: r.Code, Class: r.Class,
			Latency: r.Latency, Since: st.Since}, true
	}
	return source.LocationState{}, false
}

// statusShare counts the locations that see the monitor's (merged, worst)
// status, out of all the locations locs that see it; total is 0 for a
// monitor seen from one location.
func statusShare(st *monitor.State, locs []source.LocationState) (n, total int) {
	if len(locs) < 2 {
		return 0, 0
	}
	for _, l := range locs {
		if l.Status == st.Status {
			n++
		}
	}
	return n, len(locs)
}

// partial reports whether the monitor is down (or degraded) from some of
// its locations but not all of them.
func partial(st *monitor.State, locs []source.LocationState) bool {
	n, total := statusShare(st, locs)
	return total > 1 && n < total && (st.Status == monitor.StatusDown || st.Status == monitor.StatusDegraded)
}

// statusLabel is the STATUS cell: "✕ down", or "✕ down 1/2" when only one
// location of two sees it down.
func statusLabel(st *monitor.State, locs []source.LocationState) string {
	if !partial(st, locs) {
		return Glyph(st.Status) + " " + shortWord(st.Status)
	}
	n, total := statusShare(st, locs)
	word := "down"
	if st.Status == monitor.StatusDegraded {
		word = "degr"
	}
	return Glyph(st.Status) + " " + word + " " + strconv.Itoa(n) + "/" + strconv.Itoa(total)
}

// locationWord is what a location's cell says after the glyph: the code
// (or failure class) of a failure, else the status word.
func locationWord(l source.LocationState) string {
	if l.Status == monitor.StatusDown || l.Status == monitor.StatusDegraded {
		if c := codeOrClass(l.Code, l.Class); c != "" {
			return c
		}
	}
	return shortWord(l.Status)
}

// codeOrClass names a result briefly: an error status code ("502"), else
// its failure class ("refused", "slow" for a 200 that came too late),
// else its status code, else "".
func codeOrClass(code int, class string) string {
	c := strings.TrimPrefix(clean(class), "http_")
	if code >= 400 || (code > 0 && c == "") {
		return strconv.Itoa(code)
	}
	return c
}

// locationCell is a location's cell in the table: "✕ 502", "● up".
func locationCell(l source.LocationState) string {
	return Glyph(l.Status) + " " + locationWord(l)
}
