package history

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The golden histories pin the file format. testdata/golden-v1 was
// written by the writer of format 1 (raw/ segments of one result a
// frame): today's code must read it, as a reader and as a writer that
// moves it to the layout of format 2, and give the answers in
// testdata/golden-v1.txt. testdata/golden-v2 was written by the writer of
// format 2 from the same results: today's writer must write the same
// bytes, and reading it must give the same answers, word for word.
//
// -update rewrites golden-v2 from the current code; do that only for a
// deliberate, versioned format change. golden-v1 is never rewritten.
var update = flag.Bool("update", false, "rewrite the golden history of the current format in testdata")

const (
	goldenDir  = "testdata/golden-v1" // format 1, as the first release wrote it
	goldenDir2 = "testdata/golden-v2" // format 2, the current one
)

// goldenStart is where the golden history begins: a Monday, 10:00 UTC.
var goldenStart = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// goldenEnd is the clock when the golden history was closed.
var goldenEnd = goldenStart.Add(26 * time.Hour)

func goldenOptions(c *clock) Options {
	return Options{Now: c.Now, SyncInterval: -1, Logger: slog.New(slog.DiscardHandler)}
}

// writeGolden writes the golden history into dir: two monitors checked
// every five minutes over a midnight (so segments are cut and a day is
// rolled up), with incidents, maintenance and a pause, one result an hour
// with every field set, and a close and reopen halfway.
func writeGolden(t *testing.T, dir string) {
	t.Helper()
	c := newClock(goldenStart)
	l, err := Open(dir, goldenOptions(c))
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for at := goldenStart; at.Before(goldenEnd); at = at.Add(5 * time.Minute) {
		if at.Equal(goldenStart.Add(20 * time.Hour)) {
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			c.Set(at)
			if l, err = Open(dir, goldenOptions(c)); err != nil {
				t.Fatal(err)
			}
		}
		c.Set(at)
		api := httpRecord("api", at, i)
		switch h := at.Sub(goldenStart); {
		case h >= 3*time.Hour && h < 3*time.Hour+40*time.Minute:
			api.Status, api.Code, api.Class, api.Error = monitor.StatusDown, 502+int(h/(20*time.Minute))%2, "http_502", "bad gateway"
		case h >= 15*time.Hour && h < 15*time.Hour+15*time.Minute:
			api.Status, api.Code, api.Class, api.Error = monitor.StatusDown, 0, "refused", "connection refused"
		case h >= 25*time.Hour+30*time.Minute:
			api.Status, api.Code, api.Class, api.Error = monitor.StatusDown, 503, "http_503", "unavailable"
		case h >= 8*time.Hour && h < 8*time.Hour+30*time.Minute:
			api.Status = monitor.StatusDegraded
		}
		db := monitor.Result{Monitor: "db", Kind: "tcp", URL: "tcp://db.example.com:5432", Time: at.Add(time.Second),
			Status: monitor.StatusUp, Latency: time.Duration(900+i%50) * time.Microsecond, Attempts: 1}
		switch h := at.Sub(goldenStart); {
		case h >= 17*time.Hour && h < 18*time.Hour:
			db.Status = monitor.StatusMaintenance
		case h >= 21*time.Hour && h < 21*time.Hour+20*time.Minute:
			db.Status = monitor.StatusPaused
		}
		batch := []monitor.Result{api, db}
		if at.Minute() == 0 {
			full := fullRecord(at.Add(2 * time.Second))
			// The golden history was written before results had these.
			full.HTTPVersion, full.Redirects, full.CertUnverified, full.Detail = "", 0, false, ""
			full.BodySize = int64(i)
			if at.Hour()%2 == 0 {
				full.Status, full.Code, full.Class, full.Error = monitor.StatusUp, 200, "", ""
			}
			batch = append(batch, full)
		}
		if i%2 == 0 {
			if err := l.AppendBatch(batch); err != nil {
				t.Fatal(err)
			}
		} else {
			for j := range batch {
				if err := l.Append(&batch[j]); err != nil {
					t.Fatal(err)
				}
			}
		}
		i++
	}
	c.Set(goldenEnd)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// goldenFiles reads every file under dir but the lock, by relative path.
func goldenFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == lockName {
			return nil
		}
		b, err := os.ReadFile(path)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// copyDir copies the golden history so that a writer may open it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	for rel, b := range goldenFiles(t, src) {
		p := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// dumpGolden writes down every answer the history gives about the golden
// data, in a form that does not depend on the Go types that hold it.
func dumpGolden(t *testing.T, l *DB) string {
	t.Helper()
	var b strings.Builder
	from, to := goldenStart.Add(-time.Hour), goldenEnd.Add(time.Hour)
	for _, m := range l.Monitors() {
		fmt.Fprintf(&b, "monitor %s first=%s last=%s status=%s since=%s codes=%v classes=%q\n",
			m.Name, ts(m.First), ts(m.Last), m.Status, ts(m.Since), m.Codes, m.Classes)
		rs, err := l.Results(m.Name, from, to)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			fmt.Fprintf(&b, "  result %s %s %s %s %s code=%d lat=%v phases=%v/%v/%v/%v/%v class=%q err=%q attempts=%d retry=%v final=%q body=%d cert=%s issuer=%q days=%d registrar=%q answers=%q loss=%v\n",
				ts(r.Time), r.Monitor, r.Kind, r.URL, r.Status, r.Code, r.Latency,
				r.Phases.DNS, r.Phases.Connect, r.Phases.TLS, r.Phases.FirstByte, r.Phases.Transfer,
				r.Class, r.Error, r.Attempts, r.RetryAfter, r.FinalURL, r.BodySize, ts(r.CertExpiry),
				r.CertIssuer, r.CertDays, r.Registrar, r.Answers, r.Loss)
		}
		incs, err := l.Incidents(m.Name, from, to)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range incs {
			fmt.Fprintf(&b, "  incident %s %s codes=%v classes=%q\n", ts(in.Start), ts(in.End), in.Codes, in.Classes)
		}
		trs, err := l.Transitions(m.Name, from, to)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range trs {
			fmt.Fprintf(&b, "  transition %s %s->%s since=%s code=%d class=%q codes=%v classes=%q\n",
				ts(tr.Time), tr.From, tr.To, ts(tr.Since), tr.Code, tr.Class, tr.Codes, tr.Classes)
		}
		for _, p := range []time.Duration{time.Hour, 24 * time.Hour} {
			rus, err := l.Rollups(m.Name, p, from, to)
			if err != nil {
				t.Fatal(err)
			}
			for _, ru := range rus {
				fmt.Fprintf(&b, "  rollup %s %v checks=%d failures=%d degraded=%d excluded=%d latsum=%v codes=%v classes=%v p50=%v p95=%v p99=%v byhour=%v\n",
					ts(ru.Start), ru.Period, ru.Checks, ru.Failures, ru.Degraded, ru.Excluded, ru.LatencySum,
					ru.Codes, ru.Classes, ru.P50(), ru.P95(), ru.P99(), ru.FailuresByHour)
			}
		}
		for _, w := range []time.Duration{time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour} {
			ratio, ok, err := l.roll.uptime(m.Name, w, goldenEnd)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "  uptime %v %.9f %v\n", w, ratio, ok)
		}
		hours, err := l.ErrorsByHour(m.Name, from, to)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "  errors by hour %v\n", hours)
		last, err := l.Last(m.Name, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range last {
			fmt.Fprintf(&b, "  last %s %s\n", ts(r.Time), r.Status)
		}
	}
	return b.String()
}

