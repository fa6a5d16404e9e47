package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/internal/testmain"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/source/local"
	"github.com/upbeat-monitor/upbeat/tui"
)

// bg is the context of the tests' actions and queries.
var bg = context.Background()

func TestMain(m *testing.M) {
	testmain.SkipRaceExitSleep()
	goleak.VerifyTestMain(m,
		// a Bubble Tea program's last tick outlives it by up to a second (the dashboard test)
		goleak.IgnoreAnyFunction("github.com/charmbracelet/bubbletea.Tick.func1"),
		goleak.IgnoreAnyFunction("github.com/charmbracelet/bubbletea.(*Program).execBatchMsg"),
		goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"),
		goleak.Cleanup(testmain.Exit))
}

// switchChecker answers what it is set to, per monitor (up by default).
type switchChecker struct {
	mu  sync.Mutex
	res map[string]monitor.Result
}

func newSwitch() *switchChecker { return &switchChecker{res: map[string]monitor.Result{}} }

func (c *switchChecker) set(name string, r monitor.Result) {
	c.mu.Lock()
	c.res[name] = r
	c.mu.Unlock()
}

func (c *switchChecker) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.res[m.Name]; ok {
		return r
	}
	return monitor.Result{Status: monitor.StatusUp, Code: 200, Latency: 12 * time.Millisecond}
}

func testMonitor(name, rawURL string) *monitor.Monitor {
	u, _ := url.Parse(rawURL)
	k, _ := monitor.KindOf(u.Scheme)
	return &monitor.Monitor{Name: name, URL: rawURL, Parsed: u, Kind: k, Interval: time.Hour, Timeout: time.Second,
		RetryInterval: time.Millisecond}
}

func config(loc string, ms ...*monitor.Monitor) *engine.Config {
	return &engine.Config{Path: "/etc/upbeat/upbeat.toml", Settings: engine.Settings{Location: loc, Concurrency: 8}, Monitors: ms}
}

func runEngine(t *testing.T, cfg *engine.Config, chk engine.Checker, opts engine.Options) *engine.Engine {
	t.Helper()
	opts.Checkers = map[monitor.Kind]engine.Checker{monitor.KindHTTP: chk, monitor.KindTCP: chk}
	e, err := engine.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return e
}

