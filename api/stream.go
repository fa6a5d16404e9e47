package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// stream turns the engine's events into server-sent event frames, once
// for all clients: one subscription drains the engine, each event is
// encoded once into a ring of frames, and every client handler copies the
// frames after its own cursor. A client that falls behind the ring (or
// reconnects after its Last-Event-ID has left it) is sent a fresh
// snapshot instead, so a slow viewer never slows the engine or the others.
// With no viewer attached nothing is encoded, once the frames a departed
// viewer (or one attaching just after start) could still resume from have
// left the ring anyway.
type stream struct {
	b     Backend
	met   *metrics
	epoch string // changes on every start, so ids from another run never resume

	mu      sync.Mutex
	seq     uint64  // id of the newest frame
	ring    []frame // circular
	head    int     // index of the oldest frame
	n       int
	notify  chan struct{} // closed and replaced when frames are added
	viewers int           // event streams attached
	// keepUntil: frames are encoded while seq is below it with no viewer
	// attached, so that the last one to leave can still resume.
	keepUntil uint64
}

type frame struct {
	seq  uint64
	data []byte // the whole SSE frame
}

func newStream(b Backend, size int, met *metrics) *stream {
	var e [6]byte
	rand.Read(e[:])
	// The first ring's worth of events is encoded whoever is attached, so
	// that a viewer attaching just after start resumes from the start.
	return &stream{b: b, met: met, epoch: hex.EncodeToString(e[:]), ring: make([]frame, size), notify: make(chan struct{}), keepUntil: uint64(size)}
}

// run drains sub, the engine's events, until ctx is done. The caller
// subscribes before it starts serving: an event published before the
// subscription would reach no viewer, nor be in any snapshot sent before it.
func (st *stream) run(ctx context.Context, sub *source.Subscription) {
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.Ready():
		}
		evs, dropped := sub.Drain()
		st.publish(evs, dropped)
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
		st.keepUntil = max(st.keepUntil, st.seq+uint64(len(st.ring)))
		st.mu.Unlock()
	}
}

// skip passes over n events when no viewer is attached and none could
// resume: nothing is encoded, and the ring is emptied, so that an id
// from before the gap gets a snapshot.
func (st *stream) skip(n int) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.viewers > 0 || st.seq < st.keepUntil {
		return false
	}
	st.seq += uint64(n)
	if st.n > 0 {
		clear(st.ring)
		st.head, st.n = 0, 0
	}
	return true
}