func TestGoldenUpdate(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the golden history")
	}
	if err := os.RemoveAll(goldenDir2); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeGolden(t, dir)
	for rel, b := range goldenFiles(t, dir) {
		p := filepath.Join(goldenDir2, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := goldenOptions(newClock(goldenEnd))
	o.ReadOnly = true
	l, err := Open(goldenDir2, o)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := os.WriteFile(goldenDir2+".txt", []byte(dumpGolden(t, l)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenWrite: today's writer writes, byte for byte, the files of the
// writer the golden history of the current format was made with.
func TestGoldenWrite(t *testing.T) {
	t.Parallel() // writes and fsyncs much: it overlaps with the others
	want := goldenFiles(t, goldenDir2)
	if len(want) == 0 {
		t.Fatal("no golden history: run with -update")
	}
	dir := t.TempDir()
	writeGolden(t, dir)
	got := goldenFiles(t, dir)
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: not written", name)
		case !bytes.Equal(g, w):
			i := 0
			for i < len(g) && i < len(w) && g[i] == w[i] {
				i++
			}
			t.Errorf("%s: differs from the golden file at byte %d (%d bytes, want %d)", name, i, len(g), len(w))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: written, but not in the golden history", name)
		}
	}
}

// TestGoldenRead: today's code reads the golden histories, as a reader
// and as a writer that opens them, and answers as the writers that made
// them did; the two formats hold the same results and give the same
// answers.
func TestGoldenRead(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{goldenDir, goldenDir2} {
		t.Run(filepath.Base(dir), func(t *testing.T) { testGoldenRead(t, dir) })
	}
	v1, err1 := os.ReadFile(goldenDir + ".txt")
	v2, err2 := os.ReadFile(goldenDir2 + ".txt")
	if err1 != nil || err2 != nil || !bytes.Equal(v1, v2) {
		t.Errorf("the answers of format 2 differ from those of format 1 (%v, %v)", err1, err2)
	}
}

func testGoldenRead(t *testing.T, goldenDir string) {
	want, err := os.ReadFile(goldenDir + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, l *DB) {
		t.Helper()
		if rep := l.Repairs(); len(rep) != 0 {
			t.Errorf("damage found in the golden history: %v", rep)
		}
		got := dumpGolden(t, l)
		if got == string(want) {
			return
		}
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("answers differ from %s.txt at line %d:\n got %s\nwant %s", goldenDir, i+1, g, w)
			}
		}
	}
	t.Run("reader", func(t *testing.T) {
		o := goldenOptions(newClock(goldenEnd))
		o.ReadOnly = true
		l, err := Open(copyDir(t, goldenDir), o)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		check(t, l)
	})
	t.Run("writer", func(t *testing.T) {
		l, err := Open(copyDir(t, goldenDir), goldenOptions(newClock(goldenEnd)))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		check(t, l)
	})
}
