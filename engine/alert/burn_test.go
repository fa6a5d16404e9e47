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
	"github.com/upbeat-monitor/upbeat/monitor"
)

// checkerFunc adapts a function to engine.Checker.
type checkerFunc func(ctx context.Context, m *monitor.Monitor) monitor.Result

func (f checkerFunc) Check(ctx context.Context, m *monitor.Monitor) monitor.Result { return f(ctx, m) }

// sloMonitor is checked every 5 minutes against 99% over 30 days: 8,640
// checks, 86 of which may fail.
func sloMonitor(name string) *monitor.Monitor {
	u, _ := url.Parse("https://" + name + ".example.test/health")
	return &monitor.Monitor{Name: name, URL: u.String(), Parsed: u, Kind: monitor.KindHTTP, Interval: 5 * time.Minute,
		Timeout: 10 * time.Second, SLO: 0.99, SLOWindow: 30 * 24 * time.Hour}
}

// A month on fake time, through the real engine and dispatcher: three
// monitors with the same objective. "fast" spends its whole budget in one
// morning: 90 failed checks in a row; the burn-rate alert pages within
// minutes and says so once, then once more when the burning stops.
// "spread" fails as often over the month, one check in 96, evenly: it
// never comes near 14.4× over an hour nor 6× over six, and nothing is
// sent. "steady" fails once an hour for eight hours: 8× over 6 hours and
// over 30 minutes, under 14.4× over the hour: it warns and does not page.
// The burn messages go only to the alert that asks for "burn".
func TestBurnRateAlertsFireForAFastBurnOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		day := 24 * time.Hour
		var checks atomic.Int64
		fail := func(m *monitor.Monitor, at time.Duration, n int64) bool {
			switch m.Name {
			case "fast":
				return at >= 10*day && at < 10*day+90*5*time.Minute
			case "spread":
				return n%96 == 48
			case "steady":
				return at >= 20*day && at < 20*day+8*time.Hour && at%time.Hour < 5*time.Minute
			}
			return false
		}
		counts := map[string]*atomic.Int64{"fast": {}, "spread": {}, "steady": {}}
		chk := checkerFunc(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			checks.Add(1)
			n := counts[m.Name].Add(1)
			if fail(m, time.Since(start), n) {
				return monitor.Result{Status: monitor.StatusDown, Class: "http_503", Code: 503, Error: "HTTP 503"}
			}
			return monitor.Result{Status: monitor.StatusUp, Code: 200}
		})
		burnCh, pager := &fakeChannel{name: "slo"}, &fakeChannel{name: "oncall"}
		alerts := []*Config{alertCfg("slo", 0, "burn"), alertCfg("oncall", 0)}
		ms := []*monitor.Monitor{sloMonitor("fast"), sloMonitor("spread"), sloMonitor("steady")}
		d := New(Options{Alerts: alerts, Channels: map[string]Channel{"slo": burnCh, "oncall": pager}, Monitors: ms})
		cfg := &engine.Config{Settings: engine.Settings{Concurrency: 8, StallThreshold: time.Hour}, Monitors: ms}
		e, err := engine.New(cfg, engine.Options{Checkers: map[monitor.Kind]engine.Checker{monitor.KindHTTP: chk}, Notifier: d})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- e.Run(ctx) }()
		time.Sleep(30 * day)
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		d.Close()

		if n := counts["spread"].Load(); n < 8600 {
			t.Fatalf("spread was checked %d times in 30 days", n)
		}
		st, _ := e.State("spread")
		if st.SLO.Failures < 86 || st.SLO.BudgetLeft() > 0.05 {
			t.Fatalf("spread failed %d times, budget left %.2f: the same errors as fast, spread out", st.SLO.Failures, st.SLO.BudgetLeft())
		}
		var got []string
		for _, m := range burnCh.messages() {
			for _, it := range m.Items {
				sev := ""
				if it.Burn != nil {
					sev = it.Burn.Severity
				}
				got = append(got, it.Monitor+" "+it.Event+" "+sev)
			}
		}
		want := []string{"fast burn page", "fast burn_over ", "steady burn warn", "steady burn_over "}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("burn messages %q, want %q", got, want)
		}
		if msgs := burnCh.messages(); len(msgs) > 0 {
			first := msgs[0]
			if !first.Urgent || !strings.HasPrefix(first.Title, "fast is burning its error budget fast:") ||
				!strings.Contains(first.Title, "(SLO 99%)") {
				t.Errorf("first burn message %q (urgent %v)", first.Title, first.Urgent)
			}
			if at := first.Time.Sub(start); at < 10*day || at > 10*day+20*time.Minute {
				t.Errorf("the fast burn paged %s after the burning began", at-10*day)
			}
		}
		for _, m := range pager.messages() {
			for _, it := range m.Items {
				if it.Event == EventBurn || it.Event == EventBurnOver {
					t.Errorf("a burn message went to an alert that did not ask for it: %q", m.Title)
				}
			}
		}
	})
}
