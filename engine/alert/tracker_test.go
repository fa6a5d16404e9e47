package alert

import (
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The policy's state machine, one transition at a time: every phase
// meets every event, and the table says where it goes and what the
// policy must do. The trackers are built as the policy leaves them in
// each phase; guards are the facts a row adds.

var (
	t0  = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // when the incidents below began
	now = t0.Add(3 * time.Minute)                      // when every event happens: the incidents are young
)

// testRules are the default settings.
func testRules() *rules {
	return &rules{recoverAfter: 1, flapChanges: DefaultFlapChanges, flapWindow: DefaultFlapWindow,
		flapQuiet: DefaultFlapQuiet, resolveHold: DefaultResolveHold, degradedEvery: DefaultDegradedEvery}
}

func result(s monitor.Status, at time.Time) *monitor.Result {
	r := &monitor.Result{Monitor: "api", URL: "https://api.example.test/", Time: at, Status: s}
	switch s {
	case monitor.StatusDown:
		r.Code, r.Class, r.Error = 502, "http_502", "the check failed"
	case monitor.StatusUp:
		r.Code = 200
	}
	return r
}

// trackerIn returns a tracker in phase p, as the policy would leave it.
func trackerIn(p phase) *tracker {
	t := &tracker{name: "api", m: testMonitor("api"), rules: testRules(), phase: p, known: true, status: monitor.StatusUp}
	openInc := func(status monitor.Status) {
		t.status = status
		t.inc = newIncident(monitor.Incident{Monitor: "api", Start: t0, Codes: []int{502}, Classes: []string{"http_502"}})
		t.inc.downs = 1
		t.inc.last = result(monitor.StatusDown, t0)
		t.inc.sent["oncall"] = t0
	}
	switch p {
	case phaseSuspect:
		t.known, t.status = false, monitor.StatusPending
		t.suspect = result(monitor.StatusDown, now.Add(-time.Minute))
	case phaseDeferred: // down inside a window the engine does not know about
		t.status = monitor.StatusDown
	case phaseOpen:
		openInc(monitor.StatusDown)
	case phaseHeld: // back up a minute ago; the resolve waits
		openInc(monitor.StatusUp)
		t.good, t.goodSince, t.lastUp = 1, now.Add(-time.Minute), now.Add(-time.Minute)
		t.edges = []time.Time{t0, now.Add(-time.Minute)}
		t.holdEnd, t.holdResult = now.Add(-time.Minute), result(monitor.StatusUp, now.Add(-time.Minute))
	case phaseAsking, phaseOutvoted: // down here for half a minute; peers asked once
		t.rules.ask = true
		t.status, t.downAt, t.askGen = monitor.StatusDown, now.Add(-30*time.Second), 1
		t.askResult = result(monitor.StatusDown, now.Add(-30*time.Second))
	case phaseFlapping: // down again, for the third time in three minutes
		openInc(monitor.StatusDown)
		t.inc.Flapping, t.inc.downs, t.flapping = true, 3, true
		for i := range 5 {
			t.edges = append(t.edges, t0.Add(time.Duration(i)*30*time.Second))
		}
		t.lastUp = now.Add(-time.Minute)
	case phaseWaiting: // failed ten seconds ago; its parents are being checked
		t.status, t.lastFail = monitor.StatusDown, result(monitor.StatusDown, now.Add(-10*time.Second))
		t.waitSince, t.waitUntil = now.Add(-10*time.Second), now.Add(20*time.Second)
	case phaseJoined: // down behind the router, which is down
		t.status, t.lastFail, t.cover = monitor.StatusDown, result(monitor.StatusDown, now.Add(-time.Minute)), "router"
	}
	return t
}

// change is a status change reported by the engine, with its result.
func change(from, to monitor.Status) event {
	ev := event{kind: inChange, now: now, at: now, from: from, to: to}
	if to == monitor.StatusDown || to == monitor.StatusUp || to == monitor.StatusDegraded {
		ev.result = result(to, now)
	}
	return ev
}

// events are the inputs every phase is tested with, by name.
var events = map[string]event{
	"down":                change(monitor.StatusUp, monitor.StatusDown),
	"down in maintenance": func() event { ev := change(monitor.StatusUp, monitor.StatusDown); ev.maint = true; return ev }(),
	"up":                  change(monitor.StatusDown, monitor.StatusUp),
	"degraded":            change(monitor.StatusUp, monitor.StatusDegraded),
	"paused":              change(monitor.StatusUp, monitor.StatusPaused),
	"bad result":          {kind: inResult, now: now, result: result(monitor.StatusDown, now)},
	"good result":         {kind: inResult, now: now, result: result(monitor.StatusUp, now)},
	"ack":                 {kind: inAck, now: now},
	"restore":             {kind: inRestore, now: now, restore: monitor.Incident{Start: t0.Add(-time.Hour), Codes: []int{503}}},
	"hold ends":           {kind: inHoldEnd, now: now},
	"late resolve":        {kind: inLate, now: now, restore: monitor.Incident{Start: t0, End: t0.Add(time.Minute), Codes: []int{502}}},
	"settles":             {kind: inSettle, now: now},
	"remind":              {kind: inRemind, now: now},
	"resume":              {kind: inResume, now: now},
	"page":                {kind: inVerdict, now: now, gen: 1, verdict: Verdict{Page: true, Text: "down from 2 of 3 locations"}},
	"not confirmed":       {kind: inVerdict, now: now, gen: 1, verdict: Verdict{Text: "down from 1 of 3 locations"}},
	// depends_on: the policy says whether a parent is down (cover) and
	// how long to wait for the parents' verdict.
	"down behind router": func() event { ev := change(monitor.StatusUp, monitor.StatusDown); ev.cover = "router"; return ev }(),
	"down, parents unsure": func() event {
		ev := change(monitor.StatusUp, monitor.StatusDown)
		ev.wait = 30 * time.Second
		return ev
	}(),
	"join":               {kind: inJoin, now: now, cover: "router"},
	"release":            {kind: inRelease, now: now, wait: time.Minute},
	"wait ends":          {kind: inWaitEnd, now: now},
	"wait ends, covered": {kind: inWaitEnd, now: now, cover: "router"},
}

// Guards: what a row adds to the canonical tracker.
var (
	old           = func(t *tracker) { t.inc.Start = t0.Add(-time.Hour) } // older than the flap window
	recoverAfter2 = func(t *tracker) { t.rules.recoverAfter = 2 }
	threeEdges    = func(t *tracker) { t.edges = []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute)} }
	acked         = func(t *tracker) { t.inc.Acked = true }
	paused        = func(t *tracker) { t.status = monitor.StatusPaused }
	isUp          = func(t *tracker) { t.status = monitor.StatusUp }
	isDown        = func(t *tracker) { t.status = monitor.StatusDown }
	inMaintenance = func(t *tracker) { t.status = monitor.StatusMaintenance }
	alreadyFlaps  = func(t *tracker) {
		t.flapping, t.edges = true, []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute)}
	}
	degradedWasSet = func(t *tracker) { t.degradedSent = true }
	degradedRecent = func(t *tracker) { t.lastDegraded = now.Add(-10 * time.Minute) }
	withPeers      = func(t *tracker) { t.rules.ask = true }
	askedAgain     = func(t *tracker) { t.askGen = 2 } // the verdict answers an older ask
)

