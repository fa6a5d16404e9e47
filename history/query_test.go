package history

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// scenario writes three days of one-minute results for "api", with two
// closed incidents and one still open, and a monitor "young" that starts
// two hours before the end. It returns the log, its clock and the results.
type scenario struct {
	dir string
	c   *clock
	l   *DB
	all []monitor.Result
}

func (s *scenario) add(t *testing.T, r monitor.Result) {
	t.Helper()
	s.c.Set(r.Time)
	if err := s.l.Append(&r); err != nil {
		t.Fatal(err)
	}
	s.all = append(s.all, r)
}

var (
	inc1Start = t0.Add(26 * time.Hour)                // day 2, 12:00
	inc1End   = inc1Start.Add(30 * time.Minute)       // 30 results down: 502 then 504
	inc2Start = t0.Add(50*time.Hour + 10*time.Minute) // day 3, 12:10
	inc2End   = inc2Start.Add(5 * time.Minute)
	inc3Start = t0.Add(72*time.Hour - 3*time.Minute) // still down at the end
	endTime   = t0.Add(72 * time.Hour)
)

func apiStatus(at time.Time) (monitor.Status, int, string) {
	switch {
	case !at.Before(inc1Start) && at.Before(inc1Start.Add(10*time.Minute)):
		return monitor.StatusDown, 502, "http_502"
	case !at.Before(inc1Start) && at.Before(inc1End):
		return monitor.StatusDown, 504, "http_504"
	case !at.Before(inc2Start) && at.Before(inc2End):
		return monitor.StatusDown, 0, "refused"
	case !at.Before(inc3Start):
		return monitor.StatusDown, 503, "http_503"
	case at.Hour() == 3 && at.Minute() < 30:
		return monitor.StatusMaintenance, 503, ""
	}
	return monitor.StatusUp, 200, ""
}

func newScenario(t *testing.T) *scenario {
	s := &scenario{dir: t.TempDir(), c: newClock(t0)}
	o := testOptions(t, s.c)
	// A checkpoint (three fsyncs) at every hour's rollups, not every ten
	// minutes as well: the queries read the same rollups and results
	// either way, and a reopened or read-only DB still replays raw results
	// after the last checkpoint.
	o.CheckpointInterval = time.Hour
	s.l = mustOpen(t, s.dir, o)
	i := 0
	for at := t0; at.Before(endTime); at = at.Add(time.Minute) {
		st, code, class := apiStatus(at)
		r := httpRecord("api", at, i)
		r.Status, r.Code, r.Class = st, code, class
		if st == monitor.StatusDown {
			r.Error = "boom"
		}
		s.add(t, r)
		if young := endTime.Add(-2 * time.Hour); !at.Before(young) {
			y := httpRecord("young", at.Add(time.Second), i)
			if at.Sub(young) == 30*time.Minute {
				y.Status, y.Code = monitor.StatusDown, 500
			}
			s.add(t, y)
		}
		i++
	}
	t.Cleanup(func() { s.l.Close() })
	return s
}

// expectUptime counts what Uptime must answer: results from the hour the
// window starts in.
func (s *scenario) expectUptime(mon string, window time.Duration, now time.Time) (float64, bool) {
	h0 := time.Unix(hourOf(now.Add(-window).Unix()), 0)
	var c, f, x uint64
	for _, r := range s.all {
		if r.Monitor != mon || r.Time.Before(h0) || r.Time.After(now) {
			continue
		}
		c++
		if r.Status == monitor.StatusDown {
			f++
		}
		if excluded(r.Status) {
			x++
		}
	}
	return uptimeOf(c, f, x)
}

