package engine

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The classes of a push monitor's results.
const (
	ClassPushLate   = "push_late"   // degraded: the last beat is older than the interval
	ClassPushDown   = "push_down"   // down: no beat within interval plus grace
	ClassPushFailed = "push_failed" // down: the job said it failed
)

// beatMark tells a push monitor's beats from its lateness checks in
// history, so a restart knows when the last real beat came (and the
// dashboard, when the last beat came).
const beatMark = monitor.BeatAnswer

// pushURL is what results show of a push monitor's URL: its token is the
// monitor's only secret.
const pushURL = monitor.PushURL

// pushChecker checks push monitors. The job being watched calls upbeat (a
// beat, through Engine.Push) and each check compares the last beat with
// the clock: late after the interval, down after the interval and grace.
// Tokens are found through a map keyed by their SHA-256, so that finding
// one takes the same time whatever the token asked about has in common
// with a real one.
type pushChecker struct {
	now func() time.Time

	mu      sync.Mutex
	byToken map[[sha256.Size]byte]*beats
	byName  map[string]*beats
}

// beats is what a push monitor's checks judge.
type beats struct {
	m      *monitor.Monitor
	added  time.Time       // when upbeat began watching it
	last   time.Time       // the last beat; zero: none yet
	failed *monitor.Result // the last beat, when it reported a failure
}

var (
	_ Passive  = (*pushChecker)(nil)
	_ Redacter = (*pushChecker)(nil)
)

func newPushChecker(now func() time.Time) *pushChecker {
	return &pushChecker{now: now, byToken: map[[sha256.Size]byte]*beats{}, byName: map[string]*beats{}}
}

func tokenKey(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

// watch makes ms the push monitors beats are taken for. A monitor watched
// already keeps its last beat, even if its token changed.
func (p *pushChecker) watch(ms []*monitor.Monitor) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	byName := make(map[string]*beats)
	clear(p.byToken)
	for _, m := range ms {
		if m.Kind != monitor.KindPush || m.Parsed == nil {
			continue
		}
		b := p.byName[m.Name]
		if b == nil {
			b = &beats{added: now}
		}
		b.m = m
		byName[m.Name] = b
		p.byToken[tokenKey(m.Parsed.Host)] = b
	}
	p.byName = byName
}

// beat records a beat for the monitor whose token is token and returns the
// beat's result: up, or down when the job reports a failure (msg says why).
func (p *pushChecker) beat(token string, status monitor.Status, msg string) (*monitor.Result, error) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.byToken[tokenKey(token)]
	if !ok {
		return nil, fmt.Errorf("%w: push token", ErrNoMonitor)
	}
	r := &monitor.Result{Monitor: b.m.Name, Kind: b.m.Kind, URL: pushURL, Time: now, Status: monitor.StatusUp, Attempts: 1,
		Answers: []string{beatMark}}
	b.last, b.failed = now, nil
	if status == monitor.StatusDown {
		r.Status, r.Class, r.Error = monitor.StatusDown, ClassPushFailed, Sanitize(msg, 200)
		if r.Error == "" {
			r.Error = "the job reported a failure"
		}
		b.failed = &monitor.Result{Status: r.Status, Class: r.Class, Error: r.Error}
	}
	return r, nil
}

// Check judges m's last beat against the clock.
func (p *pushChecker) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	now := p.now()
	p.mu.Lock()
	var b beats
	if x := p.byName[m.Name]; x != nil {
		b = *x
	} else {
		b.added = now // not watched (a one-shot run): as if watching began now
	}
	p.mu.Unlock()
	iv, limit := m.Interval, m.Interval+m.Grace
	if b.last.IsZero() {
		// never beat: down once a whole limit has passed since watching began
		if oneShot(ctx) {
			return monitor.Result{Status: monitor.StatusPending, Error: "push monitors get their beats through a running daemon (upbeat daemon)"}
		}
		if now.Sub(b.added) < limit {
			return monitor.Result{Status: monitor.StatusPending, Error: "waiting for the first beat"}
		}
		return monitor.Result{Status: monitor.StatusDown, Class: ClassPushDown,
			Error: fmt.Sprintf("no beat since upbeat began watching %s ago; expected every %s", now.Sub(b.added).Round(time.Second), iv)}
	}
	late := now.Sub(b.last)
	switch {
	case late > limit:
		return monitor.Result{Status: monitor.StatusDown, Class: ClassPushDown,
			Error: fmt.Sprintf("last beat %s ago, expected every %s", late.Round(time.Second), iv)}
	case b.failed != nil:
		return *b.failed // the job said it failed, and has not beaten since
	case late > iv:
		return monitor.Result{Status: monitor.StatusDegraded, Class: ClassPushLate,
			Error: fmt.Sprintf("last beat %s ago, expected every %s; down after %s", late.Round(time.Second), iv, limit)}
	}
	return monitor.Result{Status: monitor.StatusUp}
}

// Pace looks at a push monitor often (a tenth of its interval, between
// 1 s and 30 s): its check only compares the last beat with the clock, and
// a missed beat is noticed within seconds of its deadline, not up to an
// interval later.
func (p *pushChecker) Pace(m *monitor.Monitor) time.Duration {
	return min(max(m.Interval/10, time.Second), 30*time.Second)
}

// Resume finds the newest real beat among m's recent results (the others
// are lateness checks).
func (p *pushChecker) Resume(m *monitor.Monitor, recent []monitor.Result) {
	for i := len(recent) - 1; i >= 0; i-- {
		r := &recent[i]
		if !isBeat(r) {
			continue
		}
		p.mu.Lock()
		if b := p.byName[m.Name]; b != nil && r.Time.After(b.last) {
			b.last, b.failed = r.Time, nil
			if r.Class == ClassPushFailed {
				b.failed = &monitor.Result{Status: monitor.StatusDown, Class: r.Class, Error: r.Error}
			}
		}
		p.mu.Unlock()
		return
	}
}

// Redact hides the token: it is the push monitor's only secret.
func (p *pushChecker) Redact(*monitor.Monitor) string { return pushURL }

func isBeat(r *monitor.Result) bool { return r.IsBeat() }
