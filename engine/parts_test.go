package engine

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// blockingRecorder stores nothing until released.
type blockingRecorder struct {
	release chan struct{}
	mu      sync.Mutex
	got     []string
}

func (r *blockingRecorder) Record(res *monitor.Result) error {
	<-r.release
	r.mu.Lock()
	r.got = append(r.got, res.Monitor)
	r.mu.Unlock()
	return nil
}

func TestRecordQueue(t *testing.T) {
	rec := &blockingRecorder{release: make(chan struct{})}
	var c counters
	var warned []string
	q := newRecordQueue(rec, 2, slog.New(slog.DiscardHandler), func(k, msg string) { warned = append(warned, k) }, &c)
	for i := range 3 {
		q.add(&monitor.Result{Monitor: fmt.Sprint(i)})
	}
	if c.recDrop.Load() != 1 || !slices.Equal(warned, []string{"record-queue"}) {
		t.Errorf("a full queue: %d dropped, warnings %q; want 1 and a warning", c.recDrop.Load(), warned)
	}
	done := make(chan struct{})
	go func() { q.run(); close(done) }()
	q.close() // what was queued is still stored
	q.close()
	q.add(&monitor.Result{Monitor: "late"}) // after close: dropped, no panic
	close(rec.release)
	<-done
	if !slices.Equal(rec.got, []string{"0", "1"}) {
		t.Errorf("stored %q, want the two queued in order", rec.got)
	}
}

func TestWarnings(t *testing.T) {
	var evs []monitor.Event
	w := newWarnings(time.Now, func(ev monitor.Event) { evs = append(evs, ev) })
	w.set("storage", "disk full")
	w.set("api", "socket taken")
	w.set("storage", "disk full") // the same again: nothing new
	w.set("storage", "read-only file system")
	if got := w.list(); !slices.Equal(got, []string{"read-only file system", "socket taken"}) {
		t.Errorf("list %q: want the replaced one where it was", got)
	}
	w.set("storage", "")
	w.set("nothing", "")
	if got := w.list(); !slices.Equal(got, []string{"socket taken"}) {
		t.Errorf("after clearing: %q", got)
	}
	var got []string
	for _, ev := range evs {
		got = append(got, fmt.Sprintf("%v %s", ev.Clear, ev.Message))
	}
	want := []string{"false disk full", "false socket taken", "true disk full", "false read-only file system", "true read-only file system"}
	if !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestSchedulerStopAndResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		runs := map[string]int{}
		s := newScheduler(time.Now, func(m *monitor.Monitor) time.Duration { return m.Interval },
			func(_ context.Context, en *entry, _ time.Time, _ bool) {
				mu.Lock()
				runs[en.m.Name]++
				mu.Unlock()
			})
		a := &entry{m: testMonitor("a", 10*time.Second), hidx: -1}
		b := &entry{m: testMonitor("b", 10*time.Second), hidx: -1}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { s.run(ctx, []*entry{a, b}); close(done) }()
		time.Sleep(time.Minute)
		synctest.Wait()
		s.stop(b)
		s.soon(b) // check now on a stopped monitor: nothing
		time.Sleep(time.Minute)
		synctest.Wait()
		mu.Lock()
		ra, rb := runs["a"], runs["b"]
		mu.Unlock()
		if ra != 12 || rb != 6 {
			t.Errorf("runs a=%d b=%d in 2 min at 10 s with b stopped after 1 min; want 12 and 6", ra, rb)
		}
		s.resume(b)
		synctest.Wait()
		mu.Lock()
		rb = runs["b"]
		mu.Unlock()
		if rb != 7 {
			t.Errorf("resume did not run b at once: %d runs", rb)
		}
		cancel()
		<-done
	})
}

// fullNotifier implements Acker and Observer as well as Notifier.
type fullNotifier struct {
	recordingNotifier
	acks     []string
	observed atomic.Int32
}

func (n *fullNotifier) Ack(name string) {
	n.mu.Lock()
	n.acks = append(n.acks, name)
	n.mu.Unlock()
}
func (n *fullNotifier) Observe(*monitor.Result) { n.observed.Add(1) }

var (
	_ Acker    = (*fullNotifier)(nil)
	_ Observer = (*fullNotifier)(nil)
)

func TestNotifierAcksAndObservations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chk := funcChecker(func(context.Context, *monitor.Monitor) monitor.Result {
			return monitor.Result{Status: monitor.StatusDown, Class: "refused"}
		})
		n := &fullNotifier{}
		e, _ := New(testConfig(testMonitor("a", 10*time.Second), testMonitor("b", 10*time.Second)),
			Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Notifier: n})
		stop := runEngine(t, e)
		time.Sleep(35 * time.Second)
		synctest.Wait()
		e.SetPaused("b", true)
		e.Ack("a")
		e.Ack("b") // paused while down: its incident is open, and takes it
		stop()
		sa, _ := e.State("a")
		sb, _ := e.State("b")
		if got := n.observed.Load(); got < 6 || uint64(got) != sa.Checks+sb.Checks {
			t.Errorf("%d results observed, want every one of the %d checks", got, sa.Checks+sb.Checks)
		}
		n.mu.Lock()
		defer n.mu.Unlock()
		if !slices.Equal(n.acks, []string{"a", "b"}) {
			t.Errorf("acks passed on: %q", n.acks)
		}
	})
}
