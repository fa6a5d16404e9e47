package api

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
)

// rawViewer opens an event stream on a plain connection, so that the test
// decides when (and whether) anything is read.
func rawViewer(t *testing.T, network, addr, lastID string) (*sseReader, net.Conn) {
	t.Helper()
	conn, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	req, _ := http.NewRequest("GET", "http://localhost/api/v1/events", nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 4096), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("events: %s", resp.Status)
	}
	return &sseReader{resp: resp, r: bufio.NewReaderSize(resp.Body, 4096)}, conn
}

// A viewer that stops reading is dropped once a write to it has waited
// WriteTimeout; nothing it has yet to read is held for it. Coming back
// with the id of the last event it read, it is replayed what it missed
// (once that has left the ring, it gets a snapshot instead: see
// TestEventsResumeWithLastEventID).
func TestEventsNonReadingViewerIsDroppedAndResumes(t *testing.T) {
	t.Parallel() // waits on write timeouts: the others run meanwhile
	e := runEngine(t, config("x", testMonitor("shop", "https://shop.example/")), newSwitch(), engine.Options{})
	sock := socketPath(t)
	s := startServer(t, New(backend(e), Options{Socket: sock, Heartbeat: time.Hour, Ring: 1024, WriteTimeout: 250 * time.Millisecond,
		EventBatch: time.Millisecond})) // paced at the default, the buffers would take seconds to fill

	v, _ := rawViewer(t, "unix", sock, "")
	v.nextNamed(t, "hello")
	lastID := v.nextNamed(t, "snapshot").id
	// It reads no more. Warnings of 16 KiB each (every warning event carries
	// the full list) fill the socket's buffers within a few dozen events.
	big := strings.Repeat("x", 16<<10)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	giveUp := time.After(10 * time.Second)
	for sent := 0; counter(s.met.dropped) == 0; sent++ {
		if sent < 60 { // megabytes: far more than the socket holds
			e.Warn(fmt.Sprint("w", sent%4), fmt.Sprint(sent, big))
		}
		select {
		case <-tick.C:
		case <-giveUp:
			t.Fatal("the viewer that reads nothing is still attached 10s after 60 large events")
		}
	}
	// What was written before the drop is still there to read, then the end.
	for {
		ev, err := v.next()
		if err != nil {
			if err != io.ErrUnexpectedEOF && err != io.EOF {
				t.Fatalf("after the drop: %v", err)
			}
			break
		}
		lastID = ev.id
	}
	_, readUpTo, _ := parseID(lastID)

	r, conn := rawViewer(t, "unix", sock, lastID)
	if h := decode[wire.Hello](t, r.nextNamed(t, "hello").data); !h.Resumed {
		t.Fatalf("not resumed from %s: %+v", lastID, h)
	}
	first, err := r.next()
	if err != nil {
		t.Fatalf("resumed stream: %v (streams dropped: %v)", err, counter(s.met.dropped))
	}
	if _, seq, _ := parseID(first.id); first.name != "warning" || seq != readUpTo+1 {
		t.Errorf("first event after resuming from %s: %s %s", lastID, first.name, first.id)
	}
	conn.Close()

}

// counter reads a counter's value.
func counter(c prometheus.Counter) float64 {
	var m dto.Metric
	c.Write(&m)
	return m.GetCounter().GetValue()
}

// A gzip viewer's stream is its own header, blocks compressed once and
// shared with every other viewer, stored blocks of its own (the hello, a
// heartbeat, the rest of a segment it resumed in the middle of) and its
// own trailer: one valid gzip stream, checksum included.
func TestEventsGzipFromSharedBlocks(t *testing.T) {
	st := newStream(nil, 64, nil)
	var want bytes.Buffer
	var segs []*segment
	for s := range 3 {
		g := &segment{first: uint64(1 + 3*s), last: uint64(3 + 3*s)}
		for i := range 3 {
			g.raw = append(g.raw, encodeFrame("result", map[string]int{"segment": s, "frame": i, "pad": s * i})...)
			g.ends = append(g.ends, len(g.raw))
		}
		segs = append(segs, g)
	}
	var out bytes.Buffer
	a := &viewerOut{st: st, w: &out, gzip: true}
	hello := encodeFrame("hello", wire.Hello{Epoch: "e"})
	if err := a.start(hello); err != nil {
		t.Fatal(err)
	}
	want.Write(hello)
	a.send(chunk{segs[0], 2}) // resumed after frame 1
	want.Write(segs[0].tail(2))
	a.ping()
	want.WriteString(": ping\n\n")
	for _, g := range segs[1:] {
		a.send(chunk{g, g.first})
		want.Write(g.raw)
	}
	a.end()
	sent := bytes.Clone(out.Bytes())
	zr, err := gzip.NewReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("reading the stream: %v", err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("stream decodes to\n%s\nwant\n%s", got, want.Bytes())
	}
	if segs[1].z == nil || !bytes.Contains(sent, segs[1].z) {
		t.Error("a whole segment did not go out as its shared compressed blocks")
	}
}
