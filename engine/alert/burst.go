package alert

import (
	"context"
	"sync"
	"time"
)

// pending is an item waiting in the burst window, with its channels.
type pending struct {
	item   Item
	routes []*outlet
}

// burst groups the messages of a few seconds into one per channel. When
// the group opens incidents for every monitor at once, it first asks the
// connectivity check whether upbeat's own network is to blame. Its
// methods are called with the serial lock held, except stopChecks.
type burst struct {
	*serial
	window      time.Duration // negative: no waiting
	items       []pending
	timer       alarm
	post        *courier
	everyDown   func() bool     // every monitor being checked is down (the policy's word)
	refresh     func([]pending) // brings items up to date with their incidents (the policy's)
	connect     func(ctx context.Context) error
	connTarget  string
	connTimeout time.Duration

	checkCtx  context.Context // the connectivity checks'
	stopCheck context.CancelFunc
	checks    sync.WaitGroup
}

// add puts an item in the window, opening the window if needed.
func (b *burst) add(it Item, routes []*outlet) {
	if len(routes) == 0 {
		return
	}
	b.items = append(b.items, pending{item: it, routes: routes})
	if b.window < 0 {
		b.flush()
		return
	}
	if !b.timer.armed() {
		b.arm(&b.timer, b.window, b.flush)
	}
}

// take empties the window and returns what waited in it.
func (b *burst) take() []pending {
	b.timer.cancel()
	items := b.items
	b.items = nil
	return items
}

// flush sends what waited in the window: one message per channel. When
// every monitor failed at once it checks upbeat's own network first, off
// the lock.
func (b *burst) flush() {
	items := b.take()
	if len(items) == 0 {
		return
	}
	if b.refresh != nil {
		b.refresh(items)
	}
	if !b.everyMonitorDown(items) {
		b.post.deliver(items, verdict{})
		return
	}
	if b.connect == nil {
		b.post.deliver(items, verdict{note: "Every monitor failed at once: check the network of the machine running upbeat first."})
		return
	}
	b.checks.Add(1)
	go func() {
		defer b.checks.Done()
		ctx, cancel := context.WithTimeout(b.checkCtx, b.connTimeout)
		err := b.connect(ctx)
		cancel()
		switch {
		case b.checkCtx.Err() != nil: // closing: no verdict
			b.post.deliver(items, verdict{})
		case err != nil:
			b.post.deliver(items, verdict{netErr: err, target: b.connTarget})
		default:
			b.post.deliver(items, verdict{note: "Every monitor failed at once, but the connectivity check passed: upbeat's own network works."})
		}
	}()
}

// everyMonitorDown reports whether items open at least two incidents and
// every monitor being checked is now down.
func (b *burst) everyMonitorDown(items []pending) bool {
	opened := 0
	for _, p := range items {
		if p.item.Event == EventDown {
			opened++
		}
	}
	return opened >= 2 && b.everyDown()
}

// stopChecks ends the connectivity checks under way (their messages go
// out without a verdict) and waits for them. Called without the lock.
func (b *burst) stopChecks() {
	b.stopCheck()
	b.checks.Wait()
}
