package statuspage

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// StaleAfter is how many intervals may pass without a result before an
// export no longer trusts a monitor's last status and shows it pending:
// the daemon may have stopped.
const StaleAfter = 3

// minStale is the least time without a result that makes a status stale.
const minStale = 5 * time.Minute

// HistoryReader is what an export reads of the history besides the bars.
// *history.DB implements it.
type HistoryReader interface {
	History
	Monitor(name string) (history.MonitorInfo, bool)
	Tail(n int) (map[string][]monitor.Result, error)
	Uptime(name string, window time.Duration, now time.Time) monitor.Uptime
}

var _ HistoryReader = (*history.DB)(nil)

// StatesFromHistory makes the monitors' states from the history, for an
// export made without a running daemon: the status of each one's last
// result, pending when that is older than StaleAfter intervals.
func StatesFromHistory(h HistoryReader, monitors []*monitor.Monitor, now time.Time) ([]monitor.State, error) {
	tail, err := h.Tail(1)
	out := make([]monitor.State, len(monitors))
	for i, m := range monitors {
		st := monitor.State{Monitor: m}
		if info, ok := h.Monitor(m.Name); ok {
			st.Status, st.Since = info.Status, info.Since
			if last := tail[m.Name]; len(last) > 0 {
				st.Last = last[len(last)-1]
			}
			if now.Sub(info.Last) > max(StaleAfter*m.Interval, minStale) {
				st.Status, st.Since, st.Last = monitor.StatusPending, info.Last, monitor.Result{}
			}
			if st.Status == monitor.StatusDown { // down since its incident began, as the live page says
				if ins, err := h.Incidents(m.Name, st.Since, now.Add(time.Second)); err == nil && len(ins) > 0 {
					if in := ins[len(ins)-1]; in.End.IsZero() && in.Start.Before(st.Since) {
						st.Since = in.Start
					}
				}
			}
		}
		st.Uptime24 = h.Uptime(m.Name, 24*time.Hour, now)
		st.Uptime7d = h.Uptime(m.Name, 7*24*time.Hour, now)
		st.Uptime30 = h.Uptime(m.Name, 30*24*time.Hour, now)
		out[i] = st
	}
	return out, err
}

// Export writes each page as files under dir, for a web server or a
// static host: PATH.html, PATH.json, PATH.txt and PATH/badge/KEY/KIND.svg
// (a page at /status becomes status.html, status.json, status.txt and
// status/badge/…). Files are replaced whole (written aside, then
// renamed), so a server never sends half of one. It returns the files
// written, relative to dir.
func Export(dir string, pages []*Config, in *Inputs) ([]string, error) {
	var written []string
	write := func(rel string, data []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := writeFile(p, data); err != nil {
			return err
		}
		written = append(written, rel)
		return nil
	}
	for _, c := range pages {
		p := Build(c, in)
		base := strings.TrimPrefix(c.Path, "/")
		var html, js, text bytes.Buffer
		if err := p.WriteHTML(&html); err != nil {
			return written, fmt.Errorf("page %s: %w", c.Path, err)
		}
		if err := p.WriteJSON(&js); err != nil {
			return written, fmt.Errorf("page %s: %w", c.Path, err)
		}
		if err := p.WriteText(&text, false); err != nil {
			return written, fmt.Errorf("page %s: %w", c.Path, err)
		}
		for _, f := range []struct {
			ext  string
			data []byte
		}{{".html", html.Bytes()}, {".json", js.Bytes()}, {".txt", text.Bytes()}} {
			if err := write(base+f.ext, f.data); err != nil {
				return written, err
			}
		}
		done := map[string]bool{}
		for _, s := range p.Sections {
			for _, r := range s.Rows {
				if done[r.Key] {
					continue
				}
				done[r.Key] = true
				for _, kind := range BadgeKinds() {
					b, _ := RowBadge(r, kind)
					if err := write(base+"/badge/"+r.Key+"/"+kind+".svg", b.SVG()); err != nil {
						return written, err
					}
				}
			}
		}
	}
	return written, nil
}

// writeFile replaces path with data: written to a temporary file beside
// it, then renamed over it.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
