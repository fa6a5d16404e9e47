package store

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/internal/testmain"
	"github.com/upbeat-monitor/upbeat/monitor"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	testmain.SkipRaceExitSleep()
	goleak.VerifyTestMain(m, goleak.Cleanup(testmain.Exit))
}

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

func openStore(t *testing.T, dir string, c *clock, mod func(*history.Options)) *history.DB {
	t.Helper()
	o := history.Options{Now: c.Now, SyncInterval: -1, OpenFile: history.OpenFileNoSync} // no fsync: nothing here outlives the test
	if mod != nil {
		mod(&o)
	}
	s, err := history.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func result(mon string, at time.Time, st monitor.Status, code int) monitor.Result {
	r := monitor.Result{Monitor: mon, Kind: monitor.KindHTTP, URL: "https://" + mon + ".example/", Time: at,
		Status: st, Code: code, Latency: 42 * time.Millisecond, Attempts: 1}
	if st == monitor.StatusDown {
		r.Class, r.Error = fmt.Sprintf("http_%d", code), "server said no"
	}
	return r
}

func fullResult(at time.Time) monitor.Result {
	return monitor.Result{
		Monitor: "shop", Kind: monitor.KindHTTP, URL: "https://shop.example/health", Time: at,
		Status: monitor.StatusDegraded, Code: 503, Latency: 1234 * time.Millisecond,
		Phases: monitor.Phases{DNS: time.Millisecond, Connect: 2 * time.Millisecond, TLS: 3 * time.Millisecond,
			FirstByte: 4 * time.Millisecond, Transfer: 5 * time.Millisecond},
		Class: "http_503", Error: "maintenance", Attempts: 2, RetryAfter: 30 * time.Second,
		FinalURL: "https://shop.example/health/", BodySize: 1234, CertExpiry: at.Add(20 * 24 * time.Hour),
		CertIssuer: "Test CA", CertDays: 20, Registrar: "Registrar Inc", Answers: []string{"a", "b"}, Loss: 0.5,
	}
}
