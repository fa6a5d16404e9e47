package api

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// stream turns the engine's events into server-sent event frames, once
// for all viewers: one subscription drains the engine, each batch of
// events is encoded once into a segment of a ring, and every viewer's
// handler writes the segments after its own cursor. The ring is the only
// queue: a viewer holds no copy of what it has yet to read, so a thousand
// viewers cost what one does. A viewer that falls out of the ring is
// dropped; it comes back with its Last-Event-ID and is replayed what it
// missed, or sent a snapshot when that has left the ring too.
//
// Under a steady flow, events are taken in batches (at most one segment
// every `every`, after a burst of a few); a quiet stream sends each event
// at once. Batches make the compressed stream small: each segment is
// compressed once, for every viewer that asked for gzip.
type stream struct {
	b     Backend
	met   *metrics
	epoch string // changes on every start, so ids from another run never resume
	every time.Duration
	z     *deflater

	mu     sync.Mutex
	seq    uint64     // id of the newest frame; only the publishing goroutine changes it
	segs   []*segment // oldest first
	n      int        // frames in segs
	size   int        // frames kept (at least the newest segment's)
	notify chan struct{}

	snapMu   sync.Mutex
	snap     *segment      // the snapshot built last, shared by viewers that attach
	snapWait chan struct{} // closed when the snapshot being built is ready

	viewers int // event streams attached
	// keepUntil: frames are encoded while seq is below it with no viewer
	// attached, so that the last one to leave can still resume.
	keepUntil uint64
	// journal holds what a viewer's log tells of, up to frame seq: every
	// snapshot carries it, so that a viewer that attaches late builds the
	// log one attached all along did (see source.Journal).
	journal source.Journal
}

// segment is frames first..last, encoded once and shared by every viewer.
type segment struct {
	first, last uint64
	raw         []byte // the frames with their id lines; nil while a snapshot is built
	ends        []int  // ends[i]: where frame first+i ends in raw

	zOnce sync.Once
	z     []byte // raw as deflate blocks that stand alone (see deflater)
}

// tail is raw from frame seq on.
func (g *segment) tail(seq uint64) []byte {
	if seq <= g.first {
		return g.raw
	}
	return g.raw[g.ends[seq-g.first-1]:]
}

// chunk is what a viewer is sent of a segment: its frames from `from` on.
type chunk struct {
	g    *segment
	from uint64
}

// Coalescing: up to burstSegments at once, then one every `every`.
const (
	burstSegments      = 8
	defaultEventsEvery = 250 * time.Millisecond
)

func newStream(b Backend, size int, met *metrics) *stream {
	var e [6]byte
	rand.Read(e[:])
	return &stream{b: b, met: met, epoch: hex.EncodeToString(e[:]), every: defaultEventsEvery,
		z: newDeflater(), size: size, notify: make(chan struct{}),
		// The first ring's worth of events is encoded whoever is attached,
		// so that a viewer attaching just after start resumes from the start.
		keepUntil: uint64(size)}
}

// begin starts the journal with what the engine's held when the stream
// subscribed to it.
func (st *stream) begin(past []source.Event) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, ev := range past {
		st.journal.Add(ev)
	}
}

// run drains sub, the engine's events, until ctx is done. The caller
// subscribes before it starts serving: an event published before the
// subscription would reach no viewer, nor be in any snapshot sent before it.
func (st *stream) run(ctx context.Context, sub *source.Subscription) {
	defer sub.Close()
	tokens, last := float64(burstSegments), time.Now()
	refill := func() {
		now := time.Now()
		tokens = min(burstSegments, tokens+float64(now.Sub(last))/float64(st.every))
		last = now
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Ready():
		}
		if refill(); tokens < 1 {
			t := time.NewTimer(time.Duration((1 - tokens) * float64(st.every)))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			refill()
		}
		tokens--
		evs, dropped := sub.Drain()
		st.publish(evs, dropped)
		sub.Recycle(evs) // publish keeps copies (the journal), never the slice
	}
}

// attach counts a viewer in until the returned func is called.
func (st *stream) attach() (detach func()) {
	st.mu.Lock()
	st.viewers++
	st.mu.Unlock()
	return func() {
		st.mu.Lock()
		st.viewers--
		st.keepUntil = max(st.keepUntil, st.seq+uint64(st.size))
		st.mu.Unlock()
	}
}

// viewerCount is how many viewers are attached now.
func (st *stream) viewerCount() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.viewers
}

