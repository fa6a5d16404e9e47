package history

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/testmain"
	"github.com/upbeat-monitor/upbeat/monitor"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	testmain.SkipRaceExitSleep()
	if dir := os.Getenv(childEnv); dir != "" {
		runChildWriter(dir)
		return
	}
	goleak.VerifyTestMain(cleanupM{m}, goleak.Cleanup(testmain.Exit))
}

// cleanupM removes the benchmark's generated data after the run.
type cleanupM struct{ m *testing.M }

func (c cleanupM) Run() int {
	code := c.m.Run()
	if open30.tmp && open30.dir != "" {
		os.RemoveAll(open30.dir)
	}
	return code
}

func TestRoundTripEveryField(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	l := mustOpen(t, dir, testOptions(t, c))
	full := fullRecord(t0.Add(1234 * time.Millisecond))
	minimal := monitor.Result{Monitor: "db", Kind: "tcp", URL: "tcp://db:5432", Time: t0.Add(2 * time.Second), Status: monitor.StatusUp, Attempts: 1}
	zeroAttempts := monitor.Result{Monitor: "db", Kind: "tcp", URL: "tcp://db:5432", Time: t0.Add(3 * time.Second), Status: monitor.StatusPending}
	odd := fullRecord(t0.Add(-5 * time.Second)) // out of order, negative values, other statuses
	odd.Code, odd.CertDays, odd.BodySize, odd.Loss = -1, -3, -7, 1
	odd.Status = monitor.StatusMaintenance
	odd.Phases.Transfer = 9 * time.Second      // far from latency minus the other phases
	odd.URL = "https://shop.example.com/other" // same name, new URL: a new monitor definition
	paused := minimal
	paused.Time, paused.Status, paused.Answers = t0.Add(4*time.Second), monitor.StatusPaused, []string{""}
	want := []monitor.Result{full, minimal, zeroAttempts, odd, paused}
	for i := range want {
		if err := l.Append(&want[i]); err != nil {
			t.Fatal(err)
		}
	}
	check := func(l *DB) {
		t.Helper()
		got, err := l.Results("shop", t0.Add(-time.Hour), t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("shop: got %d results, want 2", len(got))
		}
		for i, w := range []monitor.Result{odd, full} {
			if err := sameRecord(got[i], w); err != nil {
				t.Error(err)
			}
		}
		got, err = l.Last("db", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("db: got %d results, want 3", len(got))
		}
		for i, w := range []monitor.Result{minimal, zeroAttempts, paused} {
			if err := sameRecord(got[i], w); err != nil {
				t.Error(err)
			}
		}
	}
	check(l) // from the active segment
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = mustOpen(t, dir, testOptions(t, c))
	check(l) // from a sealed segment
	ro := testOptions(t, c)
	ro.ReadOnly = true
	r := mustOpen(t, dir, ro)
	check(r) // from another reader
	r.Close()
	l.Close()
}

func TestPrecision(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	l := mustOpen(t, dir, testOptions(t, c))
	defer l.Close()
	r := httpRecord("a", t0.Add(1500*time.Microsecond), 1)
	r.Latency = 1500 * time.Nanosecond
	if err := l.Append(&r); err != nil {
		t.Fatal(err)
	}
	got, err := l.Last("a", 1)
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	if want := t0.Add(time.Millisecond); !got[0].Time.Equal(want) {
		t.Errorf("time kept to the millisecond: got %v, want %v", got[0].Time, want)
	}
	if got[0].Latency != time.Microsecond {
		t.Errorf("latency kept to the microsecond: got %v", got[0].Latency)
	}
}

