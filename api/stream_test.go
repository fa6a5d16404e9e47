package api

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

func TestEventsSnapshotThenEvents(t *testing.T) {
	chk := newSwitch()
	e := runEngine(t, config("eu-west", testMonitor("shop", "https://shop.example/")), chk, engine.Options{})
	sock := socketPath(t)
	startServer(t, New(backend(e), Options{Socket: sock, Heartbeat: time.Hour}))
	c := unixClient(t, sock)
	sse := openSSE(t, c, "http://localhost/api/v1/events", "")

	hello := decode[wire.Hello](t, sse.nextNamed(t, "hello").data)
	if hello.Resumed || hello.Location != "eu-west" || hello.Epoch == "" {
		t.Fatalf("hello = %+v", hello)
	}
	snapEv := sse.nextNamed(t, "snapshot")
	snap := decode[wire.Snapshot](t, snapEv.data)
	if snapEv.id == "" || len(snap.Monitors) != 1 || snap.Monitors[0].Config == nil {
		t.Fatalf("snapshot id=%q %+v", snapEv.id, snap)
	}

	chk.set("shop", monitor.Result{Status: monitor.StatusDown, Code: 503, Class: "http_503"})
	do(t, c, "POST", "http://localhost/api/v1/monitors/shop/check", "", nil)
	res := sse.nextNamed(t, "result")
	ev := decode[wire.Event](t, res.data)
	if ev.Result == nil || ev.Result.Code != 503 || ev.State == nil || ev.State.Status != monitor.StatusDown || res.id == "" {
		t.Fatalf("result event %+v", ev)
	}
	ch := decode[wire.Event](t, sse.nextNamed(t, "change").data)
	if *ch.From != monitor.StatusPending || *ch.To != monitor.StatusDown {
		t.Errorf("change %v → %v", *ch.From, *ch.To)
	}

	e.Warn("storage", "disk full")
	w := decode[wire.Event](t, sse.nextNamed(t, "warning").data)
	if w.Message != "disk full" || len(w.Warnings) != 1 {
		t.Errorf("warning %+v", w)
	}
	e.PublishAlert(monitor.Event{Monitor: "shop", Alert: &monitor.AlertEvent{Channel: "oncall", OK: true}})
	if a := decode[wire.Event](t, sse.nextNamed(t, "alert").data); a.Alert == nil || a.Alert.Channel != "oncall" {
		t.Errorf("alert %+v", a)
	}

	// a reload is followed by a fresh snapshot with the new monitors
	if _, err := e.Reload(config("eu-west", testMonitor("shop", "https://shop.example/"), testMonitor("api", "https://api.example/"))); err != nil {
		t.Fatal(err)
	}
	if r := decode[wire.Event](t, sse.nextNamed(t, "reload").data); r.Message == "" {
		t.Error("reload without message")
	}
	if s := decode[wire.Snapshot](t, sse.nextNamed(t, "snapshot").data); len(s.Monitors) != 2 {
		t.Errorf("snapshot after reload has %d monitors", len(s.Monitors))
	}
}

// subscribeWatcher notes on which goroutine the server subscribes.
type subscribeWatcher struct {
	Backend
	async atomic.Bool
}

func (w *subscribeWatcher) Subscribe() *source.Subscription {
	buf := make([]byte, 64<<10)
	stack := string(buf[:runtime.Stack(buf, false)])
	w.async.Store(strings.Contains(stack, "created by github.com/upbeat-monitor/upbeat/api.(*Server).Start"))
	return w.Backend.Subscribe()
}

// What happens the moment the server has started reaches its viewers: Start
// takes the engine's events itself, before it returns, not whenever its
// stream goroutine first runs. (A dashboard that attached and acted at once
// missed the events of its own action when that goroutine ran late, and its
// view stayed pending: TestTwoLocationsMerge failed so on a loaded machine.)
func TestEventsFromTheStartAreKept(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("shop", "https://shop.example/")), newSwitch(), engine.Options{})
	w := &subscribeWatcher{Backend: backend(e)}
	sock := socketPath(t)
	s := startServer(t, New(w, Options{Socket: sock, Heartbeat: time.Hour}))
	if w.async.Load() {
		t.Fatal("the server subscribed to the engine in a goroutine of its own, after Start")
	}
	e.Warn("storage", "disk full")
	sse := openSSE(t, unixClient(t, sock), "http://localhost/api/v1/events", s.strm.epoch+"-0")
	if h := decode[wire.Hello](t, sse.nextNamed(t, "hello").data); !h.Resumed {
		t.Fatalf("not resumed from the start: %+v", h)
	}
	if ev := decode[wire.Event](t, sse.nextNamed(t, "warning").data); ev.Message != "disk full" {
		t.Errorf("first event %+v, want the warning raised at start", ev)
	}
}

