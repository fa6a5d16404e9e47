package tui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// pushMonitor is a nightly job's heartbeat: due every 10 minutes, down
// 5 minutes after that.
func pushMonitor() *monitor.Monitor {
	m := tuitest.Monitor("backup-job", "push://t0ken")
	m.Interval, m.Grace, m.Timeout = 10*time.Minute, 5*time.Minute, 2*time.Second
	return m
}

// A push monitor shows what it has: beats and how late they are, never a
// latency, a latency chart or a timeout; no uptime before its first beat;
// and a strip that shows it down while it is down.
func TestPushMonitorShowsBeats(t *testing.T) {
	t.Parallel()
	m := pushMonitor()
	pending := func(i int, s *monitor.Sample) { s.Latency = 0 }
	waiting := tuitest.State(m, monitor.StatusPending, fixedNow.Add(-3*time.Minute),
		tuitest.Samples("backup-job", fixedNow, 4, time.Minute, 0, 0, monitor.StatusPending, 0, pending),
		monitor.Result{Status: monitor.StatusPending, Error: "waiting for the first beat"})
	missing := tuitest.State(m, monitor.StatusDown, fixedNow.Add(-3*time.Minute),
		tuitest.Samples("backup-job", fixedNow, 12, time.Minute, 0, 0, monitor.StatusUp, 0, func(i int, s *monitor.Sample) {
			if i >= 8 {
				s.Status = monitor.StatusDown
			}
		}),
		monitor.Result{Status: monitor.StatusDown, Class: "push_down", Error: "last beat 16m ago, expected every 10m"})
	missing.Uptime24 = monitor.Uptime{Ratio: 0.98, Valid: true}

	for _, c := range []struct {
		name  string
		st    monitor.State
		spark string
	}{
		{"before the first beat", waiting, "····"},
		{"beats missing", missing, "▁✕✕✕✕"},
	} {
		v := newTable(t, []monitor.State{c.st}, 100, 3).View()
		row := lineOf(t, v, "backup-job")
		if !strings.Contains(row, c.spark) {
			t.Errorf("%s: row %q lacks the strip %q", c.name, row, c.spark)
		}
		if strings.Contains(row, "ms") || strings.Contains(row, "0s ") {
			t.Errorf("%s: row %q shows a latency", c.name, row)
		}
		if c.st.Status == monitor.StatusPending && strings.Contains(row, "100%") {
			t.Errorf("%s: row %q shows an uptime before the first beat", c.name, row)
		}
	}

	// the detail view: beats over 24h from the history, the longest wait
	var rs []monitor.Result
	for at := fixedNow.Add(-24 * time.Hour); at.Before(fixedNow.Add(-16 * time.Minute)); at = at.Add(10 * time.Minute) {
		if at.After(fixedNow.Add(-12*time.Hour)) && at.Before(fixedNow.Add(-11*time.Hour)) {
			continue // the job did not run for an hour
		}
		rs = append(rs, monitor.Result{Monitor: "backup-job", Kind: monitor.KindPush, Time: at, Status: monitor.StatusUp,
			Answers: []string{monitor.BeatAnswer}})
	}
	hist := &tuitest.History{ResultsOf: map[string][]monitor.Result{"backup-job": rs}}
	v := newDetail(t, missing, nil, hist, 100, 300).View()
	for _, want := range []string{"Beats, last 24h", "grace 5m", "│", "expected every 10m, down after 15m",
		"longest wait 1h00m", "last beat 13:43:00 (20m ago)", "backup-job"} {
		if !strings.Contains(v, want) {
			t.Errorf("push detail lacks %q:\n%s", want, v)
		}
	}
	for _, bad := range []string{"Latency", "timeout 2s", "Phases", "p50"} {
		if strings.Contains(v, bad) {
			t.Errorf("push detail shows %q:\n%s", bad, v)
		}
	}
}
