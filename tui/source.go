package tui

import (
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Source is what the dashboard reads and acts on: the local engine, or a
// client of one or more remote daemons. The dashboard knows nothing else.
type Source interface {
	// Snapshot returns the state of every monitor, in configuration order.
	Snapshot() []monitor.State
	// Subscribe starts a stream of events; the caller closes it.
	Subscribe() *engine.Subscription
	// CheckNow runs a monitor's check at once.
	CheckNow(name string) error
	// SetPaused pauses or resumes a monitor.
	SetPaused(name string, paused bool) error
	// Ack acknowledges a monitor's open incident: no re-notification until it resolves.
	Ack(name string) error
	// Maintain puts a monitor in maintenance for d from now.
	Maintain(name string, d time.Duration) error
	// Query answers questions about the past; nil when there is no history.
	Query() engine.Querier
	// Info describes the source for the header: config in use, location,
	// and current warnings about upbeat itself (storage, config reload).
	Info() SourceInfo
}

// SourceInfo is shown in the dashboard's header.
type SourceInfo struct {
	Config   string   // the config file in use, or "built-in demo"
	Location string   // the location label, if any
	Warnings []string // problems with upbeat itself, newest last
	Demo     bool     // running against the built-in demo origin
}
