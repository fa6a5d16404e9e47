package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// When a monitor with depends_on goes down, the monitors it depends on
// are checked at once, not an interval later, so that the alert policy
// learns whether the failure is theirs; when one of those comes back, the
// monitors behind it that are down are checked at once too.
func TestDependenciesAreCheckedAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var routerDown, appDown atomic.Bool
		var mu sync.Mutex
		checked := map[string][]time.Time{}
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			mu.Lock()
			checked[m.Name] = append(checked[m.Name], time.Now())
			mu.Unlock()
			if (m.Name == "router" && routerDown.Load()) || (m.Name == "app" && appDown.Load()) {
				return monitor.Result{Status: monitor.StatusDown, Class: "refused"}
			}
			return monitor.Result{Status: monitor.StatusUp}
		})
		router, app := testMonitor("router", 10*time.Minute), testMonitor("app", time.Minute)
		app.DependsOn = []string{"router"}
		e, _ := New(testConfig(router, app), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(time.Minute) // both checked once
		synctest.Wait()
		count := func(name string) int { mu.Lock(); defer mu.Unlock(); return len(checked[name]) }
		if count("router") != 1 {
			t.Fatalf("router checked %d times in its first minute", count("router"))
		}
		routerDown.Store(true)
		appDown.Store(true)
		time.Sleep(time.Minute) // app's next check fails: router is checked at once
		synctest.Wait()
		if count("router") != 2 {
			t.Fatalf("router checked %d times; the app's failure should have had it checked at once", count("router"))
		}
		if st, _ := e.State("router"); st.Status != monitor.StatusDown {
			t.Fatalf("router is %s", st.Status)
		}
		appChecks := count("app")
		routerDown.Store(false)
		appDown.Store(false)
		if err := e.CheckNow("router"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if count("app") != appChecks+1 {
			t.Errorf("app checked %d more times once the router was back, want 1 at once", count("app")-appChecks)
		}
		if st, _ := e.State("app"); st.Status != monitor.StatusUp {
			t.Errorf("app is %s once rechecked", st.Status)
		}
	})
}

// A check asked for while the monitor's check is running is not lost: it
// runs once that one ends (a scheduled one would be skipped instead).
func TestCheckNowWhileACheckRunsIsNotLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var n atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			if n.Add(1) == 1 {
				<-release
			}
			return monitor.Result{Status: monitor.StatusUp}
		})
		e, _ := New(testConfig(testMonitor("slow", time.Hour)), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		defer stop()
		if err := e.CheckNow("slow"); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // the first check is running, held
		if err := e.CheckNow("slow"); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		close(release)
		synctest.Wait()
		if got := n.Load(); got != 2 {
			t.Errorf("%d checks, want 2: the one asked for while the first ran was lost", got)
		}
		if s := e.Stats(); s.Skipped != 0 {
			t.Errorf("%d skipped", s.Skipped)
		}
	})
}
