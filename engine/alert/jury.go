package alert

import (
	"context"
	"sync"
)

// Jury is asked before an incident opens, when other locations watch the
// same monitors (Options.Jury): a fault seen from one network only
// should not page as if the site were down everywhere.
type Jury interface {
	// Deliberate asks the other locations what they see of the monitor,
	// which is down here, and decides. It returns within its own timeout
	// (a location that does not answer in time has no say) or when ctx
	// is done.
	Deliberate(ctx context.Context, monitor string) Verdict
}

// Verdict is what a Jury decided.
type Verdict struct {
	// Page: the incident opens here and its people are told. When false,
	// the monitor waits, without an incident, and the next failing result
	// asks again.
	Page bool
	// Text says what the locations saw ("down from 2 of 3 locations
	// (eu-west, us-east); up from ap-south"). Messages carry it; when the
	// incident does not open, it is logged.
	Text string
}

// asks runs the policy's questions to the jury, each in its own
// goroutine, so that a slow location delays nothing but its monitor.
type asks struct {
	jury Jury
	ctx  context.Context // cancelled when the Dispatcher closes or retires
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// ask asks about e's monitor and hands the verdict to the tracker, which
// ignores it unless it answers its current ask (gen). Called with the
// lock held.
func (p *policy) ask(e *entry, gen uint64) {
	if p.asks.jury == nil {
		return
	}
	p.asks.wg.Add(1)
	go func() {
		defer p.asks.wg.Done()
		v := p.asks.jury.Deliberate(p.asks.ctx, e.name)
		if !p.enter() {
			return
		}
		defer p.unlock()
		p.step(e, event{kind: inVerdict, verdict: v, gen: gen})
	}()
}

// stopAsks ends the questions under way (their answers are dropped) and
// waits for them. Called without the lock, once the gate is closed.
func (p *policy) stopAsks() {
	if p.asks.stop != nil {
		p.asks.stop()
	}
	p.asks.wg.Wait()
}
