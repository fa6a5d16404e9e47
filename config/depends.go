package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The keys of issue 12: depends_on, slo and slo_window on a monitor; slo,
// slo_window and stall_threshold in [settings].

// Bounds of the issue 12 keys.
const (
	MinSLOWindow      = time.Hour
	MaxSLOWindow      = 90 * 24 * time.Hour
	MinStallThreshold = 100 * time.Millisecond
)

func init() {
	monitorKeys = append(monitorKeys, "depends_on", "slo", "slo_window")
	tableKeys["monitor"] = monitorKeys
	settingsKeys = append(settingsKeys, "slo", "slo_window", "stall_threshold")
	tableKeys["settings"] = settingsKeys
}

// objective reads slo: "99.9%", or a number of percent (99.9).
func (t *table) objective(key string) (float64, bool) {
	v, ok := t.get(key)
	if !ok {
		return 0, false
	}
	var s string
	switch v := v.(type) {
	case string:
		var ok bool
		if s, ok = t.expand(key, v); !ok {
			return 0, false
		}
	case float64:
		s = fmt.Sprint(v)
	case int64:
		s = fmt.Sprint(v)
	default:
		t.errorf(key, "must be a percentage such as \"99.9%%\", not %s", typeName(v))
		return 0, false
	}
	o, err := monitor.ParseObjective(s)
	if err != nil {
		t.errorf(key, "%v", err)
		return 0, false
	}
	return o, true
}

// sloWindow reads slo_window: a duration between MinSLOWindow and
// MaxSLOWindow.
func (t *table) sloWindow(key string) (time.Duration, bool) {
	d, ok := t.positive(key)
	if !ok {
		return 0, false
	}
	if d < MinSLOWindow || d > MaxSLOWindow {
		t.errorf(key, "%s is outside %s to %s", formatDuration(d), formatDuration(MinSLOWindow), formatDuration(MaxSLOWindow))
		return 0, false
	}
	return d, true
}

// settingsIssue12 reads slo, slo_window and stall_threshold of [settings].
func settingsIssue12(t *table, s *engine.Settings) {
	if o, ok := t.objective("slo"); ok {
		s.SLO = o
	}
	if d, ok := t.sloWindow("slo_window"); ok {
		s.SLOWindow = d
	}
	if d, ok := t.positive("stall_threshold"); ok {
		if d < MinStallThreshold {
			t.errorf("stall_threshold", "%s is too short to tell a stall from a busy moment; use at least %s",
				formatDuration(d), formatDuration(MinStallThreshold))
		} else {
			s.StallThreshold = d
		}
	}
}

// monitorIssue12 reads depends_on, slo and slo_window of one [[monitor]];
// the names in depends_on are checked once every monitor is read.
func monitorIssue12(t *table, m *monitor.Monitor, s *engine.Settings) {
	if names, ok := t.list("depends_on"); ok {
		for _, n := range names {
			switch {
			case strings.TrimSpace(n) == "":
				t.errorf("depends_on", "a name must not be empty")
			case slices.Contains(m.DependsOn, n):
				t.errorf("depends_on", "names %q twice", n)
			default:
				m.DependsOn = append(m.DependsOn, n)
			}
		}
	}
	m.SLO, m.SLOWindow = s.SLO, s.SLOWindow
	if o, ok := t.objective("slo"); ok {
		m.SLO = o
	}
	if d, ok := t.sloWindow("slo_window"); ok {
		m.SLOWindow = d
		if !t.has("slo") && s.SLO == 0 {
			t.errorf("slo_window", "sets the window of an slo, but neither this monitor nor [settings] sets slo")
		}
	}
	if m.SLOWindow == 0 {
		m.SLOWindow = monitor.DefaultSLOWindow
	}
}

// dependencies checks every depends_on: each name must be a monitor, not
// the monitor itself, and no chain of them may lead back where it began.
func (l *loader) dependencies(ts []*table, ms []*monitor.Monitor) {
	index := make(map[string]int, len(ms))
	var names []string
	for i, m := range ms {
		if m.Name != "" {
			index[m.Name] = i
			names = append(names, m.Name)
		}
	}
	for i, m := range ms {
		var known []string
		for _, p := range m.DependsOn {
			switch _, ok := index[p]; {
			case p == m.Name:
				ts[i].errorf("depends_on", "%q is this monitor itself; a monitor cannot depend on itself", p)
			case !ok:
				ts[i].errorf("depends_on", "%s", unknownName("monitor", p, names))
			default:
				known = append(known, p)
			}
		}
		m.DependsOn = known
	}
	for _, cyc := range cycles(ms, index) {
		first := cyc[0]
		ts[first].errorf("depends_on", "makes a cycle: %s", cycleText(ms, cyc))
	}
}

// cycles finds the cycles of depends_on, each once, as the indexes of its
// monitors starting from the one written first in the file.
func cycles(ms []*monitor.Monitor, index map[string]int) [][]int {
	const (
		unseen = iota
		onPath
		done
	)
	mark := make([]int, len(ms))
	var path []int
	var out [][]int
	var visit func(i int)
	visit = func(i int) {
		mark[i] = onPath
		path = append(path, i)
		for _, p := range ms[i].DependsOn {
			j := index[p]
			switch mark[j] {
			case unseen:
				visit(j)
			case onPath:
				at := slices.Index(path, j)
				cyc := slices.Clone(path[at:])
				// start from the monitor written first, so each cycle reads the same
				low := slices.Index(cyc, slices.Min(cyc))
				cyc = append(cyc[low:], cyc[:low]...)
				out = append(out, cyc)
			}
		}
		path = path[:len(path)-1]
		mark[i] = done
	}
	for i := range ms {
		if mark[i] == unseen {
			visit(i)
		}
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	return out
}

// cycleText writes a cycle as "a → b → a".
func cycleText(ms []*monitor.Monitor, cyc []int) string {
	parts := make([]string, 0, len(cyc)+1)
	for _, i := range cyc {
		parts = append(parts, ms[i].Name)
	}
	parts = append(parts, ms[cyc[0]].Name)
	return strings.Join(parts, " → ")
}
