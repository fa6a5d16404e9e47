package source

import (
	"errors"
	"fmt"
	"testing"

	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestSubscriptionNeverBlocksAndKeepsChanges(t *testing.T) {
	closed := 0
	s := NewSubscription(10, func() { closed++ })
	s.Publish(Event{Event: monitor.Event{Kind: monitor.EventChange, Monitor: "x", To: monitor.StatusDown}, Location: "eu"})
	for i := range 100 {
		s.Publish(Event{Event: monitor.Event{Kind: monitor.EventResult, Monitor: fmt.Sprint(i)}})
	}
	select {
	case <-s.Ready():
	default:
		t.Fatal("events waiting, Ready not signalled")
	}
	evs, dropped := s.Drain()
	if len(evs) != 10 || dropped != 91 {
		t.Fatalf("kept %d, dropped %d; want 10 and 91", len(evs), dropped)
	}
	if evs[0].Kind != monitor.EventChange || evs[0].Location != "eu" {
		t.Errorf("the status change was dropped before results, or lost its location: %+v", evs[0])
	}
	s.Close()
	s.Close()
	s.Publish(Event{Event: monitor.Event{Kind: monitor.EventResult}})
	if evs, _ := s.Drain(); len(evs) != 0 || closed != 1 {
		t.Errorf("after Close: %d events, onClose called %d times", len(evs), closed)
	}
	select {
	case <-s.Done():
	default:
		t.Error("Done not closed")
	}
}

func TestReasonKeepsTheNamedError(t *testing.T) {
	err := fmt.Errorf("shop: %w", Reason(ErrForbidden, "this token may watch but not act"))
	if !errors.Is(err, ErrForbidden) || err.Error() != "shop: this token may watch but not act" {
		t.Errorf("err = %v", err)
	}
	if Reason(ErrNoMonitor, "") != ErrNoMonitor {
		t.Error("no reason: not the named error itself")
	}
}

// A reader that gives back what it drained (Recycle) has the next events
// in the same slice: publishing and draining allocate nothing.
func TestRecycledDrainAllocatesNothing(t *testing.T) {
	s := NewSubscription(0, nil)
	defer s.Close()
	round := func(first int) {
		for i := range 8 {
			s.Publish(Event{Event: monitor.Event{Kind: monitor.EventResult, Monitor: "x"}, Repeats: first + i})
		}
		evs, _ := s.Drain()
		if len(evs) != 8 || evs[0].Repeats != first || evs[7].Repeats != first+7 {
			t.Fatalf("drained %d events from %d: %+v", len(evs), first, evs)
		}
		s.Recycle(evs)
	}
	round(0)
	n := 0
	if allocs := testing.AllocsPerRun(100, func() { n += 8; round(n) }); allocs != 0 {
		t.Errorf("%.1f allocations per round, want none", allocs)
	}
}