func checkQueries(t *testing.T, s *scenario, l *DB) {
	t.Helper()
	now := s.c.Now()
	for _, mon := range []string{"api", "young"} {
		for _, w := range []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 90 * 24 * time.Hour} {
			got, ok, err := l.roll.uptime(mon, w, now)
			want, wok := s.expectUptime(mon, w, now)
			if err != nil || ok != wok || math.Abs(got-want) > 1e-12 {
				t.Errorf("uptime %s over %v: got %v %v %v, want %v %v", mon, w, got, ok, err, want, wok)
			}
		}
	}
	// The young monitor is judged from its first result: one failure in 120.
	if got, _, _ := l.roll.uptime("young", 30*24*time.Hour, now); math.Abs(got-119.0/120) > 1e-12 {
		t.Errorf("young uptime %v", got)
	}
	if _, ok, _ := l.roll.uptime("nobody", time.Hour, now); ok {
		t.Error("uptime of an unknown monitor is valid")
	}

	incs, err := l.Incidents("api", t0, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []monitor.Incident{
		{Monitor: "api", Start: inc1Start, End: inc1End, Codes: []int{502, 504}, Classes: []string{"http_502", "http_504"}},
		{Monitor: "api", Start: inc2Start, End: inc2End, Classes: []string{"refused"}},
		{Monitor: "api", Start: inc3Start, Codes: []int{503}, Classes: []string{"http_503"}},
	}
	if !reflect.DeepEqual(incs, want) {
		t.Errorf("incidents:\n got %+v\nwant %+v", incs, want)
	}
	// An incident overlapping the window's start is included whole.
	incs, _ = l.Incidents("api", inc1Start.Add(time.Minute), inc1Start.Add(2*time.Minute))
	if len(incs) != 1 || !incs[0].Start.Equal(inc1Start) {
		t.Errorf("overlapping incident: %+v", incs)
	}
	if incs, _ := l.Incidents("young", t0, now); len(incs) != 1 || incs[0].End.Sub(incs[0].Start) != time.Minute {
		t.Errorf("young incidents: %+v", incs)
	}

	hours, err := l.ErrorsByHour("api", t0, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var wantHours [24]int
	for _, r := range s.all {
		if r.Monitor == "api" && r.Status == monitor.StatusDown {
			wantHours[r.Time.Hour()]++
		}
	}
	if hours != wantHours {
		t.Errorf("errors by hour: got %v, want %v", hours, wantHours)
	}

	sum, err := l.Sum("api", t0, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var n502 uint64
	for _, c := range sum.Codes {
		if c.Code == 502 {
			n502 = c.Failures
		}
	}
	if sum.Checks != 72*60 || n502 != 10 {
		t.Errorf("sum: %d checks, %d failures with 502", sum.Checks, n502)
	}
	if p := sum.P50(); p < 45*time.Millisecond || p > 52*time.Millisecond {
		t.Errorf("p50 %v", p)
	}

	days, err := l.Rollups("api", 24*time.Hour, t0, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 4 { // day 1 from 10:00, days 2 and 3, day 4 until 10:00
		t.Fatalf("%d daily rollups", len(days))
	}
	var total uint64
	for _, d := range days {
		total += d.Checks
	}
	if total != 72*60 || days[1].Failures != 30 {
		t.Errorf("daily rollups: total %d, day 2 failures %d", total, days[1].Failures)
	}
	hrs, _ := l.Rollups("api", time.Hour, inc1Start, inc1Start.Add(time.Hour))
	if len(hrs) != 1 || hrs[0].Failures != 30 || hrs[0].Checks != 60 {
		t.Errorf("hourly rollup of incident 1: %+v", hrs)
	}

	info, ok := l.Monitor("api")
	if !ok || info.Status != monitor.StatusDown || !info.Since.Equal(inc3Start) || !info.First.Equal(t0) {
		t.Errorf("monitor info %+v", info)
	}
	if got := l.Monitors(); len(got) != 2 || got[0].Name != "api" || got[1].Name != "young" {
		t.Errorf("monitors %+v", got)
	}
	tail, err := l.Tail(120)
	if err != nil {
		t.Fatal(err)
	}
	if len(tail["api"]) != 120 || len(tail["young"]) != 120 || !tail["api"][119].Time.Equal(endTime.Add(-time.Minute)) {
		t.Errorf("tail: %d %d", len(tail["api"]), len(tail["young"]))
	}
	res, _ := l.Results("api", inc1Start, inc1End)
	if len(res) != 30 || res[0].Code != 502 || res[29].Code != 504 {
		t.Errorf("results in incident 1: %d", len(res))
	}
}

// TestQueries asks everything of one scenario, built once (it is 4,440
// appends): the queries and ScanResults of the writer that wrote it and
// of a reader opened beside it, then the queries again after the writer
// is reopened, after its rollups are rebuilt, and after its checkpoint is
// lost.
func TestQueries(t *testing.T) {
	t.Parallel() // writes and fsyncs much: it overlaps with the others
	s := newScenario(t)
	t.Run("live", func(t *testing.T) { checkQueries(t, s, s.l) })
	t.Run("reader", func(t *testing.T) {
		o := testOptions(t, s.c)
		o.ReadOnly = true
		r := mustOpen(t, s.dir, o)
		defer r.Close()
		checkQueries(t, s, r)
	})
	// ScanResults, of the writer that wrote the scenario (before the
	// subtests below reopen it) and of a reader.
	t.Run("scan newest", func(t *testing.T) { testScanNewest(t, s) })
	t.Run("scan stops", func(t *testing.T) { testScanStops(t, s) })
	t.Run("reopened", func(t *testing.T) {
		s.l.Close()
		s.l = mustOpen(t, s.dir, testOptions(t, s.c))
		checkQueries(t, s, s.l)
	})
	t.Run("rebuilt", func(t *testing.T) {
		s.l.Close()
		if err := os.RemoveAll(filepath.Join(s.dir, rollupDir)); err != nil {
			t.Fatal(err)
		}
		s.l = mustOpen(t, s.dir, testOptions(t, s.c))
		checkQueries(t, s, s.l)
	})
	t.Run("checkpoint lost", func(t *testing.T) {
		s.l.Close()
		if err := os.Remove(filepath.Join(s.dir, rollupDir, ckptName)); err != nil {
			t.Fatal(err)
		}
		s.l = mustOpen(t, s.dir, testOptions(t, s.c))
		checkQueries(t, s, s.l)
	})
}

func TestRestartDuringIncidentIsNotANewIncident(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	l := mustOpen(t, dir, testOptions(t, c))
	down := func(l *DB, at time.Time, st monitor.Status) {
		c.Set(at)
		r := httpRecord("a", at, 0)
		r.Status, r.Code = st, 502
		if err := l.Append(&r); err != nil {
			t.Fatal(err)
		}
	}
	down(l, t0, monitor.StatusUp)
	down(l, t0.Add(time.Minute), monitor.StatusDown)
	down(l, t0.Add(2*time.Minute), monitor.StatusDown)
	l.Close()
	l = mustOpen(t, dir, testOptions(t, c))
	defer l.Close()
	if info, _ := l.Monitor("a"); info.Status != monitor.StatusDown || !info.Since.Equal(t0.Add(time.Minute)) {
		t.Fatalf("restored %+v", info)
	}
	down(l, t0.Add(3*time.Minute), monitor.StatusDown)
	down(l, t0.Add(4*time.Minute), monitor.StatusUp)
	incs, _ := l.Incidents("a", t0, t0.Add(time.Hour))
	if len(incs) != 1 || !incs[0].Start.Equal(t0.Add(time.Minute)) || !incs[0].End.Equal(t0.Add(4*time.Minute)) {
		t.Fatalf("incidents %+v", incs)
	}
}

func TestFirstResultDownIsAnIncident(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	l := mustOpen(t, dir, testOptions(t, c))
	defer l.Close()
	r := httpRecord("a", t0, 0)
	r.Status = monitor.StatusDown
	l.Append(&r)
	incs, _ := l.Incidents("a", t0.Add(-time.Hour), t0.Add(time.Hour))
	if len(incs) != 1 || !incs[0].Start.Equal(t0) || !incs[0].End.IsZero() {
		t.Fatalf("incidents %+v", incs)
	}
}

func TestReaderWhileWriterWrites(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	l := mustOpen(t, dir, testOptions(t, c))
	defer l.Close()
	appendN(t, l, c, t0, 50)
	// A torn frame at the end of the active segment, as a reader may see
	// while a write is in progress.
	seg := filepath.Join(dir, segDir, segName(l.w.segs.act.seg))
	f, err := os.OpenFile(seg, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{40, 1, 2})
	f.Close()
	o := testOptions(t, c)
	o.ReadOnly = true
	r := mustOpen(t, dir, o)
	defer r.Close()
	got, err := r.Last("m", 1000)
	if err != nil || len(got) != 50 {
		t.Fatalf("reader: %d results, %v", len(got), err)
	}
	if len(r.Repairs()) != 0 {
		t.Fatalf("a torn tail in the active segment was reported: %v", r.Repairs())
	}
	if err := r.Append(&got[0]); err != ErrReadOnly {
		t.Fatalf("reader append: %v", err)
	}
}

// TestReaderOfAGrowingBlock: results a second apart share a frame that
// grows in place; another process reads them all, every time, and a kill
// between writing a result's bytes and rewriting the frame's header
// leaves the frame as it was.
func TestReaderOfAGrowingBlock(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	l := mustOpen(t, dir, testOptions(t, c))
	defer l.Close()
	path := filepath.Join(dir, segDir, segName(1))
	o := testOptions(t, c)
	o.ReadOnly = true
	var before []byte // the file after 10 results
	for i := range 20 {
		at := t0.Add(time.Duration(i) * 10 * time.Millisecond)
		c.Set(at)
		r := httpRecord("m", at, i)
		if err := l.Append(&r); err != nil {
			t.Fatal(err)
		}
		rd := mustOpen(t, dir, o)
		got, err := rd.Last("m", 100)
		rd.Close()
		if err != nil || len(got) != i+1 {
			t.Fatalf("after %d appends a reader reads %d results: %v", i+1, len(got), err)
		}
		if i == 9 {
			before, _ = os.ReadFile(path)
		}
	}
	after, _ := os.ReadFile(path)
	var offs []int64
	scanSegment(after, 1, nil, func(_ *monitor.Result, off int64) { offs = append(offs, off) })
	if len(offs) != 20 || offs[0] != offs[19] {
		t.Fatalf("20 results a few ms apart are not one frame: %v", offs)
	}
	// The header as it was after 10 results, the rows of all 20.
	killed := bytes.Clone(after)
	copy(killed[offs[0]:offs[0]+frame2Header], before[offs[0]:])
	n := 0
	good, err := scanSegment(killed, 1, nil, func(*monitor.Result, int64) { n++ })
	if n != 10 || good != int64(len(before)) || !errors.Is(err, ErrCorrupt) {
		t.Errorf("header not yet rewritten: %d results, good prefix %d of %d, %v; want the first 10 and a tail", n, good, len(before), err)
	}
}

func TestSyncPolicy(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	fs := &faults{}
	o := testOptions(t, c)
	o.OpenFile = fs.open
	l := mustOpen(t, dir, o)
	defer l.Close()
	syncs := func() int { fs.mu.Lock(); defer fs.mu.Unlock(); return fs.syncs }
	r := httpRecord("a", t0, 0)
	l.Append(&r) // pending to up: a change, synced at once
	s0 := syncs()
	if s0 == 0 {
		t.Fatal("a status change was not synced")
	}
	for i := range 10 {
		r := httpRecord("a", t0.Add(time.Duration(i)*time.Millisecond), i)
		l.Append(&r)
	}
	if syncs() != s0 {
		t.Fatal("unchanged results were synced one by one")
	}
	r.Status = monitor.StatusDown
	l.Append(&r)
	if syncs() != s0+1 {
		t.Fatal("a change to down was not synced at once")
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
}

func TestBackgroundSync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		fs := &faults{}
		l, err := Open(dir, Options{OpenFile: fs.open}) // synctest's fake clock drives time.Now
		if err != nil {
			t.Fatal(err)
		}
		r := httpRecord("a", time.Now(), 0)
		l.Append(&r)
		l.Append(&r)
		fs.mu.Lock()
		before := fs.syncs
		fs.mu.Unlock()
		time.Sleep(1500 * time.Millisecond) // fake time: the background fsync is due
		synctest.Wait()
		fs.mu.Lock()
		after := fs.syncs
		fs.mu.Unlock()
		if after <= before {
			t.Errorf("no background fsync within a second (%d then %d)", before, after)
		}
		l.Close()
	})
}

func TestHistogramQuantiles(t *testing.T) {
	var h Histogram
	var vals []time.Duration
	for i := 1; i <= 10000; i++ {
		d := time.Duration(i*i) * time.Microsecond / 10
		h.Add(d)
		vals = append(vals, d)
	}
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.95, 0.99} {
		exact := vals[int(q*float64(len(vals)))-1]
		got := h.Quantile(q)
		if rel := math.Abs(float64(got-exact)) / float64(exact); rel > 0.04 {
			t.Errorf("q%v: got %v, exact %v (%.1f%%)", q, got, exact, rel*100)
		}
	}
	var a, b Histogram
	for i := range 100 {
		a.Add(time.Duration(i) * time.Millisecond)
		b.Add(time.Duration(i+50) * time.Millisecond)
	}
	var both Histogram
	both.Merge(&a)
	both.Merge(&b)
	var direct Histogram
	for i := range 100 {
		direct.Add(time.Duration(i) * time.Millisecond)
		direct.Add(time.Duration(i+50) * time.Millisecond)
	}
	if !reflect.DeepEqual(both, direct) || both.Count() != 200 {
		t.Error("merge differs from adding")
	}
	for i := uint16(0); i < maxBucket-1; i++ {
		if lo := bucketLow(i); bucketOf(lo) != i || bucketOf(bucketLow(i+1)-1) != i {
			t.Fatalf("bucket %d: low %d maps to %d", i, lo, bucketOf(lo))
		}
	}
}

