// Package local shows an engine running in this process through
// source.Source: to the dashboard, the SSH dashboard and the daemon's
// HTTP API (it implements api.Backend too).
package local

import (
	"context"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// Options say what the engine alone does not know.
type Options struct {
	// Config is what a viewer's header calls the configuration: the
	// file's path, or "built-in demo"; "" is the engine's config path.
	Config string
	// Demo is set when the engine checks the built-in demo origin.
	Demo bool
	// Incidents, when set, holds the open incidents as the alerting sees
	// them; their flags (acknowledged, flapping) are added to the
	// incidents history reports.
	Incidents *Incidents
}

// Source is an engine as a source.Source.
type Source struct {
	e    *engine.Engine
	opts Options
}

var _ source.Journaled = (*Source)(nil)

// New returns e as a source.
func New(e *engine.Engine, opts Options) *Source { return &Source{e: e, opts: opts} }

// Snapshot implements source.Source.
func (s *Source) Snapshot() []monitor.State { return s.e.Snapshot() }

// AppendSnapshot implements source.Source.
func (s *Source) AppendSnapshot(dst []monitor.State) []monitor.State { return s.e.AppendSnapshot(dst) }

// Subscribe implements source.Source.
func (s *Source) Subscribe() *source.Subscription { return s.e.Subscribe() }

// SubscribeJournal implements source.Journaled.
func (s *Source) SubscribeJournal() ([]source.Event, *source.Subscription) {
	return s.e.SubscribeJournal()
}

// Info implements source.Source.
func (s *Source) Info() source.Info {
	cfg := s.e.Config()
	info := source.Info{Config: s.opts.Config, Location: cfg.Settings.Location, Warnings: s.e.Warnings(), Demo: s.opts.Demo,
		Shard: cfg.Settings.Shard.String(), ConfigStamp: cfg.Stamp}
	if info.Config == "" {
		info.Config = cfg.Path
	}
	return info
}

// Query implements source.Source: nil when the engine keeps no history.
func (s *Source) Query() source.Querier {
	q := s.e.Query()
	if q == nil {
		return nil
	}
	lq := querier{q: q, live: s.opts.Incidents}
	if sc, ok := q.(source.ResultScanner); ok {
		return scanningQuerier{lq, sc}
	}
	return lq
}

// CheckNow implements source.Source.
func (s *Source) CheckNow(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.e.CheckNow(name)
}

// SetPaused implements source.Source.
func (s *Source) SetPaused(ctx context.Context, name string, paused bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.e.SetPaused(name, paused)
}

// Ack implements source.Source.
func (s *Source) Ack(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.e.Ack(name)
}

// Maintain implements source.Source.
func (s *Source) Maintain(ctx context.Context, name string, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.e.Maintain(name, d)
}

// WarRoom implements source.Source.
func (s *Source) WarRoom(ctx context.Context, name string, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.e.WarRoom(name, d)
}

// State returns one monitor's state (for api.Backend).
func (s *Source) State(name string) (monitor.State, error) { return s.e.State(name) }

// Push records a heartbeat (for api.Backend).
func (s *Source) Push(token string, status monitor.Status, msg string) (string, error) {
	return s.e.Push(token, status, msg)
}

// Stats returns the engine's counters (for api.Backend).
func (s *Source) Stats() engine.Stats { return s.e.Stats() }

// querier adds what the alerting knows of open incidents to what history
// says, and stops at a context that is done.
type querier struct {
	q    engine.Querier
	live *Incidents
}

func (q querier) Results(ctx context.Context, name string, from, to time.Time) ([]monitor.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return q.q.Results(name, from, to)
}

func (q querier) Incidents(ctx context.Context, name string, from, to time.Time) ([]monitor.Incident, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, err := q.q.Incidents(name, from, to)
	if err != nil {
		return nil, err
	}
	q.live.flag(name, out)
	withNotes(q.q, name, out)
	return out, nil
}

// scanningQuerier is a querier whose history streams its results.
type scanningQuerier struct {
	querier
	sc source.ResultScanner
}

func (q scanningQuerier) ScanResults(ctx context.Context, name string, from, to time.Time, limit int, fn func(*monitor.Result) error) error {
	return q.sc.ScanResults(ctx, name, from, to, limit, fn)
}

func (q querier) ErrorsByHour(ctx context.Context, name string, from, to time.Time) ([24]int, error) {
	if err := ctx.Err(); err != nil {
		return [24]int{}, err
	}
	return q.q.ErrorsByHour(name, from, to)
}