// skip passes over evs when no viewer is attached and none could resume:
// nothing is encoded, and the ring is emptied, so that an id from before
// the gap gets a snapshot. The journal keeps them still.
func (st *stream) skip(evs []source.Event) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.viewers > 0 || st.seq < st.keepUntil {
		return false
	}
	st.journalLocked(evs)
	st.seq += uint64(len(evs))
	clear(st.segs)
	st.segs, st.n = st.segs[:0], 0
	return true
}

// publish encodes evs into one segment. After a reload (monitors added,
// changed or removed) or when results were dropped, a snapshot follows so
// that every mirror is whole again. With no viewer to read them, nothing
// is encoded (see skip); alerts are still counted for /metrics.
func (st *stream) publish(evs []source.Event, dropped int) {
	if st.skip(evs) {
		for i := range evs {
			if evs[i].Event.Kind == monitor.EventAlert {
				st.met.countAlert(evs[i].Event.Alert)
			}
		}
		return
	}
	resync := dropped > 0
	var warnings []string
	var g *segment
	if len(evs) > 0 {
		g = &segment{first: st.seq + 1, ends: make([]int, 0, len(evs))}
		var buf bytes.Buffer
		for i := range evs {
			ev := &evs[i].Event
			var state *wire.State
			switch ev.Kind {
			case monitor.EventResult, monitor.EventChange, monitor.EventWarRoom, monitor.EventNote:
				if ms, err := st.b.State(ev.Monitor); err == nil {
					s := wire.StateOf(&ms)
					state = &s
				}
			case monitor.EventAlert:
				st.met.countAlert(ev.Alert)
			case monitor.EventWarning:
				if warnings == nil {
					warnings = st.b.Info().Warnings
				}
			case monitor.EventReload:
				resync = true
			}
			we := wire.FromEvent(ev, state, warnings)
			writeID(&buf, st.id(g.first+uint64(i)))
			writeFrame(&buf, we.Kind, we)
			g.ends = append(g.ends, buf.Len())
		}
		g.raw, g.last = buf.Bytes(), g.first+uint64(len(evs))-1
	}
	st.mu.Lock()
	st.journalLocked(evs) // with seq: a snapshot carries the journal up to its frame
	if g != nil {
		st.pushLocked(g)
	}
	if resync {
		snap := &segment{first: st.seq + 1, last: st.seq + 1} // raw nil: viewers wait for it
		st.pushLocked(snap)
		past := st.journal.Events()
		st.mu.Unlock()
		raw := st.snapshotFrame(snap.first, past)
		st.mu.Lock()
		snap.raw, snap.ends = raw, []int{len(raw)}
		defer st.shareSnapshot(snap)
	}
	close(st.notify)
	st.notify = make(chan struct{})
	st.mu.Unlock()
}

// journalLocked adds evs to the journal.
func (st *stream) journalLocked(evs []source.Event) {
	for _, ev := range evs {
		st.journal.Add(ev)
	}
}

// pushLocked adds g to the ring, dropping the oldest segments beyond size
// frames (the newest one is always kept, however large).
func (st *stream) pushLocked(g *segment) {
	st.seq = g.last
	st.segs = append(st.segs, g)
	st.n += int(g.last - g.first + 1)
	drop := 0
	for st.n > st.size && drop < len(st.segs)-1 {
		st.n -= int(st.segs[drop].last - st.segs[drop].first + 1)
		st.segs[drop] = nil
		drop++
	}
	if drop > 0 {
		st.segs = append(st.segs[:0:0], st.segs[drop:]...)
	}
}

// oldestLocked is the id before the oldest frame kept: a cursor at or
// after it can be served from the ring.
func (st *stream) oldestLocked() uint64 { return st.seq - uint64(st.n) }

func (st *stream) id(seq uint64) string { return st.epoch + "-" + strconv.FormatUint(seq, 10) }

func writeID(b *bytes.Buffer, id string) {
	b.WriteString("id: ")
	b.WriteString(id)
	b.WriteByte('\n')
}

// writeFrame writes "event: kind\ndata: json\n\n" (JSON has no raw newlines).
func writeFrame(b *bytes.Buffer, kind string, v any) {
	b.WriteString("event: ")
	b.WriteString(kind)
	b.WriteString("\ndata: ")
	json.NewEncoder(b).Encode(v) // ends with '\n'
	b.WriteByte('\n')
}

// encodeFrame is writeFrame into a new slice.
func encodeFrame(kind string, v any) []byte {
	var b bytes.Buffer
	writeFrame(&b, kind, v)
	return b.Bytes()
}