// testScanNewest: with a limit, ScanResults sends the newest results of
// the period, oldest first, whether the period starts and ends inside
// segments, in the active one or at their edges.
func testScanNewest(t *testing.T, s *scenario) {
	check := func(t *testing.T, l *DB) {
		for _, p := range []struct{ from, to time.Time }{
			{t0, endTime},
			{t0.Add(-time.Hour), endTime.Add(time.Hour)},
			{t0.Add(90 * time.Minute), t0.Add(40 * time.Hour)},      // from inside the first segment into the second
			{endTime.Add(-26 * time.Hour), endTime.Add(-time.Hour)}, // into the active segment
			{t0.Add(14 * time.Hour), t0.Add(38 * time.Hour)},        // one whole day: midnight to midnight
		} {
			// Only the times are compared, so only the times are kept:
			// copying whole results is most of what this test cost
			// under the race detector.
			var want []time.Time
			for _, r := range s.all {
				if r.Monitor == "api" && !r.Time.Before(p.from) && r.Time.Before(p.to) {
					want = append(want, r.Time)
				}
			}
			got := make([]time.Time, 0, len(want))
			for _, limit := range []int{0, 1, 59, 60, 61, 1000, 1439, 1440, 1441, 5000, len(want), len(want) + 1} {
				got = got[:0]
				err := l.ScanResults(context.Background(), "api", p.from, p.to, limit, func(r *monitor.Result) error {
					got = append(got, r.Time)
					return nil
				})
				w := want
				if limit > 0 && len(w) > limit {
					w = w[len(w)-limit:]
				}
				if err != nil || len(got) != len(w) {
					t.Fatalf("%v to %v, limit %d: %d results (%v), want %d", p.from, p.to, limit, len(got), err, len(w))
				}
				for i := range w {
					if !got[i].Equal(w[i]) {
						t.Fatalf("%v to %v, limit %d: result %d at %v, want %v", p.from, p.to, limit, i, got[i], w[i])
					}
				}
			}
		}
	}
	t.Run("writer", func(t *testing.T) { check(t, s.l) })
	t.Run("reader", func(t *testing.T) {
		o := testOptions(t, s.c)
		o.ReadOnly = true
		r := mustOpen(t, s.dir, o)
		defer r.Close()
		check(t, r)
	})
}

// testScanStops: a scan ends with the error of its callback, or with its
// context's when the context is done.
func testScanStops(t *testing.T, s *scenario) {
	stop := errors.New("enough")
	n := 0
	err := s.l.ScanResults(context.Background(), "api", t0, endTime, 0, func(*monitor.Result) error {
		if n++; n == 10 {
			return stop
		}
		return nil
	})
	if err != stop || n != 10 {
		t.Errorf("callback error: %v after %d results", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err = s.l.ScanResults(ctx, "api", t0, endTime, 0, func(*monitor.Result) error {
		if n++; n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n >= 72*60 {
		t.Errorf("cancelled: %v after %d results", err, n)
	}
}
