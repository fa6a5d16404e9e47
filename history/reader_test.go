package history

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// readAll reads every result of a segment with a SegmentReader over r.
func readAll(r io.Reader) (got []string, good int64, err error) {
	sr := NewSegmentReader(r, -1, nil)
	for sr.Next() {
		res := sr.Result()
		got = append(got, fmt.Sprintf("%d %s %v %v %d %q", sr.Offset(), res.Monitor, res.Time, res.Status, len(res.Answers), res.Error))
	}
	return got, sr.Good(), sr.Err()
}

// TestSegmentReaderPages: a segment read through readers that return a
// byte or half a buffer at a time reads as it does from memory, damage
// included, and frames longer than a page read whole.
func TestSegmentReaderPages(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(goldenDir, rawDir, segName(1)))
	if err != nil {
		t.Fatal(err)
	}
	// A frame far longer than a page: every string as long as can be.
	long := fullRecord(t0.Add(time.Hour))
	long.Error = strings.Repeat("e", maxString)
	long.Answers = make([]string, maxAnswers)
	for i := range long.Answers {
		long.Answers[i] = fmt.Sprintf("%03d%s", i, strings.Repeat("a", maxAnswer))
	}
	e := newEncoder(t0.UnixMilli())
	big := e.encode(headerFrame(1, t0.UnixMilli()), &long)
	if len(big) < pageSize+pageSize/2 {
		t.Fatalf("the long frame takes %d bytes only", len(big))
	}
	r := httpRecord("after", t0.Add(2*time.Hour), 0)
	big = e.encode(big, &r)

	for name, seg := range map[string][]byte{
		"golden":    data,
		"long":      big,
		"torn":      data[:len(data)-5],
		"corrupt":   append(bytes.Clone(data[:len(data)/2]), 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3),
		"magic cut": data[:5],
	} {
		want, wgood, werr := readAll(bytes.NewReader(seg))
		if name == "golden" && (len(want) < 100 || werr != nil) {
			t.Fatalf("golden segment: %d results, %v", len(want), werr)
		}
		if name == "long" && len(want) != 2 {
			t.Fatalf("long frame: %d results, %v", len(want), werr)
		}
		for rname, rd := range map[string]io.Reader{
			"one byte": iotest.OneByteReader(bytes.NewReader(seg)),
			"half":     iotest.HalfReader(bytes.NewReader(seg)),
			"eof":      iotest.DataErrReader(bytes.NewReader(seg)),
		} {
			got, good, err := readAll(rd)
			if fmt.Sprint(got) != fmt.Sprint(want) || good != wgood || fmt.Sprint(err) != fmt.Sprint(werr) {
				t.Errorf("%s, %s: %d results, good %d, %v; from memory %d, %d, %v", name, rname, len(got), good, err,
					len(want), wgood, werr)
			}
		}
	}
}

// TestSegmentReaderMemory: reading a whole segment holds one page,
// however long the segment.
func TestSegmentReaderMemory(t *testing.T) {
	t.Parallel()
	e := newEncoder(t0.UnixMilli())
	// About 2.7 MB: the buffer is made once, not grown by doubling.
	data := append(make([]byte, 0, 3<<20), headerFrame(1, t0.UnixMilli())...)
	names := make([]string, 50) // made once: formatting a name per result was most of the test's cost
	for m := range names {
		names[m] = fmt.Sprintf("m%d", m)
	}
	for i := range 100_000 {
		r := httpRecord(names[i%50], t0.Add(time.Duration(i)*time.Second), i)
		data = e.encode(data, &r)
	}
	sr := NewSegmentReader(bytes.NewReader(data), 1, func(m string) bool { return m == "m7" })
	n := 0
	for sr.Next() {
		n++
	}
	if sr.Err() != nil || n != 2000 || sr.Good() != int64(len(data)) {
		t.Fatalf("%d results, good %d of %d: %v", n, sr.Good(), len(data), sr.Err())
	}
	if c := cap(sr.fr.buf); c > pageSize {
		t.Errorf("a %d-byte segment was read with a %d-byte buffer", len(data), c)
	}
}

// TestSegmentReaderReadError: an I/O error is not damage: it is
// reported as itself, never as corruption a writer would cut off.
func TestSegmentReaderReadError(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(goldenDir, rawDir, segName(1)))
	if err != nil {
		t.Fatal(err)
	}
	eio := errors.New("input/output error")
	for _, at := range []int{3, 100, len(data) - 10} {
		r := io.MultiReader(bytes.NewReader(data[:at]), iotest.ErrReader(eio))
		_, _, err := readAll(r)
		if !errors.Is(err, eio) || errors.Is(err, ErrCorrupt) {
			t.Errorf("read error at %d: %v", at, err)
		}
	}
}

// TestStatusValuesOnDisk: a result's status is stored as its value in
// package monitor, in three bits; the values are part of the format.
func TestStatusValuesOnDisk(t *testing.T) {
	for want, st := range []monitor.Status{monitor.StatusPending, monitor.StatusUp, monitor.StatusDegraded,
		monitor.StatusDown, monitor.StatusMaintenance, monitor.StatusPaused} {
		r := httpRecord("a", t0, 0)
		r.Status = st
		p := newEncoder(t0.UnixMilli()).encode(nil, &r)
		payload, _, err := readFrame(p, maxFrame)
		if err != nil {
			t.Fatal(err)
		}
		d := &decoder{seg: -1, hdr: true}
		var got monitor.Result
		if ok, err := d.frame(payload, &got); !ok || err != nil || got.Status != st || int(st) != want {
			t.Errorf("%v: stored as %d, read back %v (%v)", st, want, got.Status, err)
		}
	}
}
