package statuspage

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// bigInputs are n monitors in 10 groups, each with 90 days of counts in
// which about one day in twelve had failures, some of them incidents.
func bigInputs(n int) (*Config, *Inputs) {
	rng := rand.New(rand.NewPCG(1, 2))
	c := &Config{Path: "/status", Title: "Big status", Public: true}
	in := &Inputs{Now: now, Days: map[string]*Days{}, Live: true}
	for g := range 10 {
		c.Groups = append(c.Groups, Group{Name: fmt.Sprintf("Group %d", g), Tags: []string{fmt.Sprintf("g%d", g)}})
	}
	for i := range n {
		name := fmt.Sprintf("service-%03d", i)
		m := &monitor.Monitor{Name: name, URL: "https://" + name + ".example.com/health", Tags: []string{fmt.Sprintf("g%d", i%10)}}
		st := monitor.StatusUp
		if rng.IntN(50) == 0 {
			st = monitor.StatusDown
		}
		in.States = append(in.States, monitor.State{Monitor: m, Status: st, Since: now.Add(-time.Duration(rng.IntN(10000)) * time.Minute),
			Last:     monitor.Result{Time: now, Status: st, Latency: time.Duration(20+rng.IntN(400)) * time.Millisecond},
			Uptime24: monitor.Uptime{Ratio: 1, Valid: true}, Uptime7d: monitor.Uptime{Ratio: 0.9995, Valid: true}})
		counts := make([]history.DayCount, NumDays)
		var incs []monitor.Incident
		for d := range counts {
			counts[d].Counted = 1440
			if rng.IntN(12) == 0 {
				counts[d].Down = uint64(1 + rng.IntN(120))
				start := now.Truncate(24*time.Hour).AddDate(0, 0, d-NumDays+1).Add(time.Duration(rng.IntN(1400)) * time.Minute)
				incs = append(incs, monitor.Incident{Monitor: name, Start: start, End: start.Add(time.Duration(counts[d].Down) * time.Minute)})
			}
		}
		in.Days[name] = NewDays(counts, incs, now)
	}
	return c, in
}

func bigPage(n int) *Page {
	c, in := bigInputs(n)
	return Build(c, in)
}

// BenchmarkRender500 is what the daemon does for a request of a page of
// 500 monitors with 90 days each: build the page from the monitors'
// states and their bars (read from the history beforehand, in the
// background), and render it; with gzip as a browser asks.
func BenchmarkRender500(b *testing.B) {
	c, in := bigInputs(500)
	var buf bytes.Buffer
	b.Run("html", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			if err := Build(c, in).WriteHTML(&buf); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(buf.Len())/1024, "KB")
	})
	b.Run("html+gzip", func(b *testing.B) {
		var out bytes.Buffer
		for b.Loop() {
			buf.Reset()
			out.Reset()
			Build(c, in).WriteHTML(&buf)
			zw, _ := gzip.NewWriterLevel(&out, gzip.DefaultCompression)
			zw.Write(buf.Bytes())
			zw.Close()
		}
		b.ReportMetric(float64(out.Len())/1024, "KB")
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			buf.Reset()
			Build(c, in).WriteJSON(&buf)
		}
		b.ReportMetric(float64(buf.Len())/1024, "KB")
	})
	b.Run("text", func(b *testing.B) {
		for b.Loop() {
			buf.Reset()
			Build(c, in).WriteText(&buf, false)
		}
	})
}

// BenchmarkLoadDays500 reads the bars of 500 monitors from a real
// history of 90 days (24 results a day each): what the daemon does in
// the background every minute, and an export once.
func BenchmarkLoadDays500(b *testing.B) {
	dir := b.TempDir()
	end := time.Now().Truncate(time.Hour)
	clock := end.AddDate(0, 0, -NumDays)
	db, err := history.Open(dir, history.Options{SyncInterval: -1, Now: func() time.Time { return clock }})
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, 500)
	for i := range names {
		names[i] = fmt.Sprintf("service-%03d", i)
	}
	for day := 0; day < NumDays; day++ {
		clock = end.AddDate(0, 0, day-NumDays+1)
		batch := make([]monitor.Result, 0, 24*len(names))
		for i, n := range names {
			for k := range 24 {
				st := monitor.StatusUp
				if (day+i)%29 == 0 && k < 3 {
					st = monitor.StatusDown
				}
				batch = append(batch, monitor.Result{Monitor: n, Kind: monitor.KindHTTP, Time: clock.Add(time.Duration(k) * time.Second),
					Status: st, Code: 200, Latency: 50 * time.Millisecond})
			}
		}
		if err := db.AppendBatch(batch); err != nil {
			b.Fatal(err)
		}
	}
	db.Close()
	ro, err := history.Open(dir, history.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer ro.Close()
	b.ResetTimer()
	for b.Loop() {
		days, err := LoadDays(ro, names, end)
		if err != nil || len(days) != len(names) {
			b.Fatal(err)
		}
	}
}