func TestEventsResumeWithLastEventID(t *testing.T) {
	chk := newSwitch()
	e := runEngine(t, config("x", testMonitor("shop", "https://shop.example/"), testMonitor("api", "https://api.example/")), chk, engine.Options{})
	sock := socketPath(t)
	// EventBatch: below, the ring is filled faster than the stream paces a
	// steady flow (four batches a second by default); pacing is not what
	// this test is about, and would make it wait a second.
	startServer(t, New(backend(e), Options{Socket: sock, Heartbeat: time.Hour, Ring: 8, EventBatch: time.Millisecond}))
	c := unixClient(t, sock)
	// each check is of a monitor not checked before: a check asked for
	// while the same monitor's last one is still winding up is skipped
	check := func(name string, code int) {
		chk.set(name, monitor.Result{Status: monitor.StatusUp, Code: code})
		do(t, c, "POST", "http://localhost/api/v1/monitors/"+name+"/check", "", nil)
	}
	sse := openSSE(t, c, "http://localhost/api/v1/events", "")
	sse.nextNamed(t, "snapshot")
	check("shop", 201)
	first := sse.nextNamed(t, "result")
	sse.close()

	// missed while away: replayed on resume, without a snapshot
	sub := watch(e)
	check("api", 202)
	sub.wait(t, isResult("api"))
	sub.Close()
	sse = openSSE(t, c, "http://localhost/api/v1/events", first.id)
	hello := decode[wire.Hello](t, sse.nextNamed(t, "hello").data)
	if !hello.Resumed {
		t.Fatal("not resumed")
	}
	for { // the change that followed the first result, then the missed result
		next, err := sse.next()
		if err != nil {
			t.Fatal(err)
		}
		if next.name == "change" {
			continue
		}
		if next.name != "result" || decode[wire.Event](t, next.data).Result.Code != 202 {
			t.Fatalf("after resume got %s %s", next.name, next.data)
		}
		break
	}
	sse.close()

	// an id from another run of the daemon, or one that left the ring: snapshot
	for _, id := range []string{"0123456789ab-3", first.id} {
		if id == first.id { // push it out of the 8-frame ring, as seen by a viewer
			live := openSSE(t, c, "http://localhost/api/v1/events", "")
			for i := range 8 {
				e.Warn(fmt.Sprint("test", i), "filler")
				live.nextNamed(t, "warning")
			}
			live.close()
		}
		sse = openSSE(t, c, "http://localhost/api/v1/events", id)
		if decode[wire.Hello](t, sse.nextNamed(t, "hello").data).Resumed {
			t.Errorf("resumed from %s", id)
		}
		if ev, _ := sse.next(); ev.name != "snapshot" {
			t.Errorf("from %s: first event %q, want snapshot", id, ev.name)
		}
		sse.close()
	}
}

func TestEventsHeartbeat(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("shop", "https://shop.example/")), newSwitch(), engine.Options{})
	sock := socketPath(t)
	startServer(t, New(backend(e), Options{Socket: sock, Heartbeat: 10 * time.Millisecond, ReadTimeout: 30 * time.Millisecond}))
	sse := openSSE(t, unixClient(t, sock), "http://localhost/api/v1/events", "")
	sse.nextNamed(t, "snapshot")
	// heartbeats keep coming well past the read timeout: the stream is not cut
	start := time.Now()
	for n := 0; n < 10 || time.Since(start) < 100*time.Millisecond; n++ {
		line, err := sse.r.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended after %s: %v", time.Since(start), err)
		}
		if line != ": ping\n" && line != "\n" {
			t.Fatalf("heartbeat line %q", line)
		}
	}
}

