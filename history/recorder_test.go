package history

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

func result(mon string, at time.Time, st monitor.Status, code int) monitor.Result {
	r := monitor.Result{Monitor: mon, Kind: monitor.KindHTTP, URL: "https://" + mon + ".example/", Time: at,
		Status: st, Code: code, Latency: 42 * time.Millisecond, Attempts: 1}
	if st == monitor.StatusDown {
		r.Class, r.Error = fmt.Sprintf("http_%d", code), "server said no"
	}
	return r
}

func fullResult(at time.Time) monitor.Result {
	return monitor.Result{
		Monitor: "shop", Kind: monitor.KindHTTP, URL: "https://shop.example/health", Time: at,
		Status: monitor.StatusDegraded, Code: 503, Latency: 1234 * time.Millisecond,
		Phases: monitor.Phases{DNS: time.Millisecond, Connect: 2 * time.Millisecond, TLS: 3 * time.Millisecond,
			FirstByte: 4 * time.Millisecond, Transfer: 5 * time.Millisecond},
		Class: "http_503", Error: "maintenance", Attempts: 2, RetryAfter: 30 * time.Second,
		FinalURL: "https://shop.example/health/", BodySize: 1234, CertExpiry: at.Add(20 * 24 * time.Hour),
		CertIssuer: "Test CA", CertDays: 20, Registrar: "Registrar Inc", Answers: []string{"a", "b"}, Loss: 0.5,
	}
}

// The tests below are of the engine's side of a DB: Record, Restore,
// Uptime and the Querier methods, and a real engine recording through a
// faulty disk.

func openStore(t *testing.T, dir string, c *clock, mod func(*Options)) *DB {
	t.Helper()
	o := Options{Now: c.Now, SyncInterval: -1}
	if mod != nil {
		mod(&o)
	}
	s, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRecordRoundTripEveryField(t *testing.T) {
	dir := t.TempDir()
	c := &clock{now: t0}
	s := openStore(t, dir, c, nil)
	want := fullResult(t0)
	if err := s.Record(&want); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, dir, c, nil)
	defer s.Close()
	got, err := s.Results("shop", t0, t0.Add(time.Second))
	if err != nil || len(got) != 1 {
		t.Fatalf("results: %v %v", got, err)
	}
	if fmt.Sprintf("%#v", got[0]) != fmt.Sprintf("%#v", want) {
		if !got[0].Time.Equal(want.Time) || !got[0].CertExpiry.Equal(want.CertExpiry) {
			t.Fatalf("times differ")
		}
		got[0].Time, got[0].CertExpiry, want.Time, want.CertExpiry = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if fmt.Sprintf("%#v", got[0]) != fmt.Sprintf("%#v", want) {
			t.Fatalf("round trip:\n got %#v\nwant %#v", got[0], want)
		}
	}
	rec, since, ok := s.Restore("shop", 10)
	if !ok || len(rec) != 1 || !since.Equal(t0) || rec[0].Registrar != "Registrar Inc" {
		t.Fatalf("restore: %v %v %v", rec, since, ok)
	}
}

