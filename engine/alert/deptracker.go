package alert

import (
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The transitions of a monitor with depends_on (see policy.deps for the
// cross-monitor side): a failure while a monitor it depends on is down
// joins that incident (phaseJoined); a failure while they all look fine
// waits for their next check (phaseWaiting) and then pages on its own;
// the end of the incident it joined gives it a grace (phaseWaiting again)
// before it pages on its own.

// join makes the monitor's failure part of root's incident.
func (t *tracker) join(root string, fx *effects) {
	if t.phase == phaseWaiting {
		fx.do(doStopWait)
	}
	t.phase, t.cover = phaseJoined, root
	t.waitSince, t.waitUntil = time.Time{}, time.Time{}
	*fx = append(*fx, effect{kind: doJoined, root: root})
}

// startWait holds the monitor's page until `until`, waiting on the
// monitors it depends on; since is when it failed, the start of its
// incident if it comes to one.
func (t *tracker) startWait(since, until time.Time, fx *effects) {
	t.phase, t.cover = phaseWaiting, ""
	t.waitSince, t.waitUntil = since, until
	fx.arm(doArmWait, until)
}

// leaveDeps ends a wait or a joined failure without a word: the monitor
// is back (or paused) before it paged.
func (t *tracker) leaveDeps(fx *effects) {
	if t.phase == phaseWaiting {
		fx.do(doStopWait)
	}
	t.phase, t.cover = phaseIdle, ""
	t.waitSince, t.waitUntil = time.Time{}, time.Time{}
}

// joinEvent: a monitor it depends on is down now. A failure waiting on it
// joins its incident; one joined already follows it to the incident that
// covers it now.
func (t *tracker) joinEvent(ev event, fx *effects) {
	switch {
	case ev.cover == "":
	case t.phase == phaseWaiting, t.phase == phaseAsking, t.phase == phaseOutvoted:
		t.join(ev.cover, fx) // the other locations' answer, if one comes, finds it joined
	case t.phase == phaseJoined && t.cover != ev.cover:
		t.join(ev.cover, fx)
	}
}

// release: the incident the monitor's failure joined is over. Still down,
// it gets a grace (ev.wait) to recover before it pages on its own;
// otherwise it is simply idle.
func (t *tracker) release(ev event, fx *effects) {
	if t.phase != phaseJoined {
		return
	}
	if t.status == monitor.StatusDown && ev.wait > 0 {
		t.startWait(ev.now, ev.now.Add(ev.wait), fx)
		return
	}
	t.phase, t.cover = phaseIdle, ""
	if t.status == monitor.StatusDown {
		t.openOrAsk(ev.now, ev.now, t.lastFail, fx)
	}
}

// waitEnded: the monitors it depends on were checked, or the wait ran
// out. Covered by a failure of theirs after all, it joins; still down
// otherwise, it pages on its own, its incident starting when it failed.
func (t *tracker) waitEnded(ev event, fx *effects) {
	if t.phase != phaseWaiting {
		return
	}
	if ev.cover != "" {
		t.join(ev.cover, fx)
		return
	}
	since := t.waitSince
	t.phase, t.waitSince, t.waitUntil = phaseIdle, time.Time{}, time.Time{}
	switch {
	case t.status != monitor.StatusDown || t.inc != nil:
	case t.rules.inWindow(t.m, ev.now):
		t.phase = phaseDeferred
	default:
		t.openOrAsk(since, ev.now, t.lastFail, fx)
	}
}
