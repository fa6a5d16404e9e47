package engine

import "github.com/upbeat-monitor/upbeat/monitor"

// NewSubscription makes a Subscription that is fed by its owner through
// Publish rather than by an Engine: a remote client uses it to hand the
// events it receives from daemons to the dashboard in the same shape as a
// local engine does. limit bounds the events waiting (0: the default).
// Close does not unregister it anywhere: its owner should stop publishing
// once Done is closed.
func NewSubscription(limit int) *Subscription { return newSubscription(limit, nil) }

// Publish adds ev to the subscription without blocking; when the reader
// has fallen behind, the oldest result events are dropped first. It does
// nothing once the subscription is closed.
func (s *Subscription) Publish(ev monitor.Event) { s.publish(ev) }
