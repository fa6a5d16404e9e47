package source

import (
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Journaled is a Source that keeps a Journal of its events, so that a
// viewer that starts late tells the story a viewer that watched was told:
// it replays the journal and builds its lines from those events as the
// other built them from live ones, the same lines in the same order.
type Journaled interface {
	Source
	// SubscribeJournal starts a stream of events, as Subscribe does, and
	// returns with it what the journal holds up to that moment, oldest
	// first: no event is in both, and none falls between the two.
	SubscribeJournal() ([]Event, *Subscription)
}

// DefaultJournal is how many records a Journal keeps unless told
// otherwise: as many as a dashboard's log keeps lines.
const DefaultJournal = 1000

// Journal keeps the recent events a viewer's log tells of, oldest first:
// problems, changes of status, alerts, notes, warnings, reloads, war
// rooms. It begins with the problems in force when it began (see
// InForce), and keeps nothing of a healthy monitor's checks.
//
// A failure repeated on the same monitor is kept as one record, not as
// every repeat: the first result's time, the newest result, and how many
// (Event.Repeats). A result starts a record of its own when anything else
// about its monitor came between, and the same result delivered again is
// left out. A viewer's log counts such a record as it would have counted
// each result: it decides on the first as it would on a live one, and
// counts the others on the line that one went to.
//
// The zero Journal keeps DefaultJournal records. It is not safe for
// concurrent use: its owner publishes and hands it out under one lock.
type Journal struct {
	limit int
	recs  []Event
	// newest is the index of the newest record about each monitor, as
	// seen from each location, and result the newest result kept of it;
	// open says whether a viewer's log may still count failures of the
	// monitor on a line (its newest record is a failure, or a change to
	// down or degraded): then the result that ends that is kept too.
	newest  map[journalKey]int
	result  map[journalKey]*monitor.Result
	open    map[journalKey]bool
	resumed Resumes[journalKey]
}

type journalKey struct{ monitor, location string }

// NewJournal returns a journal that keeps the newest limit records (0:
// DefaultJournal).
func NewJournal(limit int) *Journal { return &Journal{limit: limit} }

// Events returns a copy of the records, oldest first.
func (j *Journal) Events() []Event {
	if len(j.recs) == 0 {
		return nil
	}
	return append([]Event(nil), j.recs...)
}

// Add records ev, if a viewer's log has a use for it.
func (j *Journal) Add(ev Event) {
	if j.newest == nil {
		j.newest, j.result, j.open = make(map[journalKey]int), make(map[journalKey]*monitor.Result), make(map[journalKey]bool)
	}
	k := journalKey{ev.Monitor, ev.Location}
	switch ev.Kind {
	case monitor.EventResult:
		if ev.Result == nil {
			return
		}
		if k.monitor == "" {
			k.monitor = ev.Result.Monitor
		}
		if prev := j.result[k]; j.open[k] && prev != nil && prev.Time.Equal(ev.Result.Time) && sameFailure(prev, ev.Result) {
			return // the same result again, on the line a log has for it
		}
		failed := HasError(ev.Result)
		if !failed && !j.open[k] {
			return // a healthy check: no log says anything of it
		}
		j.open[k], j.result[k] = failed, ev.Result
		if j.repeats(k, ev) {
			return
		}
	case monitor.EventChange:
		if k.monitor == "" && ev.Result != nil {
			k.monitor = ev.Result.Monitor
		}
		if !j.resumed.News(k, ev.From, ev.To) {
			return
		}
		j.open[k] = ev.To == monitor.StatusDown || ev.To == monitor.StatusDegraded
		if ev.Result != nil {
			j.result[k] = ev.Result
		}
	}
	j.push(k, ev)
}

// Redate moves the record a journal began with for a monitor down when
// it began (InForce) to t: when its incident began, as a restart learns
// after it has begun the journal. Other records are left as they are.
func (j *Journal) Redate(name string, t time.Time) {
	for i := range j.recs {
		if ev := &j.recs[i]; ev.Kind == monitor.EventChange && ev.Monitor == name && ev.Location == "" &&
			ev.From == monitor.StatusDown && ev.To == monitor.StatusDown {
			ev.Time = t
		}
	}
}

// Resumes tells which changes of status a log shows: every one but a
// first good check (pending → up), unless it follows a resume (paused →
// pending), which it shows the end of. A Journal and the dashboard's log
// judge alike with it, so that a log read from a journal reads as live.
// The zero value is ready; K tells monitors apart.
type Resumes[K comparable] struct{ resumed map[K]bool }

// News reports whether a log shows the change of k from from to to, and
// notes a resume.
func (r *Resumes[K]) News(k K, from, to monitor.Status) bool {
	resumed := r.resumed[k]
	delete(r.resumed, k)
	switch {
	case from == monitor.StatusPaused && to == monitor.StatusPending:
		if r.resumed == nil {
			r.resumed = make(map[K]bool)
		}
		r.resumed[k] = true
	case from == monitor.StatusPending && to == monitor.StatusUp:
		return resumed
	}
	return true
}

// repeats folds a failing result into the monitor's newest record when
// that is a result with the same failure: the record keeps its time, the
// time of the first, and takes the newest result. It reports whether it
// did.
func (j *Journal) repeats(k journalKey, ev Event) bool {
	i, ok := j.newest[k]
	if !ok || !HasError(ev.Result) {
		return false
	}
	prev := &j.recs[i]
	if prev.Kind != monitor.EventResult || !sameFailure(prev.Result, ev.Result) {
		return false
	}
	prev.Result, prev.Repeats = ev.Result, max(prev.Repeats, 1)+max(ev.Repeats, 1)
	return true
}

func sameFailure(a, b *monitor.Result) bool {
	return a.Status == b.Status && a.Code == b.Code && a.Class == b.Class
}

// push appends a record, dropping the oldest ones beyond the limit (a
// quarter more at a time, so that dropping costs little).
func (j *Journal) push(k journalKey, ev Event) {
	j.recs = append(j.recs, ev)
	j.newest[k] = len(j.recs) - 1
	limit := j.limit
	if limit <= 0 {
		limit = DefaultJournal
	}
	if len(j.recs) <= limit+limit/4 {
		return
	}
	drop := len(j.recs) - limit
	j.recs = append(j.recs[:0:0], j.recs[drop:]...)
	for k, i := range j.newest {
		if i < drop {
			delete(j.newest, k)
			delete(j.result, k)
			delete(j.open, k)
		} else {
			j.newest[k] = i - drop
		}
	}
}

// InForce is the record a journal begins with for a monitor down or
// degraded when it begins (a daemon that starts restores its monitors'
// state): a change from that status to itself, at the time the problem
// began, with the last result. ok is false for a monitor that has no
// problem.
func InForce(st *monitor.State) (ev Event, ok bool) {
	if st.Monitor == nil || (st.Status != monitor.StatusDown && st.Status != monitor.StatusDegraded) {
		return Event{}, false
	}
	t := st.Since
	if t.IsZero() {
		t = st.Last.Time
	}
	r := st.Last
	return Event{Event: monitor.Event{Kind: monitor.EventChange, Time: t, Monitor: st.Monitor.Name, Result: &r,
		From: st.Status, To: st.Status}}, true
}

// HasError reports whether r tells of something wrong: the monitor down
// or degraded, an error class, or an HTTP error code.
func HasError(r *monitor.Result) bool {
	return !r.Time.IsZero() && (r.Status == monitor.StatusDown || r.Status == monitor.StatusDegraded || r.Class != "" || r.Code >= 400)
}
