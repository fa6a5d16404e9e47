package engine

import (
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// warnings are the problems with upbeat itself now in force (history
// cannot be written, the config did not reload, …), each under a key, in
// the order they arose. Every change is published as an event.
type warnings struct {
	now     func() time.Time
	publish func(monitor.Event)

	mu   sync.Mutex
	msgs map[string]string
	seq  []string // keys, oldest first
}

func newWarnings(now func() time.Time, publish func(monitor.Event)) *warnings {
	return &warnings{now: now, publish: publish, msgs: make(map[string]string)}
}

// list returns the warnings in force, oldest first.
func (w *warnings) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.seq))
	for _, k := range w.seq {
		out = append(out, w.msgs[k])
	}
	return out
}

// set puts msg under key, replacing the one there; an empty msg clears it.
func (w *warnings) set(key, msg string) {
	w.mu.Lock()
	old, had := w.msgs[key]
	switch {
	case msg == "" && !had, msg != "" && had && old == msg:
		w.mu.Unlock()
		return
	case msg == "":
		delete(w.msgs, key)
		for i, k := range w.seq {
			if k == key {
				w.seq = append(w.seq[:i:i], w.seq[i+1:]...)
				break
			}
		}
	default:
		if !had {
			w.seq = append(w.seq, key)
		}
		w.msgs[key] = msg
	}
	w.mu.Unlock()
	now := w.now()
	if had {
		// viewers keep warnings from events: retire the old text first
		w.publish(monitor.Event{Kind: monitor.EventWarning, Time: now, Message: old, Clear: true})
	}
	if msg != "" {
		w.publish(monitor.Event{Kind: monitor.EventWarning, Time: now, Message: msg})
	}
}
