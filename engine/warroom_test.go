package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// A war room checks its monitor every war_room_interval, at once from its
// start, for war_room_duration; then the monitor goes back to its own
// interval. Its start and end are published, and the state counts its
// checks and failures meanwhile.
func TestWarRoomSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var checked []time.Time
		var failing atomic.Bool
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			mu.Lock()
			checked = append(checked, time.Now())
			mu.Unlock()
			if failing.Load() {
				return monitor.Result{Status: monitor.StatusDown, Class: "http_502", Code: 502}
			}
			return monitor.Result{Status: monitor.StatusUp, Code: 200}
		})
		m := testMonitor("shop", 10*time.Minute)
		cfg := testConfig(m)
		cfg.Settings.WarRoomInterval = 5 * time.Second
		cfg.Settings.WarRoomDuration = time.Minute
		e, _ := New(cfg, Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		sub := e.Subscribe()
		defer sub.Close()
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(time.Minute) // the first check, spread within its interval, is done
		synctest.Wait()
		count := func() int { mu.Lock(); defer mu.Unlock(); return len(checked) }
		before := count()

		start := time.Now()
		failing.Store(true)
		if err := e.WarRoom("shop", 0); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if count() != before+1 {
			t.Fatalf("war room: %d checks at its start, want 1 at once", count()-before)
		}
		st, _ := e.State("shop")
		if wr := st.WarRoom; !wr.Start.Equal(start) || !wr.Until.Equal(start.Add(time.Minute)) || wr.Every != 5*time.Second {
			t.Fatalf("war room in the state: %+v", wr)
		}
		time.Sleep(30*time.Second + time.Millisecond)
		synctest.Wait()
		if n := count() - before; n != 7 { // at 0, 5, …, 30 s
			t.Fatalf("%d checks in the first 30s of a war room every 5s, want 7", n)
		}
		failing.Store(false)
		time.Sleep(30 * time.Second) // to the end
		synctest.Wait()
		if n := count() - before; n != 13 { // 35, …, 55 s, and the one due at its end (60 s), which it does not count
			t.Errorf("%d checks in and at the end of a war room of a minute every 5s, want 13", n)
		}
		st, _ = e.State("shop")
		if st.WarRoom != (monitor.WarRoom{}) {
			t.Errorf("war room still in the state after its end: %+v", st.WarRoom)
		}
		afterEnd := count()
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if n := count() - afterEnd; n > 1 {
			t.Errorf("%d checks in the 5 minutes after the war room, want its 10m interval back", n)
		}

		var msgs []string
		evs, _ := sub.Drain()
		for _, ev := range evs {
			if ev.Kind == monitor.EventWarRoom {
				msgs = append(msgs, ev.Message)
			}
		}
		want := []string{"war room on shop: checked every 5s for 1m", "war room on shop over after 1m: 12 checks, 7 failed"}
		if strings.Join(msgs, "|") != strings.Join(want, "|") {
			t.Errorf("war room events:\n%q\nwant\n%q", msgs, want)
		}
	})
}

// A war room ends early on request, and a paused monitor cannot have one.
func TestWarRoomEndsEarlyAndRefusesPaused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			n.Add(1)
			return monitor.Result{Status: monitor.StatusUp}
		})
		e, _ := New(testConfig(testMonitor("shop", time.Hour), testMonitor("blog", time.Hour)),
			Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(time.Minute)
		synctest.Wait()
		if err := e.WarRoom("shop", 10*time.Minute); err != nil {
			t.Fatal(err)
		}
		time.Sleep(12 * time.Second)
		synctest.Wait()
		if err := e.WarRoom("shop", -1); err != nil {
			t.Fatal(err)
		}
		before := n.Load()
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := n.Load() - before; got > 1 {
			t.Errorf("%d checks in the minute after the war room ended", got)
		}
		if st, _ := e.State("shop"); st.WarRoom.Active(time.Now()) {
			t.Error("war room still in force after it was ended")
		}
		if err := e.WarRoom("nope", 0); !errors.Is(err, ErrNoMonitor) {
			t.Errorf("war room on an unknown monitor: %v", err)
		}
		if err := e.SetPaused("blog", true); err != nil {
			t.Fatal(err)
		}
		if err := e.WarRoom("blog", 0); !errors.Is(err, ErrPaused) {
			t.Errorf("war room on a paused monitor: %v", err)
		}
	})
}

