package history

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// seedSegment builds a valid segment holding a few varied results.
func seedSegment() []byte {
	data := headerFrame(1, t0.UnixMilli())
	e := newEncoder(t0.UnixMilli())
	recs := []monitor.Result{fullRecord(t0), httpRecord("a", t0.Add(time.Second), 1), httpRecord("b", t0.Add(-time.Second), 2)}
	recs[2].Answers = []string{"x", "y"}
	for i := range recs {
		data = e.encode(data, &recs[i])
	}
	return data
}

// seedSegment2 builds a valid segment of format 2 holding a few blocks.
func seedSegment2() []byte {
	data := header2Frame(1, t0.UnixMilli())
	e := newBlockEncoder(t0.UnixMilli())
	recs := []monitor.Result{fullRecord(t0), httpRecord("a", t0.Add(time.Second), 1), httpRecord("b", t0.Add(-time.Second), 2),
		httpRecord("a", t0.Add(2*time.Second), 3)}
	recs[2].Answers = []string{"x", "y"}
	recs[3].Status, recs[3].Code = monitor.StatusDown, 502
	for i := 0; i < len(recs); i += 2 {
		p := e.startBlock(nil, endMS(&recs[i]))
		for j := i; j < min(i+2, len(recs)); j++ {
			p = e.add(p, &recs[j])
		}
		data = appendFrame2(data, p)
	}
	return data
}

// FuzzReader feeds arbitrary bytes to the segment reader and the other
// decoders: they must never panic, never read past the data, and report
// a good prefix that re-reads cleanly.
func FuzzReader(f *testing.F) {
	seg := seedSegment()
	seg2 := seedSegment2()
	f.Add(seg2)
	f.Add(seg2[:len(seg2)-3])
	flipped2 := bytes.Clone(seg2)
	flipped2[len(seg2)/2] ^= 0x10
	f.Add(flipped2)
	f.Add(seg)
	f.Add(seg[:len(seg)-3])
	f.Add(append(bytes.Clone(seg), make([]byte, 64)...))
	flipped := bytes.Clone(seg)
	flipped[len(segMagic)+30] ^= 0x10
	f.Add(flipped)
	f.Add(append(bytes.Clone(seg), binary.AppendUvarint(nil, 0xFFFFFFFF)...))
	f.Add(append(bytes.Clone(seg), 0xff, 0xff, 0xff, 0xff))
	f.Add([]byte(segMagic))
	f.Add([]byte{})
	var r Rollup
	r.add(&monitor.Result{Time: t0, Status: monitor.StatusDown, Code: 502, Class: "http_502", Latency: time.Second})
	f.Add(appendFrame([]byte(rollupMagic), r.appendTo(nil)))
	f.Add((&Transition{Monitor: "a", Time: t0, Since: t0, Codes: []int{1}, Classes: []string{"x"}}).appendTo(nil))
	f.Add((&checkpoint{agg: newAggregator()}).encode())
	f.Add(newIndexBuilder().build(1, 10).encode())

	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		good, err := scanSegment(data, -1, nil, func(r *monitor.Result, off int64) {
			n++
			if off < int64(len(segMagic)) || off >= int64(len(data)) {
				t.Fatalf("record at offset %d of %d", off, len(data))
			}
		})
		if good < 0 || good > int64(len(data)) {
			t.Fatalf("good prefix %d of %d bytes", good, len(data))
		}
		if err == nil && good != int64(len(data)) {
			t.Fatalf("no error but stopped at %d of %d", good, len(data))
		}
		if good > int64(len(segMagic)) {
			// The good prefix reads again without error and with the same results.
			m := 0
			if _, err := scanSegment(data[:good], -1, nil, func(*monitor.Result, int64) { m++ }); err != nil || m != n {
				t.Fatalf("good prefix re-read: %v, %d results vs %d", err, m, n)
			}
		}
		// The same bytes as the payload of a well-framed record reach the
		// record decoder behind the checksum.
		framed := appendFrame(headerFrame(1, 0), data)
		if len(data) > 0 && len(data) <= maxFrame {
			if good, _ := scanSegment(framed, 1, nil, nil); good < int64(len(segMagic)) || good > int64(len(framed)) {
				t.Fatalf("framed: good prefix %d", good)
			}
			d := &decoder{seg: 1, hdr: true}
			var r monitor.Result
			d.frame(data, &r)
			d = &decoder{seg: 1, hdr: true, want: func(string) bool { return false }}
			d.strs = []string{"a", "b"}
			d.mons = []monDef{{name: "a"}}
			d.frame(data, &r)
			// And as the rows of a block of format 2.
			block := append([]byte{recBlock, 0}, data...)
			if good, _ := scanSegment(appendFrame2(header2Frame(1, 0), block), 1, nil, nil); good < int64(len(seg2Magic)) {
				t.Fatalf("framed block: good prefix %d", good)
			}
			d2 := &decoder2{seg: 1, hdr: true, gaps: true, strs: []string{"a", "b"}, mons: []mon2{{name: "a", want: true}}}
			if d2.frame(block) == nil {
				for {
					if got, err := d2.next(&r); !got || err != nil {
						break
					}
				}
			}
		}
		// The other decoders must not panic either.
		decodeRollup(data)
		decodeTransition(data)
		decodeCheckpoint(data)
		decodeIndex(data)
		var h Histogram
		h.decode(&buf{b: data})
		if len(data) > 0 {
			readFrame(data, maxFrame)
		}
	})
}