type transition struct {
	from  phase
	guard string         // what else holds, when it matters
	setup func(*tracker) // makes the guard true
	on    string         // a name in events, or a change written as "from>to"
	to    phase
	do    string // the effects, in order
}

var transitions = []transition{
	// idle: no incident.
	{from: phaseIdle, on: "down", to: phaseOpen, do: "stamp, send down, arm remind, report"},
	{from: phaseIdle, guard: "already flapping", setup: alreadyFlaps, on: "down", to: phaseFlapping,
		do: "arm settle, stamp, send flapping, arm remind, report flapping"},
	{from: phaseIdle, on: "down in maintenance", to: phaseDeferred},
	{from: phaseIdle, on: "up", to: phaseIdle, do: "stop remind, send up, report resolved"}, // down before upbeat knew: resolve it
	{from: phaseIdle, on: "degraded", to: phaseIdle, do: "send degraded"},
	{from: phaseIdle, guard: "degraded sent 10 minutes ago", setup: degradedRecent, on: "degraded", to: phaseIdle},
	{from: phaseIdle, guard: "degraded sent", setup: degradedWasSet, on: "degraded>up", to: phaseIdle, do: "send normal"},
	{from: phaseIdle, on: "degraded>up", to: phaseIdle},
	{from: phaseIdle, on: "paused", to: phaseIdle},
	{from: phaseIdle, on: "bad result", to: phaseIdle},
	{from: phaseIdle, on: "good result", to: phaseIdle},
	{from: phaseIdle, on: "ack", to: phaseIdle},
	{from: phaseIdle, on: "restore", to: phaseOpen, do: "stamp, arm remind"},
	{from: phaseIdle, on: "late resolve", to: phaseIdle, do: "stop remind, send up, report resolved"}, // ended before a crash, resolve never sent
	{from: phaseIdle, guard: "down", setup: isDown, on: "late resolve", to: phaseIdle},
	{from: phaseIdle, on: "hold ends", to: phaseIdle},
	{from: phaseIdle, on: "settles", to: phaseIdle},
	{from: phaseIdle, on: "remind", to: phaseIdle},
	{from: phaseIdle, on: "resume", to: phaseIdle},
	{from: phaseIdle, guard: "peers", setup: withPeers, on: "down", to: phaseAsking, do: "ask"},
	{from: phaseIdle, on: "page", to: phaseIdle},
	{from: phaseIdle, on: "not confirmed", to: phaseIdle},
	{from: phaseIdle, on: "down behind router", to: phaseJoined, do: "join router"},
	{from: phaseIdle, on: "down, parents unsure", to: phaseWaiting, do: "arm wait"},
	{from: phaseIdle, on: "join", to: phaseIdle},
	{from: phaseIdle, on: "release", to: phaseIdle},
	{from: phaseIdle, on: "wait ends", to: phaseIdle},
	{from: phaseIdle, on: "wait ends, covered", to: phaseIdle},

	// suspect: status never told, one failing result seen.
	{from: phaseSuspect, on: "down", to: phaseOpen, do: "stamp, send down, arm remind, report"},
	{from: phaseSuspect, on: "down in maintenance", to: phaseDeferred},
	{from: phaseSuspect, on: "up", to: phaseIdle, do: "stop remind, send up, report resolved"},
	{from: phaseSuspect, on: "degraded", to: phaseIdle, do: "send degraded"},
	{from: phaseSuspect, on: "paused", to: phaseIdle},
	{from: phaseSuspect, on: "bad result", to: phaseOpen, do: "stamp, arm remind"}, // restored as down: taken over quietly
	{from: phaseSuspect, on: "good result", to: phaseIdle},
	{from: phaseSuspect, on: "ack", to: phaseSuspect},
	{from: phaseSuspect, on: "restore", to: phaseOpen, do: "stamp, arm remind"},
	{from: phaseSuspect, on: "late resolve", to: phaseSuspect},
	{from: phaseSuspect, on: "hold ends", to: phaseSuspect},
	{from: phaseSuspect, on: "settles", to: phaseSuspect},
	{from: phaseSuspect, on: "remind", to: phaseSuspect},
	{from: phaseSuspect, on: "resume", to: phaseSuspect},
	{from: phaseSuspect, on: "page", to: phaseSuspect},
	{from: phaseSuspect, on: "not confirmed", to: phaseSuspect},
	{from: phaseSuspect, on: "down behind router", to: phaseJoined, do: "join router"},
	{from: phaseSuspect, on: "down, parents unsure", to: phaseWaiting, do: "arm wait"},
	{from: phaseSuspect, on: "join", to: phaseSuspect},
	{from: phaseSuspect, on: "release", to: phaseSuspect},
	{from: phaseSuspect, on: "wait ends", to: phaseSuspect},
	{from: phaseSuspect, on: "wait ends, covered", to: phaseSuspect},

	// deferred: down inside a window.
	{from: phaseDeferred, on: "down", to: phaseOpen, do: "stamp, send down, arm remind, report"},
	{from: phaseDeferred, on: "down in maintenance", to: phaseDeferred},
	{from: phaseDeferred, on: "up", to: phaseIdle},
	{from: phaseDeferred, on: "degraded", to: phaseIdle, do: "send degraded"},
	{from: phaseDeferred, on: "paused", to: phaseDeferred},
	{from: phaseDeferred, on: "bad result", to: phaseOpen, do: "stamp, send down, arm remind, report"}, // the window is over
	{from: phaseDeferred, guard: "the engine says maintenance", setup: inMaintenance, on: "bad result", to: phaseDeferred},
	{from: phaseDeferred, on: "good result", to: phaseIdle},
	{from: phaseDeferred, on: "ack", to: phaseDeferred},
	{from: phaseDeferred, on: "restore", to: phaseOpen, do: "stamp, arm remind"},
	{from: phaseDeferred, on: "late resolve", to: phaseDeferred},
	{from: phaseDeferred, on: "hold ends", to: phaseDeferred},
	{from: phaseDeferred, on: "settles", to: phaseDeferred},
	{from: phaseDeferred, on: "remind", to: phaseDeferred},
	{from: phaseDeferred, on: "resume", to: phaseDeferred},
	{from: phaseDeferred, guard: "peers", setup: withPeers, on: "bad result", to: phaseAsking, do: "ask"},
	{from: phaseDeferred, on: "page", to: phaseDeferred},
	{from: phaseDeferred, on: "not confirmed", to: phaseDeferred},
	{from: phaseDeferred, on: "down behind router", to: phaseJoined, do: "join router"},
	{from: phaseDeferred, on: "down, parents unsure", to: phaseWaiting, do: "arm wait"},
	{from: phaseDeferred, on: "join", to: phaseDeferred},
	{from: phaseDeferred, on: "release", to: phaseDeferred},
	{from: phaseDeferred, on: "wait ends", to: phaseDeferred},
	{from: phaseDeferred, on: "wait ends, covered", to: phaseDeferred},

	// open: people were told.
	{from: phaseOpen, on: "down", to: phaseOpen},
	{from: phaseOpen, on: "down in maintenance", to: phaseOpen},
	{from: phaseOpen, on: "up", to: phaseHeld, do: "arm hold"}, // young incident: the resolve waits
	{from: phaseOpen, guard: "older than the flap window", setup: old, on: "up", to: phaseIdle,
		do: "stop remind, send up, report resolved"},
	{from: phaseOpen, guard: "recover_after 2", setup: recoverAfter2, on: "up", to: phaseOpen},
	{from: phaseOpen, guard: "three changes before", setup: threeEdges, on: "up", to: phaseFlapping,
		do: "arm settle, report flapping"},
	{from: phaseOpen, on: "degraded", to: phaseHeld, do: "arm hold"},
	{from: phaseOpen, on: "paused", to: phaseOpen},
	{from: phaseOpen, on: "bad result", to: phaseOpen},
	{from: phaseOpen, on: "good result", to: phaseOpen}, // still down as the engine says
	{from: phaseOpen, guard: "status up", setup: isUp, on: "good result", to: phaseHeld, do: "arm hold"},
	{from: phaseOpen, on: "ack", to: phaseOpen, do: "stop remind, report acked"},
	{from: phaseOpen, guard: "acknowledged", setup: acked, on: "ack", to: phaseOpen},
	{from: phaseOpen, on: "restore", to: phaseOpen},
	{from: phaseOpen, on: "late resolve", to: phaseOpen},
	{from: phaseOpen, on: "hold ends", to: phaseOpen},
	{from: phaseOpen, on: "settles", to: phaseOpen},
	{from: phaseOpen, on: "remind", to: phaseOpen, do: "remind, arm remind"},
	{from: phaseOpen, guard: "acknowledged", setup: acked, on: "remind", to: phaseOpen, do: "remind quietly, arm remind"},
	{from: phaseOpen, guard: "paused", setup: paused, on: "remind", to: phaseOpen, do: "remind quietly, arm remind"},
	{from: phaseOpen, on: "resume", to: phaseOpen, do: "arm remind"},
	{from: phaseOpen, on: "page", to: phaseOpen},
	{from: phaseOpen, on: "not confirmed", to: phaseOpen},
	{from: phaseOpen, on: "down behind router", to: phaseOpen}, // paged already: its incident goes on
	{from: phaseOpen, on: "down, parents unsure", to: phaseOpen},
	{from: phaseOpen, on: "join", to: phaseOpen},
	{from: phaseOpen, on: "release", to: phaseOpen},
	{from: phaseOpen, on: "wait ends", to: phaseOpen},
	{from: phaseOpen, on: "wait ends, covered", to: phaseOpen},

	// held: recovered, the resolve waits.
	{from: phaseHeld, on: "down", to: phaseOpen, do: "stop hold"},
	{from: phaseHeld, guard: "three changes before", setup: threeEdges, on: "down", to: phaseFlapping,
		do: "stop hold, arm settle, report flapping"},
	{from: phaseHeld, on: "down in maintenance", to: phaseOpen, do: "stop hold"},
	{from: phaseHeld, on: "up", to: phaseHeld},
	{from: phaseHeld, on: "degraded", to: phaseHeld},
	{from: phaseHeld, on: "paused", to: phaseHeld},
	{from: phaseHeld, on: "bad result", to: phaseOpen, do: "stop hold"},
	{from: phaseHeld, on: "good result", to: phaseHeld},
	{from: phaseHeld, on: "ack", to: phaseHeld, do: "stop remind, report acked"},
	{from: phaseHeld, on: "restore", to: phaseHeld},
	{from: phaseHeld, on: "late resolve", to: phaseHeld},
	{from: phaseHeld, on: "hold ends", to: phaseIdle, do: "stop remind, send up, report resolved"},
	{from: phaseHeld, guard: "paused", setup: paused, on: "hold ends", to: phaseOpen},
	{from: phaseHeld, on: "settles", to: phaseHeld},
	{from: phaseHeld, on: "remind", to: phaseHeld, do: "remind quietly, arm remind"},
	{from: phaseHeld, on: "resume", to: phaseHeld, do: "arm remind, arm hold"},
	{from: phaseHeld, on: "page", to: phaseHeld},
	{from: phaseHeld, on: "not confirmed", to: phaseHeld},
	{from: phaseHeld, on: "down behind router", to: phaseOpen, do: "stop hold"},
	{from: phaseHeld, on: "down, parents unsure", to: phaseOpen, do: "stop hold"},
	{from: phaseHeld, on: "join", to: phaseHeld},
	{from: phaseHeld, on: "release", to: phaseHeld},
	{from: phaseHeld, on: "wait ends", to: phaseHeld},
	{from: phaseHeld, on: "wait ends, covered", to: phaseHeld},

	// flapping: the incident keeps bouncing.
	{from: phaseFlapping, on: "down", to: phaseFlapping, do: "arm settle"},
	{from: phaseFlapping, on: "down in maintenance", to: phaseFlapping},
	{from: phaseFlapping, on: "up", to: phaseFlapping, do: "arm settle"},
	{from: phaseFlapping, on: "degraded", to: phaseFlapping},
	{from: phaseFlapping, on: "paused", to: phaseFlapping},
	{from: phaseFlapping, on: "bad result", to: phaseFlapping},
	{from: phaseFlapping, on: "good result", to: phaseFlapping},
	{from: phaseFlapping, on: "ack", to: phaseFlapping, do: "stop remind, report flapping acked"},
	{from: phaseFlapping, on: "restore", to: phaseFlapping},
	{from: phaseFlapping, on: "late resolve", to: phaseFlapping},
	{from: phaseFlapping, on: "hold ends", to: phaseFlapping},
	{from: phaseFlapping, on: "settles", to: phaseOpen}, // settled while down: the incident goes on
	{from: phaseFlapping, guard: "status up", setup: isUp, on: "settles", to: phaseIdle,
		do: "stop remind, send up, report flapping resolved"},
	{from: phaseFlapping, on: "remind", to: phaseFlapping, do: "remind, arm remind"},
	{from: phaseFlapping, on: "resume", to: phaseFlapping, do: "arm remind, arm settle"},
	{from: phaseFlapping, on: "page", to: phaseFlapping},
	{from: phaseFlapping, on: "not confirmed", to: phaseFlapping},

	// asking: down here, the other locations asked; no incident yet.
	{from: phaseAsking, on: "page", to: phaseOpen, do: "stamp, send down, arm remind, report"},
	{from: phaseAsking, on: "not confirmed", to: phaseOutvoted, do: "note"},
	{from: phaseAsking, guard: "asked again since", setup: askedAgain, on: "page", to: phaseAsking},
	{from: phaseAsking, on: "down", to: phaseAsking}, // the answer is on its way
	{from: phaseAsking, on: "down in maintenance", to: phaseDeferred},
	{from: phaseAsking, on: "up", to: phaseIdle}, // nothing was opened: nothing resolves
	{from: phaseAsking, on: "degraded", to: phaseIdle, do: "send degraded"},
	{from: phaseAsking, on: "paused", to: phaseIdle},
	{from: phaseAsking, on: "bad result", to: phaseAsking},
	{from: phaseAsking, on: "good result", to: phaseAsking}, // still down as the engine says
	{from: phaseAsking, on: "ack", to: phaseAsking},
	{from: phaseAsking, on: "restore", to: phaseOpen, do: "stamp, arm remind"},
	{from: phaseAsking, on: "late resolve", to: phaseAsking},
	{from: phaseAsking, on: "hold ends", to: phaseAsking},
	{from: phaseAsking, on: "settles", to: phaseAsking},
	{from: phaseAsking, on: "remind", to: phaseAsking},
	{from: phaseAsking, on: "resume", to: phaseAsking, do: "ask"}, // the answer went to the retired Dispatcher

	// outvoted: down here only; the next failure asks again.
	{from: phaseOutvoted, on: "bad result", to: phaseAsking, do: "ask"},
	{from: phaseOutvoted, on: "down", to: phaseAsking, do: "ask"},
	{from: phaseOutvoted, on: "down in maintenance", to: phaseDeferred},
	{from: phaseOutvoted, on: "up", to: phaseIdle},
	{from: phaseOutvoted, on: "degraded", to: phaseIdle, do: "send degraded"},
	{from: phaseOutvoted, on: "paused", to: phaseIdle},
	{from: phaseOutvoted, on: "good result", to: phaseOutvoted},
	{from: phaseOutvoted, on: "ack", to: phaseOutvoted},
	{from: phaseOutvoted, on: "restore", to: phaseOpen, do: "stamp, arm remind"},
	{from: phaseOutvoted, on: "late resolve", to: phaseOutvoted},
	{from: phaseOutvoted, on: "hold ends", to: phaseOutvoted},
	{from: phaseOutvoted, on: "settles", to: phaseOutvoted},
	{from: phaseOutvoted, on: "remind", to: phaseOutvoted},
	{from: phaseOutvoted, on: "resume", to: phaseOutvoted},
	{from: phaseOutvoted, on: "page", to: phaseOutvoted},
	{from: phaseOutvoted, on: "not confirmed", to: phaseOutvoted},
	{from: phaseFlapping, on: "down behind router", to: phaseFlapping, do: "arm settle"},
	{from: phaseFlapping, on: "down, parents unsure", to: phaseFlapping, do: "arm settle"},
	{from: phaseFlapping, on: "join", to: phaseFlapping},
	{from: phaseFlapping, on: "release", to: phaseFlapping},
	{from: phaseFlapping, on: "wait ends", to: phaseFlapping},
	{from: phaseFlapping, on: "wait ends, covered", to: phaseFlapping},
	// waiting: failed while its parents looked fine; waiting for their verdict.
	{from: phaseWaiting, on: "down", to: phaseWaiting},
	{from: phaseWaiting, on: "down in maintenance", to: phaseDeferred, do: "stop wait"},
	{from: phaseWaiting, on: "up", to: phaseIdle, do: "stop wait"}, // back before it paged: nothing to say
	{from: phaseWaiting, on: "degraded", to: phaseIdle, do: "stop wait"},
	{from: phaseWaiting, on: "paused", to: phaseWaiting},
	{from: phaseWaiting, on: "bad result", to: phaseWaiting},
	{from: phaseWaiting, on: "good result", to: phaseWaiting},
	{from: phaseWaiting, on: "ack", to: phaseWaiting},
	{from: phaseWaiting, on: "restore", to: phaseOpen, do: "stop wait, stamp, arm remind"},
	{from: phaseWaiting, on: "late resolve", to: phaseWaiting},
	{from: phaseWaiting, on: "hold ends", to: phaseWaiting},
	{from: phaseWaiting, on: "settles", to: phaseWaiting},
	{from: phaseWaiting, on: "remind", to: phaseWaiting},
	{from: phaseWaiting, on: "resume", to: phaseWaiting, do: "arm wait"},
	{from: phaseWaiting, on: "down behind router", to: phaseJoined, do: "stop wait, join router"},
	{from: phaseWaiting, on: "down, parents unsure", to: phaseWaiting},
	{from: phaseWaiting, on: "join", to: phaseJoined, do: "stop wait, join router"},
	{from: phaseWaiting, on: "release", to: phaseWaiting},
	{from: phaseWaiting, on: "wait ends", to: phaseOpen, do: "stamp, send down, arm remind, report"}, // its parents are fine: it pages
	{from: phaseWaiting, guard: "paused", setup: paused, on: "wait ends", to: phaseIdle},
	{from: phaseWaiting, on: "wait ends, covered", to: phaseJoined, do: "stop wait, join router"},

	// joined: down behind a parent that is down; part of its incident.
	{from: phaseJoined, on: "down", to: phaseJoined},
	{from: phaseJoined, on: "down in maintenance", to: phaseDeferred},
	{from: phaseJoined, on: "up", to: phaseIdle}, // came back with (or before) its parent: nothing of its own
	{from: phaseJoined, on: "degraded", to: phaseIdle},
	{from: phaseJoined, on: "paused", to: phaseJoined},
	{from: phaseJoined, on: "bad result", to: phaseJoined},
	{from: phaseJoined, on: "good result", to: phaseJoined},
	{from: phaseJoined, on: "ack", to: phaseJoined},
	{from: phaseJoined, on: "restore", to: phaseOpen, do: "stamp, arm remind"},
	{from: phaseJoined, on: "late resolve", to: phaseJoined},
	{from: phaseJoined, on: "hold ends", to: phaseJoined},
	{from: phaseJoined, on: "settles", to: phaseJoined},
	{from: phaseJoined, on: "remind", to: phaseJoined},
	{from: phaseJoined, on: "resume", to: phaseJoined},
	{from: phaseJoined, on: "down behind router", to: phaseJoined},
	{from: phaseJoined, on: "down, parents unsure", to: phaseJoined},
	{from: phaseJoined, on: "join", to: phaseJoined},
	{from: phaseJoined, on: "release", to: phaseWaiting, do: "arm wait"}, // the parent is back, this one is not: a grace
	{from: phaseJoined, guard: "status up", setup: isUp, on: "release", to: phaseIdle},
	{from: phaseJoined, on: "wait ends", to: phaseJoined},
	{from: phaseJoined, on: "wait ends, covered", to: phaseJoined},

	// asking and outvoted meet depends_on: a parent down settles it.
	{from: phaseAsking, on: "down behind router", to: phaseJoined, do: "join router"},
	{from: phaseAsking, on: "down, parents unsure", to: phaseAsking},
	{from: phaseAsking, on: "join", to: phaseJoined, do: "join router"},
	{from: phaseAsking, on: "release", to: phaseAsking},
	{from: phaseAsking, on: "wait ends", to: phaseAsking},
	{from: phaseAsking, on: "wait ends, covered", to: phaseAsking},
	{from: phaseOutvoted, on: "down behind router", to: phaseJoined, do: "join router"},
	{from: phaseOutvoted, on: "down, parents unsure", to: phaseAsking, do: "ask"},
	{from: phaseOutvoted, on: "join", to: phaseJoined, do: "join router"},
	{from: phaseOutvoted, on: "release", to: phaseOutvoted},
	{from: phaseOutvoted, on: "wait ends", to: phaseOutvoted},
	{from: phaseOutvoted, on: "wait ends, covered", to: phaseOutvoted},
	// waiting and joined ignore a verdict: it answers no ask of theirs.
	{from: phaseWaiting, on: "page", to: phaseWaiting},
	{from: phaseWaiting, on: "not confirmed", to: phaseWaiting},
	{from: phaseWaiting, guard: "peers", setup: withPeers, on: "wait ends", to: phaseAsking, do: "ask"}, // its parents are fine: the other locations decide
	{from: phaseJoined, on: "page", to: phaseJoined},
	{from: phaseJoined, on: "not confirmed", to: phaseJoined},
}

