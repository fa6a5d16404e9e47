package fleet

import (
	"fmt"
	"slices"
	"strings"
)

// View is what one location sees of a monitor.
type View uint8

const (
	// Unknown: the location did not answer in time, does not check the
	// monitor, or has no say (paused, in maintenance, not checked yet).
	// It neither confirms an outage nor speaks against one.
	Unknown View = iota
	// Up: the location reaches the monitor (up or degraded).
	Up
	// Down: the location sees the monitor down.
	Down
)

// Answer is what one peer said.
type Answer struct {
	// Location is the peer's [settings] location; its address when it
	// has none.
	Location string
	View     View
	// Why says what an Unknown means: "did not answer in time", "does
	// not check it", "is paused".
	Why string
}

// Tally is what every location says about a monitor that is down here.
type Tally struct {
	Here    string   // this daemon's location
	Answers []Answer // the peers'
	// Quorum is how many locations must see the monitor down; 0: a
	// majority of the locations that answered (this one included). It
	// counts among the locations that answered: one that did not answer
	// neither confirms nor blocks.
	Quorum int
}

// Decision is what a Tally concludes.
type Decision struct {
	// Open: enough locations see the monitor down.
	Open bool
	// Page: this daemon pages. Of the locations that see the monitor
	// down, the first by name pages, so that one page goes out however
	// many of them see it; replicas of that location all page (the same
	// alert: Alertmanager merges them).
	Page bool
	// Pager is the location that pages when Open.
	Pager string
	// Alone: no peer answered; this daemon decided by itself (and pages).
	Alone bool
	// Text says how it went, for the message and the log: "down from 2
	// of 3 locations (eu-west, us-east); up from ap-south".
	Text string
}

// location is one location's merged view: replicas of one location count
// once, down if any of them sees it down.
type location struct {
	name string
	view View
	why  string
}

// Decide counts the views and decides.
func (t Tally) Decide() Decision {
	locs := []*location{{name: t.Here, view: Down}}
	byName := map[string]*location{t.Here: locs[0]}
	for _, a := range t.Answers {
		l, ok := byName[a.Location]
		if !ok {
			l = &location{name: a.Location, view: a.View, why: a.Why}
			byName[a.Location] = l
			locs = append(locs, l)
			continue
		}
		if a.View > l.view { // down beats up beats unknown
			l.view, l.why = a.View, a.Why
		}
	}
	var down, up, unknown []*location
	for _, l := range locs {
		switch l.view {
		case Down:
			down = append(down, l)
		case Up:
			up = append(up, l)
		default:
			unknown = append(unknown, l)
		}
	}
	byLoc := func(a, b *location) int { return strings.Compare(a.name, b.name) }
	slices.SortFunc(down, byLoc)
	slices.SortFunc(up, byLoc)
	slices.SortFunc(unknown, byLoc)

	answered := len(down) + len(up)
	quorum := t.Quorum
	if quorum <= 0 {
		quorum = answered/2 + 1
	}
	quorum = min(quorum, answered)
	d := Decision{Open: len(down) >= quorum, Pager: down[0].name}
	d.Alone = len(locs) > 1 && answered == 1
	d.Page = d.Open && d.Pager == t.Here

	var b strings.Builder
	switch {
	case len(locs) == 1:
		fmt.Fprintf(&b, "down from %s", label(t.Here))
	case d.Alone:
		fmt.Fprintf(&b, "down from %s; no other location answered (%s): decided alone", label(t.Here), unknownText(unknown))
	default:
		fmt.Fprintf(&b, "down from %d of %d locations (%s)", len(down), len(locs), names(down))
		if len(up) > 0 {
			fmt.Fprintf(&b, "; up from %s", names(up))
		}
		if len(unknown) > 0 {
			fmt.Fprintf(&b, "; %s", unknownText(unknown))
		}
		switch {
		case !d.Open:
			fmt.Fprintf(&b, ": fewer than the quorum of %d", quorum)
		case !d.Page:
			fmt.Fprintf(&b, ": %s pages for it", label(d.Pager))
		}
	}
	d.Text = b.String()
	return d
}

// label names a location, "" included.
func label(name string) string {
	if name == "" {
		return "this location"
	}
	return name
}

// names lists locations by name.
func names(locs []*location) string {
	out := make([]string, len(locs))
	for i, l := range locs {
		out[i] = label(l.name)
	}
	return strings.Join(out, ", ")
}

// unknownText says why each silent location has no say: "ap-south did
// not answer in time, us-east does not check it".
func unknownText(locs []*location) string {
	out := make([]string, len(locs))
	for i, l := range locs {
		why := l.why
		if why == "" {
			why = "did not answer in time"
		}
		out[i] = label(l.name) + " " + why
	}
	return strings.Join(out, ", ")
}
