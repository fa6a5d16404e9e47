package main

import (
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/tui"
)

// localSource shows an engine running in this process on the dashboard.
type localSource struct {
	rt     *runtime
	config string
	demo   bool
}

var _ tui.Source = (*localSource)(nil)

func (s *localSource) Snapshot() []monitor.State       { return s.rt.eng.Snapshot() }
func (s *localSource) Subscribe() *engine.Subscription { return s.rt.eng.Subscribe() }
func (s *localSource) CheckNow(name string) error      { return s.rt.eng.CheckNow(name) }
func (s *localSource) SetPaused(name string, paused bool) error {
	return s.rt.eng.SetPaused(name, paused)
}
func (s *localSource) Ack(name string) error { return s.rt.eng.Ack(name) }
func (s *localSource) Maintain(name string, d time.Duration) error {
	return s.rt.eng.Maintain(name, d)
}
func (s *localSource) Query() engine.Querier { return s.rt.eng.Query() }

func (s *localSource) Info() tui.SourceInfo {
	cfg := s.rt.eng.Config()
	return tui.SourceInfo{
		Config:   s.config,
		Location: cfg.Settings.Location,
		Warnings: s.rt.eng.Warnings(),
		Demo:     s.demo,
	}
}