// snapshotFrame encodes every monitor, with config, last result and
// recent samples, and past, the journal up to frame seq, under id seq.
func (st *stream) snapshotFrame(seq uint64, past []source.Event) []byte {
	snap := st.b.Snapshot()
	out := wire.Snapshot{Location: st.b.Info().Location, Monitors: make([]wire.Monitor, len(snap)), Log: wire.FromJournal(past)}
	for i := range snap {
		out.Monitors[i] = wire.FromState(&snap[i], wire.WithConfig|wire.WithLast|wire.WithRecent, 0)
	}
	var b bytes.Buffer
	writeID(&b, st.id(seq))
	writeFrame(&b, "snapshot", out)
	return b.Bytes()
}

// shareSnapshot offers g to the viewers that attach next.
func (st *stream) shareSnapshot(g *segment) {
	st.snapMu.Lock()
	if st.snap == nil || g.first > st.snap.first {
		st.snap = g
	}
	st.snapMu.Unlock()
}

// attachSnapshot returns the snapshot a viewer that attaches now starts
// from: the last one built while the frames after it are still in the
// ring and few, else a new one. Viewers attaching together share it, so
// a crowd of them costs one encoding, not one each.
func (st *stream) attachSnapshot() *segment {
	for {
		st.snapMu.Lock()
		if g := st.snap; g != nil && st.fresh(g) {
			st.snapMu.Unlock()
			return g
		}
		if w := st.snapWait; w != nil {
			st.snapMu.Unlock()
			<-w
			continue
		}
		w := make(chan struct{})
		st.snapWait = w
		st.snapMu.Unlock()

		st.mu.Lock()
		seq := st.seq // always the end of a segment: gzip viewers go on with shared blocks
		past := st.journal.Events()
		st.mu.Unlock()
		raw := st.snapshotFrame(seq, past)
		g := &segment{first: seq, last: seq, raw: raw, ends: []int{len(raw)}}
		st.snapMu.Lock()
		st.snap, st.snapWait = g, nil
		st.snapMu.Unlock()
		close(w)
		return g
	}
}

// fresh says whether a viewer may start from snapshot g: the frames after
// it are in the ring, and replaying them costs less than a new snapshot.
func (st *stream) fresh(g *segment) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return g.first >= st.oldestLocked() && st.seq-g.first <= uint64(max(st.size/4, 16))
}

// parseID splits "epoch-seq".
func parseID(id string) (epoch string, seq uint64, ok bool) {
	e, s, found := strings.Cut(id, "-")
	if !found {
		return "", 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return e, n, err == nil
}

// cursor decides where a viewer starts: after lastID when that frame is
// still in the ring (resumed), else from a snapshot.
func (st *stream) cursor(lastID string) (seq uint64, resumed bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, n, ok := parseID(lastID)
	if ok && e == st.epoch && n >= st.oldestLocked() && n <= st.seq {
		return n, true
	}
	return st.seq, false
}

// since appends to out what comes after cur, and returns the new cursor,
// the channel to wait on for more, and whether cur has fallen out of the
// ring (the viewer is too far behind).
func (st *stream) since(cur uint64, out []chunk) ([]chunk, uint64, <-chan struct{}, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if cur < st.oldestLocked() {
		return out, cur, st.notify, true
	}
	i := sort.Search(len(st.segs), func(i int) bool { return st.segs[i].last > cur })
	for _, g := range st.segs[i:] {
		if g.raw == nil { // a snapshot still being built: wait for it
			break
		}
		out = append(out, chunk{g, max(cur+1, g.first)})
		cur = g.last
	}
	return out, cur, st.notify, false
}

// deflater compresses segments into deflate blocks that refer to nothing
// before them and end on a byte boundary (a sync flush, no final block).
// Such blocks can follow any other such blocks in one deflate stream, so
// each segment is compressed once and every gzip viewer's stream is its
// own header, the shared blocks, and its own trailer.
type deflater struct{ pool sync.Pool }

func newDeflater() *deflater {
	return &deflater{pool: sync.Pool{New: func() any {
		w, _ := flate.NewWriter(io.Discard, flate.BestSpeed)
		return w
	}}}
}

func (d *deflater) blocks(p []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(p)/4 + 64)
	w := d.pool.Get().(*flate.Writer)
	w.Reset(&b)
	w.Write(p)
	w.Flush()
	w.Reset(io.Discard) // let go of b
	d.pool.Put(w)
	return b.Bytes()
}

// deflated is g's frames as shared deflate blocks, compressed on first use.
func (st *stream) deflated(g *segment) []byte {
	g.zOnce.Do(func() { g.z = st.z.blocks(g.raw) })
	return g.z
}