func TestLongStringsAreCut(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, dir, testOptions(t, newClock(t0)))
	defer l.Close()
	// Every string as long as can be: the frame must stay under maxFrame.
	long := func(c string) string { return strings.Repeat(c, maxString+100) }
	r := fullRecord(t0)
	r.Monitor, r.Kind, r.URL, r.Class = long("m"), monitor.Kind(long("k")), long("u"), long("c")
	r.Error = strings.Repeat("é", maxString) // two bytes per rune
	r.FinalURL, r.CertIssuer, r.Registrar = long("f"), long("i"), long("r")
	r.Answers = make([]string, 100)
	for i := range r.Answers {
		r.Answers[i] = strings.Repeat(strconv.Itoa(i%10), 2000)
	}
	if err := l.Append(&r); err != nil {
		t.Fatal(err)
	}
	got, _ := l.Last(r.Monitor[:maxString], 1)
	if len(got) != 1 || len(got[0].Error) > maxString || !strings.HasPrefix(r.Error, got[0].Error) ||
		len(got[0].Answers) != maxAnswers || len(got[0].Answers[0]) != maxAnswer || len(got[0].Registrar) != maxString {
		t.Fatalf("got %d results", len(got))
	}
	if info := l.Monitors(); len(info) != 1 || len(info[0].Name) != maxString {
		t.Fatalf("monitor name not cut the same way everywhere")
	}
	sum, _ := l.Sum(info0(l), t0.Add(-time.Hour), t0.Add(time.Hour))
	if len(sum.Classes) != 1 || len(sum.Classes[0].Class) != maxClass {
		t.Fatalf("rollup classes %+v", sum.Classes)
	}
}

func info0(l *DB) string { return l.Monitors()[0].Name }

// appendN appends n results of monitor "m", one a minute from start.
func appendN(t testing.TB, l *DB, c *clock, start time.Time, n int) []monitor.Result {
	t.Helper()
	var out []monitor.Result
	for i := range n {
		at := start.Add(time.Duration(i) * time.Minute)
		c.Set(at)
		r := httpRecord("m", at, i)
		r.BodySize = int64(i + 1)
		if err := l.Append(&r); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		out = append(out, r)
	}
	return out
}

func TestFaultyWriterPartway(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := newClock(t0)
	fs := &faults{}
	o := testOptions(t, c)
	o.OpenFile = fs.open
	var health []error
	o.OnHealth = func(err error) { health = append(health, err) }
	l := mustOpen(t, dir, o)
	appendN(t, l, c, t0, 5)

	// The next write stops after 7 bytes; then the disk is full.
	fs.set(func(f *faults) { f.partway, f.writeErr = 7, syscall.ENOSPC })
	var queued []monitor.Result
	for i := range 4 {
		r := httpRecord("m", t0.Add(time.Duration(5+i)*time.Minute), 5+i)
		r.BodySize = int64(6 + i)
		err := l.Append(&r)
		if !errors.Is(err, ErrQueued) || !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("append during fault: %v", err)
		}
		queued = append(queued, r)
	}
	if l.Health() == nil || l.Stats().Queued != 4 {
		t.Fatalf("health %v, stats %+v", l.Health(), l.Stats())
	}
	// Queries see what waits in memory.
	got, _ := l.Last("m", 100)
	if len(got) != 9 {
		t.Fatalf("last during fault: %d results", len(got))
	}
	for i, q := range queued {
		if got[5+i].BodySize != q.BodySize {
			t.Fatalf("queued result %d reads back with body size %d, want %d", i, got[5+i].BodySize, q.BodySize)
		}
	}

	fs.set(func(f *faults) { f.writeErr = nil })
	c.Add(2 * time.Second)
	if err := l.Sync(); err != nil {
		t.Fatalf("sync after fault: %v", err)
	}
	if err := l.Health(); err != nil {
		t.Fatalf("still unhealthy: %v", err)
	}
	if len(health) != 2 || health[0] == nil || health[1] != nil {
		t.Fatalf("OnHealth calls: %v", health)
	}
	l.Close()

	l = mustOpen(t, dir, testOptions(t, c))
	defer l.Close()
	if rep := l.Repairs(); len(rep) != 0 {
		t.Fatalf("a recovered fault left damage: %v", rep)
	}
	got, _ = l.Last("m", 100)
	if len(got) != 9 {
		t.Fatalf("got %d results, want 9", len(got))
	}
	for i, r := range got {
		if r.BodySize != int64(i+1) {
			t.Fatalf("result %d has body size %d", i, r.BodySize)
		}
	}
}

