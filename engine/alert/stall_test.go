package alert

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// A 10-minute stall of upbeat itself, through the real engine, the real
// dispatcher and a real history on disk, on fake time: the checks caught
// in it time out as they would after the process was stopped, yet no
// incident opens, no message goes out, the history holds no incident and
// every monitor's uptime, in memory and in history, stays 100%.
func TestTenMinuteStallOpensNothingAndCostsNoUptime(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		var skew atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
		var calls atomic.Int32
		chk := checkerFunc(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			start := now()
			if m.Name == "api" && calls.Add(1) == 4 {
				time.Sleep(500 * time.Millisecond)
				skew.Add(int64(10 * time.Minute)) // the host froze here for ten minutes
			}
			select {
			case <-time.After(2 * time.Second):
			case <-ctx.Done():
			}
			if now().Sub(start) > m.Timeout {
				return monitor.Result{Status: monitor.StatusDown, Class: "timeout", Error: "no answer within the timeout"}
			}
			return monitor.Result{Status: monitor.StatusUp, Code: 200}
		})
		var ms []*monitor.Monitor
		for _, n := range []string{"api", "shop", "db", "cdn"} {
			u, _ := url.Parse("https://" + n + ".example.test/")
			ms = append(ms, &monitor.Monitor{Name: n, URL: u.String(), Parsed: u, Kind: monitor.KindHTTP,
				Interval: 10 * time.Second, Timeout: 5 * time.Second}) // no retries: what times out in the stall is final
		}
		db, err := history.Open(dir, history.Options{SyncInterval: -1, Now: now, OpenFile: history.OpenFileNoSync})
		if err != nil {
			t.Fatal(err)
		}
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}, Monitors: ms})
		cfg := &engine.Config{Settings: engine.Settings{Concurrency: 8}, Monitors: ms}
		e, err := engine.New(cfg, engine.Options{Checkers: map[monitor.Kind]engine.Checker{monitor.KindHTTP: chk},
			Notifier: d, Recorder: db, Restorer: db, Now: now, Asleep: func() time.Duration { return 0 }})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- e.Run(ctx) }()
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		d.Close()

		if got := ch.events(); len(got) != 0 {
			t.Errorf("messages sent for a stall of upbeat's own: %v", got)
		}
		if open := d.Incidents(); len(open) != 0 {
			t.Errorf("incidents open: %+v", open)
		}
		end := now()
		stalled := 0
		for _, m := range ms {
			rs, err := db.Results(m.Name, end.Add(-time.Hour), end)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				switch {
				case r.Class == monitor.ClassStalled:
					stalled++
				case r.Status == monitor.StatusDown:
					t.Errorf("%s: a down result in history: %+v", m.Name, r)
				}
			}
			if incs, _ := db.Incidents(m.Name, end.Add(-time.Hour), end); len(incs) != 0 {
				t.Errorf("%s: incidents in history: %+v", m.Name, incs)
			}
			if u := db.Uptime(m.Name, 24*time.Hour, end); !u.Valid || u.Ratio != 1 {
				t.Errorf("%s: uptime in history %+v", m.Name, u)
			}
			if st, _ := e.State(m.Name); st.Status != monitor.StatusUp || st.Uptime24.Ratio != 1 {
				t.Errorf("%s: %s, uptime %+v", m.Name, st.Status, st.Uptime24)
			}
		}
		if stalled == 0 {
			t.Error("no result was put down to the stall: the test froze nothing")
		}
		if w := strings.Join(e.Warnings(), "\n"); !strings.Contains(w, "upbeat itself was stalled for 10m") {
			t.Errorf("warnings %q", w)
		}
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
}