// eventFor returns the event a row names.
func eventFor(t *testing.T, name string) event {
	t.Helper()
	if ev, ok := events[name]; ok {
		return ev
	}
	from, to, ok := strings.Cut(name, ">")
	if !ok {
		t.Fatalf("no event %q", name)
	}
	var f, s monitor.Status
	if err := f.UnmarshalText([]byte(from)); err != nil {
		t.Fatal(err)
	}
	if err := s.UnmarshalText([]byte(to)); err != nil {
		t.Fatal(err)
	}
	return change(f, s)
}

func TestEveryTransition(t *testing.T) {
	for _, tr := range transitions {
		name := tr.from.String() + "/" + tr.on
		if tr.guard != "" {
			name += "/" + tr.guard
		}
		t.Run(name, func(t *testing.T) {
			tk := trackerIn(tr.from)
			if tr.setup != nil {
				tr.setup(tk)
			}
			fx := tk.handle(eventFor(t, tr.on))
			var got []string
			for _, f := range fx {
				got = append(got, f.String())
			}
			if tk.phase != tr.to || strings.Join(got, ", ") != tr.do {
				t.Errorf("%s + %s: %s, do %q; want %s, do %q", tr.from, tr.on, tk.phase, strings.Join(got, ", "), tr.to, tr.do)
			}
			if open := tk.inc != nil; open != (tk.phase == phaseOpen || tk.phase == phaseHeld || tk.phase == phaseFlapping) {
				t.Errorf("phase %s with incident open=%v", tk.phase, open)
			}
			if tk.phase == phaseFlapping && !(tk.flapping && tk.inc.Flapping) {
				t.Errorf("flapping phase: monitor flapping %v, incident flapping %v", tk.flapping, tk.inc.Flapping)
			}
		})
	}
}