func TestFmtDur(t *testing.T) {
	for d, want := range map[time.Duration]string{5 * time.Second: "5s", 15 * time.Minute: "15m", 90 * time.Minute: "1h30m",
		2 * time.Hour: "2h", 61 * time.Second: "1m1s", 3*time.Hour + 30*time.Second: "3h0m30s"} {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%s) = %q, want %q", d, got, want)
		}
	}
}

// A reload that changes the monitor keeps its war room going at the war
// room's pace, and it still ends on time.
func TestWarRoomSurvivesReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			n.Add(1)
			return monitor.Result{Status: monitor.StatusUp}
		})
		m := testMonitor("shop", time.Hour)
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(time.Minute)
		synctest.Wait()
		if err := e.WarRoom("shop", 2*time.Minute); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Second)
		synctest.Wait()
		changed := testMonitor("shop", 2*time.Hour)
		if _, err := e.Reload(testConfig(changed)); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		before := n.Load()
		time.Sleep(30*time.Second + time.Millisecond)
		synctest.Wait()
		if got := n.Load() - before; got < 6 {
			t.Errorf("%d checks in the 30s after a reload, want the war room's 5s pace", got)
		}
		if st, _ := e.State("shop"); !st.WarRoom.Active(time.Now()) {
			t.Error("the reload ended the war room")
		}
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if st, _ := e.State("shop"); st.WarRoom != (monitor.WarRoom{}) {
			t.Errorf("war room still in the state after its end: %+v", st.WarRoom)
		}
	})
}

// A monitor already checked more often than war_room_interval keeps its
// own pace in a war room: a war room never slows a monitor down.
func TestWarRoomNeverSlowsAMonitor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var checks atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			checks.Add(1)
			return monitor.Result{Status: monitor.StatusDown, Class: "http_502", Code: 502}
		})
		m := testMonitor("fast", 3*time.Second)
		cfg := testConfig(m)
		cfg.Settings.WarRoomInterval = 5 * time.Second
		cfg.Settings.WarRoomDuration = time.Minute
		e, _ := New(cfg, Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if err := e.WarRoom("fast", 0); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		before := checks.Load()
		st, _ := e.State("fast")
		if st.WarRoom.Every != 3*time.Second {
			t.Errorf("war room every %v, want the monitor's own 3s", st.WarRoom.Every)
		}
		time.Sleep(30*time.Second + time.Millisecond)
		synctest.Wait()
		if n := checks.Load() - before; n != 10 { // at 3, 6, …, 30 s
			t.Errorf("%d checks in 30s of a war room on a monitor checked every 3s, want 10", n)
		}
	})
}

// A war room is not kept across a restart: as the engine stops, it ends
// every war room with an event that says so, while viewers still listen.
func TestWarRoomEndsWhenTheEngineStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := testMonitor("shop", time.Minute)
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: upChecker()}})
		sub := e.Subscribe()
		defer sub.Close()
		stop := runEngine(t, e)
		synctest.Wait()
		if err := e.WarRoom("shop", 0); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		stop()
		evs, _ := sub.Drain()
		var ended bool
		for _, ev := range evs {
			if ev.Kind == monitor.EventWarRoom && ev.Clear && strings.Contains(ev.Message, "upbeat stopped") {
				ended = true
			}
		}
		if !ended {
			t.Errorf("no war-room end when the engine stopped: %+v", evs)
		}
		if st, _ := e.State("shop"); !st.WarRoom.Until.IsZero() {
			t.Errorf("war room still in the state: %+v", st.WarRoom)
		}
	})
}