func TestReadOnlyDirectoryAndRecovery(t *testing.T) {
	t.Parallel()
	// As root, permissions do not stop writes, so the fault is injected:
	// every create fails with EROFS, as on a file system remounted read-only.
	dir := t.TempDir()
	c := newClock(t0)
	fs := &faults{}
	o := testOptions(t, c)
	o.OpenFile = fs.open
	o.SegmentSize = 1024 // a new segment every few results
	l := mustOpen(t, dir, o)
	defer l.Close()
	appendN(t, l, c, t0, 3)
	fs.set(func(f *faults) { f.createErr, f.writeErr = syscall.EROFS, syscall.EROFS })
	var errs int
	for i := 3; i < 60; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		c.Set(at)
		r := httpRecord("m", at, i)
		r.BodySize = int64(i + 1)
		if err := l.Append(&r); err != nil {
			if !errors.Is(err, syscall.EROFS) {
				t.Fatalf("unexpected error: %v", err)
			}
			errs++
		}
	}
	if errs == 0 || l.Health() == nil {
		t.Fatal("a read-only file system went unnoticed")
	}
	fs.set(func(f *faults) { f.createErr, f.writeErr = nil, nil })
	c.Add(2 * time.Second)
	r := httpRecord("m", c.Now(), 60)
	r.BodySize = 61
	if err := l.Append(&r); err != nil {
		t.Fatalf("append after recovery: %v", err)
	}
	if err := l.Health(); err != nil {
		t.Fatalf("still unhealthy: %v", err)
	}
	got, _ := l.Last("m", 100)
	if len(got) != 61 {
		t.Fatalf("got %d results, want 61", len(got))
	}
}

func TestRollupFaultIsReportedAndRecovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := newClock(t0)
	fs := &faults{}
	o := testOptions(t, c)
	o.OpenFile = fs.open
	l := mustOpen(t, dir, o)
	defer l.Close()
	appendN(t, l, c, t0, 30)
	// Rollup files and the checkpoint cannot be created; the open segment
	// still takes results.
	fs.set(func(f *faults) { f.createErr = syscall.ENOSPC })
	c.Set(t0.Add(2 * time.Hour))
	r := httpRecord("m", c.Now(), 0)
	if err := l.Append(&r); !errors.Is(err, syscall.ENOSPC) || errors.Is(err, ErrQueued) {
		t.Fatalf("append with rollups failing: %v", err)
	}
	if got, _ := l.Last("m", 100); len(got) != 31 {
		t.Fatalf("%d results", len(got))
	}
	fs.set(func(f *faults) { f.createErr = nil })
	c.Add(time.Second)
	r.Time = c.Now()
	if err := l.Append(&r); err != nil {
		t.Fatalf("append after the fault: %v", err)
	}
	if l.Health() != nil {
		t.Fatal(l.Health())
	}
	rs, _ := l.Rollups("m", time.Hour, t0, c.Now())
	if len(rs) != 2 || rs[0].Checks != 30 || rs[1].Checks != 2 {
		t.Fatalf("rollups %+v", rs)
	}
	if names, _ := l.w.files.list(famHour); len(names) != 1 {
		t.Fatalf("hourly files %v", names)
	}
}