// The table leaves out no pair of phase and event.
func TestTransitionTableIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, tr := range transitions {
		seen[tr.from.String()+"/"+tr.on] = true
	}
	for p := range phase(len(phaseNames)) {
		for name := range events {
			if !seen[p.String()+"/"+name] {
				t.Errorf("no transition for %s on %s", p, name)
			}
		}
	}
}

// The messages a transition asks for carry what people need: the
// incident, its codes, and the explanation of the failure.
func TestTransitionItems(t *testing.T) {
	tk := trackerIn(phaseIdle)
	fx := tk.handle(events["down"])
	var it Item
	for _, f := range fx {
		if f.kind == doSend {
			it = f.item
		}
	}
	if it.Monitor != "api" || it.Code != 502 || it.Class != "http_502" || it.Name != "Bad Gateway" ||
		it.URL != "https://api.example.test/health" || it.Incident == nil || !it.Incident.Start.Equal(now) || !it.Since.Equal(now) {
		t.Errorf("down item %+v", it)
	}

	tk = trackerIn(phaseHeld)
	fx = tk.handle(events["hold ends"])
	it = fx[1].item
	if it.Event != EventUp || it.Code != 200 || it.Class != "" || it.Incident == nil || !it.Incident.End.Equal(now.Add(-time.Minute)) ||
		it.Duration != 2*time.Minute || it.Status != monitor.StatusUp {
		t.Errorf("resolve item %+v, incident %+v", it, it.Incident)
	}
}

