package api

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
)

// DefaultWriteTimeout is how long one write to an event stream may take
// before the viewer is dropped.
const DefaultWriteTimeout = 10 * time.Second

// streamSendBuffer is the kernel's send buffer for an event stream's
// connection: enough for a snapshot of thousands of monitors in flight,
// and a bound on what a viewer that does not read keeps in the kernel
// (TCP would otherwise grow it to megabytes per connection).
const streamSendBuffer = 256 << 10

// connKey carries the request's connection in its context.
type connKey struct{}

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
//
// What a viewer is sent is shared with every other viewer (see stream);
// each write has a deadline, and a viewer that does not take its frames
// within it, or falls out of the ring, is dropped: nothing it has yet to
// read is held for it.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{}) // the request is read; the stream lives on
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("last_event_id")
	}
	if c, ok := r.Context().Value(connKey{}).(interface{ SetWriteBuffer(int) error }); ok {
		c.SetWriteBuffer(streamSendBuffer)
	}
	defer s.strm.attach()() // before the cursor: from now on every event is encoded
	cur, resumed := s.strm.cursor(last)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Set("Vary", "Accept-Encoding")
	// Compressed when asked, on the socket too: the stream is repetitive
	// JSON, and each segment is compressed once for every viewer.
	v := &viewerOut{st: s.strm, w: countWriter{w, s.met.sseBytes}, rc: rc, timeout: s.opts.WriteTimeout,
		gzip: acceptsGzip(r.Header.Get("Accept-Encoding"))}
	if v.gzip {
		h.Set("Content-Encoding", "gzip")
	}
	w.WriteHeader(http.StatusOK)
	s.met.viewers.Inc()
	defer s.met.viewers.Dec()
	tr, _ := r.Context().Value(trustKey{}).(trust)

	drop := func(err error) {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			s.met.dropped.Inc()
		}
	}
	if err := v.start(encodeFrame("hello", s.hello(resumed))); err != nil {
		drop(err)
		return
	}
	if !resumed {
		g := s.strm.attachSnapshot()
		if err := v.send(chunk{g, g.first}); err != nil {
			drop(err)
			return
		}
		cur = g.last
	}
	if err := v.flush(); err != nil {
		drop(err)
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
	var buf []chunk
	for {
		var wait <-chan struct{}
		var behind bool
		buf, cur, wait, behind = s.strm.since(cur, buf[:0])
		if behind { // what it missed has left the ring: it reconnects for a snapshot
			s.met.dropped.Inc()
			return
		}
		if len(buf) > 0 {
			for _, c := range buf {
				if err := v.send(c); err != nil {
					drop(err)
					return
				}
			}
			clear(buf) // hold no segment while waiting
			if err := v.flush(); err != nil {
				drop(err)
				return
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			v.end()
			return
		case <-beat.C:
			if err := v.ping(); err != nil {
				drop(err)
				return
			}
		case <-revoked:
			tk := s.tok.Load()
			if status, _ := s.access(r, tr, tk); status != 0 {
				v.end()
				return
			}
			revoked = tk.revoked
		case <-wait:
		}
	}
}

// acceptsGzip reads an Accept-Encoding header: gzip listed, not with q=0.
func acceptsGzip(h string) bool {
	for part := range strings.SplitSeq(h, ",") {
		name, params, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// viewerOut writes to one viewer, each write under a deadline. With gzip
// its stream is a gzip header, the shared deflate blocks of the segments
// (see deflater), and at a clean end a final block and the trailer: the
// only state of its own is the checksum and length of what it was sent.
type viewerOut struct {
	st      *stream
	w       io.Writer
	rc      *http.ResponseController
	timeout time.Duration
	gzip    bool
	crc     uint32
	size    uint32
}

// gzipHeader: no name, no time, unknown OS.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// start writes the response's first bytes and this viewer's hello.
func (v *viewerOut) start(hello []byte) error {
	if v.gzip {
		if err := v.write(gzipHeader); err != nil {
			return err
		}
	}
	return v.own(hello)
}

// own sends frames of this viewer's own: the hello, heartbeats, the rest
// of a segment after a resume. In a gzip stream they go as stored
// (uncompressed) blocks: small or rare, they are not worth a compressor
// for each viewer.
func (v *viewerOut) own(raw []byte) error {
	if !v.gzip {
		return v.write(raw)
	}
	return v.sendZ(raw, storedBlocks(raw))
}

// storedBlocks frames p as deflate stored blocks (not final), which may
// follow any byte-aligned deflate blocks, then an empty one: a reader
// hands over what it has decoded at that mark (as at a sync flush).
func storedBlocks(p []byte) []byte {
	out := make([]byte, 0, len(p)+5*(len(p)/0xffff+2))
	for len(p) > 0 {
		n := min(len(p), 0xffff)
		out = append(out, 0, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		out = append(out, p[:n]...)
		p = p[n:]
	}
	return append(out, 0, 0, 0, 0xff, 0xff)
}

// send writes c, sharing the segment's compressed blocks when the whole
// segment goes out.
func (v *viewerOut) send(c chunk) error {
	if !v.gzip {
		return v.write(c.g.tail(c.from))
	}
	if c.from <= c.g.first {
		return v.sendZ(c.g.raw, v.st.deflated(c.g))
	}
	return v.own(c.g.tail(c.from)) // resumed mid-segment: rare
}

func (v *viewerOut) sendZ(raw, z []byte) error {
	v.crc = crc32.Update(v.crc, crc32.IEEETable, raw)
	v.size += uint32(len(raw))
	return v.write(z)
}

func (v *viewerOut) ping() error {
	if err := v.own([]byte(": ping\n\n")); err != nil {
		return err
	}
	return v.flush()
}

// write sends p in pieces, each under its own deadline: a viewer that
// reads, however slowly, keeps its stream; one that stops is dropped.
func (v *viewerOut) write(p []byte) error {
	for len(p) > 0 {
		n := min(len(p), writePiece)
		if v.rc != nil {
			v.rc.SetWriteDeadline(time.Now().Add(v.timeout))
		}
		if _, err := v.w.Write(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// writePiece is the most written under one deadline.
const writePiece = 64 << 10

func (v *viewerOut) flush() error {
	if v.rc == nil {
		return nil
	}
	v.rc.SetWriteDeadline(time.Now().Add(v.timeout))
	return v.rc.Flush()
}

// end closes a gzip stream properly (a final empty block and the
// trailer) when the server ends it; a viewer that went away gets nothing.
func (v *viewerOut) end() {
	if !v.gzip {
		return
	}
	tail := []byte{0x03, 0x00} // final block, fixed codes, end of block at once
	tail = binary.LittleEndian.AppendUint32(tail, v.crc)
	tail = binary.LittleEndian.AppendUint32(tail, v.size)
	if v.write(tail) == nil {
		v.flush()
	}
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