func TestQueueOverflowDropsAndRecovers(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	fs := &faults{}
	o := testOptions(t, c)
	o.OpenFile = fs.open
	o.MaxPending = 2000
	l := mustOpen(t, dir, o)
	defer l.Close()
	appendN(t, l, c, t0, 2)
	fs.set(func(f *faults) { f.writeErr = syscall.EIO })
	for i := 2; i < 300; i++ {
		r := httpRecord("m", t0.Add(time.Duration(i)*time.Minute), i)
		if err := l.Append(&r); err == nil {
			t.Fatal("no error while the disk fails")
		}
	}
	st := l.Stats()
	if st.Dropped == 0 || st.Queued == 0 || st.Queued > 2000/20 {
		t.Fatalf("stats %+v", st)
	}
	fs.set(func(f *faults) { f.writeErr = nil })
	c.Add(5 * time.Second)
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	got, _ := l.Last("m", 1000)
	if want := 300 - int(st.Dropped); len(got) != want {
		t.Fatalf("got %d results, want %d", len(got), want)
	}
}

func TestSecondWriterRefused(t *testing.T) {
	dir := t.TempDir()
	c := newClock(t0)
	l := mustOpen(t, dir, testOptions(t, c))
	defer l.Close()
	_, err := Open(dir, testOptions(t, c))
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second writer: %v", err)
	}
	if !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("message does not name the holder: %v", err)
	}
	// Readers need no lock.
	ro := testOptions(t, c)
	ro.ReadOnly = true
	r := mustOpen(t, dir, ro)
	r.Close()
}

// segmentFrames returns the offsets of the frames of a segment file.
func segmentFrames(t *testing.T, path string) (offs []int64, size int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	good, err := scanSegment(data, -1, nil, func(_ *monitor.Result, off int64) { offs = append(offs, off) })
	if err != nil || good != int64(len(data)) {
		t.Fatalf("fixture damaged: %v at %d", err, good)
	}
	return offs, good
}

// TestDamagedTails: damage at the end of a segment (a torn write, junk
// after the last frame) is cut off by a writer and moved aside; damage in
// the middle loses only the frame it hits: readers and the writer read on
// from the next good frame, and nothing is moved.
func TestDamagedTails(t *testing.T) {
	src := t.TempDir()
	c := newClock(t0)
	l := mustOpen(t, src, testOptions(t, c))
	appendN(t, l, c, t0, 10) // a minute apart: a frame each
	l.Close()
	seg := filepath.Join(src, segDir, segName(1))
	offs, size := segmentFrames(t, seg)

	cases := []struct {
		name   string
		damage func(b []byte) []byte
		good   int64 // where the damage reported starts
		until  int64 // where reading went on; 0: the damage is a tail, cut off
		lost   []int // results lost
	}{
		{"cut mid-record", func(b []byte) []byte { return b[:offs[9]+3] }, offs[9], 0, []int{9}},
		{"cut in length", func(b []byte) []byte { return b[:offs[9]+1] }, offs[9], 0, []int{9}},
		{"zero-filled tail", func(b []byte) []byte { return append(b, make([]byte, 8192)...) }, size, 0, nil},
		{"flipped length", func(b []byte) []byte { b[offs[6]+2] ^= 0x40; return b }, offs[6], offs[7], []int{6}},
		{"flipped crc", func(b []byte) []byte { b[offs[6]+4] ^= 0x40; return b }, offs[6], offs[7], []int{6}},
		{"flipped payload", func(b []byte) []byte { b[offs[7]+9] ^= 0x01; return b }, offs[7], offs[8], []int{7}},
		{"length 0xFFFFFFFF", func(b []byte) []byte {
			b = binary.AppendUvarint(b, 0xFFFFFFFF)
			return append(b, 1, 2, 3, 4, 5, 6, 7, 8)
		}, size, 0, nil},
		{"raw ff ff ff ff", func(b []byte) []byte { return append(b, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02) }, size, 0, nil},
		{"garbage magic", func(b []byte) []byte { copy(b, "NOTOURS!"); return b }, 0, 0, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want []int64 // body sizes that survive
			for i := range 10 {
				if !slices.Contains(tc.lost, i) {
					want = append(want, int64(i+1))
				}
			}
			bodies := func(rs []monitor.Result) []int64 {
				var out []int64
				for _, r := range rs {
					out = append(out, r.BodySize)
				}
				return out
			}
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, segDir), 0o755)
			os.WriteFile(filepath.Join(dir, rawDir), []byte(rawNotice), 0o644)
			data, _ := os.ReadFile(seg)
			path := filepath.Join(dir, segDir, segName(1))
			if err := os.WriteFile(path, tc.damage(bytes.Clone(data)), 0o644); err != nil {
				t.Fatal(err)
			}
			// A reader tolerates the damage without changing anything.
			ro := testOptions(t, c)
			ro.ReadOnly = true
			r := mustOpen(t, dir, ro)
			if got, _ := r.Last("m", 100); !slices.Equal(bodies(got), want) {
				t.Errorf("reader: results %v, want %v", bodies(got), want)
			}
			r.Close()

			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			l, err := Open(dir, testOptions(t, c))
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
				t.Errorf("open allocated %d bytes", grew)
			}
			rep := l.Repairs()
			if len(rep) != 1 || rep[0].Segment != 1 || rep[0].Offset != tc.good || rep[0].Until != tc.until || !errors.Is(rep[0].Err, ErrCorrupt) {
				t.Fatalf("repairs: %+v", rep)
			}
			switch {
			case tc.until > 0 && rep[0].Moved != "":
				t.Error("damage in the middle was moved aside: the frames after it go with it")
			case tc.until == 0 && rep[0].Moved == "":
				t.Error("the bad rest was not moved aside")
			case tc.until == 0:
				if _, err := os.Stat(rep[0].Moved); err != nil {
					t.Error(err)
				}
			}
			got, _ := l.Last("m", 100)
			if !slices.Equal(bodies(got), want) {
				t.Fatalf("writer: results %v, want %v", bodies(got), want)
			}
			// Writing goes on, and the next open finds nothing to repair.
			c2 := newClock(t0.Add(time.Hour))
			r2 := httpRecord("m", c2.Now(), 0)
			if err := l.Append(&r2); err != nil {
				t.Fatal(err)
			}
			l.Close()
			l = mustOpen(t, dir, testOptions(t, c2))
			defer l.Close()
			if rep := l.Repairs(); len(rep) != 0 {
				t.Fatalf("second open repaired again: %v", rep)
			}
			if got, _ := l.Last("m", 100); len(got) != len(want)+1 {
				t.Fatalf("after append: %d results", len(got))
			}
		})
	}
}