// The ring keeps the newest frames in segments shared by every viewer; a
// cursor that has fallen out of it is behind (the viewer is dropped and
// comes back for a snapshot).
func TestEventsRingKeepsTheNewestFrames(t *testing.T) {
	st := newStream(nil, 4, nil)
	push := func(n int) {
		st.mu.Lock()
		g := &segment{first: st.seq + 1, last: st.seq + uint64(n)}
		for i := range n {
			g.raw = append(g.raw, encodeFrame("x", i)...)
			g.ends = append(g.ends, len(g.raw))
		}
		st.pushLocked(g)
		st.mu.Unlock()
	}
	frames := func(cs []chunk) (n int) {
		for _, c := range cs {
			n += int(c.g.last - c.from + 1)
		}
		return n
	}
	push(3)
	got, cur, _, behind := st.since(0, nil)
	if behind || frames(got) != 3 || cur != 3 {
		t.Fatalf("since 0: %d frames, cur %d, behind %v", frames(got), cur, behind)
	}
	push(2)
	push(3)
	if _, _, _, behind := st.since(3, nil); !behind {
		t.Error("a cursor 5 frames back in a 4-frame ring is not behind")
	}
	got, cur, _, behind = st.since(6, nil)
	if behind || frames(got) != 2 || cur != 8 || got[0].from != 7 {
		t.Errorf("since 6: %d frames from %d, cur %d, behind %v", frames(got), got[0].from, cur, behind)
	}
	if tail := got[0].g.tail(7); string(tail) != string(encodeFrame("x", 1))+string(encodeFrame("x", 2)) {
		t.Errorf("tail from the middle of a segment: %q", tail)
	}
	push(9) // larger than the ring: kept whole, alone
	if len(st.segs) != 1 || st.n != 9 {
		t.Errorf("after a 9-frame segment: %d segments, %d frames", len(st.segs), st.n)
	}
}

