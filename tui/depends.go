package tui

import "github.com/upbeat-monitor/upbeat/monitor"

// Folding (depends_on): a monitor that is down behind a monitor it
// depends on that is down too is not a problem of its own. The table
// shows it folded under the monitor at the top of the chain ("edge-router
// +12 behind"), as the alerts count it in that incident; the detail view
// of that monitor names them.

// foldRoots maps each down monitor that depends, directly or through
// others, on a down monitor to the topmost such monitor: the one whose
// row it is folded under.
func foldRoots(all []monitor.State) map[string]string {
	byName := make(map[string]*monitor.State, len(all))
	for i := range all {
		if all[i].Monitor != nil {
			byName[all[i].Monitor.Name] = &all[i]
		}
	}
	var root func(st *monitor.State, depth int) string
	root = func(st *monitor.State, depth int) string {
		if depth > len(all) { // a cycle, which validate refuses: stop
			return ""
		}
		for _, p := range st.Monitor.DependsOn {
			ps, ok := byName[p]
			if !ok || ps.Status != monitor.StatusDown {
				continue
			}
			if r := root(ps, depth+1); r != "" {
				return r
			}
			return p
		}
		return ""
	}
	out := map[string]string{}
	for i := range all {
		st := &all[i]
		if st.Monitor == nil || st.Status != monitor.StatusDown || len(st.Monitor.DependsOn) == 0 {
			continue
		}
		if r := root(st, 0); r != "" && r != st.Monitor.Name {
			out[st.Monitor.Name] = r
		}
	}
	return out
}

// downBehind lists, in configuration order, the monitors folded under
// name.
func downBehind(all []monitor.State, name string) []string {
	roots := foldRoots(all)
	var out []string
	for i := range all {
		if st := &all[i]; st.Monitor != nil && roots[st.Monitor.Name] == name {
			out = append(out, st.Monitor.Name)
		}
	}
	return out
}