// TestBitFlipMidSegment: one bit flipped in the middle of a segment
// written as a daemon writes (many monitors, blocks of a second of
// results) loses the results of the frame it hits and nothing else; the
// report says where the damage is and where reading went on.
func TestBitFlipMidSegment(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	c := newClock(t0)
	l := mustOpen(t, src, testOptions(t, c))
	var all []monitor.Result
	for i := range 3000 { // 20 monitors at 50 ms apart: 20 results a second
		at := t0.Add(time.Duration(i) * 50 * time.Millisecond)
		c.Set(at)
		r := genRecord(i%20, at)
		r.BodySize = int64(i + 1) // a result's identity
		if err := l.Append(&r); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	l.Close()
	seg := filepath.Join(src, segDir, segName(1))
	data, _ := os.ReadFile(seg)
	var offs []int64 // frame of each result
	if _, err := scanSegment(data, -1, nil, func(_ *monitor.Result, off int64) { offs = append(offs, off) }); err != nil {
		t.Fatal(err)
	}
	flip := int64(len(data) / 2)
	var hit, next int64 // the frame the flip hits, and the one after
	var inHit int
	for _, o := range offs {
		if o <= flip {
			hit = o
		}
		if o > flip && next == 0 {
			next = o
		}
	}
	for _, o := range offs {
		if o == hit {
			inHit++
		}
	}
	if inHit < 10 {
		t.Fatalf("the frame hit holds %d results: blocks are not what a daemon writes", inHit)
	}
	data[flip] ^= 0x08
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, segDir), 0o755)
	os.WriteFile(filepath.Join(dir, rawDir), []byte(rawNotice), 0o644)
	os.WriteFile(filepath.Join(dir, segDir, segName(1)), data, 0o644)

	for _, ro := range []bool{true, false} {
		o := testOptions(t, c)
		o.ReadOnly = ro
		l := mustOpen(t, dir, o)
		got := map[int64]bool{}
		for m := range 20 {
			rs, err := l.Results(fmt.Sprintf("mon-%04d", m), t0.Add(-time.Hour), t0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				got[r.BodySize] = true
			}
		}
		lost := 0
		for i, r := range all {
			switch {
			case offs[i] == hit && got[r.BodySize]:
				t.Fatalf("read-only %v: result %d of the damaged frame was read", ro, i)
			case offs[i] != hit && !got[r.BodySize]:
				t.Fatalf("read-only %v: result %d (frame at %d, damage at %d) was lost", ro, i, offs[i], hit)
			case offs[i] == hit:
				lost++
			}
		}
		rep := l.Repairs()
		if len(rep) != 1 || rep[0].Offset != hit || rep[0].Until != next || rep[0].Moved != "" {
			t.Fatalf("read-only %v: reported %+v; want the damaged frame at %d, read on at %d", ro, rep, hit, next)
		}
		t.Logf("read-only %v: lost %d of %d results: %v", ro, lost, len(all), &rep[0])
		l.Close()
	}
}