// An incident restored acknowledged (history kept the ack as a note) is
// reported, so that the views show the flag, and its reminders stay quiet.
func TestRestoredAckIsReportedAndQuiet(t *testing.T) {
	tk := trackerIn(phaseIdle)
	ev := events["restore"]
	ev.restore.Acked = true
	reported := false
	for _, f := range tk.handle(ev) {
		reported = reported || f.kind == doReport && f.inc.Acked
	}
	if !reported {
		t.Error("the restored acknowledgement was not reported")
	}
	for _, f := range tk.handle(events["remind"]) {
		if f.kind == doRemind && !f.quiet {
			t.Errorf("a reminder of an acknowledged incident is sent: %+v", f.item)
		}
	}
	// Restored without an ack, it is taken over quietly: nothing to report.
	for _, f := range trackerIn(phaseIdle).handle(events["restore"]) {
		if f.kind == doReport {
			t.Errorf("a restore without an ack reports %+v", f.inc)
		}
	}
}

// An incident restored in a window (RestoreInWindow) stays silent until
// the engine says the monitor left the window, even before its first check
// since the start: its reminders are quiet. Still down after the window,
// it goes on with nothing sent and its reminders resume; back up, it
// resolves. So does one restored paused (RestorePaused) once resumed.
func TestRestoredSilencedIsSilentUntilItEnds(t *testing.T) {
	for _, c := range []struct {
		silenced monitor.Status
		// leave are the changes out of the silence, to the monitor's
		// next check: resumed, a paused monitor is pending until then.
		leave []monitor.Status
	}{
		{monitor.StatusMaintenance, nil},
		{monitor.StatusPaused, []monitor.Status{monitor.StatusPending}},
	} {
		t.Run(c.silenced.String(), func(t *testing.T) {
			testRestoredSilenced(t, c.silenced, c.leave)
		})
	}
}

