package main

import (
	"log/slog"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/statuspage"
)

// newPages makes the status pages of the config for the daemon: the
// engine's states live, the bars from its history (when it keeps one),
// its maintenance windows. Start it; Close it before the API server,
// so that the pages' live streams end first.
func newPages(rt *runtime, src source.Source, log *slog.Logger) *statuspage.Server {
	o := statuspage.Options{Live: pageLive{src}, Maintenance: rt.windows, Logger: log}
	if rt.store != nil {
		o.History = rt.store
	}
	return statuspage.NewServer(rt.cfg.StatusPages, o)
}

// pageLive is the engine as status pages see it.
type pageLive struct{ src source.Source }

func (l pageLive) Snapshot() []monitor.State    { return l.src.Snapshot() }
func (l pageLive) Subscribe() statuspage.Events { return pageEvents{l.src.Subscribe()} }

// pageEvents reduces the engine's events to whether a status changed.
type pageEvents struct{ sub *source.Subscription }

func (e pageEvents) Ready() <-chan struct{} { return e.sub.Ready() }
func (e pageEvents) Close()                 { e.sub.Close() }
func (e pageEvents) Drain() bool {
	evs, _ := e.sub.Drain()
	for _, ev := range evs {
		if ev.Kind == monitor.EventChange || ev.Kind == monitor.EventReload {
			return true
		}
	}
	return false
}