// TestBitFlipInFormat1: in a segment of format 1 a flipped bit loses the
// one result its frame holds; reading goes on after it.
func TestBitFlipInFormat1(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(goldenDir, rawDir, segName(1)))
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	n := 0
	if _, err := scanSegment(data, -1, nil, func(_ *monitor.Result, off int64) { offs = append(offs, off); n++ }); err != nil {
		t.Fatal(err)
	}
	hit := offs[len(offs)/2]
	bad := bytes.Clone(data)
	bad[hit+6] ^= 0x01 // in the payload
	m := 0
	sr := NewSegmentReader(bytes.NewReader(bad), 1, nil)
	for sr.Next() {
		m++
	}
	if sr.Err() != nil || m != n-1 || len(sr.Skipped()) != 1 || sr.Skipped()[0].Offset != hit {
		t.Fatalf("%d of %d results read, err %v, skipped %+v", m, n, sr.Err(), sr.Skipped())
	}
}

// Kill -9 test: the child appends and prints each acknowledged sequence
// number; the parent kills it at random points and checks nothing
// acknowledged is lost.
const childEnv = "UPBEAT_HISTORY_KILL_CHILD"

func runChildWriter(dir string) {
	start, _ := strconv.Atoi(os.Getenv(childEnv + "_SEQ"))
	l, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(3)
	}
	for i := start; i < start+1_000_000; i++ {
		r := httpRecord("kill", time.Now(), i)
		r.BodySize = int64(i)
		if i%37 == 0 {
			r.Status = monitor.StatusDown
		}
		if err := l.Append(&r); err != nil {
			fmt.Fprintln(os.Stderr, "child append:", err)
			os.Exit(4)
		}
		os.Stdout.WriteString(strconv.Itoa(i) + "\n")
	}
	l.Close()
	os.Exit(0)
}