// Over TCP a client that accepts gzip gets a compressed stream, flushed
// event by event.
func TestEventsGzipOverTCP(t *testing.T) {
	chk := newSwitch()
	e := runEngine(t, config("x", testMonitor("shop", "https://shop.example/")), chk, engine.Options{})
	s := startServer(t, New(backend(e), Options{Listen: "127.0.0.1:0", Heartbeat: time.Hour}))
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("GET", "http://"+s.TCPAddr()+"/api/v1/events", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	sse := &sseReader{resp: resp, r: bufio.NewReader(zr)}
	sse.nextNamed(t, "snapshot")
	chk.set("shop", monitor.Result{Status: monitor.StatusUp, Code: 299})
	e.CheckNow("shop")
	if ev := decode[wire.Event](t, sse.nextNamed(t, "result").data); ev.Result.Code != 299 {
		t.Errorf("result %+v", ev.Result)
	}
}

// countingBackend counts the states asked for: what encoding an event costs.
type countingBackend struct {
	Backend
	states int
}

func (b *countingBackend) State(name string) (monitor.State, error) {
	b.states++
	return monitor.State{Status: monitor.StatusUp}, nil
}

// With no viewer attached nothing is encoded, but only once a viewer that
// left could no longer resume: until the ring has turned over.
func TestEventsNothingEncodedWithoutViewers(t *testing.T) {
	b := &countingBackend{}
	st := newStream(b, 4, nil)
	result := []source.Event{{Event: monitor.Event{Kind: monitor.EventResult, Monitor: "shop", Result: &monitor.Result{Code: 200}}}}
	for range 4 { // what a viewer attaching just after start resumes from
		st.publish(result, 0)
	}
	if b.states != 4 || st.n != 4 {
		t.Fatalf("the first ring's worth: %d states read, %d frames kept", b.states, st.n)
	}
	for range 10 {
		st.publish(result, 0)
	}
	if b.states != 4 || st.n != 0 {
		t.Fatalf("no viewer ever attached: %d states read, %d frames kept", b.states, st.n)
	}
	detach := st.attach()
	cur, _ := st.cursor("")
	st.publish(result, 0)
	if got, _, _, _ := st.since(cur, nil); len(got) != 1 || b.states != 5 {
		t.Fatalf("attached: %d frames, %d states read", len(got), b.states)
	}
	left := st.seq
	detach()
	for range 4 { // what the departed viewer may still resume from
		st.publish(result, 0)
	}
	if _, resumed := st.cursor(st.id(left)); !resumed || b.states != 9 {
		t.Fatalf("just after leaving: resumed %v, %d states read", resumed, b.states)
	}
	for range 10 {
		st.publish(result, 0)
	}
	if b.states != 9 || st.n != 0 {
		t.Errorf("the ring has turned over: still %d states read, %d frames kept", b.states, st.n)
	}
	if _, resumed := st.cursor(st.id(left)); resumed {
		t.Error("resumed across events that were never encoded")
	}
}

// A viewer that attaches gets, in its snapshot, the journal of what came
// before (the events a log tells of, a repeated failure as one record with
// its count), whether or not anyone watched then; what comes after the
// snapshot comes live, and nothing comes twice.
func TestEventsSnapshotCarriesTheLog(t *testing.T) {
	e, err := engine.New(config("eu-west", testMonitor("shop", "https://shop.example/")), engine.Options{
		Checkers: map[monitor.Kind]engine.Checker{monitor.KindHTTP: newSwitch()}})
	if err != nil {
		t.Fatal(err)
	}
	st := newStream(backend(e), 4, newMetrics(backend(e)))
	t0 := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	failure := func(i int) source.Event {
		r := &monitor.Result{Monitor: "shop", Time: t0.Add(time.Duration(i) * time.Minute), Status: monitor.StatusDown, Code: 502, Class: "http_502"}
		return source.Event{Event: monitor.Event{Kind: monitor.EventResult, Time: r.Time, Monitor: "shop", Result: r, From: monitor.StatusDown, To: monitor.StatusDown}}
	}
	first := failure(0)
	first.From = monitor.StatusUp
	change := first
	change.Kind = monitor.EventChange
	st.publish([]source.Event{first, change}, 0)
	for i := 1; i <= 6; i++ { // more than the ring holds, with no viewer: not encoded
		st.publish([]source.Event{failure(i)}, 0)
	}
	st.publish([]source.Event{{Event: monitor.Event{Kind: monitor.EventWarning, Time: t0.Add(7 * time.Minute), Message: "disk full"}}}, 0)

	detach := st.attach()
	defer detach()
	g := st.attachSnapshot()
	st.publish([]source.Event{failure(8)}, 0)
	_, data, _ := strings.Cut(string(g.raw), "data: ")
	snap := decode[wire.Snapshot](t, data)
	var kinds []string
	for _, ev := range snap.Log {
		kinds = append(kinds, ev.Kind+"×"+strconv.Itoa(ev.Repeats))
		if ev.State != nil || ev.Warnings != nil {
			t.Errorf("a logged event carries what the snapshot says: %+v", ev)
		}
	}
	if want := "result×0 change×0 result×6 warning×0"; strings.Join(kinds, " ") != want {
		t.Errorf("log: %s, want %s", strings.Join(kinds, " "), want)
	}
	if len(snap.Log) > 2 && (!snap.Log[2].Time.Equal(t0.Add(time.Minute)) || !snap.Log[2].Result.Time.Equal(t0.Add(6*time.Minute))) {
		t.Errorf("the repeats from %v to %v, want from +1m to +6m", snap.Log[2].Time, snap.Log[2].Result.Time)
	}
	chunks, _, _, _ := st.since(g.last, nil)
	if len(chunks) != 1 || !strings.Contains(string(chunks[0].g.tail(chunks[0].from)), `"time":"2026-11-24T14:08:00Z"`) {
		t.Errorf("after the snapshot: %d chunks, want the one failure after it", len(chunks))
	}
}

// Viewers counts the event streams open: what a dashboard that runs the
// engine itself asks before quitting (its own quits stop theirs).
func TestViewersCountsEventStreams(t *testing.T) {
	e := runEngine(t, config("", testMonitor("shop", "https://shop.example/")), newSwitch(), engine.Options{})
	sock := socketPath(t)
	s := startServer(t, New(backend(e), Options{Socket: sock, Heartbeat: time.Hour}))
	if n := s.Viewers(); n != 0 {
		t.Fatalf("%d viewers before any attached", n)
	}
	c := unixClient(t, sock)
	for want := 1; want <= 2; want++ {
		openSSE(t, c, "http://localhost/api/v1/events", "").nextNamed(t, "hello")
		if n := s.Viewers(); n != want {
			t.Errorf("%d viewers with %d streams open", n, want)
		}
	}
}