func serve(t *testing.T, e *engine.Engine, opts api.Options) *api.Server {
	t.Helper()
	s := api.New(local.New(e, local.Options{}), opts)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dial(t *testing.T, addrs []string, opts Options) *Client {
	t.Helper()
	if opts.MinBackoff == 0 {
		opts.MinBackoff, opts.MaxBackoff = time.Millisecond, 20*time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, addrs, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFor waits (10s at most) until cond holds, re-checking after every
// batch of events from sub.
func waitFor(t *testing.T, sub *source.Subscription, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-sub.Ready():
			sub.Drain()
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// waitForEvent waits (10s at most) for an event from sub that match accepts.
func waitForEvent(t *testing.T, sub *source.Subscription, what string, match func(source.Event) bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		select {
		case <-sub.Ready():
			evs, _ := sub.Drain()
			for _, ev := range evs {
				if match(ev) {
					return
				}
			}
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func find(states []monitor.State, name string) (monitor.State, bool) {
	for _, s := range states {
		if s.Monitor.Name == name {
			return s, true
		}
	}
	return monitor.State{}, false
}

// Two daemons on loopback with different locations, one seeing the
// target down and the other up: one merged monitor with two locations.
func TestTwoLocationsMerge(t *testing.T) {
	eu, us := newSwitch(), newSwitch()
	eu.set("shop", monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502"})
	eEU := runEngine(t, config("eu-west", testMonitor("shop", "https://shop.example/"), testMonitor("eu-only", "tcp://db.eu:5432")), eu, engine.Options{})
	eUS := runEngine(t, config("us-east", testMonitor("shop", "https://shop.example/")), us, engine.Options{})
	sock := filepath.Join(t.TempDir(), "eu.sock")
	serve(t, eEU, api.Options{Socket: sock})
	sUS := serve(t, eUS, api.Options{Listen: "127.0.0.1:0"})

	c := dial(t, []string{"unix://" + sock, "http://" + sUS.TCPAddr()}, Options{})
	sub := c.Subscribe()
	defer sub.Close()
	if err := c.CheckNow(bg, "shop"); err != nil { // goes to both daemons
		t.Fatal(err)
	}
	// Wait for the changes themselves, not for the mirror to show them: a
	// daemon sends a check's result (with the state it led to) before the
	// change, so the mirror looks settled while the change is still on its
	// way, to be taken later for a newer one.
	changed := map[string]monitor.Status{}
	waitForEvent(t, sub, "each location's first change", func(ev source.Event) bool {
		if ev.Kind == monitor.EventChange && ev.Monitor == "shop" {
			changed[ev.Location] = ev.To
		}
		return len(changed) == 2
	})
	if changed["eu-west"] != monitor.StatusDown || changed["us-east"] != monitor.StatusUp {
		t.Fatalf("first changes by location: %v", changed)
	}
	checkMerged(t, c)

	// a warning on one daemon shows in the merged view with its location
	eUS.Warn("storage", "history: disk full")
	waitFor(t, sub, "warning", func() bool {
		return slices.Contains(c.Info().Warnings, "us-east: history: disk full")
	})
	// the target recovers in eu-west: the change event says where
	eu.set("shop", monitor.Result{Status: monitor.StatusUp, Code: 200})
	c.CheckNow(bg, "shop")
	var change source.Event
	waitForEvent(t, sub, "recovery", func(ev source.Event) bool {
		change = ev
		return ev.Kind == monitor.EventChange && ev.Monitor == "shop" && ev.To == monitor.StatusUp
	})
	if change.Location != "eu-west" || change.From != monitor.StatusDown {
		t.Errorf("change %v → %v from %q, want down → up from eu-west", change.From, change.To, change.Location)
	}
	if st, _ := find(c.Snapshot(), "shop"); st.Status != monitor.StatusUp {
		t.Errorf("merged status after recovery: %v", st.Status)
	}
	checkAppendSnapshot(t, c)
	if err := c.CheckNow(bg, "nope"); !errors.Is(err, source.ErrNoMonitor) {
		t.Errorf("unknown monitor: %v", err)
	}
}

// checkMerged checks the view of TestTwoLocationsMerge once each
// location has checked shop: down from eu-west, up from us-east.
func checkMerged(t *testing.T, c *Client) {
	t.Helper()
	snap := c.Snapshot()
	if len(snap) != 2 || snap[0].Monitor.Name != "shop" || snap[1].Monitor.Name != "eu-only" {
		t.Fatalf("merged monitors: %d", len(snap))
	}
	shop := snap[0]
	if shop.Status != monitor.StatusDown || shop.Last.Code != 502 {
		t.Errorf("merged status %v code %d, want the worst (down, 502)", shop.Status, shop.Last.Code)
	}
	locs := c.Locations()
	if l := locs["shop"]; len(l) != 2 || l[0].Location != "eu-west" || l[0].Code != 502 || l[1].Location != "us-east" || l[1].Code != 200 {
		t.Errorf("locations %+v", l)
	}
	if got, want := tui.LocationSummary(locs["shop"]), "down from eu-west, up from us-east"; got != want {
		t.Errorf("LocationSummary = %q, want %q", got, want)
	}
	if l := locs["eu-only"]; len(l) != 1 || l[0].Location != "eu-west" {
		t.Errorf("eu-only locations %+v", l)
	}
	info := c.Info()
	if info.Location != "eu-west, us-east" || len(info.Daemons) != 2 || info.Config != "" || info.Daemon != "" || len(info.Warnings) != 0 {
		t.Errorf("info %+v", info)
	}
}

// checkAppendSnapshot checks that AppendSnapshot gives what Snapshot
// does, into the slice it is given, with no allocation once that slice is
// large enough: a dashboard redraws with it several times a second.
func checkAppendSnapshot(t *testing.T, c *Client) {
	t.Helper()
	want := c.Snapshot()
	buf := make([]monitor.State, 0, len(want))
	var got []monitor.State
	if n := testing.AllocsPerRun(20, func() { got = c.AppendSnapshot(buf[:0]) }); n != 0 {
		t.Errorf("AppendSnapshot into a large enough slice: %v allocations", n)
	}
	if len(got) != len(want) || len(got) == 0 || &got[0] != &buf[:1][0] {
		t.Fatalf("AppendSnapshot gave %d states, Snapshot %d; into the slice given: %v", len(got), len(want), len(got) > 0 && &got[0] == &buf[:1][0])
	}
	for i := range got {
		if got[i].Monitor.Name != want[i].Monitor.Name {
			t.Errorf("state %d: %s, Snapshot has %s", i, got[i].Monitor.Name, want[i].Monitor.Name)
		}
	}
	if more := c.AppendSnapshot(got); len(more) != 2*len(want) {
		t.Errorf("appending to %d states: %d", len(got), len(more))
	}
}

func TestAppendSnapshotFromOneDaemon(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("shop", "https://shop.example/"), testMonitor("api", "https://api.example/")), newSwitch(), engine.Options{})
	sock := filepath.Join(t.TempDir(), "upbeat.sock")
	serve(t, e, api.Options{Socket: sock})
	checkAppendSnapshot(t, dial(t, []string{"unix://" + sock}, Options{}))
}

// The daemon restarts (a new server, a new epoch): the client keeps its
// view, says it lost the connection, and carries on once it is back.
func TestReconnectAfterDaemonRestart(t *testing.T) {
	chk := newSwitch()
	e := runEngine(t, config("eu-west", testMonitor("shop", "https://shop.example/")), chk, engine.Options{})
	sock := filepath.Join(t.TempDir(), "upbeat.sock")
	s1 := api.New(local.New(e, local.Options{}), api.Options{Socket: sock})
	if err := s1.Start(); err != nil {
		t.Fatal(err)
	}
	c := dial(t, []string{sock}, Options{})
	sub := c.Subscribe()
	defer sub.Close()
	chk.set("shop", monitor.Result{Status: monitor.StatusDown, Code: 503})
	c.CheckNow(bg, "shop")
	waitFor(t, sub, "first result", func() bool { st, _ := find(c.Snapshot(), "shop"); return st.Last.Code == 503 })

	s1.Close()
	lost := "lost connection to " + sock + ", retrying"
	waitFor(t, sub, "lost connection warning", func() bool { return slices.Contains(c.Info().Warnings, lost) })
	if st, ok := find(c.Snapshot(), "shop"); !ok || st.Status != monitor.StatusDown || st.Last.Code != 503 {
		t.Errorf("view lost while the daemon is away: %+v", st)
	}
	// It says, in plain words, which daemon and why: no Go request in it.
	if err := c.CheckNow(bg, "shop"); err == nil {
		t.Error("an action with the daemon away did not fail")
	} else if msg := err.Error(); !strings.HasPrefix(msg, sock+": ") || strings.Contains(msg, "Post ") || strings.Contains(msg, "http://") {
		t.Errorf("an action with the daemon away: %q", msg)
	}

	serve(t, e, api.Options{Socket: sock})
	waitFor(t, sub, "reconnection", func() bool { return len(c.Info().Warnings) == 0 })
	chk.set("shop", monitor.Result{Status: monitor.StatusUp, Code: 204})
	if err := c.CheckNow(bg, "shop"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, sub, "result after reconnection", func() bool {
		st, _ := find(c.Snapshot(), "shop")
		return st.Last.Code == 204 && st.Status == monitor.StatusUp
	})
	st, _ := find(c.Snapshot(), "shop")
	if len(st.Recent) < 2 || st.Recent[len(st.Recent)-1].Code != 204 {
		t.Errorf("recent samples after reconnect: %+v", st.Recent)
	}
}

// A daemon warns, stops, and another starts on its socket without that
// warning: the client clears the old daemon's warning as it reconnects,
// for viewers keep warnings from events, and says no more of it in Info.
func TestRestartRetiresTheOldDaemonsWarnings(t *testing.T) {
	const gaveUp = `alert "hook" gave up on "shop down"`
	cfg := config("eu-west", testMonitor("shop", "https://shop.example/"))
	e1 := runEngine(t, cfg, newSwitch(), engine.Options{})
	sock := filepath.Join(t.TempDir(), "upbeat.sock")
	s1 := api.New(local.New(e1, local.Options{}), api.Options{Socket: sock})
	if err := s1.Start(); err != nil {
		t.Fatal(err)
	}
	c := dial(t, []string{sock}, Options{})
	sub := c.Subscribe()
	defer sub.Close()
	e1.Warn("alert:hook", gaveUp)
	waitFor(t, sub, "the daemon's warning", func() bool { return slices.Contains(c.Info().Warnings, gaveUp) })

	s1.Close()
	lost := monitor.LostConnection(sock)
	waitFor(t, sub, "lost connection warning", func() bool { return slices.Contains(c.Info().Warnings, lost) })
	e2 := runEngine(t, cfg, newSwitch(), engine.Options{})
	serve(t, e2, api.Options{Socket: sock})
	waitForEvent(t, sub, "the old warning cleared", func(ev source.Event) bool {
		return ev.Kind == monitor.EventWarning && ev.Clear && ev.Message == gaveUp
	})
	if ws := c.Info().Warnings; len(ws) != 0 {
		t.Errorf("warnings after reconnecting to a daemon with none: %q", ws)
	}
}

func TestReloadReachesViewerWithNewMonitors(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("shop", "https://shop.example/")), newSwitch(), engine.Options{})
	sock := filepath.Join(t.TempDir(), "upbeat.sock")
	serve(t, e, api.Options{Socket: sock})
	c := dial(t, []string{sock}, Options{})
	sub := c.Subscribe()
	defer sub.Close()
	before, _ := find(c.Snapshot(), "shop")
	if _, err := e.Reload(config("x", testMonitor("shop", "https://shop.example/"), testMonitor("api", "https://api.example/"))); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-sub.Ready():
		case <-deadline:
			t.Fatal("no reload event")
		}
		evs, _ := sub.Drain()
		i := slices.IndexFunc(evs, func(ev source.Event) bool { return ev.Kind == monitor.EventReload })
		if i < 0 {
			continue
		}
		if !strings.Contains(evs[i].Message, "added api") {
			t.Errorf("reload message %q", evs[i].Message)
		}
		// by the time the reload is passed on, the mirror has the new monitor
		if _, ok := find(c.Snapshot(), "api"); !ok {
			t.Error("reload passed on before the new monitor was in the mirror")
		}
		after, _ := find(c.Snapshot(), "shop")
		if after.Monitor != before.Monitor {
			t.Error("an unchanged monitor got a new *Monitor")
		}
		return
	}
}

func TestTokens(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("shop", "https://shop.example/")), newSwitch(), engine.Options{})
	s := serve(t, e, api.Options{Listen: "127.0.0.1:0", Token: "admin-tok", ReadOnlyToken: "view-tok"})
	addr := "http://" + s.TCPAddr()

	viewer := dial(t, []string{addr}, Options{Token: "view-tok"})
	if err := viewer.CheckNow(bg, "shop"); !errors.Is(err, source.ErrForbidden) {
		t.Errorf("read-only token acting: %v, want ErrForbidden", err)
	}
	anon := dial(t, []string{addr}, Options{})
	if err := anon.SetPaused(bg, "shop", true); !errors.Is(err, source.ErrUnauthorized) {
		t.Errorf("no token acting: %v, want ErrUnauthorized", err)
	}
	admin := dial(t, []string{"http://admin-tok@" + s.TCPAddr()}, Options{})
	if err := admin.SetPaused(bg, "shop", true); err != nil {
		t.Errorf("admin token in the address: %v", err)
	}
	if strings.Contains(admin.Info().Config, "admin-tok") {
		t.Errorf("token shown in info: %q", admin.Info().Config)
	}
	// the daemon's config and its address apart, for the header to name
	if got := admin.Info(); got.Config != "/etc/upbeat/upbeat.toml" || !strings.HasPrefix(got.Daemon, "http://127.0.0.1:") {
		t.Errorf("info config = %q, daemon = %q", got.Config, got.Daemon)
	}
	if err := admin.Maintain(bg, "shop", 30*time.Minute); err != nil {
		t.Errorf("maintain: %v", err)
	}
	if err := admin.Ack(bg, "shop"); !errors.Is(err, source.ErrNoIncident) {
		t.Errorf("ack of a monitor that is up: %v, want ErrNoIncident", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := Dial(ctx, []string{"http://wrong@" + s.TCPAddr()}, Options{MinBackoff: time.Millisecond}); !errors.Is(err, ErrNoDaemon) ||
		!errors.Is(err, source.ErrUnauthorized) {
		t.Errorf("wrong token: %v", err)
	}
}

func TestLocalDaemon(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "upbeat.sock")
	if LocalDaemon(sock) {
		t.Error("daemon found where there is no socket")
	}
	l, err := net.Listen("unix", sock) // a socket that is not upbeat: nothing answers HTTP
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		if c, err := l.Accept(); err == nil {
			c.Close()
		}
	}()
	if LocalDaemon(sock) {
		t.Error("a socket that does not speak the API counted as a daemon")
	}
	l.Close()
	os.Remove(sock)
	e := runEngine(t, config("x", testMonitor("shop", "https://shop.example/")), newSwitch(), engine.Options{})
	s := serve(t, e, api.Options{Socket: sock})
	if !LocalDaemon(sock) {
		t.Error("running daemon not found")
	}
	s.Close()
	if LocalDaemon(sock) {
		t.Error("stopped daemon found")
	}
}

