package history

// Benchmarks. The documented command (figures are in FORMAT.md):
//
//	go test ./history -run '^$' -bench . -benchtime=2s
//
// BenchmarkOpen30Days generates 30 days of 1,000 monitors checked every
// 60 s (43.2 million results, 1.1 GB) once per run, which takes about half
// a minute; set UPBEAT_BENCH_DIR to an empty directory to keep the data
// between runs.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// monStrings are a generated monitor's fixed strings.
type monStrings struct{ name, http, tcp, tls, dns, icmp, errText string }

// benchNames are made on first use, not at init: every process of this
// binary would pay for them, the kill -9 test's twenty children included.
var benchNames = sync.OnceValue(func() []monStrings { // read-only once made
	out := make([]monStrings, 1000)
	for m := range out {
		n := fmt.Sprintf("mon-%04d", m)
		out[m] = monStrings{n, "https://" + n + ".example.com/health", "tcp://" + n + ".example.com:5432",
			"tls://" + n + ".example.com:443", "dns://192.0.2.53/" + n + ".example.com?type=A",
			"icmp://" + n + ".example.com", fmt.Sprintf("upstream answered %d", 502+m%3)}
	}
	return out
})

var benchAnswers = []string{"192.0.2.10", "192.0.2.11"}

// genRecord makes a realistic result for monitor m (< 1000) at time at:
// mostly HTTP, some TCP, TLS, DNS and ping, with an incident now and then.
func genRecord(m int, at time.Time) monitor.Result {
	h := uint64(m)*0x9E3779B97F4A7C15 ^ uint64(at.Unix())*0xBF58476D1CE4E5B9
	h ^= h >> 31
	ns := &benchNames()[m]
	r := monitor.Result{Monitor: ns.name, Time: at, Status: monitor.StatusUp, Attempts: 1}
	jitter := time.Duration(h%20000) * time.Microsecond
	switch m % 20 {
	default:
		r.Kind, r.URL, r.Code = "http", ns.http, 200
		r.Latency = time.Duration(30+m%200)*time.Millisecond + jitter
		r.Phases = monitor.Phases{DNS: time.Duration(h%400) * time.Microsecond, Connect: 2 * time.Millisecond,
			TLS: 6 * time.Millisecond, FirstByte: r.Latency - 9*time.Millisecond, Transfer: 600 * time.Microsecond}
		r.BodySize = int64(200 + m%3000)
	case 16:
		r.Kind, r.URL, r.Latency = "tcp", ns.tcp, time.Millisecond+jitter/10
	case 17:
		r.Kind, r.URL, r.Latency = "tls", ns.tls, 20*time.Millisecond+jitter
		r.CertExpiry = time.Unix(1790000000+int64(m)*86400, 0)
		r.CertIssuer, r.CertDays = "Example CA R3", int(r.CertExpiry.Sub(at)/(24*time.Hour))
	case 18:
		r.Kind, r.URL, r.Latency = "dns", ns.dns, 3*time.Millisecond+jitter/20
		r.Answers = benchAnswers
	case 19:
		r.Kind, r.URL, r.Latency = "icmp", ns.icmp, 900*time.Microsecond+jitter/50
	}
	// Monitor m is down for a while every few days.
	period := int64(2+m%7) * 86400
	if off := (at.Unix() + int64(m)*977) % period; off < int64(300+m%1500) {
		r.Status, r.Attempts = monitor.StatusDown, 2
		if r.Kind == "http" {
			r.Code = 502 + m%3
			r.Class, r.Error = httpClasses[m%3], ns.errText
		} else {
			r.Class, r.Error = "timeout", "no answer within 10s"
		}
	}
	return r
}

var httpClasses = [3]string{"http_502", "http_503", "http_504"}

// noSyncFile skips fsync: the generator needs speed, not durability.
type noSyncFile struct{ *os.File }

func (noSyncFile) Sync() error { return nil }

func noSyncOpen(name string, flag int, perm os.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return noSyncFile{f}, nil
}

func BenchmarkAppend(b *testing.B) {
	dir := b.TempDir()
	c := newClock(t0)
	o := Options{Now: c.Now, SyncInterval: -1}
	l, err := Open(dir, o)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	const monitors = 1000
	recs := make([]monitor.Result, monitors)
	for m := range recs {
		recs[m] = genRecord(m, t0)
	}
	step := time.Minute / monitors
	at := t0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := &recs[i%monitors]
		r.Time = at
		c.Set(at)
		if err := l.Append(r); err != nil {
			b.Fatal(err)
		}
		at = at.Add(step)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "results/s")
}

func dirSize(b *testing.B, dir string, match func(name string) bool) int64 {
	var n int64
	ents, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && match(e.Name()) {
			n += fi.Size()
		}
	}
	return n
}

// jsonLine is a result with every field, as a JSON line would hold it:
// the yardstick for the bytes a result takes on disk. It does not follow
// the JSON tags of monitor.Result, which leave durations out.
func jsonLine(r *monitor.Result) any {
	return struct {
		Monitor    string
		Kind       monitor.Kind
		URL        string
		Time       time.Time
		Status     uint8 // as stored
		Code       int
		Latency    time.Duration
		Phases     struct{ DNS, Connect, TLS, FirstByte, Transfer time.Duration }
		Class      string
		Error      string
		Attempts   int
		RetryAfter time.Duration
		FinalURL   string
		BodySize   int64
		CertExpiry time.Time
		CertIssuer string
		CertDays   int
		Registrar  string
		Answers    []string
		Loss       float64
	}{r.Monitor, r.Kind, r.URL, r.Time, uint8(r.Status), r.Code, r.Latency,
		struct{ DNS, Connect, TLS, FirstByte, Transfer time.Duration }{r.Phases.DNS, r.Phases.Connect, r.Phases.TLS,
			r.Phases.FirstByte, r.Phases.Transfer},
		r.Class, r.Error, r.Attempts, r.RetryAfter, r.FinalURL, r.BodySize, r.CertExpiry, r.CertIssuer,
		r.CertDays, r.Registrar, r.Answers, r.Loss}
}

