package history

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source/local"
)

// The tests in this file are the daemon's side of a long history query:
// a history of 400 days of a busy monitor behind the API's history route,
// asked for all 400 days.

const (
	busyName  = "busy"
	busyDays  = 400
	busyEvery = 10 * time.Second
	busyToken = "t0ken"
)

// writeBusyHistory writes days of results of one monitor checked every
// `every`, up to end (midnight UTC), straight into segment files: a day is
// encoded once and written as each day's segment under that day's header
// (times in a segment count from its header), with its index, and a
// checkpoint that accounts for all of it. Appending as many results would
// take minutes. It returns the number of results and the time of the last.
func writeBusyHistory(t testing.TB, dir string, end time.Time, days int, every time.Duration) (int, time.Time) {
	t.Helper()
	raw, rdir := filepath.Join(dir, rawDir), filepath.Join(dir, rollupDir)
	for _, d := range []string{raw, rdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	first := end.Add(-time.Duration(days) * 24 * time.Hour)
	perDay := int(24 * time.Hour / every)
	enc := newEncoder(first.UnixMilli())
	var body []byte
	for i := range perDay {
		r := httpRecord(busyName, first.Add(time.Duration(i)*every), i)
		body = enc.encode(body, &r)
	}
	var data []byte // one buffer for every day: a new one each day was most of the cost under the race detector
	for d := range days {
		seg, start := d+1, first.Add(time.Duration(d)*24*time.Hour)
		data = append(append(data[:0], headerFrame(seg, start.UnixMilli())...), body...)
		path := filepath.Join(raw, segName(seg))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		lo, hi := start.UnixMilli(), start.Add(time.Duration(perDay-1)*every).UnixMilli()
		x := &segIndex{seg: seg, size: int64(len(data)), count: perDay, min: lo, max: hi,
			mons: []monIdx{{name: busyName, count: uint32(perDay), min: lo, max: hi}}}
		if err := os.WriteFile(path+idxSuffix, x.encode(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	last := end.Add(-every)
	agg := newAggregator()
	agg.flushed = hourOf(end.Unix())
	agg.mons[busyName] = &MonitorInfo{Name: busyName, First: first, Last: last, Status: monitor.StatusUp, Since: first}
	c := checkpoint{pos: position{seg: days + 1}, agg: agg}
	if err := os.WriteFile(filepath.Join(rdir, ckptName), c.encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	return days * perDay, last
}

// countingDB counts the results the history hands to the API, and every
// probeEvery results calls probe, on the goroutine serving the request,
// with everything the query holds in use.
type countingDB struct {
	*DB
	sent       atomic.Int64
	probeEvery int64
	probe      func()
}

func (c *countingDB) ScanResults(ctx context.Context, name string, from, to time.Time, limit int, fn func(*monitor.Result) error) error {
	return c.DB.ScanResults(ctx, name, from, to, limit, func(r *monitor.Result) error {
		if n := c.sent.Add(1); c.probe != nil && n%c.probeEvery == 0 {
			c.probe()
		}
		return fn(r)
	})
}

// upChecker finds every monitor up; the engine is never run here.
type upChecker struct{}

func (upChecker) Check(context.Context, *monitor.Monitor) monitor.Result {
	return monitor.Result{Status: monitor.StatusUp}
}

// busyDaemon is a daemon's history, engine and API over the busy history.
type busyDaemon struct {
	url   string
	db    *countingDB
	last  time.Time
	total int
	done  chan struct{} // a history request's handler returned
}

func newBusyDaemon(t *testing.T) *busyDaemon {
	t.Helper()
	dir := t.TempDir()
	end := time.Now().UTC().Truncate(24 * time.Hour)
	total, last := writeBusyHistory(t, dir, end, busyDays, busyEvery)
	db, err := Open(dir, Options{Retention: (busyDays + 1) * 24 * time.Hour, SyncInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b := &busyDaemon{db: &countingDB{DB: db}, last: last, total: total, done: make(chan struct{}, 1)}
	u, _ := url.Parse("https://busy.example.com/health")
	cfg := &engine.Config{Settings: engine.Settings{Concurrency: 1}, Monitors: []*monitor.Monitor{{Name: busyName,
		URL: u.String(), Parsed: u, Kind: monitor.KindHTTP, Interval: time.Hour, Timeout: time.Second}}}
	e, err := engine.New(cfg, engine.Options{Querier: b.db, Checkers: map[monitor.Kind]engine.Checker{monitor.KindHTTP: upChecker{}}})
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(local.New(e, local.Options{}), api.Options{Token: busyToken}).Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { b.done <- struct{}{} }()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	b.url = srv.URL + "/api/v1/monitors/" + busyName + "/history?since=" + fmt.Sprint(busyDays) + "d"
	return b
}

func (b *busyDaemon) get(t *testing.T, ctx context.Context, query string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", b.url+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+busyToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("history: %d %s", resp.StatusCode, body)
	}
	return resp
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// client is the client's side of the response: it reads it a buffer at
// a time, keeping none of it, and counts the results (each starts with
// the monitor's name). It keeps the first and the last result's text.
type client struct {
	n           int
	first, last string
}

const resultStart = `{"monitor":"` + busyName + `"`

func (c *client) read(t *testing.T, r io.Reader) {
	t.Helper()
	const keep = len(resultStart) - 1 // the end of a buffer, where a result may begin
	buf := make([]byte, keep+64<<10)
	have := 0
	for {
		n, err := r.Read(buf[have:])
		chunk := buf[:have+n]
		for i := 0; ; {
			j := bytes.Index(chunk[i:], []byte(resultStart))
			if j < 0 {
				break
			}
			i += j + len(resultStart)
			if c.n++; c.n == 1 {
				c.first = string(chunk[i:min(len(chunk), i+200)])
			}
		}
		if n > 0 {
			c.last = string(chunk[max(0, len(chunk)-500):])
		}
		have = copy(buf, chunk[max(0, len(chunk)-keep):])
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestLongHistoryQuery asks the API for 400 days of a busy monitor.
func TestLongHistoryQuery(t *testing.T) {
	b := newBusyDaemon(t)
	t.Run("memory is bounded", func(t *testing.T) { testQueryMemory(t, b) })
	t.Run("client goes away", func(t *testing.T) { testClientGoesAway(t, b) })
}

// queryLimit is the number of results asked for: as many as the API
// gives, or under the race detector, which makes every result cost ten
// times as much, fewer. What the daemon holds does not depend on it.
func queryLimit() int {
	if raceEnabled {
		return 10_000
	}
	return api.MaxHistory
}

// testQueryMemory: the newest results of 400 days (3.5 million) go out
// over the API while the daemon's live heap stays within a few MiB of
// what it was idle. Before the history streamed, the query held every
// result of the period at once.
func testQueryMemory(t *testing.T, b *busyDaemon) {
	// Warm up: the connection is open and the segment indexes are read.
	resp := b.get(t, context.Background(), "&limit=1")
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	<-b.done
	idle := heapInUse()

	limit := queryLimit()
	query := ""
	if limit != api.MaxHistory {
		query = fmt.Sprintf("&limit=%d", limit)
	}
	var peak uint64
	probes := 0
	b.db.probeEvery, b.db.probe = int64(limit/20), func() {
		probes++
		peak = max(peak, heapInUse())
	}
	defer func() { b.db.probe = nil }()
	b.db.sent.Store(0)
	resp = b.get(t, context.Background(), query)
	c := &client{}
	c.read(t, resp.Body)
	resp.Body.Close()
	<-b.done
	firstAt := b.last.Add(-time.Duration(limit-1) * busyEvery).Format(time.RFC3339)
	if c.n != limit || !strings.Contains(c.first, firstAt) || !strings.Contains(c.last, b.last.Format(time.RFC3339)) ||
		!strings.HasSuffix(c.last, "}]\n") {
		t.Fatalf("got %d results, first %q, last %q; want the newest %d, from %s up to %s", c.n, c.first, c.last,
			limit, firstAt, b.last.Format(time.RFC3339))
	}
	if probes < 10 {
		t.Fatalf("the heap was measured %d times while answering", probes)
	}
	grew := int64(peak) - int64(idle)
	t.Logf("%d results on record; %d sent; heap idle %.2f MiB, at most %.2f MiB while answering (%+.2f MiB, %d samples)",
		b.total, c.n, mib(idle), mib(peak), float64(grew)/(1<<20), probes)
	if grew > 4<<20 {
		t.Errorf("the heap grew by %.1f MiB while answering, want at most 4", float64(grew)/(1<<20))
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// testClientGoesAway: a client that reads a little of the answer and
// hangs up makes the handler return, having read only part of what it
// was asked for.
func testClientGoesAway(t *testing.T, b *busyDaemon) {
	before := b.db.sent.Load()
	ctx, cancel := context.WithCancel(context.Background())
	resp := b.get(t, ctx, "")
	head := make([]byte, 64<<10)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(head), `[{"`) {
		t.Fatalf("answer starts %q", head[:20])
	}
	cancel()
	resp.Body.Close()
	<-b.done // the handler returned
	if n := b.db.sent.Load() - before; n >= api.MaxHistory {
		t.Fatalf("the history went on to send all %d results", n)
	} else {
		t.Logf("the handler stopped after %d of %d results", n, api.MaxHistory)
	}
}
