package history

import (
	"fmt"
	"log/slog"
	"sync"
)

// damage is the list of corruption found since open: tails a writer cut
// off, and damaged data a read skipped, each reported once. It is safe for
// concurrent use.
type damage struct {
	log      *slog.Logger
	mu       sync.Mutex
	found    []CorruptionError
	reported map[string]bool // by file@offset
}

func newDamage(log *slog.Logger) *damage { return &damage{log: log, reported: map[string]bool{}} }

// repaired records a tail the writer cut off.
func (d *damage) repaired(ce CorruptionError, bytes int64) {
	d.mu.Lock()
	d.found = append(d.found, ce)
	d.mu.Unlock()
	d.log.Warn("history: cut damaged tail", "segment", segName(ce.Segment), "offset", ce.Offset,
		"bytes", bytes, "moved_to", ce.Moved, "err", ce.Err)
}

// skipped records damage a read went around, once per place.
func (d *damage) skipped(ce *CorruptionError) {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := fmt.Sprintf("%s@%d", ce.File, ce.Offset)
	if d.reported[key] {
		return
	}
	d.reported[key] = true
	d.found = append(d.found, *ce)
	d.log.Warn("history: skipped damaged data", "file", ce.File, "offset", ce.Offset, "err", ce.Err)
}

// list returns a copy of what was found.
func (d *damage) list() []CorruptionError {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]CorruptionError(nil), d.found...)
}