func testRestoredSilenced(t *testing.T, silenced monitor.Status, leave []monitor.Status) {
	silent := func() *tracker {
		tk := trackerIn(phaseIdle)
		ev := events["restore"]
		ev.to = silenced
		tk.handle(ev)
		return tk
	}
	restored := func() (*tracker, monitor.Status) {
		tk, from := silent(), silenced
		for _, to := range leave {
			if fx := tk.handle(change(from, to)); sentOf(fx) != nil {
				t.Errorf("%s to %s: %q, want nothing sent", from, to, sentOf(fx))
			}
			from = to
		}
		return tk, from
	}
	if got := sentOf(silent().handle(events["remind"])); got != nil {
		t.Errorf("a reminder due while %s: %q, want it quiet", silenced, got)
	}
	tk, from := restored()
	if got := sentOf(tk.handle(change(from, monitor.StatusDown))); got != nil || tk.phase != phaseOpen {
		t.Errorf("still down after: %s, %q; want the incident open, nothing sent", tk.phase, got)
	}
	if got := sentOf(tk.handle(events["remind"])); len(got) != 1 || got[0] != "remind" {
		t.Errorf("a reminder due after: %q, want it sent", got)
	}

	tk, from = restored()
	if got := sentOf(tk.handle(change(from, monitor.StatusUp))); len(got) != 1 || got[0] != "send up" || tk.phase != phaseIdle {
		t.Errorf("back up after: %s, %q; want the resolve", tk.phase, got)
	}
}

// sentOf is what effects send: items and reminders that are not quiet.
func sentOf(fx effects) (s []string) {
	for _, f := range fx {
		if f.kind == doSend || f.kind == doRemind && !f.quiet {
			s = append(s, f.String())
		}
	}
	return s
}