func TestRestore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{now: t0}
	s := openStore(t, dir, c, nil)
	for i := range 200 {
		at := t0.Add(time.Duration(i) * time.Minute)
		c.Set(at)
		st := monitor.StatusUp
		if i >= 150 {
			st = monitor.StatusDown // down since minute 150
		}
		for _, m := range []string{"a", "b"} {
			r := result(m, at, st, 200)
			if err := s.Record(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.Close()
	s = openStore(t, dir, c, nil)
	defer s.Close()
	for _, n := range []int{60, 120, 180} {
		for _, m := range []string{"a", "b"} {
			rec, since, ok := s.Restore(m, n)
			if !ok || len(rec) != n || !since.Equal(t0.Add(150*time.Minute)) {
				t.Fatalf("restore %s %d: %d results, since %v, %v", m, n, len(rec), since, ok)
			}
			if !rec[n-1].Time.Equal(t0.Add(199*time.Minute)) || !rec[0].Time.Before(rec[1].Time) {
				t.Fatalf("restore %s %d: not the last results oldest first", m, n)
			}
		}
	}
	if _, _, ok := s.Restore("nobody", 10); ok {
		t.Fatal("unknown monitor restored")
	}
	// A restart while down is not a new incident.
	r := result("a", t0.Add(200*time.Minute), monitor.StatusUp, 200)
	s.Record(&r)
	incs, _ := s.Incidents("a", t0, t0.Add(300*time.Minute))
	if len(incs) != 1 || !incs[0].Start.Equal(t0.Add(150*time.Minute)) || !incs[0].End.Equal(t0.Add(200*time.Minute)) {
		t.Fatalf("incidents %+v", incs)
	}
}

func TestUptimeFromFirstResult(t *testing.T) {
	dir := t.TempDir()
	c := &clock{now: t0}
	s := openStore(t, dir, c, nil)
	defer s.Close()
	for i := range 60 {
		at := t0.Add(time.Duration(i) * time.Minute)
		c.Set(at)
		st := monitor.StatusUp
		if i < 3 {
			st = monitor.StatusDown
		}
		r := result("new", at, st, 200)
		s.Record(&r)
	}
	for _, w := range []time.Duration{time.Hour, 24 * time.Hour, 30 * 24 * time.Hour, 90 * 24 * time.Hour} {
		u := s.Uptime("new", w, c.Now())
		if !u.Valid || u.Ratio != 57.0/60 {
			t.Errorf("uptime over %v: %+v", w, u)
		}
	}
	if u := s.Uptime("nobody", time.Hour, c.Now()); u.Valid {
		t.Error("uptime of an unknown monitor")
	}
	h, err := s.ErrorsByHour("new", t0.Add(-time.Hour), c.Now().Add(time.Minute))
	if err != nil || h[10] != 3 {
		t.Fatalf("errors by hour %v %v", h, err)
	}
}

// Checks that judged nothing yet (a push monitor waiting for its first
// beat) count neither for nor against uptime.
func TestPendingCountsNoUptime(t *testing.T) {
	dir := t.TempDir()
	c := &clock{now: t0}
	s := openStore(t, dir, c, nil)
	defer s.Close()
	for i := range 10 {
		at := t0.Add(time.Duration(i) * time.Minute)
		c.Set(at)
		st := monitor.StatusPending
		if i == 9 {
			st = monitor.StatusDown
		}
		r := result("push", at, st, 0)
		s.Record(&r)
		if u := s.Uptime("push", time.Hour, at); i < 9 && u.Valid {
			t.Fatalf("after %d pending checks: uptime %+v, want none", i+1, u)
		}
	}
	if u := s.Uptime("push", time.Hour, c.Now()); !u.Valid || u.Ratio != 0 {
		t.Errorf("pending checks then a failure: uptime %+v, want 0", u)
	}
}

// flipper is a checker whose answers the test sets.
type flipper struct {
	mu   sync.Mutex
	down bool
}

func (f *flipper) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502", Error: "bad gateway"}
	}
	return monitor.Result{Status: monitor.StatusUp, Code: 200}
}

// signalRecorder tells the test about every Record call and its outcome.
type signalRecorder struct {
	*DB
	done chan error
}

func (r signalRecorder) Record(res *monitor.Result) error {
	err := r.DB.Record(res)
	r.done <- err
	return err
}

func TestEngineKeepsRunningOnDiskFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		write, create error
	}{
		{"full disk", syscall.ENOSPC, nil},
		{"read-only file system", syscall.EROFS, syscall.EROFS},
		{"i/o error", syscall.EIO, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			fs := &faults{}
			// RetryInterval 1ns: every result retries the write, so the test
			// needs no clock to wait for the fault to clear.
			s, err := Open(dir, Options{OpenFile: fs.open, SyncInterval: -1, SegmentSize: 256, RetryInterval: time.Nanosecond})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			rec := signalRecorder{s, make(chan error, 1<<16)}
			chk := &flipper{}
			// Checks run back to back; the test follows them through the recorder.
			cfg := &engine.Config{Monitors: []*monitor.Monitor{{Name: "api", URL: "https://api.example/", Kind: monitor.KindHTTP,
				Interval: 5 * time.Millisecond, Timeout: time.Second}}}
			e, err := engine.New(cfg, engine.Options{Checkers: map[monitor.Kind]engine.Checker{monitor.KindHTTP: chk},
				Recorder: rec, Restorer: s, Querier: s})
			if err != nil {
				t.Fatal(err)
			}
			sub := e.Subscribe()
			defer sub.Close()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- e.Run(ctx) }()
			stopped := false
			stop := func() {
				if !stopped {
					stopped = true
					cancel()
					<-done
				}
			}
			defer stop()

			// next waits for the next Record call.
			next := func() error {
				t.Helper()
				select {
				case err := <-rec.done:
					return err
				case <-time.After(10 * time.Second):
					t.Fatal("no result recorded")
					return nil
				}
			}
			var seen []monitor.Event
			waitFor := func(what string, match func(monitor.Event) bool) {
				t.Helper()
				for {
					for i, ev := range seen {
						if match(ev) {
							seen = append(seen[:i:i], seen[i+1:]...)
							return
						}
					}
					select {
					case <-sub.Ready():
						evs, _ := sub.Drain()
						for _, ev := range evs {
							seen = append(seen, ev.Event)
						}
					case <-time.After(10 * time.Second):
						t.Fatalf("no %s", what)
					}
				}
			}
			isWarning := func(clear bool) func(monitor.Event) bool {
				return func(ev monitor.Event) bool {
					return ev.Kind == monitor.EventWarning && ev.Clear == clear && strings.Contains(ev.Message, "history")
				}
			}
			if err := next(); err != nil {
				t.Fatalf("first record: %v", err)
			}

			fs.set(func(f *faults) { f.writeErr, f.createErr = tc.write, tc.create })
			chk.mu.Lock()
			chk.down = true
			chk.mu.Unlock()
			for next() == nil { // results already in flight may still be written
			}
			// Checks and alerts go on: more results, a change to down, a warning.
			for range 5 {
				if err := next(); !errors.Is(err, ErrQueued) || !errors.Is(err, tc.write) {
					t.Fatalf("record during the fault: %v", err)
				}
			}
			waitFor("change to down", func(ev monitor.Event) bool { return ev.Kind == monitor.EventChange && ev.To == monitor.StatusDown })
			waitFor("storage warning", isWarning(false))
			if h := s.Health(); !errors.Is(h, tc.write) {
				t.Fatalf("health: %v", h)
			}

			fs.set(func(f *faults) { f.writeErr, f.createErr = nil, nil })
			for next() != nil {
			}
			waitFor("warning cleared", isWarning(true))
			if err := s.Health(); err != nil {
				t.Fatalf("still unhealthy: %v", err)
			}
			stop() // the engine records what it has queued before Run returns
			// Every result of the fault was kept and written.
			checks := e.Stats().Checks
			res, err := s.Results("api", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
			if err != nil || uint64(len(res)) != checks || checks < 8 {
				t.Fatalf("%d results on disk, %d checks: %v", len(res), checks, err)
			}
		})
	}
}