// BenchmarkBytesPerResult appends a realistic mix one result at a time, as
// a daemon does (1,000 monitors checked every minute), and compares the
// bytes on disk with a JSON-lines encoding of the same results.
func BenchmarkBytesPerResult(b *testing.B) {
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		c := newClock(t0)
		l, err := Open(dir, Options{Now: c.Now, SyncInterval: -1, OpenFile: noSyncOpen})
		if err != nil {
			b.Fatal(err)
		}
		var jsonBytes int64
		n := 0
		for at := t0; at.Before(t0.Add(3 * time.Hour)); at = at.Add(time.Minute) {
			for m := range 1000 {
				// Checked as a daemon checks them: spread over the minute,
				// each result appended as its check ends.
				c.Set(at.Add(time.Duration(m) * time.Millisecond * 50))
				r := genRecord(m, at.Add(time.Duration(m)*time.Millisecond*50))
				if err := l.Append(&r); err != nil {
					b.Fatal(err)
				}
				j, _ := json.Marshal(jsonLine(&r))
				jsonBytes += int64(len(j)) + 1
				n++
			}
		}
		l.Close()
		raw := dirSize(b, filepath.Join(dir, segDir), func(name string) bool { return len(name) == 8 })
		roll := dirSize(b, filepath.Join(dir, rollupDir), func(name string) bool { return name != ckptName })
		b.ReportMetric(float64(raw)/float64(n), "bytes/result")
		b.ReportMetric(float64(jsonBytes)/float64(n), "json-bytes/result")
		b.ReportMetric(float64(jsonBytes)/float64(raw), "json/raw")
		b.ReportMetric(float64(roll)/float64(n), "rollup-bytes/result")
	}
}

// The 30-day data set is generated once per test binary run.
var open30 struct {
	once sync.Once
	dir  string
	end  time.Time
	tmp  bool
	err  error
}

const (
	benchMonitors = 1000
	benchDays     = 30
)

func generate30Days(b *testing.B) (string, time.Time) {
	open30.once.Do(func() {
		open30.end = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		dir := os.Getenv("UPBEAT_BENCH_DIR")
		if dir == "" {
			dir, open30.err = os.MkdirTemp("", "upbeat-bench-")
			open30.tmp = true
		}
		open30.dir = dir
		marker := filepath.Join(dir, "generated-30d")
		if _, err := os.Stat(marker); err == nil {
			return
		}
		start := time.Now()
		c := newClock(open30.end.Add(-benchDays * 24 * time.Hour))
		l, err := Open(dir, Options{Now: c.Now, SyncInterval: -1, OpenFile: noSyncOpen})
		if err != nil {
			open30.err = err
			return
		}
		batch := make([]monitor.Result, benchMonitors)
		n := 0
		for at := c.Now(); at.Before(open30.end); at = at.Add(time.Minute) {
			for m := range batch {
				batch[m] = genRecord(m, at.Add(time.Duration(m)*50*time.Millisecond))
			}
			c.Set(at.Add(59 * time.Second))
			if err := l.AppendBatch(batch); err != nil {
				open30.err = err
				return
			}
			n += len(batch)
		}
		c.Set(open30.end)
		if err := l.Close(); err != nil {
			open30.err = err
			return
		}
		raw := dirSize(b, filepath.Join(dir, segDir), func(name string) bool { return len(name) == 8 })
		fmt.Fprintf(os.Stderr, "generated %d results (%.1f bytes each) in %v\n", n, float64(raw)/float64(n), time.Since(start).Round(time.Second))
		open30.err = os.WriteFile(marker, nil, 0o644)
	})
	if open30.err != nil {
		b.Fatal(open30.err)
	}
	return open30.dir, open30.end
}

// BenchmarkOpen30Days measures opening 30 days of 1,000 monitors at 60 s
// until the dashboard's data is ready: the last 120 results and the 24 h,
// 7 d and 30 d uptime of every monitor.
func BenchmarkOpen30Days(b *testing.B) {
	dir, end := generate30Days(b)
	for _, mode := range []string{"writer", "reader"} {
		b.Run(mode, func(b *testing.B) {
			o := Options{Now: func() time.Time { return end }, SyncInterval: -1, ReadOnly: mode == "reader"}
			for i := 0; i < b.N; i++ {
				l, err := Open(dir, o)
				if err != nil {
					b.Fatal(err)
				}
				tail, err := l.Tail(120)
				if err != nil {
					b.Fatal(err)
				}
				for _, m := range l.Monitors() {
					for _, w := range []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour} {
						if _, ok, err := l.roll.uptime(m.Name, w, end); err != nil || !ok {
							b.Fatalf("uptime %s %v: %v", m.Name, w, err)
						}
					}
					if len(tail[m.Name]) != 120 {
						b.Fatalf("%s: %d recent results", m.Name, len(tail[m.Name]))
					}
				}
				b.StopTimer()
				if len(tail) != benchMonitors {
					b.Fatalf("%d monitors ready", len(tail))
				}
				l.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/open")
		})
	}
}
