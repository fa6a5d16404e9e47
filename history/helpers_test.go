package history

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// t0 is a fixed start for test data: a Monday, 10:00 UTC.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// clock is an injected clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// testOptions are options for a test: an injected clock, no background
// goroutine, warnings to the test log.
func testOptions(t testing.TB, c *clock) Options {
	return Options{
		Now:          c.Now,
		SyncInterval: -1,
		// Nothing here outlives the test, and a process killed (kill -9)
		// leaves what it wrote in the page cache: an fsync would only wait
		// for the disk. The tests of what a failing fsync does set their own.
		OpenFile: OpenFileNoSync,
		Logger:   slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func mustOpen(t testing.TB, dir string, o Options) *DB {
	t.Helper()
	l, err := Open(dir, o)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return l
}

// httpRecord is a typical successful HTTP result.
func httpRecord(mon string, at time.Time, seq int) monitor.Result {
	lat := time.Duration(40+seq%17) * time.Millisecond
	return monitor.Result{
		Monitor: mon, Kind: "http", URL: "https://" + mon + ".example.com/health",
		Time: at, Status: monitor.StatusUp, Code: 200, Latency: lat,
		Phases: monitor.Phases{DNS: 300 * time.Microsecond, Connect: 2 * time.Millisecond, TLS: 5 * time.Millisecond,
			FirstByte: lat - 8*time.Millisecond, Transfer: 700 * time.Microsecond},
		Attempts: 1, BodySize: 512,
	}
}

// fullRecord sets every field.
func fullRecord(at time.Time) monitor.Result {
	return monitor.Result{
		Monitor: "shop", Kind: "http", URL: "https://shop.example.com/health",
		Time: at, Status: monitor.StatusDown, Code: 502, Latency: 1234567 * time.Microsecond,
		Phases: monitor.Phases{DNS: 11 * time.Microsecond, Connect: 22 * time.Microsecond, TLS: 33 * time.Microsecond,
			FirstByte: 44 * time.Microsecond, Transfer: 55 * time.Microsecond},
		Class: "http_502", Error: "bad gateway: upstream closed", Attempts: 3,
		RetryAfter: 120 * time.Second, FinalURL: "https://shop.example.com/health/", BodySize: 98765,
		CertExpiry: at.Add(40 * 24 * time.Hour).Truncate(time.Second), CertIssuer: "Test CA",
		CertDays: 40, Registrar: "Example Registrar", Answers: []string{"192.0.2.1", "192.0.2.2"},
		Loss: 0.25, HTTPVersion: "2", Redirects: 2, CertUnverified: true, Detail: "proxy: upstream closed the connection",
	}
}

// faultyFile wraps a real file and fails writes as told: the model is
// Prometheus wlog's faultySegmentFile.
type faultyFile struct {
	f  *os.File
	fs *faults
}

// faults says what goes wrong; tests change it while the log runs.
type faults struct {
	mu        sync.Mutex
	writeErr  error // every write fails with it
	partway   int   // >0: the next write stops after this many bytes, with writeErr or EIO
	createErr error // creating a file fails with it
	syncErr   error
	syncs     int
	writes    int
}

func (f *faults) set(fn func(*faults)) {
	f.mu.Lock()
	fn(f)
	f.mu.Unlock()
}

func (f *faults) open(name string, flag int, perm os.FileMode) (File, error) {
	f.mu.Lock()
	err := f.createErr
	f.mu.Unlock()
	if err != nil && flag&os.O_CREATE != 0 {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	file, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultyFile{f: file, fs: f}, nil
}

func (w *faultyFile) WriteAt(p []byte, off int64) (int, error) {
	w.fs.mu.Lock()
	w.fs.writes++
	part, werr := w.fs.partway, w.fs.writeErr
	w.fs.partway = 0
	w.fs.mu.Unlock()
	if part > 0 && part < len(p) {
		n, _ := w.f.WriteAt(p[:part], off)
		if werr == nil {
			werr = syscall.EIO
		}
		return n, werr
	}
	if werr != nil {
		return 0, werr
	}
	return w.f.WriteAt(p, off)
}

func (w *faultyFile) Truncate(n int64) error {
	w.fs.mu.Lock()
	err := w.fs.writeErr
	w.fs.mu.Unlock()
	if err != nil {
		return err
	}
	return w.f.Truncate(n)
}

func (w *faultyFile) Sync() error {
	w.fs.mu.Lock()
	w.fs.syncs++
	err := w.fs.syncErr
	w.fs.mu.Unlock()
	if err != nil {
		return err
	}
	return w.f.Sync()
}

func (w *faultyFile) Close() error { return w.f.Close() }

// sameRecord compares two records field by field.
func sameRecord(a, b monitor.Result) error {
	if !a.Time.Equal(b.Time) || !a.CertExpiry.Equal(b.CertExpiry) {
		return fmt.Errorf("times differ: %v/%v vs %v/%v", a.Time, a.CertExpiry, b.Time, b.CertExpiry)
	}
	a.Time, b.Time, a.CertExpiry, b.CertExpiry = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if fmt.Sprintf("%#v", a) != fmt.Sprintf("%#v", b) {
		return fmt.Errorf("records differ:\n got %#v\nwant %#v", a, b)
	}
	return nil
}

// scanSegment reads a segment's bytes with a SegmentReader, calling fn
// with every result and the offset of its frame. It returns where the
// good prefix ends and what stopped the reader before the end, if
// anything.
func scanSegment(data []byte, seg int, want func(string) bool, fn func(r *monitor.Result, off int64)) (good int64, err error) {
	sr := NewSegmentReader(bytes.NewReader(data), seg, want)
	for sr.Next() {
		if fn != nil {
			fn(sr.Result(), sr.Offset())
		}
	}
	return sr.Good(), sr.Err()
}