// Tally counts per hour and per day what Uptime counts over a window:
// maintenance left out, from the rollups written and the hours still open.
func TestTallyMatchesTheResults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{now: t0}
	// Results come every ten minutes: with the default interval every
	// one of them would save a checkpoint (three fsyncs). The tallies do
	// not depend on it; a checkpoint still follows each hour's rollups.
	s := openStore(t, dir, c, func(o *Options) { o.CheckpointInterval = time.Hour })
	defer s.Close()
	type key struct{ hour, day int64 }
	want := map[key]monitor.Tally{}
	for i := range 3 * 24 * 6 { // three days, every 10 minutes
		at := t0.Add(time.Duration(i) * 10 * time.Minute)
		c.Set(at)
		st := monitor.StatusUp
		switch {
		case i%7 == 0:
			st = monitor.StatusDown
		case i%11 == 0:
			st = monitor.StatusMaintenance
		}
		r := result("m", at, st, 200)
		if err := s.Record(&r); err != nil {
			t.Fatal(err)
		}
		if st == monitor.StatusMaintenance {
			continue
		}
		for _, k := range []key{{hour: at.Unix() / 3600}, {day: at.Unix() / 86400}} {
			tl := want[k]
			tl.Total++
			if st != monitor.StatusDown {
				tl.Good++
			}
			want[k] = tl
		}
	}
	now := c.Now()
	hours := s.Tally("m", time.Hour, 25, now)
	var good, total uint32
	for i, got := range hours {
		h := now.Unix()/3600 - int64(24-i)
		if got != want[key{hour: h}] {
			t.Errorf("hour %s: %+v, want %+v", time.Unix(h*3600, 0).UTC(), got, want[key{hour: h}])
		}
		good, total = good+got.Good, total+got.Total
	}
	if u := s.Uptime("m", 24*time.Hour, now); u.Ratio != float64(good)/float64(total) {
		t.Errorf("24h uptime %v, the hourly tallies give %v", u.Ratio, float64(good)/float64(total))
	}
	days := s.Tally("m", 24*time.Hour, 31, now)
	for i, got := range days {
		d := now.Unix()/86400 - int64(30-i)
		if got != want[key{day: d}] {
			t.Errorf("day %s: %+v, want %+v", time.Unix(d*86400, 0).UTC(), got, want[key{day: d}])
		}
	}
	if got := s.Tally("nobody", time.Hour, 3, now); len(got) != 3 || got[2] != (monitor.Tally{}) {
		t.Errorf("unknown monitor: %+v", got)
	}
}

// An hour's open rollup is kept compact in memory and becomes the same
// Rollup the results would make, late results included.
func TestOpenRollupIsTheRollup(t *testing.T) {
	start := t0.Unix() - t0.Unix()%3600
	var want Rollup
	var o openRollup
	for i := range 500 {
		r := genRecord(i%7, t0.Add(time.Duration(i)*7*time.Second))
		if i%50 == 0 {
			r.Time = r.Time.Add(-3 * time.Hour) // late for its hour: counted in this one
			r.Status, r.Class = monitor.StatusDown, "late"
		}
		want.add(&r)
		o.add(&r, start)
	}
	got := o.toRollup("m", start)
	want.Monitor, want.Start, want.Period = "m", time.Unix(start, 0).UTC(), time.Hour
	if !reflect.DeepEqual(got, &want) {
		t.Fatalf("open rollup\n%+v\nwant\n%+v", got, &want)
	}
	if back := openOf(got, start).toRollup("m", start); !reflect.DeepEqual(back, got) {
		t.Fatalf("through a checkpoint\n%+v\nwant\n%+v", back, got)
	}
	if size := unsafe.Sizeof(o); size > 128 {
		t.Errorf("an open rollup takes %d bytes", size)
	}
}

// RestoreAll hands every monitor's last n results, as Last does one
// monitor at a time, over segments sealed and open, without holding them.
func TestRestoreAllMatchesLast(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := newClock(t0)
	l := openStore(t, dir, c, func(o *Options) { o.SegmentSize = 4 << 10 })
	defer l.Close()
	for i := range 900 {
		at := t0.Add(time.Duration(i) * time.Second)
		c.Set(at)
		m := fmt.Sprintf("m%d", i%9)
		if i > 300 && i%9 == 8 {
			continue // m8 stops early: its last results are in old segments
		}
		if i%9 == 7 && i > 60 {
			continue // m7 has fewer results than asked for
		}
		r := result(m, at, monitor.StatusUp, 200+i)
		if err := l.Append(&r); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string][]int{}
	if err := l.RestoreAll(20, func(r *monitor.Result) { got[r.Monitor] = append(got[r.Monitor], r.Code) }); err != nil {
		t.Fatal(err)
	}
	if segs, _ := listSegments(filepath.Join(dir, segDir)); len(segs) < 3 {
		t.Fatalf("only %d segments: the test needs several", len(segs))
	}
	for m := range 9 {
		name := fmt.Sprintf("m%d", m)
		last, err := l.Last(name, 20)
		if err != nil {
			t.Fatal(err)
		}
		var want []int
		for _, r := range last {
			want = append(want, r.Code)
		}
		if !slices.Equal(got[name], want) {
			t.Errorf("%s: %v, want %v", name, got[name], want)
		}
	}
}