func TestKill9Writer(t *testing.T) {
	t.Parallel() // writes and fsyncs much: it overlaps with the others
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	acked := map[int64]bool{}
	next := 0
	// Ten kills, at points spread over the first 400 acknowledgements
	// (1, 72, 77, ... 396), each followed by a recovery of what the last
	// child left. Every child is a race-built process; twenty of them cost
	// a second more of CPU and tried no other kind of point.
	for iter := range 10 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+dir, fmt.Sprintf("%s_SEQ=%d", childEnv, next))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killAfter := 1 + (iter*7919)%400
		lines := bufio.NewScanner(out)
		n := 0
		for lines.Scan() {
			v, err := strconv.ParseInt(lines.Text(), 10, 64)
			if err != nil {
				continue // a torn line at the kill
			}
			acked[v] = true
			next = int(v) + 1
			if n++; n == killAfter {
				cmd.Process.Kill() // SIGKILL
			}
		}
		cmd.Wait()
		if n < killAfter {
			t.Fatalf("child %d ended early after %d acks: %s", iter, n, stderr.String())
		}
	}
	l := mustOpen(t, dir, Options{SyncInterval: -1})
	defer l.Close()
	got, err := l.Results("kill", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	have := map[int64]bool{}
	for _, r := range got {
		have[r.BodySize] = true
	}
	for v := range acked {
		if !have[v] {
			t.Fatalf("acknowledged result %d lost (%d acknowledged, %d on disk)", v, len(acked), len(got))
		}
	}
	// Rollups were restored from checkpoints and replay: every result on
	// disk is counted once.
	sum, err := l.Sum("kill", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Checks != uint64(len(got)) {
		t.Errorf("rollups count %d results, raw has %d", sum.Checks, len(got))
	}
	t.Logf("%d acknowledged, %d on disk, %d repairs in the last open", len(acked), len(got), len(l.Repairs()))
}

func TestRetention(t *testing.T) {
	t.Parallel() // writes and fsyncs much: it overlaps with the others
	dir := t.TempDir()
	c := newClock(t0)
	o := testOptions(t, c)
	o.Retention = 3 * 24 * time.Hour
	o.RollupRetention = 6 * 24 * time.Hour
	// Results come every ten minutes: with the default interval every
	// one of them would save a checkpoint (three fsyncs). Retention does
	// not depend on it; a checkpoint still follows each hour's rollups.
	o.CheckpointInterval = time.Hour
	l := mustOpen(t, dir, o)
	defer l.Close()
	const days = 10
	for h := range days * 24 {
		for m := 0; m < 60; m += 10 {
			at := t0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
			c.Set(at)
			r := httpRecord("m", at, h)
			if err := l.Append(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.Add(time.Hour)
	r := httpRecord("m", c.Now(), 0)
	l.Append(&r)
	now := c.Now()
	cut := now.Add(-o.Retention)
	got, err := l.Results("m", t0.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Nothing newer than the cut is gone, and nothing more than a day
	// (a segment) older than it is left.
	wantNewer := 0
	for h := range days * 24 {
		for m := 0; m < 60; m += 10 {
			if at := t0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute); !at.Before(cut) {
				wantNewer++
			}
		}
	}
	newer := 0
	for _, r := range got {
		if !r.Time.Before(cut) {
			newer++
		}
		if r.Time.Before(cut.Add(-24 * time.Hour)) {
			t.Fatalf("result at %v outlived retention (cut %v)", r.Time, cut)
		}
	}
	if newer != wantNewer+1 {
		t.Fatalf("%d results newer than the cut, want %d", newer, wantNewer+1)
	}
	if l.Stats().Deleted == 0 {
		t.Fatal("no segment deleted")
	}
	// Rollups: hourly files older than rollup retention are gone, newer
	// ones are all there.
	names, _ := l.w.files.list(famHour)
	rcut := now.Add(-o.RollupRetention)
	for _, n := range names {
		if _, _, end, _ := parseFamFile(n); !end.After(rcut) {
			t.Errorf("%s outlived rollup retention", n)
		}
	}
	if len(names) < 6 {
		t.Errorf("only %d hourly files left: %v", len(names), names)
	}
	// Uptime over 5 days still answers from rollups although raw is gone.
	ratio, ok, err := l.roll.uptime("m", 5*24*time.Hour, now)
	if err != nil || !ok || ratio != 1 {
		t.Errorf("uptime over 5 days: %v %v %v", ratio, ok, err)
	}
	sum, _ := l.Sum("m", now.Add(-5*24*time.Hour), now)
	if sum.Checks < 5*24*6 {
		t.Errorf("5 days of rollups count %d results", sum.Checks)
	}
}
