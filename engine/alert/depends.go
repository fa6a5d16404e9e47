package alert

import (
	"slices"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Dependency defaults.
const (
	// DefaultDependencyWait bounds how long a failure of a monitor with
	// depends_on waits for the monitors it depends on to be checked before
	// it pages on its own.
	DefaultDependencyWait = 2 * time.Minute
	// DefaultChildGrace is the least time a monitor still down when the
	// incident it joined resolves has to recover before it pages on its
	// own (at least one of its own intervals).
	DefaultChildGrace = time.Minute
	// minDependencyWait is the least wait: the burst window and a little.
	minDependencyWait = 5 * time.Second
)

// deps is the depends_on graph of the configured monitors: each monitor's
// parents, as written, and its children.
type deps struct {
	parents  map[string][]string
	children map[string][]string
}

func newDeps(ms []*monitor.Monitor) deps {
	d := deps{parents: map[string][]string{}, children: map[string][]string{}}
	for _, m := range ms {
		if len(m.DependsOn) == 0 {
			continue
		}
		d.parents[m.Name] = slices.Clone(m.DependsOn)
		for _, p := range m.DependsOn {
			d.children[p] = append(d.children[p], m.Name)
		}
	}
	return d
}

// cover returns the monitor whose open incident a failure of name joins
// now: the first of its parents (in the order written) that is down in
// an incident of its own, or whose failure joined another's; "" when
// none is.
func (p *policy) cover(name string) string {
	for _, par := range p.deps.parents[name] {
		e, ok := p.mons[par]
		if !ok {
			continue
		}
		switch {
		case e.phase == phaseJoined && e.cover != "" && e.cover != name:
			return e.cover
		case e.inc != nil && e.status == monitor.StatusDown && e.phase != phaseHeld:
			return par
		}
	}
	return ""
}

// waitFor is how long a failure of name waits for its parents: as long as
// the slowest of them takes to be checked with all its retries, at least
// minDependencyWait, at most the DependencyWait option.
func (p *policy) waitFor(name string) time.Duration {
	ps := p.deps.parents[name]
	if len(ps) == 0 {
		return 0
	}
	w := minDependencyWait
	for _, par := range ps {
		if m := p.monitors[par]; m != nil {
			n := time.Duration(m.Retries)
			w = max(w, m.Timeout*(n+1)+m.RetryInterval*n+minDependencyWait)
		}
	}
	return min(w, p.rules.dependencyWait)
}

// graceFor is how long name, still down when the incident it joined
// resolves, has to recover: ChildGrace, or one of its intervals if that
// is longer, so that it is checked at least once more.
func (p *policy) graceFor(name string) time.Duration {
	g := p.rules.childGrace
	if m := p.monitors[name]; m != nil {
		g = max(g, m.Interval)
	}
	return g
}

// withDeps fills in what an event of e needs to know of the monitors e
// depends on.
func (p *policy) withDeps(e *entry, ev *event) {
	if len(p.deps.parents[e.name]) == 0 {
		return
	}
	ev.cover = p.cover(e.name)
	switch ev.kind {
	case inChange:
		ev.wait = p.waitFor(e.name)
	case inRelease:
		ev.wait = p.graceFor(e.name)
	}
}

// settleChildren brings the monitors that depend on name up to date with
// it after it changed: a failure waiting on it joins its incident, one
// joined to an incident that is over is released, and a wait ends early
// once every parent has been checked since the failure and none is down.
// It goes on down the graph; a monitor is settled at most once per call,
// which keeps a cycle (validate refuses them) from looping.
func (p *policy) settleChildren(name string) {
	kids := p.deps.children[name]
	if len(kids) == 0 || p.settling[name] {
		return
	}
	if p.settling == nil {
		p.settling = map[string]bool{}
		defer func() { p.settling = nil }()
	}
	p.settling[name] = true
	for _, k := range kids {
		c, ok := p.mons[k]
		if !ok {
			continue
		}
		root := p.cover(k)
		switch {
		case c.phase == phaseWaiting && root != "":
			p.step(c, event{kind: inJoin})
		case c.phase == phaseJoined && root == "":
			p.step(c, event{kind: inRelease})
		case c.phase == phaseJoined && root != c.cover:
			p.step(c, event{kind: inJoin})
		case c.phase == phaseWaiting && p.parentsFine(c):
			p.step(c, event{kind: inWaitEnd})
		case c.inc != nil && c.inc.restored && root != "" && p.mons[root].inc != nil && !c.inc.Start.Before(p.mons[root].inc.Start):
			// taken over at start from history while a parent was not
			// yet: it was part of the parent's incident all along
			c.remind.cancel()
			c.inc = nil
			p.step(c, event{kind: inRestore})
		default:
			p.settleChildren(k) // a grandchild may wait on this one's parent
		}
	}
}

// parentsFine reports whether every monitor c depends on has a result
// newer than c's failure, and none of them is down or waiting itself.
func (p *policy) parentsFine(c *entry) bool {
	for _, par := range p.deps.parents[c.name] {
		e, ok := p.mons[par]
		if !ok {
			continue // not checked by this upbeat (an embedder's monitor list): nothing to wait for
		}
		if !e.lastCounted.After(c.waitSince) || e.lastStatus == monitor.StatusDown ||
			e.phase == phaseWaiting || e.phase == phaseJoined || (e.inc != nil && e.phase != phaseHeld) {
			return false
		}
	}
	return true
}

// joined names child among those affected by root's incident.
func (p *policy) joined(root, child string) {
	r, ok := p.mons[root]
	if !ok || r.inc == nil {
		return
	}
	if !slices.Contains(r.inc.Affected, child) {
		r.inc.Affected = append(r.inc.Affected, child)
		if p.onIncident != nil {
			in := r.inc.snapshot()
			p.later(func() { p.onIncident(in) })
		}
	}
}

// stillDown lists the monitors named in in.Affected that are down now.
func (p *policy) stillDown(in *monitor.Incident) []string {
	var out []string
	for _, n := range in.Affected {
		if e, ok := p.mons[n]; ok && e.status == monitor.StatusDown {
			out = append(out, n)
		}
	}
	return out
}

// related adds to an item about the monitor called name the monitors it
// depends on and those behind it.
func (p *policy) related(name string, it Item) Item {
	it.DependsOn, it.Behind = p.ancestors(name), p.descendants(name)
	return it
}

// ancestors lists every monitor name depends on, directly or through
// others, sorted: the depends_on label of an Alertmanager alert.
func (p *policy) ancestors(name string) []string {
	seen := map[string]bool{name: true}
	var out []string
	var walk func(n string)
	walk = func(n string) {
		for _, par := range p.deps.parents[n] {
			if !seen[par] {
				seen[par] = true
				out = append(out, par)
				walk(par)
			}
		}
	}
	walk(name)
	slices.Sort(out)
	return out
}

// descendants lists every monitor that depends on name, directly or
// through others, in the order configured (children before theirs).
func (p *policy) descendants(name string) []string {
	seen := map[string]bool{name: true}
	var out []string
	for i := 0; i <= len(out); i++ {
		n := name
		if i > 0 {
			n = out[i-1]
		}
		for _, c := range p.deps.children[n] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// DependsOnLabel writes the monitors a monitor depends on (Item.DependsOn)
// as one label value, as the tags label is written: sorted, each once,
// between commas (",db,edge-router,"), so that an Alertmanager inhibition
// rule can match one exactly with depends_on=~".*,edge-router,.*". It is
// "" for a monitor that depends on none.
func DependsOnLabel(names []string) string {
	if len(names) == 0 {
		return ""
	}
	s := slices.Clone(names)
	slices.Sort(s)
	return "," + strings.Join(slices.Compact(s), ",") + ","
}

// refresh brings the items waiting in the burst window up to date with
// their incidents: the monitors that joined them since they were queued,
// and, for a resolve, which of them are still down.
func (p *policy) refresh(items []pending) {
	for i := range items {
		it := &items[i].item
		if it.Incident == nil {
			continue
		}
		if !it.Incident.End.IsZero() {
			if it.Event == EventUp {
				it.StillDown = p.stillDown(it.Incident)
			}
			continue
		}
		e, ok := p.mons[it.Monitor]
		if !ok || e.inc == nil || !e.inc.Start.Equal(it.Incident.Start) {
			continue
		}
		snap := e.inc.snapshot()
		it.Incident = &snap
	}
}
