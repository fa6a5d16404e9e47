package main

import (
	"log/slog"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
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
		o.Notes = pageNotes{rt.store}
	}
	return statuspage.NewServer(rt.cfg.StatusPages, o)
}

// pageNotes gives status pages the notes and acknowledgements people
// wrote about an open incident, from the history; not the record of
// alerts sent.
type pageNotes struct{ db *history.DB }

func (n pageNotes) Notes(name string, start time.Time) []statuspage.Note {
	notes, err := n.db.Notes(name, start.Add(-time.Second), time.Now().Add(time.Hour))
	if err != nil {
		return nil
	}
	var out []statuspage.Note
	for _, x := range notes {
		switch x.Kind {
		case monitor.NoteText:
			out = append(out, statuspage.Note{Time: x.Time, Author: x.Author, Text: x.Text})
		case monitor.NoteAck:
			text := "acknowledged"
			if x.Text != "" {
				text += ": " + x.Text
			}
			out = append(out, statuspage.Note{Time: x.Time, Author: x.Author, Text: text})
		}
	}
	return out
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
	defer e.sub.Recycle(evs)
	for _, ev := range evs {
		if ev.Kind == monitor.EventChange || ev.Kind == monitor.EventReload {
			return true
		}
	}
	return false
}
