package alert

import (
	"fmt"
	"slices"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// phase is where one monitor stands in the alert policy; see the package
// documentation for the transitions. An incident is open in phaseOpen,
// phaseHeld and phaseFlapping, and in no other.
type phase uint8

const (
	// phaseIdle: no incident. The monitor is fine, or was never seen down.
	phaseIdle phase = iota
	// phaseSuspect: upbeat was never told the monitor's status and one
	// failing result came: a second one with no change means the engine
	// restored it as down at start, and its incident is taken over.
	phaseSuspect
	// phaseDeferred: the monitor went down inside a maintenance window,
	// with no incident open. It pages if still down once the window ends.
	phaseDeferred
	// phaseOpen: an incident is open and its people were told (or it was
	// taken over after a restart). Reminders run unless it is acknowledged.
	phaseOpen
	// phaseHeld: the monitor recovered from a short or bouncing incident;
	// the resolve waits ResolveHold to see it stays up. A failure goes back
	// to phaseOpen with nothing sent.
	phaseHeld
	// phaseFlapping: the incident's monitor keeps changing between down
	// and up; it resolves once FlapQuiet passes without a change.
	phaseFlapping
	// phaseAsking: the monitor is down here and the other locations are
	// being asked (Options.Jury) whether the incident opens. No incident
	// is open yet.
	phaseAsking
	// phaseOutvoted: the other locations did not confirm the outage (or
	// another location pages for it). No incident; the next failing
	// result asks again.
	phaseOutvoted
	// phaseWaiting: the monitor failed while none of the monitors it
	// depends on was known to be down: before it pages, it waits for
	// their next checks (the engine runs them at once) to join their
	// incident if they are down too. The same wait is the grace a monitor
	// still down gets once the incident it had joined resolves.
	phaseWaiting
	// phaseJoined: the monitor is down behind a monitor it depends on
	// that is down: its failure is part of that incident (cover) and it
	// sends nothing of its own. It leaves quietly when it comes back, and
	// waits again when the incident it joined resolves while it is down.
	phaseJoined
)

var phaseNames = [...]string{"idle", "suspect", "deferred", "open", "held", "flapping", "asking", "outvoted", "waiting", "joined"}

func (p phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("phase(%d)", uint8(p))
}

// input is what happened to a monitor.
type input uint8

const (
	inChange  input = iota + 1 // the engine reports a status change (Notify)
	inResult                   // a check result (Observe)
	inAck                      // someone acknowledged the incident
	inRestore                  // an incident open before a restart (Restore)
	inHoldEnd                  // the resolve hold ran out
	inSettle                   // FlapQuiet passed without a change
	inRemind                   // a reminder is due
	inResume                   // a reload handed the tracker over (its alarms are not running)
	inVerdict                  // the other locations answered (Options.Jury)
	inJoin                     // a monitor it depends on is down: its failure joins that incident (cover)
	inRelease                  // the incident it had joined resolved (or no longer covers it)
	inWaitEnd                  // the wait for the monitors it depends on is over
	inNote                     // someone wrote a note on the incident or gave a reason for acknowledging it (notes.go)
	inLate                     // an incident that ended before a restart has had no resolve sent (ResolveLate)
)

// event is one input with its facts.
type event struct {
	kind input
	// now is the clock's time when the event is handled; at is when the
	// change happened (the engine's time, else now).
	now, at  time.Time
	from, to monitor.Status   // inChange; to, inRestore: the monitor's status when upbeat stopped (down, maintenance, paused)
	result   *monitor.Result  // inChange (may be nil), inResult, inLate (the latest known; may be nil)
	maint    bool             // inChange: the engine says the monitor is in maintenance
	acked    bool             // inChange: the engine says the incident is acknowledged
	restore  monitor.Incident // inRestore, inLate
	note     monitor.Note     // inNote
	verdict  Verdict          // inVerdict
	gen      uint64           // inVerdict: which ask it answers
	// cover names the monitor whose open incident a failure of this one
	// joins now ("" when none of the monitors it depends on is down): set
	// by the policy on every event of a monitor with depends_on.
	cover string
	// wait is how long a failure waits for the monitors it depends on
	// before it pages (inChange; 0: it has none, page at once), or the
	// grace after the incident it joined resolved (inRelease).
	wait time.Duration
}

// effectKind is what the policy must do after a transition.
type effectKind uint8

const (
	doSend       effectKind = iota + 1 // queue item for the monitor's channels
	doStamp                            // note every channel of the monitor as told at `at` (reminders count from it)
	doArmRemind                        // (re)arm the reminder for the channel due first
	doStopRemind                       // no reminders
	doRemind                           // send item to the channels whose reminder is due, unless quiet; note them as told
	doArmHold                          // the held resolve is decided at `at`
	doStopHold                         // the resolve is no longer held
	doArmSettle                        // flapping ends at `at` unless the monitor changes again
	doReport                           // tell OnIncident about inc
	doAsk                              // ask the other locations (the ask numbered gen)
	doNote                             // log text: the other locations kept an incident from opening
	doArmWait                          // the wait for the monitors it depends on ends at `at`
	doStopWait                         // no more waiting
	doJoined                           // the failure joined the incident of root: name it among those affected
)

// effect is one thing to do.
type effect struct {
	kind  effectKind
	item  Item             // doSend, doRemind
	quiet bool             // doRemind: note the channels as told but send nothing
	at    time.Time        // doStamp, doArmHold, doArmSettle, doArmWait
	inc   monitor.Incident // doReport: a copy
	gen   uint64           // doAsk
	text  string           // doNote
	root  string           // doJoined
}

// String names an effect, for tests and debugging: "send down", "arm hold".
func (f effect) String() string {
	switch f.kind {
	case doSend:
		return "send " + f.item.Event
	case doStamp:
		return "stamp"
	case doArmRemind:
		return "arm remind"
	case doStopRemind:
		return "stop remind"
	case doRemind:
		if f.quiet {
			return "remind quietly"
		}
		return "remind"
	case doArmHold:
		return "arm hold"
	case doStopHold:
		return "stop hold"
	case doArmSettle:
		return "arm settle"
	case doAsk:
		return "ask"
	case doNote:
		return "note"
	case doArmWait:
		return "arm wait"
	case doStopWait:
		return "stop wait"
	case doJoined:
		return "join " + f.root
	case doReport:
		s := "report"
		if f.inc.Flapping {
			s += " flapping"
		}
		if f.inc.Acked {
			s += " acked"
		}
		if !f.inc.End.IsZero() {
			s += " resolved"
		}
		return s
	}
	return fmt.Sprintf("effect(%d)", f.kind)
}

// effects collects what a transition asks for.
type effects []effect

func (fx *effects) do(k effectKind)                { *fx = append(*fx, effect{kind: k}) }
func (fx *effects) send(it Item)                   { *fx = append(*fx, effect{kind: doSend, item: it}) }
func (fx *effects) arm(k effectKind, at time.Time) { *fx = append(*fx, effect{kind: k, at: at}) }
func (fx *effects) report(in *incident) {
	*fx = append(*fx, effect{kind: doReport, inc: in.snapshot()})
}
func (fx *effects) remind(it Item, quiet bool) {
	*fx = append(*fx, effect{kind: doRemind, item: it, quiet: quiet})
}
func (fx *effects) stamp(at time.Time) { *fx = append(*fx, effect{kind: doStamp, at: at}) }
func (fx *effects) ask(gen uint64)     { *fx = append(*fx, effect{kind: doAsk, gen: gen}) }
func (fx *effects) note(text string)   { *fx = append(*fx, effect{kind: doNote, text: text}) }

// rules are the policy's settings: what the transitions depend on besides
// the tracker itself.
type rules struct {
	recoverAfter  int
	flapChanges   int
	flapWindow    time.Duration
	flapQuiet     time.Duration
	resolveHold   time.Duration
	degradedEvery time.Duration
	maint         engine.Maintenance // nil: no windows of the dispatcher's own
	ask           bool               // other locations are asked before an incident opens
	// dependencyWait bounds a failure's wait for the monitors it depends
	// on; childGrace is the least grace after the incident it joined.
	dependencyWait time.Duration
	childGrace     time.Duration
}

// inWindow reports whether a configured window covers m at t.
func (r *rules) inWindow(m *monitor.Monitor, t time.Time) bool {
	if r.maint == nil || m == nil {
		return false
	}
	_, ok := r.maint.Active(m, t)
	return ok
}

// incident is an open incident and who was told about it.
type incident struct {
	monitor.Incident
	last  *monitor.Result      // the latest failing result
	sent  map[string]time.Time // channel name: when it was last told (reminders)
	downs int                  // times the monitor went down during the incident
	// agreement is what the other locations said when it opened; "".
	agreement string
	restored  bool // taken over at start from history (Restore): nothing was sent since
}

func newIncident(in monitor.Incident) *incident {
	return &incident{Incident: in, sent: map[string]time.Time{}}
}

// snapshot returns a copy safe to hand out.
func (in *incident) snapshot() monitor.Incident {
	c := in.Incident
	c.Codes = slices.Clone(c.Codes)
	c.Classes = slices.Clone(c.Classes)
	c.Affected = slices.Clone(c.Affected)
	c.Notes = slices.Clone(c.Notes)
	return c
}

// note records the code and class of a failing result.
func (in *incident) note(r *monitor.Result) {
	if r == nil || r.Status != monitor.StatusDown {
		return
	}
	cp := *r
	in.last = &cp
	if r.Code != 0 && !slices.Contains(in.Codes, r.Code) {
		in.Codes = append(in.Codes, r.Code)
	}
	if r.Class != "" && !slices.Contains(in.Classes, r.Class) {
		in.Classes = append(in.Classes, r.Class)
	}
}

// tracker is what the policy knows about one monitor, and its state
// machine: handle takes an event, moves the phase and returns what to do.
// It has no lock, no timer and no clock of its own, so every transition
// can be tested by itself.
type tracker struct {
	name  string
	m     *monitor.Monitor
	rules *rules
	phase phase

	status  monitor.Status // as the engine last said
	known   bool           // status was said at all
	inc     *incident      // the open incident (phaseOpen, phaseHeld, phaseFlapping)
	suspect *monitor.Result

	// Recovery: good checks in a row, counted once per result, and the
	// latest good result (what a resolve with no result of its own is
	// about), held in place: most results are good, and a copy of each
	// on the heap was garbage by the next.
	good        int
	goodSince   time.Time
	lastCounted time.Time
	lastGood    monitor.Result // zero Time: none yet

	// Flapping: changes between down and up within the flap window.
	edges    []time.Time
	flapping bool
	lastUp   time.Time // the latest change away from down

	// The held resolve: when the monitor came back, and the good result
	// that would have resolved it.
	holdEnd    time.Time
	holdResult *monitor.Result

	// Degraded messages, outside incidents.
	degradedSent bool
	lastDegraded time.Time

	// Asking the other locations: when the monitor went down here (the
	// incident's start if it opens), its latest failing result, and the
	// number of the current ask (a verdict for an older one is stale).
	downAt    time.Time
	askResult *monitor.Result
	askGen    uint64
	// Dependencies (depends_on): the monitor whose incident this one's
	// failure joined (phaseJoined), since when it waits and until when
	// (phaseWaiting), the latest failing result and the status of the
	// latest result (for a child's wait: is its parent fine?).
	cover      string
	waitSince  time.Time
	waitUntil  time.Time
	lastFail   *monitor.Result
	lastStatus monitor.Status

	// Burn-rate alerts (the policy's, see burn.go).
	burn burnState
}

// handle applies one event.
func (t *tracker) handle(ev event) effects {
	var fx effects
	switch ev.kind {
	case inChange:
		t.change(ev, &fx)
	case inResult:
		t.result(ev, &fx)
	case inAck:
		t.ack(&fx)
	case inRestore:
		t.restore(ev, &fx)
	case inHoldEnd:
		t.holdEnded(&fx)
	case inSettle:
		t.settle(ev, &fx)
	case inRemind:
		t.remind(ev, &fx)
	case inResume:
		t.resume(ev, &fx)
	case inVerdict:
		t.verdict(ev, &fx)
	case inJoin:
		t.joinEvent(ev, &fx)
	case inRelease:
		t.release(ev, &fx)
	case inWaitEnd:
		t.waitEnded(ev, &fx)
	case inNote:
		t.addNote(ev, &fx)
	case inLate:
		t.resolveLate(ev, &fx)
	}
	return fx
}

// change handles a status change. Changes to maintenance, paused or
// pending only update the status: what they mean is decided when a
// reminder is due or the monitor comes back.
func (t *tracker) change(ev event, fx *effects) {
	t.status, t.known, t.suspect = ev.to, true, nil
	if t.phase == phaseSuspect {
		t.phase = phaseIdle
	}
	asked := t.phase == phaseAsking || t.phase == phaseOutvoted
	if asked && ev.to != monitor.StatusDown {
		t.phase, t.askResult = phaseIdle, nil // an answer still to come is stale
	}
	t.count(ev.result, fx)
	if ev.acked {
		t.ack(fx)
	}
	inMaint := ev.maint || t.rules.inWindow(t.m, ev.at)
	started := false
	if flapEdge(ev.from, ev.to) && !inMaint {
		started = t.edge(ev, fx)
	}
	switch ev.to {
	case monitor.StatusDown:
		t.wentDown(ev, inMaint, started, fx)
	case monitor.StatusUp, monitor.StatusDegraded:
		t.cameBack(ev, inMaint, started, asked, fx)
	}
}

// wentDown: a failure opens an incident unless one is open (recovering,
// held, flapping or back from a window: it goes on) or a window covers it.
func (t *tracker) wentDown(ev event, inMaint, started bool, fx *effects) {
	t.degradedSent = false
	t.cancelHold(fx) // not steady after all: the incident goes on
	if inMaint {
		if t.inc == nil {
			t.leaveDeps(fx)
			t.phase = phaseDeferred
		}
		return
	}
	if t.phase == phaseDeferred {
		t.phase = phaseIdle
	}
	if t.inc == nil {
		switch {
		case t.phase == phaseJoined:
		case ev.cover != "": // a monitor it depends on is down: no need to ask anyone
			t.join(ev.cover, fx)
		case t.phase == phaseWaiting:
		case t.phase == phaseAsking: // the answer is on its way
			t.keepFailure(ev.result)
		case t.phase == phaseOutvoted:
			t.keepFailure(ev.result)
			t.ask(fx)
		case ev.wait > 0:
			t.startWait(ev.at, ev.now.Add(ev.wait), fx)
		default:
			t.openOrAsk(ev.at, ev.now, ev.result, fx)
		}
		return
	}
	if flapEdge(ev.from, ev.to) {
		t.inc.downs++
	}
	if started {
		t.markFlapping(fx)
	}
}

// cameBack: up or degraded. An open incident may resolve (see
// maybeResolve); without one, degraded and back-to-normal messages go out.
// asked: the monitor was down here only, the other locations asked.
func (t *tracker) cameBack(ev event, inMaint, started, asked bool, fx *effects) {
	if t.phase == phaseJoined || t.phase == phaseWaiting {
		// Back before it paged: nothing of its own was ever sent.
		t.leaveDeps(fx)
		return
	}
	wasDeferred := t.phase == phaseDeferred
	if wasDeferred {
		t.phase = phaseIdle
	}
	if ev.from == monitor.StatusDown {
		t.lastUp = ev.at
	}
	if t.inc == nil && ev.from == monitor.StatusDown && !wasDeferred && !asked {
		// Down before we knew it (restored at start): resolve it all the same.
		t.adopt(monitor.Incident{Monitor: t.name})
	}
	if t.inc != nil {
		switch {
		case started:
			t.markFlapping(fx)
		case t.flapping:
		default:
			t.maybeResolve(ev.at, ev.now, ev.result, fx)
		}
		return
	}
	if inMaint {
		return
	}
	if ev.to == monitor.StatusDegraded && ev.from != monitor.StatusDegraded {
		t.degraded(ev.at, ev.result, fx)
	}
	if ev.to == monitor.StatusUp && ev.from == monitor.StatusDegraded && t.degradedSent {
		t.degradedSent = false
		fx.send(itemFrom(EventNormal, t.m, t.name, ev.result))
	}
}

// flapEdge reports whether a change counts towards flapping: one between
// down and up (or degraded).
func flapEdge(from, to monitor.Status) bool {
	good := func(s monitor.Status) bool { return s == monitor.StatusUp || s == monitor.StatusDegraded }
	return (from == monitor.StatusDown && good(to)) || (to == monitor.StatusDown && good(from))
}

// result handles a check result: it counts good checks for recover_after,
// collects the codes and classes of an open incident, opens an incident
// deferred by a window that has ended, and notices a monitor that was
// already down when upbeat started. The engine calls Observe before
// Notify for the same result; each result counts once.
func (t *tracker) result(ev event, fx *effects) {
	r := ev.result
	if !t.count(r, fx) {
		return
	}
	switch {
	case t.inc != nil:
		if !t.flapping {
			t.maybeResolve(r.Time, ev.now, r, fx)
		}
	case t.phase == phaseAsking:
		t.keepFailure(r)
	case t.phase == phaseOutvoted:
		if r.Status == monitor.StatusDown {
			t.keepFailure(r)
			t.ask(fx)
		}
	case t.phase == phaseDeferred:
		if r.Status != monitor.StatusDown {
			t.phase = phaseIdle
		} else if !t.rules.inWindow(t.m, r.Time) && t.status != monitor.StatusMaintenance {
			// The window ended and the monitor is still down, with no change to tell us.
			t.phase = phaseIdle
			t.openOrAsk(r.Time, ev.now, r, fx)
		}
	case t.phase == phaseJoined || t.phase == phaseWaiting:
	case !t.known:
		t.unknownResult(ev, fx)
	}
}

// unknownResult handles a result of a monitor whose status nobody told:
// down twice with no change means the engine restored it as down.
func (t *tracker) unknownResult(ev event, fx *effects) {
	r := ev.result
	if r.Status != monitor.StatusDown {
		t.suspect, t.phase = nil, phaseIdle
		t.status, t.known = r.Status, true
		return
	}
	if t.rules.inWindow(t.m, r.Time) {
		return
	}
	if t.suspect == nil {
		// A change may follow for this very result; wait for the next one.
		cp := *r
		t.suspect, t.phase = &cp, phaseSuspect
		return
	}
	if ev.cover != "" {
		// Down behind a monitor that is down: it was part of that
		// incident before the restart, and still is.
		t.suspect = nil
		t.status, t.known = monitor.StatusDown, true
		t.join(ev.cover, fx)
		return
	}
	// Its incident was announced before the restart: take it over quietly.
	// When it began is not known here (Restore tells it).
	t.adopt(monitor.Incident{Monitor: t.name})
	t.inc.note(t.suspect)
	t.inc.note(r)
	t.suspect = nil
	t.status, t.known = monitor.StatusDown, true
	fx.stamp(ev.now)
	fx.do(doArmRemind)
}

// count takes a result into the counters once; it reports whether the
// result was new. A failure, even one the engine's retries absorb, is not
// steady: it ends a held resolve.
func (t *tracker) count(r *monitor.Result, fx *effects) bool {
	if r == nil || r.Time.Equal(t.lastCounted) {
		return false
	}
	t.lastCounted = r.Time
	t.lastStatus = r.Status
	switch r.Status {
	case monitor.StatusDown:
		cp := *r
		t.lastFail = &cp
		t.good = 0
		t.goodSince = time.Time{}
		t.cancelHold(fx)
		if t.inc != nil {
			t.inc.note(r)
		}
	case monitor.StatusUp, monitor.StatusDegraded:
		if t.good == 0 {
			t.goodSince = r.Time
		}
		t.good++
		t.lastGood = *r
	}
	return true
}

// openPhase is the phase of an incident that opens or is taken over now.
func (t *tracker) openPhase() phase {
	if t.flapping {
		return phaseFlapping
	}
	return phaseOpen
}

// openOrAsk opens an incident at `at`, or, when other locations have a
// say, asks them first.
func (t *tracker) openOrAsk(at, now time.Time, r *monitor.Result, fx *effects) {
	if !t.rules.ask {
		t.open(at, now, r, "", fx)
		return
	}
	t.downAt, t.askResult = at, nil
	t.keepFailure(r)
	t.ask(fx)
}

// ask asks the other locations (again).
func (t *tracker) ask(fx *effects) {
	t.phase = phaseAsking
	t.askGen++
	fx.ask(t.askGen)
}

// keepFailure keeps the latest failing result while the other locations
// are asked: the incident, if it opens, is about it.
func (t *tracker) keepFailure(r *monitor.Result) {
	if r != nil && r.Status == monitor.StatusDown {
		cp := *r
		t.askResult = &cp
	}
}

// verdict takes the other locations' answer to the current ask: the
// incident opens (with what they said), or waits for the next failure.
func (t *tracker) verdict(ev event, fx *effects) {
	if t.phase != phaseAsking || ev.gen != t.askGen {
		return
	}
	if !ev.verdict.Page {
		t.phase = phaseOutvoted
		fx.note(ev.verdict.Text)
		return
	}
	t.open(t.downAt, ev.now, t.askResult, ev.verdict.Text, fx)
	t.askResult = nil
}

// open starts an incident at `at` and tells its people; agreement is
// what the other locations said, if they were asked.
func (t *tracker) open(at, now time.Time, r *monitor.Result, agreement string, fx *effects) {
	inc := newIncident(monitor.Incident{Monitor: t.name, Start: at, Flapping: t.flapping})
	inc.downs = 1
	inc.agreement = agreement
	inc.note(r)
	t.inc, t.phase = inc, t.openPhase()
	t.good, t.goodSince = 0, time.Time{}
	event := EventDown
	if t.flapping {
		event = EventFlapping
	}
	fx.stamp(now)
	fx.send(t.incidentItem(event, now))
	fx.do(doArmRemind)
	fx.report(inc)
}

// adopt takes over an incident announced before (a restart): nothing is
// sent for it.
func (t *tracker) adopt(in monitor.Incident) {
	in.Flapping = in.Flapping || t.flapping
	t.inc, t.phase = newIncident(in), t.openPhase()
}

// incidentItem describes the open incident for a message.
func (t *tracker) incidentItem(event string, now time.Time) Item {
	inc := t.inc
	it := itemFrom(event, t.m, t.name, inc.last)
	it.Status = monitor.StatusDown
	it.Since = inc.Start
	it.Flapping = t.flapping
	if !inc.Start.IsZero() && event == EventReminder {
		it.Duration = now.Sub(inc.Start)
	}
	it.Agreement = inc.agreement
	snap := inc.snapshot()
	it.Incident = &snap
	return it
}

// recovered reports whether the incident may resolve: the monitor is up
// (or degraded) and has had RecoverAfter good checks in a row.
func (t *tracker) recovered() bool {
	if t.inc == nil || !t.known || t.good < t.rules.recoverAfter {
		return false
	}
	return t.status == monitor.StatusUp || t.status == monitor.StatusDegraded
}

// maybeResolve resolves the incident once the monitor has recovered, at
// once or after the resolve hold (see holdFor). at is when it recovered
// and becomes the incident's end either way.
func (t *tracker) maybeResolve(at, now time.Time, r *monitor.Result, fx *effects) {
	if !t.recovered() || t.phase == phaseHeld {
		return
	}
	wait := t.holdFor(at, now)
	if wait <= 0 {
		t.resolve(at, r, fx)
		return
	}
	t.holdEnd = at
	t.holdResult = nil
	if r != nil {
		cp := *r
		t.holdResult = &cp
	}
	t.phase = phaseHeld
	fx.arm(doArmHold, now.Add(wait))
}

// holdFor returns how much longer the resolve of an incident recovered at
// `at` must wait; 0 or less: send it now.
//
// A resolve is held only when the incident is younger than FlapWindow, or
// when the monitor changed between down and up more than once within the
// FlapWindow before `at` (it bounced). Then it goes out once the monitor
// has been up without a failure for ResolveHold, counted from when it
// came back. A long outage that ends cleanly resolves at once.
func (t *tracker) holdFor(at, now time.Time) time.Duration {
	hold := t.rules.resolveHold
	if hold <= 0 {
		return 0
	}
	inc := t.inc
	young := !inc.Start.IsZero() && at.Sub(inc.Start) < t.rules.flapWindow
	if !young {
		cut := at.Add(-t.rules.flapWindow)
		recent := 0
		for _, e := range t.edges {
			if e.After(cut) && !e.After(at) {
				recent++
			}
		}
		if recent < 2 {
			return 0
		}
	}
	// Up since the later of the change back up and the first good check
	// in a row, as long as that is within this incident.
	var since time.Time
	for _, s := range []time.Time{t.lastUp, t.goodSince} {
		if !s.Before(inc.Start) && !s.After(at) && s.After(since) {
			since = s
		}
	}
	if since.IsZero() {
		since = at
	}
	return since.Add(hold).Sub(now)
}

// cancelHold drops a held resolve: the incident stays open.
func (t *tracker) cancelHold(fx *effects) {
	if t.phase == phaseHeld {
		t.phase = phaseOpen
		fx.do(doStopHold)
	}
	t.holdResult = nil
}

// holdEnded sends the held resolve if the monitor stayed up for the hold.
func (t *tracker) holdEnded(fx *effects) {
	if t.phase != phaseHeld {
		return
	}
	t.phase = phaseOpen
	end, r := t.holdEnd, t.holdResult
	t.holdResult = nil
	if t.flapping || !t.recovered() {
		return
	}
	t.resolve(end, r, fx)
}

// resolve closes the incident, ending at `end`, and sends the one message
// saying so. The message is about r, the good check that resolved it;
// when there is none (a flapping incident that settled, a change told
// without its result), about the latest good check known. Nothing is
// wrong in it: the knowledge base has nothing to explain.
func (t *tracker) resolve(end time.Time, r *monitor.Result, fx *effects) {
	inc := t.inc
	fx.do(doStopRemind)
	t.cancelHold(fx)
	inc.End = end
	t.inc, t.phase = nil, phaseIdle
	t.good, t.goodSince = 0, time.Time{}
	if r == nil || r.Status == monitor.StatusDown {
		r = nil
		if !t.lastGood.Time.IsZero() {
			r = &t.lastGood // resultItem copies it
		}
	}
	it := resultItem(EventUp, t.m, t.name, r)
	it.Since, it.Status = inc.Start, t.status
	if inc.downs > 1 {
		it.Flaps = inc.downs
	}
	if !inc.Start.IsZero() {
		it.Duration = end.Sub(inc.Start)
	}
	snap := inc.snapshot()
	it.Incident = &snap
	fx.send(it)
	fx.report(inc)
}

// edge records a change between down and up and reports whether the
// monitor has just started flapping. While it flaps, every change pushes
// the settling time further out.
func (t *tracker) edge(ev event, fx *effects) bool {
	cut := ev.at.Add(-t.rules.flapWindow)
	t.edges = slices.DeleteFunc(t.edges, func(e time.Time) bool { return e.Before(cut) })
	t.edges = append(t.edges, ev.at)
	started := false
	if !t.flapping && len(t.edges) >= t.rules.flapChanges {
		t.flapping, started = true, true
	}
	if t.flapping {
		fx.arm(doArmSettle, ev.now.Add(t.rules.flapQuiet))
	}
	return started
}

// markFlapping marks the open incident as flapping. Nothing is sent: its
// people already had the one message about it (the down that opened it),
// its reminders go on, and its resolve waits until the monitor settles.
func (t *tracker) markFlapping(fx *effects) {
	t.cancelHold(fx)
	t.phase = phaseFlapping
	if t.inc.Flapping {
		return
	}
	t.inc.Flapping = true
	fx.report(t.inc)
}

// settle ends flapping after FlapQuiet without a change: a monitor that is
// up resolves its incident with one message; one that stays down keeps it
// open, with nothing sent (its reminders go on).
func (t *tracker) settle(ev event, fx *effects) {
	if !t.flapping {
		return
	}
	t.flapping = false
	t.edges = nil
	if t.inc == nil {
		return
	}
	if t.phase == phaseFlapping {
		t.phase = phaseOpen
	}
	if t.status != monitor.StatusUp && t.status != monitor.StatusDegraded {
		return
	}
	end := t.lastUp
	if end.IsZero() {
		end = ev.now
	}
	t.resolve(end, nil, fx)
}

// degraded sends a gentle message, at most one per DegradedEvery.
func (t *tracker) degraded(at time.Time, r *monitor.Result, fx *effects) {
	if !t.lastDegraded.IsZero() && at.Sub(t.lastDegraded) < t.rules.degradedEvery {
		return
	}
	t.lastDegraded = at
	t.degradedSent = true
	it := itemFrom(EventDegraded, t.m, t.name, r)
	it.Since = at
	fx.send(it)
}

// remind: a reminder is due. It is noted but not sent while the incident
// is acknowledged, its resolve is held (the monitor is up, not "still
// down"), or the monitor is paused or in maintenance.
func (t *tracker) remind(ev event, fx *effects) {
	if t.inc == nil {
		return
	}
	quiet := t.inc.Acked || t.phase == phaseHeld ||
		t.status == monitor.StatusPaused || t.status == monitor.StatusMaintenance ||
		t.rules.inWindow(t.m, ev.now)
	fx.remind(t.incidentItem(EventReminder, ev.now), quiet)
	fx.do(doArmRemind)
}

// ack acknowledges the open incident: no reminders until it resolves; the
// resolve is still sent.
func (t *tracker) ack(fx *effects) {
	if t.inc == nil || t.inc.Acked {
		return
	}
	t.inc.Acked = true
	fx.do(doStopRemind)
	fx.report(t.inc)
}

// restore takes over an incident open before a restart: nothing is sent,
// reminders continue from now, and the resolve goes out when the monitor
// recovers. An incident already open is kept. One whose monitor was in a
// maintenance window when upbeat stopped is in it still, as far as anyone
// knows, and one paused is paused still: its reminders are quiet until the
// engine says the monitor left the window or was resumed, and then it
// goes on as it would have without the restart.
func (t *tracker) restore(ev event, fx *effects) {
	if t.inc != nil {
		return
	}
	t.status, t.known, t.suspect = monitor.StatusDown, true, nil
	if ev.to == monitor.StatusMaintenance || ev.to == monitor.StatusPaused {
		t.status = ev.to
	}
	if ev.cover != "" {
		t.join(ev.cover, fx) // it was part of that incident before the restart
		return
	}
	t.leaveDeps(fx)
	in := ev.restore
	in.Monitor = t.name
	in.End = time.Time{}
	in.Codes = slices.Clone(in.Codes)
	in.Classes = slices.Clone(in.Classes)
	in.Notes = slices.Clone(in.Notes)
	t.adopt(in)
	t.inc.restored = true
	if t.inc.Acked { // the views hear of the flag as they would of a live ack
		fx.report(t.inc)
	}
	fx.stamp(ev.now)
	fx.do(doArmRemind)
}

// resolveLate sends the resolve of an incident that ended before a
// restart and whose resolve never went out: nothing is open for the
// monitor now, and its status is as the engine restored it (up when it
// was not told). A monitor with an incident of its own, or that is being
// decided about, is left alone.
func (t *tracker) resolveLate(ev event, fx *effects) {
	if ev.restore.End.IsZero() || !t.lateResolvable() {
		return
	}
	if !t.known {
		t.status, t.known = monitor.StatusUp, true
	}
	in := ev.restore
	in.Monitor = t.name
	in.Codes = slices.Clone(in.Codes)
	in.Classes = slices.Clone(in.Classes)
	in.Notes = slices.Clone(in.Notes)
	t.inc, t.phase = newIncident(in), phaseOpen
	t.resolve(in.End, ev.result, fx)
}

// upNow reports whether the monitor is up (or degraded, which is up for
// an incident) as last told.
func (t *tracker) upNow() bool {
	return t.known && (t.status == monitor.StatusUp || t.status == monitor.StatusDegraded)
}

// lateResolvable reports whether resolveLate would send: no incident,
// nothing being decided, and the monitor up (or not told).
func (t *tracker) lateResolvable() bool {
	if t.inc != nil || t.phase != phaseIdle {
		return false
	}
	return !t.known || t.status == monitor.StatusUp || t.status == monitor.StatusDegraded
}

// resume restarts the alarms of a tracker handed over by a reload: the
// reminder, flapping's settling FlapQuiet after the last change, and a
// held resolve, decided when the hold would have ended.
func (t *tracker) resume(ev event, fx *effects) {
	if t.inc != nil {
		fx.do(doArmRemind)
	}
	if t.phase == phaseAsking { // the answer went to the retired Dispatcher
		t.ask(fx)
	}
	if t.phase == phaseWaiting {
		fx.arm(doArmWait, t.waitUntil)
	}
	if t.flapping && len(t.edges) > 0 {
		fx.arm(doArmSettle, t.edges[len(t.edges)-1].Add(t.rules.flapQuiet))
		return
	}
	t.flapping = false
	if t.phase == phaseFlapping {
		t.phase = phaseOpen
	}
	if t.phase == phaseHeld {
		t.phase = phaseOpen
		t.maybeResolve(t.holdEnd, ev.now, t.holdResult, fx)
	}
}