type fakeQuerier struct{}

func (fakeQuerier) Results(m string, from, to time.Time) ([]monitor.Result, error) {
	return []monitor.Result{{Monitor: m, Time: to.Add(-time.Minute), Status: monitor.StatusDown, Code: 504,
		Latency: 10 * time.Second, Error: "gateway timeout\x1b[2J"}}, nil
}
func (fakeQuerier) Incidents(m string, from, to time.Time) ([]monitor.Incident, error) {
	return []monitor.Incident{{Monitor: m, Start: from, Codes: []int{504}}}, nil
}
func (fakeQuerier) ErrorsByHour(m string, from, to time.Time) ([24]int, error) {
	return [24]int{23: 4}, nil
}

func TestQueryOverHistoryEndpoint(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("shop", "https://shop.example/")), newSwitch(), engine.Options{Querier: fakeQuerier{}})
	sock := filepath.Join(t.TempDir(), "upbeat.sock")
	serve(t, e, api.Options{Socket: sock})
	c := dial(t, []string{sock}, Options{})
	q := c.Query()
	if q == nil {
		t.Fatal("no querier though the daemon keeps history")
	}
	now := time.Now()
	rs, err := q.Results(bg, "shop", now.Add(-time.Hour), now)
	if err != nil || len(rs) != 1 || rs[0].Code != 504 || rs[0].Latency != 10*time.Second || rs[0].Error != "gateway timeout" {
		t.Errorf("results %+v, %v", rs, err)
	}
	inc, err := q.Incidents(bg, "shop", now.Add(-time.Hour), now)
	if err != nil || len(inc) != 1 || inc[0].Codes[0] != 504 {
		t.Errorf("incidents %+v, %v", inc, err)
	}
	h, err := q.ErrorsByHour(bg, "shop", now.Add(-time.Hour), now)
	if err != nil || h[23] != 4 {
		t.Errorf("errors by hour %v, %v", h, err)
	}
	if _, err := q.Results(bg, "nope", now.Add(-time.Hour), now); !errors.Is(err, source.ErrNoMonitor) {
		t.Errorf("unknown monitor: %v", err)
	}

	e2 := runEngine(t, config("x", testMonitor("shop", "https://shop.example/")), newSwitch(), engine.Options{})
	sock2 := filepath.Join(t.TempDir(), "upbeat.sock")
	serve(t, e2, api.Options{Socket: sock2})
	if q := dial(t, []string{sock2}, Options{}).Query(); q != nil {
		t.Error("a querier for a daemon without history")
	}
}

