package engine

import (
	"math"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// packedSample is a monitor.Sample in 12 bytes instead of 48: its time in
// milliseconds after the ring's base, its latency in microseconds (up to
// 71 minutes), its code and its status.
type packedSample struct {
	dt     uint32
	lat    uint32
	code   uint16
	status monitor.Status
}

// sampleRing keeps a monitor's last samples packed, written in place: a
// result costs no allocation, and a monitor holds 12 bytes per sample.
// Readers get them unpacked (samples); a view unpacked for a snapshot is
// kept until the next sample, so a dashboard that asks ten times a second
// unpacks only what changed. It is guarded by the states' lock.
type sampleRing struct {
	buf  []packedSample // oldest first from next once full
	next int            // where the next sample goes once len(buf) == keep
	base int64          // unix ms the samples' dt count from
	view []monitor.Sample
}

// maxDT is how far after the base a sample may be.
const maxDT = math.MaxUint32

// push adds a sample, dropping the oldest once keep are held.
func (r *sampleRing) push(s monitor.Sample, keep int) {
	r.view = nil
	if keep <= 0 {
		return
	}
	ms := s.Time.UnixMilli()
	if len(r.buf) == 0 {
		r.base = ms
	}
	if d := ms - r.base; d < 0 || d > maxDT {
		r.rebase(ms)
	}
	p := packedSample{dt: uint32(ms - r.base), lat: uint32(min(max(s.Latency/time.Microsecond, 0), math.MaxUint32)),
		code: uint16(min(max(s.Code, 0), math.MaxUint16)), status: s.Status}
	if len(r.buf) < keep {
		if r.buf == nil {
			r.buf = make([]packedSample, 0, keep)
		}
		r.buf = append(r.buf, p)
		return
	}
	r.buf[r.next] = p
	r.next = (r.next + 1) % len(r.buf)
}

// rebase moves the base so that a sample at ms fits: to the oldest time
// held or ms, whichever is earlier. Samples that would still lie too far
// from the newest (a ring spanning 49 days) are dropped.
func (r *sampleRing) rebase(ms int64) {
	old := r.unpack()
	base := ms
	for _, s := range old {
		base = min(base, s.Time.UnixMilli())
	}
	newest := ms
	for _, s := range old {
		newest = max(newest, s.Time.UnixMilli())
	}
	base = max(base, newest-maxDT)
	r.buf, r.next, r.base = r.buf[:0], 0, base
	for _, s := range old {
		if t := s.Time.UnixMilli(); t >= base {
			r.buf = append(r.buf, packedSample{dt: uint32(t - base), lat: uint32(s.Latency / time.Microsecond),
				code: uint16(s.Code), status: s.Status})
		}
	}
	if ms < base { // older than what is kept by more than the ring can span
		r.base = ms
		r.buf = r.buf[:0]
	}
}

// unpack returns the samples, oldest first, in a new slice.
func (r *sampleRing) unpack() []monitor.Sample {
	if len(r.buf) == 0 {
		return nil
	}
	out := make([]monitor.Sample, 0, len(r.buf))
	at := func(p packedSample) monitor.Sample {
		return monitor.Sample{Time: time.UnixMilli(r.base + int64(p.dt)), Latency: time.Duration(p.lat) * time.Microsecond,
			Status: p.status, Code: int(p.code)}
	}
	for _, p := range r.buf[r.next:] {
		out = append(out, at(p))
	}
	for _, p := range r.buf[:r.next] {
		out = append(out, at(p))
	}
	return out
}

// samples returns the samples for a reader. With keep set the unpacked
// view is kept for the next reader until a sample comes.
func (r *sampleRing) samples(keep bool) []monitor.Sample {
	if r.view != nil {
		return r.view
	}
	v := r.unpack()
	if keep {
		r.view = v
	}
	return v
}