// publish encodes evs into frames. After a reload (monitors added,
// changed or removed) or when results were dropped, a snapshot follows so
// that every mirror is whole again.
func (st *stream) publish(evs []source.Event, dropped int) {
	if st.skip(len(evs)) {
		for i := range evs {
			if evs[i].Event.Kind == monitor.EventAlert {
				st.met.countAlert(evs[i].Event.Alert)
			}
		}
		return
	}
	frames := make([][]byte, 0, len(evs)+1)
	resync := dropped > 0
	var warnings []string
	for i := range evs {
		ev := &evs[i].Event
		var state *wire.State
		switch ev.Kind {
		case monitor.EventResult, monitor.EventChange, monitor.EventNote:
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
		frames = append(frames, encodeFrame(we.Kind, we))
	}
	st.mu.Lock()
	for _, f := range frames {
		st.appendLocked(f, true)
	}
	if resync {
		st.appendLocked(nil, false) // snapshot placeholder, built outside the lock
		seq := st.seq
		st.mu.Unlock()
		snap := st.snapshotFrame(seq)
		st.mu.Lock()
		st.fillLocked(seq, snap)
	}
	close(st.notify)
	st.notify = make(chan struct{})
	st.mu.Unlock()
}

// appendLocked adds a frame with the next id; withID false leaves data
// nil for fillLocked.
func (st *stream) appendLocked(data []byte, withID bool) {
	st.seq++
	if withID {
		data = st.withID(st.seq, data)
	}
	idx := (st.head + st.n) % len(st.ring)
	if st.n == len(st.ring) {
		st.head = (st.head + 1) % len(st.ring)
	} else {
		st.n++
	}
	st.ring[idx] = frame{seq: st.seq, data: data}
}

func (st *stream) fillLocked(seq uint64, data []byte) {
	for i := range st.n {
		f := &st.ring[(st.head+i)%len(st.ring)]
		if f.seq == seq {
			f.data = data
			return
		}
	}
}

func (st *stream) id(seq uint64) string { return st.epoch + "-" + strconv.FormatUint(seq, 10) }

// withID puts the id line in front of an encoded frame.
func (st *stream) withID(seq uint64, data []byte) []byte {
	out := make([]byte, 0, len(data)+24)
	out = append(out, "id: "...)
	out = append(out, st.id(seq)...)
	out = append(out, '\n')
	return append(out, data...)
}

// encodeFrame writes "event: kind\ndata: json\n\n" (JSON has no raw newlines).
func encodeFrame(kind string, v any) []byte {
	var b bytes.Buffer
	b.WriteString("event: ")
	b.WriteString(kind)
	b.WriteString("\ndata: ")
	json.NewEncoder(&b).Encode(v) // ends with '\n'
	b.WriteByte('\n')
	return b.Bytes()
}

// snapshotFrame encodes every monitor, with config, last result and
// recent samples, under id seq.
func (st *stream) snapshotFrame(seq uint64) []byte {
	snap := st.b.Snapshot()
	out := wire.Snapshot{Location: st.b.Info().Location, Monitors: make([]wire.Monitor, len(snap))}
	for i := range snap {
		out.Monitors[i] = wire.FromState(&snap[i], wire.WithConfig|wire.WithLast|wire.WithRecent, 0)
	}
	return st.withID(seq, encodeFrame("snapshot", out))
}

// countWriter counts the bytes that go out (after compression).
type countWriter struct {
	w io.Writer
	c interface{ Add(float64) }
}

func (c countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.c.Add(float64(n))
	return n, err
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

// cursor decides where a client starts: after lastID when that frame is
// still in the ring (resumed), else at the newest frame with a snapshot.
func (st *stream) cursor(lastID string) (seq uint64, resumed bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, n, ok := parseID(lastID)
	oldest := st.seq - uint64(st.n) // frames after this one are in the ring
	if ok && e == st.epoch && n >= oldest && n <= st.seq {
		return n, true
	}
	return st.seq, false
}

// since returns the frames after cur, the new cursor, the channel to wait
// on for more, and whether cur has fallen out of the ring.
func (st *stream) since(cur uint64, buf [][]byte) ([][]byte, uint64, <-chan struct{}, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if cur < st.seq-uint64(st.n) {
		return buf, st.seq, st.notify, true
	}
	for i := range st.n {
		f := st.ring[(st.head+i)%len(st.ring)]
		if f.seq > cur && f.data != nil {
			buf = append(buf, f.data)
			cur = f.seq
		} else if f.seq > cur { // a snapshot still being built: wait for it
			break
		}
	}
	return buf, cur, st.notify, false
}

func (s *Server) hello(resumed bool) wire.Hello {
	info := s.b.Info()
	w := info.Warnings
	if w == nil {
		w = []string{}
	}
	return wire.Hello{Epoch: s.strm.epoch, Version: s.opts.Version, Location: info.Location, Config: absPath(info.Config),
		Warnings: w, Shard: info.Shard, History: s.b.Query() != nil, HeartbeatMS: float64(s.opts.Heartbeat.Milliseconds()), Resumed: resumed}
}

// events serves GET /api/v1/events: a hello, a snapshot unless resuming,
// then every event as it happens, with a comment line as heartbeat.
// Last-Event-ID (header, or ?last_event_id=) resumes a dropped stream.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{}) // the request is read; the stream lives on
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("last_event_id")
	}
	defer s.strm.attach()() // before the cursor: from now on every event is encoded
	cur, resumed := s.strm.cursor(last)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Set("Vary", "Accept-Encoding")
	// Over TCP (a dashboard across the network), compress: the stream is
	// repetitive JSON. The socket is local: bandwidth is free there and
	// the frames go out as encoded once for everyone.
	tr, _ := r.Context().Value(trustKey{}).(trust)
	var out io.Writer = countWriter{w, s.met.sseBytes}
	flush := func() error { return rc.Flush() }
	if tr != trustSocket && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		gz, _ := gzip.NewWriterLevel(out, gzip.BestSpeed)
		defer gz.Close()
		out = gz
		flush = func() error {
			if err := gz.Flush(); err != nil {
				return err
			}
			return rc.Flush()
		}
	}
	w.WriteHeader(http.StatusOK)
	s.met.viewers.Inc()
	defer s.met.viewers.Dec()

	write := func(chunks ...[]byte) bool {
		rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		for _, c := range chunks {
			if _, err := out.Write(c); err != nil {
				return false
			}
		}
		return flush() == nil
	}
	if !write(encodeFrame("hello", s.hello(resumed))) {
		return
	}
	if !resumed && !write(s.strm.snapshotFrame(cur)) {
		return
	}
	beat := time.NewTicker(s.opts.Heartbeat)
	defer beat.Stop()
	// When the tokens are replaced, the request is checked again: a
	// stream admitted by a revoked token ends.
	var revoked <-chan struct{}
	if tk, ok := r.Context().Value(tokensKey{}).(*tokens); ok {
		revoked = tk.revoked
	}
	var buf [][]byte
	for {
		var wait <-chan struct{}
		var behind bool
		buf, cur, wait, behind = s.strm.since(cur, buf[:0])
		if behind {
			buf = append(buf, s.strm.snapshotFrame(cur))
		}
		if len(buf) > 0 && !write(buf...) {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-beat.C:
			if !write([]byte(": ping\n\n")) {
				return
			}
		case <-revoked:
			tk := s.tok.Load()
			if status, _ := s.access(r, tr, tk); status != 0 {
				return
			}
			revoked = tk.revoked
		case <-wait:
		}
	}
}

// absPath makes a config path absolute for viewers, who run in another
// directory than the daemon; "" stays "".
func absPath(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