func TestDialFailsWithNoDaemon(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Dial(ctx, []string{filepath.Join(t.TempDir(), "none.sock")}, Options{MinBackoff: time.Millisecond})
	if !errors.Is(err, ErrNoDaemon) {
		t.Errorf("err = %v, want ErrNoDaemon", err)
	}
}

func TestSSEReader(t *testing.T) {
	in := ": comment\r\nid: e-1\r\nevent: result\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n: ping\n\nevent: hello\ndata: x\n\n" +
		"data: " + strings.Repeat("y", 200<<10) + "\n\n"
	r := newSSEReader(strings.NewReader(in), nil)
	ev, err := r.Next()
	if err != nil || ev.ID != "e-1" || ev.Event != "result" || string(ev.Data) != "{\"a\":\n1}" {
		t.Errorf("first: %+v %v", ev, err)
	}
	ev, err = r.Next()
	if err != nil || ev.Event != "hello" || string(ev.Data) != "x" {
		t.Errorf("second: %+v %v", ev, err)
	}
	ev, err = r.Next()
	if err != nil || len(ev.Data) != 200<<10 {
		t.Errorf("long line: %d bytes, %v", len(ev.Data), err)
	}
	if _, err := r.Next(); err == nil {
		t.Error("no error at the end")
	}
}

