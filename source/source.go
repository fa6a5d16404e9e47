// Package source defines what a viewer of monitors reads and acts on: the
// Source interface that the dashboard, the SSH dashboard and the daemon's
// HTTP API consume, and that the engine in this process (package
// source/local) and a client of remote daemons (package client) implement.
//
// It imports nothing of upbeat's but the domain types in package monitor,
// so that the viewers and the things they view depend on it and not on
// each other.
package source

import (
	"context"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Source is what a viewer reads and acts on. Snapshot, Subscribe, Info and
// Query answer from memory and never block on the network; everything
// that may (history queries, actions) takes a context.
type Source interface {
	// Snapshot returns the state of every monitor, in configuration order.
	// The states are copies, safe to keep.
	Snapshot() []monitor.State
	// AppendSnapshot appends what Snapshot returns to dst and returns the
	// extended slice. A viewer that redraws several times a second keeps
	// two slices and passes the one it no longer reads (dst[:0]): once
	// they are large enough, a redraw allocates nothing. What the states
	// point to (samples, the monitor) is shared and never changed, as
	// with Snapshot.
	AppendSnapshot(dst []monitor.State) []monitor.State
	// Subscribe starts a stream of events; the caller closes it.
	Subscribe() *Subscription
	// Info describes the source for a viewer's header.
	Info() Info
	// Query answers questions about the past; nil when no history is kept.
	Query() Querier

	// CheckNow runs a monitor's check as soon as possible.
	CheckNow(ctx context.Context, name string) error
	// SetPaused pauses a monitor (no checks, no alerts) or resumes it.
	SetPaused(ctx context.Context, name string, paused bool) error
	// Ack acknowledges a monitor's open incident: no re-notification
	// until it resolves. The error wraps ErrNoIncident when the monitor
	// has no open incident (it is up, or only degraded).
	Ack(ctx context.Context, name string) error
	// Maintain puts a monitor in maintenance for d from now; 0 ends it.
	Maintain(ctx context.Context, name string, d time.Duration) error
	// WarRoom checks a monitor every few seconds (war_room_interval) for
	// d from now, starting at once; 0 means the source's default
	// (war_room_duration) and a negative d ends the war room. The error
	// wraps ErrPaused for a paused monitor.
	WarRoom(ctx context.Context, name string, d time.Duration) error
	// AddNote adds a note (Kind monitor.NoteText) to a monitor's open
	// incident, or acknowledges it with a reason (Kind monitor.NoteAck;
	// the Text may be empty). The source sets the note's Monitor and
	// Time; Author is who the viewer says writes it (the source may put
	// the name it knows the viewer by instead). Every viewer gets it as
	// an EventNote. The error wraps ErrNoIncident when the monitor has
	// no open incident, ErrBadNote for an empty or too long text.
	AddNote(ctx context.Context, name string, n monitor.Note) error
}

// Querier answers questions about the past. Every call may read files or
// ask a daemon, and returns early with ctx's error when ctx is done.
type Querier interface {
	// Results returns a monitor's results in [from, to), oldest first.
	Results(ctx context.Context, name string, from, to time.Time) ([]monitor.Result, error)
	// Incidents returns a monitor's incidents that overlap [from, to),
	// oldest first. The open one carries its Acked and Flapping flags.
	Incidents(ctx context.Context, name string, from, to time.Time) ([]monitor.Incident, error)
	// ErrorsByHour counts a monitor's failed checks by hour of day (UTC) in [from, to).
	ErrorsByHour(ctx context.Context, name string, from, to time.Time) ([24]int, error)
}

// ResultScanner is a Querier that hands over a monitor's results one at a
// time as it reads them, so that a long period costs no memory and a
// reader that goes away stops the read (the daemon's history route
// streams with it).
type ResultScanner interface {
	// ScanResults calls fn with a monitor's results in [from, to),
	// oldest first; with limit > 0, only the newest limit of them. It
	// stops with fn's error, or with ctx's when ctx is done.
	ScanResults(ctx context.Context, name string, from, to time.Time, limit int, fn func(*monitor.Result) error) error
}

// Info describes a source for a viewer's header.
type Info struct {
	// Config is the config file in use (for one daemon, the daemon's, as
	// it says), or what stands for it ("built-in demo"); "" when it is not
	// known, and for a source over several daemons.
	Config string
	// ConfigStamp names the text of the config in force (a hash of it,
	// engine.Config.Stamp); "" when not known.
	ConfigStamp string
	// Daemon is the address of the one daemon the source reads (a socket
	// path, or an http(s) URL without its token); "" for an engine in this
	// process and for a source over several daemons (see Daemons).
	Daemon   string
	Location string   // the location label; several, comma-separated, for a merged source
	Warnings []string // problems with upbeat itself now in force, oldest first
	Demo     bool     // the source checks the built-in demo origin
	// Shard is the part of the monitors a sharded daemon checks ("2/4");
	// "" without sharding, or for a source over several daemons (see
	// Daemons).
	Shard string
	// Daemons lists the daemons of a source over several of them
	// (`upbeat attach` with several addresses, a [fleet]), in the order
	// given, each with whether it answers; nil for one daemon or an
	// engine in this process.
	Daemons []Daemon
}

// Daemon is one daemon of a source over several.
type Daemon struct {
	Addr      string // as given, without a token
	Location  string // its location, once it has said
	Shard     string // "2/4" when it checks a shard; "" otherwise
	Monitors  int    // how many monitors it holds
	Reachable bool   // its event stream is connected now
	Error     string // why not, when it is not
}

// Merged is implemented by a Source that merges the monitors of several
// daemons, one location each (`upbeat attach` with several addresses).
// Its Snapshot holds each monitor once, with the worst status any
// location sees; Locations says what each location sees.
type Merged interface {
	Source
	// Locations returns, by monitor name, how each location sees each
	// monitor, in the order the daemons were given. A monitor only one
	// daemon has has one entry.
	Locations() map[string][]LocationState
}

// LocationState is a monitor's state as seen from one location of a
// merged source.
type LocationState struct {
	Location string
	Status   monitor.Status
	Code     int    // of the location's last result
	Class    string // of the location's last result
	Latency  time.Duration
	Since    time.Time // when Status began (down: when its incident began, as monitor.State.Since)
}

// LocationsOf returns what src.Locations returns when src is Merged, else nil.
func LocationsOf(src Source) map[string][]LocationState {
	if m, ok := src.(Merged); ok {
		return m.Locations()
	}
	return nil
}
