// Package store adapts the history files to the engine: it records the
// engine's results, restores monitor state at start, answers queries about
// the past, and holds the logic of the `history` and `report` commands.
package store

import (
	"fmt"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Compile-time checks that Store is what the engine needs.
var (
	_ engine.Recorder = (*Store)(nil)
	_ engine.Restorer = (*Store)(nil)
	_ engine.Querier  = (*Store)(nil)
)

// DefaultRecent is how many recent results per monitor are read in one
// pass when the engine restores its state.
const DefaultRecent = 120

// Store is a history directory seen through the engine's types. Its
// methods are safe for concurrent use.
type Store struct {
	log *history.Log

	mu       sync.Mutex
	tail     map[string][]history.Record // recent results read once for Restore
	tailN    int
	tailDone bool // results were recorded since: the tail is stale
}

// Open opens a history directory: for writing (the daemon and the
// dashboard; one process at a time) or, with o.ReadOnly, for reading while
// a writer writes (the history and report commands).
func Open(dir string, o history.Options) (*Store, error) {
	l, err := history.Open(dir, o)
	if err != nil {
		return nil, err
	}
	return New(l), nil
}

// New wraps an open history log.
func New(l *history.Log) *Store { return &Store{log: l} }

// Log returns the underlying history.
func (s *Store) Log() *history.Log { return s.log }

// Close closes the history.
func (s *Store) Close() error { return s.log.Close() }

// Health returns the current storage problem (full disk, read-only file
// system, I/O error), or nil when every result is on disk.
func (s *Store) Health() error { return s.log.Health() }

// Record stores one result. It never blocks on a faulty disk: the result
// then waits in memory, and the error says so until writing works again.
func (s *Store) Record(r *monitor.Result) error {
	rec := toRecord(r)
	s.mu.Lock()
	s.tail, s.tailDone = nil, true
	s.mu.Unlock()
	return s.log.Append(&rec)
}

// Restore returns a monitor's last n results, oldest first, and when its
// current status began. The first call reads the recent results of every
// monitor in one pass, so restoring a thousand monitors costs one read.
func (s *Store) Restore(name string, n int) (recent []monitor.Result, since time.Time, ok bool) {
	info, known := s.log.Monitor(name)
	if !known {
		return nil, time.Time{}, false
	}
	recs := s.recent(name, n)
	out := make([]monitor.Result, len(recs))
	for i := range recs {
		out[i] = toResult(&recs[i])
	}
	return out, info.Since, true
}

func (s *Store) recent(name string, n int) []history.Record {
	if n <= 0 {
		return nil
	}
	s.mu.Lock()
	if !s.tailDone && s.tail == nil {
		s.tailN = max(n, DefaultRecent)
		t, err := s.log.Tail(s.tailN)
		if err != nil {
			s.tailDone = true
		}
		s.tail = t
	}
	if s.tail != nil && n <= s.tailN {
		recs, ok := s.tail[name]
		delete(s.tail, name) // each name is restored once; a second ask reads again
		if ok {
			s.mu.Unlock()
			if len(recs) > n {
				recs = recs[len(recs)-n:]
			}
			return recs
		}
	}
	s.mu.Unlock()
	recs, _ := s.log.Last(name, n)
	return recs
}

// Uptime returns the share of a monitor's checks that were not down over
// the window ending at now, counted from its first result.
func (s *Store) Uptime(name string, window time.Duration, now time.Time) monitor.Uptime {
	ratio, ok, err := s.log.Uptime(name, window, now)
	if err != nil || !ok {
		return monitor.Uptime{}
	}
	return monitor.Uptime{Ratio: ratio, Valid: true}
}

// Results returns a monitor's results in [from, to), oldest first.
func (s *Store) Results(name string, from, to time.Time) ([]monitor.Result, error) {
	recs, err := s.log.Results(name, from, to)
	if err != nil {
		return nil, fmt.Errorf("results of %s: %w", name, err)
	}
	out := make([]monitor.Result, len(recs))
	for i := range recs {
		out[i] = toResult(&recs[i])
	}
	return out, nil
}

// Incidents returns a monitor's incidents that overlap [from, to), oldest first.
func (s *Store) Incidents(name string, from, to time.Time) ([]monitor.Incident, error) {
	incs, err := s.log.Incidents(name, from, to)
	if err != nil {
		return nil, fmt.Errorf("incidents of %s: %w", name, err)
	}
	out := make([]monitor.Incident, len(incs))
	for i, in := range incs {
		out[i] = monitor.Incident{Monitor: in.Monitor, Start: in.Start, End: in.End, Codes: in.Codes, Classes: in.Classes}
	}
	return out, nil
}

// ErrorsByHour counts a monitor's failed checks by hour of day (UTC) in [from, to).
func (s *Store) ErrorsByHour(name string, from, to time.Time) ([24]int, error) {
	h, err := s.log.ErrorsByHour(name, from, to)
	if err != nil {
		return h, fmt.Errorf("errors by hour of %s: %w", name, err)
	}
	return h, nil
}

// Rollups returns a monitor's hourly (period time.Hour) or daily rollups
// starting in [from, to): counts, codes, classes and latency percentiles.
func (s *Store) Rollups(name string, period time.Duration, from, to time.Time) ([]history.Rollup, error) {
	return s.log.Rollups(name, period, from, to)
}

// Monitors returns the names of the monitors on record, sorted.
func (s *Store) Monitors() []string {
	infos := s.log.Monitors()
	out := make([]string, len(infos))
	for i, m := range infos {
		out[i] = m.Name
	}
	return out
}

func toRecord(r *monitor.Result) history.Record {
	return history.Record{
		Monitor: r.Monitor, Kind: string(r.Kind), URL: r.URL, Time: r.Time,
		Status: history.Status(r.Status), Code: r.Code, Latency: r.Latency,
		Phases: history.Phases{DNS: r.Phases.DNS, Connect: r.Phases.Connect, TLS: r.Phases.TLS,
			FirstByte: r.Phases.FirstByte, Transfer: r.Phases.Transfer},
		Class: r.Class, Error: r.Error, Attempts: r.Attempts, RetryAfter: r.RetryAfter,
		FinalURL: r.FinalURL, BodySize: r.BodySize, CertExpiry: r.CertExpiry, CertIssuer: r.CertIssuer,
		CertDays: r.CertDays, Registrar: r.Registrar, Answers: r.Answers, Loss: r.Loss,
		HTTPVersion: r.HTTPVersion, Redirects: r.Redirects, CertUnverified: r.CertUnverified, Detail: r.Detail,
	}
}

func toResult(r *history.Record) monitor.Result {
	return monitor.Result{
		Monitor: r.Monitor, Kind: monitor.Kind(r.Kind), URL: r.URL, Time: r.Time,
		Status: monitor.Status(r.Status), Code: r.Code, Latency: r.Latency,
		Phases: monitor.Phases{DNS: r.Phases.DNS, Connect: r.Phases.Connect, TLS: r.Phases.TLS,
			FirstByte: r.Phases.FirstByte, Transfer: r.Phases.Transfer},
		Class: r.Class, Error: r.Error, Attempts: r.Attempts, RetryAfter: r.RetryAfter,
		FinalURL: r.FinalURL, BodySize: r.BodySize, CertExpiry: r.CertExpiry, CertIssuer: r.CertIssuer,
		CertDays: r.CertDays, Registrar: r.Registrar, Answers: r.Answers, Loss: r.Loss,
		HTTPVersion: r.HTTPVersion, Redirects: r.Redirects, CertUnverified: r.CertUnverified, Detail: r.Detail,
	}
}