// A client takes each daemon's journal from its first snapshot, as it
// passes on live events: with several daemons, a change names its
// location and a warning starts with it. A daemon older than journals
// sends none: its journal then begins with its problems in force.
func TestJournalOfSeveralDaemonsNamesLocations(t *testing.T) {
	c := &Client{subs: map[*source.Subscription]struct{}{}}
	for _, loc := range []string{"eu-west", "us-east"} {
		d, err := newDaemon("/run/"+loc+".sock", Options{})
		if err != nil {
			t.Fatal(err)
		}
		d.hello.Location = loc
		c.daemons = append(c.daemons, d)
	}
	t0 := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	down, up := monitor.StatusDown, monitor.StatusUp
	r := &wire.Result{Monitor: "shop", Time: t0, Status: down, Code: 502, Class: "http_502"}
	c.onSnapshot(c.daemons[0], &wire.Snapshot{Location: "eu-west", Log: []wire.Event{
		{Kind: "change", Time: t0, Monitor: "shop", From: &up, To: &down, Result: r},
		{Kind: "warning", Time: t0, Message: "history: disk full"},
		{Kind: "someday", Time: t0}, // a kind this version does not know
	}}, "e-1")
	shop := wire.Monitor{Monitor: "shop", URL: "https://shop.example/", Kind: monitor.KindHTTP, Status: down, Since: t0,
		Last: &wire.Result{Monitor: "shop", Time: t0.Add(time.Minute), Status: down, Class: "timeout"}}
	c.onSnapshot(c.daemons[1], &wire.Snapshot{Location: "us-east", Monitors: []wire.Monitor{shop}}, "u-1")
	// a later snapshot (after a reload, a restart) is not taken again
	c.onSnapshot(c.daemons[0], &wire.Snapshot{Location: "eu-west", Log: []wire.Event{{Kind: "warning", Time: t0, Message: "again"}}}, "e-9")

	past, sub := c.SubscribeJournal()
	sub.Close()
	var got []string
	for _, ev := range past {
		got = append(got, fmt.Sprintf("%v %s %q %q %v→%v", ev.Kind, ev.Monitor, ev.Location, ev.Message, ev.From, ev.To))
	}
	want := []string{
		`change shop "eu-west" "" up→down`,
		`warning  "" "eu-west: history: disk full" pending→pending`,
		`change shop "us-east" "" down→down`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("journal:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
