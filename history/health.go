package history

// health is whether everything appended is on disk, as OnHealth hears
// it: a fault of the raw segments, of the rollups and checkpoint, or none.
// It is used under the writer's lock; the OnHealth calls it queues are
// made once the lock is released.
type health struct {
	raw      error // the raw log cannot be written
	aux      error // rollups or the checkpoint cannot be written
	notified string
	onHealth func(error)
	calls    []func()
}

// err is the current problem: a raw fault first, else a rollup fault.
func (h *health) err() error {
	if h.raw != nil {
		return h.raw
	}
	return h.aux
}

// setRaw and setAux change a fault (nil: cleared) and queue an OnHealth
// call when the health changed.
func (h *health) setRaw(err error) {
	h.raw = err
	h.changed()
}

func (h *health) setAux(err error) {
	h.aux = err
	h.changed()
}

func (h *health) changed() {
	e := h.err()
	msg := ""
	if e != nil {
		msg = e.Error()
	}
	if msg == h.notified {
		return
	}
	h.notified = msg
	if cb := h.onHealth; cb != nil {
		h.calls = append(h.calls, func() { cb(e) })
	}
}

// take returns the queued OnHealth calls and forgets them.
func (h *health) take() []func() {
	cbs := h.calls
	h.calls = nil
	return cbs
}
