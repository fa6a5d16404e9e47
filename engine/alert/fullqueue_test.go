package alert

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

var fqt0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func fqitem(event, name string) Item {
	return Item{Result: monitor.Result{Monitor: name, Time: fqt0}, Event: event, Incident: &monitor.Incident{Monitor: name, Start: fqt0}}
}

func fqoutlet(size int) *outlet {
	c := newCourier(Options{QueueSize: size, Location: time.UTC, Logger: slog.New(slog.DiscardHandler)}, realClock{})
	return &outlet{c: c, name: "pager", on: map[string]bool{"down": true, "up": true, "degraded": true}, wake: make(chan struct{}, 1), handoff: make(chan struct{})}
}

func (o *outlet) fqsingle(it Item) *delivery {
	return &delivery{msg: o.c.comp.single(it, fqt0), monitor: it.Monitor}
}

func (o *outlet) fqgroup(items ...Item) *delivery {
	dl := &delivery{msg: o.c.comp.group(items, "", fqt0)}
	dl.part = func(items []Item) *delivery { return o.c.groupPart(items, "", fqt0) }
	return dl
}

// A group page about api (over) and shop (still down) is not what a full
// queue drops for a notice of slowness: shop's page of an open outage
// would never go.
func TestFullQueueKeepsAGroupPageOfAnOpenIncident(t *testing.T) {
	o := fqoutlet(2)
	group := o.fqgroup(fqitem(EventDown, "api"), fqitem(EventDown, "shop"))
	o.q = []*delivery{group, o.fqsingle(fqitem(EventUp, "api"))}
	if i := o.victim(o.fqsingle(fqitem(EventDegraded, "cdn"))); i == 0 {
		t.Errorf("victim drops the group page holding shop's page of an open outage")
	}
}

// A group of api's DOWN and shop's resolve is not dropped for api's
// queued resolve: shop's resolve, whose DOWN went out, would be lost.
func TestFullQueueKeepsAGroupWithAResolve(t *testing.T) {
	o := fqoutlet(2)
	group := o.fqgroup(fqitem(EventDown, "api"), fqitem(EventUp, "shop"))
	o.q = []*delivery{group, o.fqsingle(fqitem(EventUp, "api"))}
	if i := o.victim(o.fqsingle(fqitem(EventDegraded, "cdn"))); i == 0 {
		t.Errorf("victim drops a message holding shop's resolve")
	}
}

// A reload's successor that overflows drops as push does, and the
// resolve of a page it dropped says so.
func TestReloadOverflowTellsTheDroppedPage(t *testing.T) {
	o := fqoutlet(2)
	o.receive([]*delivery{o.fqsingle(fqitem(EventDown, "api")), o.fqsingle(fqitem(EventDown, "shop")),
		o.fqsingle(fqitem(EventDown, "docs"))}, true, nil, nil)
	up := o.fqsingle(fqitem(EventUp, "api"))
	o.push(up)
	if !strings.Contains(up.msg.Text, "queue was full") {
		t.Errorf("api's page, dropped by receive, is not told by its resolve:\n%s", up.msg.Text)
	}
}

// A resolve pushed to the successor between handTo and handOver (the old
// outlet's attempt in flight) tells of the dropped page handed over
// after it, and the page is not remembered after.
func TestReloadHandsOverTheDroppedPage(t *testing.T) {
	old, succ := fqoutlet(2), fqoutlet(2)
	old.dropFull(old.fqsingle(fqitem(EventDown, "api"))) // a page a full queue dropped
	old.handTo(succ)
	up := succ.fqsingle(fqitem(EventUp, "api"))
	old.push(up) // goes to succ
	old.handOver(nil)
	if !strings.Contains(up.msg.Text, "queue was full") {
		t.Errorf("the resolve pushed during the handoff does not tell of the dropped page")
	}
	if len(succ.lost) != 0 {
		t.Errorf("lost entry kept forever: %v", succ.lost)
	}
}

// A channel that takes no resolves forgets a dropped page when its
// incident ends.
func TestDroppedPageForgottenWhenItsIncidentEnds(t *testing.T) {
	o := fqoutlet(2)
	delete(o.on, "up")
	o.dropFull(o.fqsingle(fqitem(EventDown, "api")))
	o.resolved("api", fqt0)
	if len(o.lost) != 0 {
		t.Errorf("lost still holds %v after the incident ended", o.lost)
	}
}
