package engine

import (
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestSampleRingKeepsTheNewestPacked(t *testing.T) {
	var r sampleRing
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	at := func(i int) monitor.Sample {
		return monitor.Sample{Time: t0.Add(time.Duration(i) * 10 * time.Second), Latency: time.Duration(i+1) * 1500 * time.Microsecond,
			Status: monitor.Status(i % 4), Code: 200 + i}
	}
	for i := range 100 {
		r.push(at(i), 60)
	}
	got := r.samples(false)
	if len(got) != 60 {
		t.Fatalf("%d samples kept, want 60", len(got))
	}
	for i, s := range got {
		want := at(40 + i)
		if !s.Time.Equal(want.Time) || s.Latency != want.Latency || s.Status != want.Status || s.Code != want.Code {
			t.Fatalf("sample %d = %+v, want %+v", i, s, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { r.push(at(7), 60) }); n != 0 {
		t.Errorf("a sample costs %v allocations, want none", n)
	}
	if size := len(r.buf) * 12; size > 60*12 {
		t.Errorf("60 samples take %d bytes", size)
	}
}

func TestSampleRingViewKeptUntilTheNextSample(t *testing.T) {
	var r sampleRing
	now := time.Now()
	r.push(monitor.Sample{Time: now, Code: 1}, 10)
	a := r.samples(true)
	if b := r.samples(false); &a[0] != &b[0] {
		t.Error("a kept view was unpacked again")
	}
	r.push(monitor.Sample{Time: now.Add(time.Second), Code: 2}, 10)
	if c := r.samples(false); len(c) != 2 || len(a) != 1 || a[0].Code != 1 {
		t.Errorf("after a sample: %+v; the view handed out before: %+v", c, a)
	}
}

func TestSampleRingAcrossLongSpansAndClockJumps(t *testing.T) {
	var r sampleRing
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	r.push(monitor.Sample{Time: t0, Code: 1}, 10)
	r.push(monitor.Sample{Time: t0.Add(-time.Hour), Code: 2}, 10) // the clock went back
	got := r.samples(false)
	if len(got) != 2 || !got[0].Time.Equal(t0) || !got[1].Time.Equal(t0.Add(-time.Hour)) {
		t.Fatalf("after a clock jump back: %+v", got)
	}
	r.push(monitor.Sample{Time: t0.Add(60 * 24 * time.Hour), Code: 3}, 10) // more than the 49 days a ring spans
	got = r.samples(false)
	if len(got) != 1 || got[0].Code != 3 || !got[0].Time.Equal(t0.Add(60*24*time.Hour)) {
		t.Errorf("after 60 days: %+v, want only the new sample", got)
	}
}
