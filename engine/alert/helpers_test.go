package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/internal/testmain"
	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestMain(m *testing.M) {
	testmain.SkipRaceExitSleep()
	goleak.VerifyTestMain(m, goleak.Cleanup(testmain.Exit))
}

// fakeChannel records what it is sent. It can fail its first attempts or
// hang until its context ends.
type fakeChannel struct {
	name      string
	failFirst int  // the first failFirst calls fail
	hang      bool // every call blocks until ctx is done

	mu    sync.Mutex
	calls int
	got   []Message
}

func (f *fakeChannel) Name() string { return f.name }

func (f *fakeChannel) Send(ctx context.Context, m Message) error {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if f.hang {
		<-ctx.Done()
		return fmt.Errorf("fake: %w", ctx.Err())
	}
	if n <= f.failFirst {
		return errors.New("fake: receiver unavailable")
	}
	f.mu.Lock()
	f.got = append(f.got, m)
	f.mu.Unlock()
	return nil
}

// messages returns what was delivered so far.
func (f *fakeChannel) messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.got...)
}

// events returns the events of the messages delivered so far.
func (f *fakeChannel) events() []string {
	var out []string
	for _, m := range f.messages() {
		out = append(out, m.Event)
	}
	return out
}

// fakeEngine plays the engine's part: it keeps each monitor's status,
// calls Observe for every result and Notify for every change, and maps a
// failure inside a maintenance window to the maintenance status, as the
// engine does.
// flap takes m down and up again, a change a minute, for changes changes
// (down first): an odd number leaves it down.
func (e *fakeEngine) flap(m *monitor.Monitor, changes int) {
	for i := range changes {
		time.Sleep(time.Minute)
		if i%2 == 0 {
			e.down(m)
		} else {
			e.up(m)
		}
	}
}

type fakeEngine struct {
	d      observer
	maint  engine.Maintenance // applied like the engine; nil: the engine knows no windows
	status map[string]monitor.Status
	acked  map[string]bool
}

// observer is what the engine calls: a Dispatcher or a Switch.
type observer interface {
	engine.Notifier
	Observe(r *monitor.Result)
}

func newFakeEngine(d observer) *fakeEngine {
	return &fakeEngine{d: d, status: map[string]monitor.Status{}, acked: map[string]bool{}}
}

// check reports one result of m at the current (fake) time, with the
// fields a real check fills in: its kind, latency and attempts.
func (e *fakeEngine) check(m *monitor.Monitor, s monitor.Status, code int, class string) {
	now := time.Now()
	r := &monitor.Result{Monitor: m.Name, Kind: m.Kind, URL: m.URL, Time: now, Status: s, Code: code, Class: class,
		Latency: 42 * time.Millisecond, Attempts: 1}
	if s == monitor.StatusDown {
		r.Error = "the check failed"
	}
	to := s
	inMaint := ""
	if e.maint != nil {
		if name, ok := e.maint.Active(m, now); ok {
			inMaint = name
			if to != monitor.StatusUp {
				to = monitor.StatusMaintenance
			}
		}
	}
	from := e.status[m.Name]
	e.d.Observe(r)
	if to != from {
		e.status[m.Name] = to
		if to == monitor.StatusUp {
			e.acked[m.Name] = false
		}
		e.d.Notify(monitor.Event{Kind: monitor.EventChange, Time: now, Monitor: m.Name, Result: r, From: from, To: to},
			&monitor.State{Monitor: m, Status: to, Since: now, InMaint: inMaint, Acked: e.acked[m.Name]})
	}
}

func (e *fakeEngine) down(m *monitor.Monitor) { e.check(m, monitor.StatusDown, 502, "http_502") }
func (e *fakeEngine) up(m *monitor.Monitor)   { e.check(m, monitor.StatusUp, 200, "") }

// alertCfg returns a default alert of a fake kind.
func alertCfg(name string, renotify time.Duration, on ...string) *Config {
	if len(on) == 0 {
		on = []string{"down", "up", "degraded"}
	}
	return &Config{Name: name, Kind: "fake", Default: true, On: on, Renotify: renotify}
}

// recorder collects delivery events.
type recorder struct {
	mu  sync.Mutex
	evs []monitor.Event
}

func (r *recorder) add(ev monitor.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
}

func (r *recorder) all() []monitor.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]monitor.Event(nil), r.evs...)
}

// settle lets the burst window pass and the workers deliver.
func settle() {
	time.Sleep(DefaultBurstWindow + time.Second)
	synctest.Wait()
}

// monitor returns a monitor config.
func testMonitor(name string, tags ...string) *monitor.Monitor {
	return &monitor.Monitor{Name: name, URL: "https://" + name + ".example.test/health", Kind: monitor.KindHTTP, Tags: tags}
}

// wantEvents compares the events a channel got.
func wantEvents(t *testing.T, f *fakeChannel, want ...string) {
	t.Helper()
	got := f.events()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%s got events %v, want %v", f.name, got, want)
	}
}

// newTextLogger returns a logger writing text to w.
func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// eventsText renders delivery events as JSON, as the engine would publish them.
func eventsText(evs []monitor.Event) string {
	b, _ := json.Marshal(evs)
	return string(b)
}

// pager is a webhook receiver that is down (it answers 503) until told
// otherwise, and keeps every request, in order, with whether it took it.
type pager struct {
	mu   sync.Mutex
	down bool
	got  []WebhookPayload
	ok   []bool
}

func (p *pager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var pl WebhookPayload
	if err := json.NewDecoder(r.Body).Decode(&pl); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	down := p.down
	p.got, p.ok = append(p.got, pl), append(p.ok, !down)
	p.mu.Unlock()
	if down {
		http.Error(w, "receiver down", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *pager) setDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
}

// delivered returns the payloads the receiver took, in order.
func (p *pager) delivered() []WebhookPayload {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []WebhookPayload
	for i, pl := range p.got {
		if p.ok[i] {
			out = append(out, pl)
		}
	}
	return out
}

// requests returns how many requests the receiver was sent.
func (p *pager) requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.got)
}

// titles returns "event title" of each payload.
func titles(pls []WebhookPayload) []string {
	var out []string
	for _, pl := range pls {
		out = append(out, pl.Event+" "+pl.Title)
	}
	return out
}

// pagerDispatcher is a Dispatcher with one default webhook alert,
// "oncall", to recv, taking the events on (all when empty), resolving
// at once; it reports deliveries to rec.
func pagerDispatcher(recv *pager, rec *recorder, on []string, mons ...*monitor.Monitor) *Dispatcher {
	return pagerDispatcherWith(recv, rec, mons, func(o *Options) { o.Alerts[0].On = on })
}

// pagerDispatcherWith is pagerDispatcher to any receiver, with the
// options tune changes.
func pagerDispatcherWith(recv http.Handler, rec *recorder, mons []*monitor.Monitor, tune func(*Options)) *Dispatcher {
	o := Options{
		Alerts:         []*Config{{Name: "oncall", Kind: KindWebhook, URL: "http://127.0.0.1:9/hook", Default: true}},
		ChannelOptions: ChannelOptions{HTTPClient: &http.Client{Transport: handlerTransport{recv}}},
		Monitors:       mons, OnDelivery: rec.add, ResolveHold: -1,
	}
	tune(&o)
	return New(o)
}
