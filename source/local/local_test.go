package local

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// history with one incident an hour ago, then three short ones during a
// flapping stretch, the last still open.
type flappingHistory struct{ start time.Time }

func (flappingHistory) Results(string, time.Time, time.Time) ([]monitor.Result, error) {
	return nil, nil
}
func (h flappingHistory) Incidents(m string, _, _ time.Time) ([]monitor.Incident, error) {
	s := h.start
	return []monitor.Incident{
		{Monitor: m, Start: s.Add(-time.Hour), End: s.Add(-55 * time.Minute)},
		{Monitor: m, Start: s, End: s.Add(time.Minute)},
		{Monitor: m, Start: s.Add(2 * time.Minute), End: s.Add(3 * time.Minute)},
		{Monitor: m, Start: s.Add(4 * time.Minute)},
	}, nil
}
func (flappingHistory) ErrorsByHour(string, time.Time, time.Time) ([24]int, error) {
	return [24]int{}, nil
}

type upChecker struct{}

func (upChecker) Check(context.Context, *monitor.Monitor) monitor.Result {
	return monitor.Result{Status: monitor.StatusUp}
}

func newEngine(t *testing.T, q engine.Querier) *engine.Engine {
	u := "https://shop.example/"
	m := &monitor.Monitor{Name: "shop", URL: u, Kind: monitor.KindHTTP, Interval: time.Hour, Timeout: time.Second}
	e, err := engine.New(&engine.Config{Path: "upbeat.toml", Settings: engine.Settings{Location: "here", Concurrency: 1},
		Monitors: []*monitor.Monitor{m}}, engine.Options{Checkers: map[monitor.Kind]engine.Checker{monitor.KindHTTP: upChecker{}}, Querier: q})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// One flapping incident spans several stretches of downtime in history:
// each of them since it began carries its flags, the ones before do not.
func TestOpenIncidentFlagsEveryStretchItSpans(t *testing.T) {
	start := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	live := &Incidents{}
	src := New(newEngine(t, flappingHistory{start}), Options{Incidents: live})
	live.Update(monitor.Incident{Monitor: "shop", Start: start, Flapping: true, Acked: true})
	live.Update(monitor.Incident{Monitor: "other", Start: start})
	ins, err := src.Query().Incidents(context.Background(), "shop", start.Add(-2*time.Hour), start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range ins {
		if want := i > 0; in.Flapping != want || in.Acked != want {
			t.Errorf("incident %d (%s): flapping %v acked %v, want %v", i, in.Start.Format("15:04"), in.Flapping, in.Acked, want)
		}
	}
	if info := src.Info(); info.Config != "upbeat.toml" || info.Location != "here" {
		t.Errorf("info %+v", info)
	}
}

// Everything that may block takes a context and gives up when it is done.
func TestDoneContextStopsActionsAndQueries(t *testing.T) {
	src := New(newEngine(t, flappingHistory{}), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	q := src.Query()
	_, e1 := q.Results(ctx, "shop", time.Time{}, time.Now())
	_, e2 := q.Incidents(ctx, "shop", time.Time{}, time.Now())
	_, e3 := q.ErrorsByHour(ctx, "shop", time.Time{}, time.Now())
	for i, err := range []error{src.CheckNow(ctx, "shop"), src.SetPaused(ctx, "shop", true), src.Ack(ctx, "shop"),
		src.Maintain(ctx, "shop", time.Minute), e1, e2, e3} {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("call %d with a done context: %v", i, err)
		}
	}
	if err := src.Ack(context.Background(), "shop"); !errors.Is(err, source.ErrNoIncident) {
		t.Errorf("ack of a pending monitor: %v, want ErrNoIncident", err)
	}
	if New(newEngine(t, nil), Options{}).Query() != nil {
		t.Error("a querier without history")
	}
}
