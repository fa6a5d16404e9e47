package engine

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// downSince is a history in which db has been refusing connections
// since three hours before the engine starts, and web has no past.
type downSince struct {
	emptyRestorer
	since time.Time
}

func (h downSince) Restore(name string, n int) ([]monitor.Result, time.Time, bool) {
	if name != "db" {
		return nil, time.Time{}, false
	}
	return []monitor.Result{{Monitor: name, Time: h.since.Add(time.Hour), Status: monitor.StatusDown, Class: "refused"}}, h.since, true
}

// The engine's journal begins with the problems it restored, then holds
// what a viewer's log tells of; a viewer that subscribes with it gets
// every later event live and none of them twice.
func TestJournalBeginsWithProblemsRestored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var down atomic.Bool
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			if m.Name == "web" && down.Load() {
				return monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502"}
			}
			return monitor.Result{Status: monitor.StatusUp, Code: 200}
		})
		db, web := testMonitor("db", time.Hour), testMonitor("web", 10*time.Second)
		web.Retries = 0
		since := time.Now().Add(-3 * time.Hour)
		e, err := New(testConfig(db, web), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Restorer: downSince{since: since}})
		if err != nil {
			t.Fatal(err)
		}
		past, sub := e.SubscribeJournal()
		defer sub.Close()
		if len(past) != 1 {
			t.Fatalf("journal at start: %+v, want db restored down", past)
		}
		if ev := past[0]; ev.Kind != monitor.EventChange || ev.Monitor != "db" || ev.From != monitor.StatusDown || ev.To != monitor.StatusDown ||
			!ev.Time.Equal(since) || ev.Result == nil || ev.Result.Class != "refused" {
			t.Errorf("db restored down since %v: %+v", since, ev)
		}
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(time.Minute) // both checked: up
		down.Store(true)
		time.Sleep(35 * time.Second) // web down, and failing again
		synctest.Wait()
		later, sub2 := e.SubscribeJournal()
		defer sub2.Close()
		time.Sleep(10 * time.Second) // one more failure
		synctest.Wait()

		// db recovers at its first check, web's first good check is no
		// news, then web goes down and fails again, on one record
		type rec struct {
			kind    monitor.EventKind
			name    string
			to      monitor.Status
			repeats int
		}
		want := []rec{{monitor.EventChange, "db", monitor.StatusDown, 0}, {monitor.EventResult, "db", monitor.StatusUp, 0},
			{monitor.EventChange, "db", monitor.StatusUp, 0}, {monitor.EventResult, "web", monitor.StatusDown, 0},
			{monitor.EventChange, "web", monitor.StatusDown, 0}, {monitor.EventResult, "web", monitor.StatusDown, 3}}
		if len(later) != len(want) {
			t.Fatalf("journal: %+v", later)
		}
		for i, w := range want {
			if g := later[i]; g.Kind != w.kind || g.Monitor != w.name || g.To != w.to || g.Repeats != w.repeats {
				t.Errorf("record %d: %v of %s to %v ×%d, want %+v", i, g.Kind, g.Monitor, g.To, g.Repeats, w)
			}
		}
		evs, _ := sub2.Drain()
		if len(evs) != 1 || !evs[0].Result.Time.After(later[5].Result.Time) {
			t.Errorf("after the journal, live: %+v", evs)
		}
	})
}
