package api

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// TestPushBeatThenLate drives the push endpoint against the real engine
// in a synctest bubble: a beat turns the monitor up, silence beyond
// interval + grace turns it down, a beat brings it back.
func TestPushBeatThenLate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := testMonitor("backup", "push://n1ghtly-t0ken")
		m.Interval, m.Grace = time.Minute, 30*time.Second
		e, err := engine.New(config("x", m, testMonitor("site", "http://127.0.0.1/")),
			engine.Options{Checkers: map[monitor.Kind]engine.Checker{monitor.KindHTTP: newSwitch()}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { e.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()

		h := New(backend(e), Options{Token: "tok"}).Handler()
		call := func(method, target string) (int, string) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(method, target, nil)
			req.Header.Set("Authorization", "Bearer tok")
			h.ServeHTTP(rec, req)
			return rec.Code, rec.Body.String()
		}
		state := func() monitor.State {
			st, err := e.State("backup")
			if err != nil {
				t.Fatal(err)
			}
			return st
		}

		if code, _ := call("GET", "/push/n1ghtly-t0ken"); code != 200 {
			t.Fatalf("beat: %d", code)
		}
		if st := state(); st.Status != monitor.StatusUp {
			t.Fatalf("after a beat: %v", st.Status)
		}
		// on time: still up after its scheduled checks
		time.Sleep(50 * time.Second)
		synctest.Wait()
		if st := state(); st.Status != monitor.StatusUp {
			t.Fatalf("50s after a beat (interval 60s): %v", st.Status)
		}
		// past the interval, within the grace: degraded, not yet down
		time.Sleep(30 * time.Second)
		synctest.Wait()
		if st := state(); st.Status != monitor.StatusDegraded || st.Last.Class != "push_late" {
			t.Fatalf("80s after a beat (limit 90s): %v %q", st.Status, st.Last.Class)
		}
		// late: down with push_down once interval + grace has passed
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if st := state(); st.Status != monitor.StatusDown || st.Last.Class != "push_down" {
			t.Fatalf("3m20s after a beat: %v %q", st.Status, st.Last.Class)
		}
		code, body := call("GET", "/api/v1/monitors/backup")
		var got wire.Monitor
		json.Unmarshal([]byte(body), &got)
		if code != 200 || got.Status != monitor.StatusDown || got.URL != "push://…" {
			t.Errorf("API view: %d %v %q", code, got.Status, got.URL)
		}

		if code, _ := call("POST", "/push/n1ghtly-t0ken"); code != 200 {
			t.Fatalf("beat: %d", code)
		}
		if st := state(); st.Status != monitor.StatusUp {
			t.Errorf("after a late beat: %v", st.Status)
		}
		if code, _ := call("POST", "/push/n1ghtly-t0ken?status=down&msg=backup+failed%1b[31m"); code != 200 {
			t.Fatalf("down beat: %d", code)
		}
		if st := state(); st.Status != monitor.StatusDown || st.Last.Class != "push_failed" || st.Last.Error != "backup failed" {
			t.Errorf("after a down beat: %v %q %q", st.Status, st.Last.Class, st.Last.Error)
		}
		if code, _ := call("GET", "/push/n1ghtly-t0ken?status=maybe"); code != 400 {
			t.Errorf("bad status: %d, want 400", code)
		}

		// unknown tokens, and the host of a non-push monitor, all look the same
		c1, b1 := call("GET", "/push/nope")
		c2, b2 := call("GET", "/push/127.0.0.1")
		if c1 != 404 || c2 != 404 || b1 != b2 {
			t.Errorf("unknown tokens: %d %q / %d %q", c1, b1, c2, b2)
		}
	})
}
