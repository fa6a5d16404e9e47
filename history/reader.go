package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// pageSize is how much of a file a reader asks for at a time. A frame
// longer than a page grows the buffer to the frame's size, so a reader
// holds at most maxFrame bytes plus a frame's header.
const pageSize = 32 << 10

// frameReader reads the frames of a file a page at a time.
type frameReader struct {
	r          io.Reader
	buf        []byte
	start, end int   // the unread bytes are buf[start:end]
	off        int64 // file offset of buf[start]
	eof        bool  // r has nothing more
	rerr       error // what ended r, when it was not io.EOF
}

func newFrameReader(r io.Reader) *frameReader { return &frameReader{r: r} }

// fill reads until n bytes are unread or r has nothing more.
func (f *frameReader) fill(n int) {
	if f.end-f.start >= n || f.eof {
		return
	}
	if f.start > 0 {
		f.end = copy(f.buf, f.buf[f.start:f.end])
		f.start = 0
	}
	if n > len(f.buf) {
		b := make([]byte, max(n, pageSize))
		copy(b, f.buf[:f.end])
		f.buf = b
	}
	for f.end < n && !f.eof {
		m, err := f.r.Read(f.buf[f.end:])
		f.end += m
		switch {
		case errors.Is(err, io.EOF):
			f.eof = true
		case err != nil:
			f.eof, f.rerr = true, err
		}
	}
}

// peek returns up to n unread bytes, reading them first.
func (f *frameReader) peek(n int) []byte {
	f.fill(n)
	return f.buf[f.start:min(f.end, f.start+n)]
}

func (f *frameReader) skip(n int) {
	f.start += n
	f.off += int64(n)
}

// next returns the payload of the next frame (valid until the next call)
// and the frame's offset. At the end of the data it returns a nil payload
// and no error; a frame cut short by the end is errTorn; a frame longer
// than limit, or one whose checksum fails, is corruption.
func (f *frameReader) next(limit int) (payload []byte, off int64, err error) {
	f.fill(binary.MaxVarintLen64 + 4)
	for {
		if f.start == f.end && f.eof {
			return nil, f.off, f.rerr
		}
		p, n, err := readFrame(f.buf[f.start:f.end], limit)
		if errors.Is(err, errTorn) && !f.eof {
			// Read the rest of the frame.
			need := f.end - f.start + 1
			if l, ln := binary.Uvarint(f.buf[f.start:f.end]); ln > 0 {
				need = ln + 4 + int(l)
			}
			f.fill(need)
			continue
		}
		if err != nil {
			if f.rerr != nil {
				err = f.rerr
			}
			return nil, f.off, err
		}
		off = f.off
		f.skip(n)
		return p, off, nil
	}
}

// SegmentReader reads the results of one segment in order, a page at a
// time: what it holds is a page and the segment's dictionary, however long
// the segment. It stops at the end of the segment or at the first damage.
type SegmentReader struct {
	fr      *frameReader
	dec     decoder
	res     monitor.Result
	off     int64 // offset of the current result's frame
	good    int64 // end of the last whole frame read
	err     error
	started bool
	done    bool
}

// NewSegmentReader reads segment number seg (-1: whatever number its
// header names) from r. want chooses the monitors whose results Next stops
// at; nil chooses every one.
func NewSegmentReader(r io.Reader, seg int, want func(monitor string) bool) *SegmentReader {
	return &SegmentReader{fr: newFrameReader(r), dec: decoder{seg: seg, want: want}}
}

// Next moves to the next wanted result. It returns false at the end of
// the segment or at damage; Err says which.
func (r *SegmentReader) Next() bool {
	if r.done {
		return false
	}
	if !r.started {
		r.started = true
		m := r.fr.peek(len(segMagic))
		switch {
		case len(m) < len(segMagic) && r.fr.rerr != nil:
			return r.fail(0, r.fr.rerr)
		case len(m) < len(segMagic) && string(m) == segMagic[:len(m)]:
			return r.fail(0, errTorn)
		case string(m) != segMagic:
			return r.fail(0, fmt.Errorf("%w: bad segment magic", ErrCorrupt))
		}
		r.fr.skip(len(segMagic))
		r.good = r.fr.off
	}
	for {
		p, off, err := r.fr.next(maxFrame)
		if err != nil {
			return r.fail(off, err)
		}
		if p == nil {
			if !r.dec.hdr {
				return r.fail(off, errTorn)
			}
			r.done = true
			return false
		}
		got, err := r.dec.frame(p, &r.res)
		if err != nil {
			return r.fail(off, err)
		}
		r.good = r.fr.off
		if got {
			r.off = off
			return true
		}
	}
}

func (r *SegmentReader) fail(off int64, err error) bool {
	r.good, r.err, r.done = off, err, true
	return false
}

// Result is the current result. It is reused by the next call to Next:
// copy what you keep.
func (r *SegmentReader) Result() *monitor.Result { return &r.res }

// Offset is where the current result's frame starts in the segment.
func (r *SegmentReader) Offset() int64 { return r.off }

// Good is where the good part of the segment read so far ends: the end of
// the last whole frame, or where the damage Err reports starts.
func (r *SegmentReader) Good() int64 { return r.good }

// Err is what stopped the reader before the end of the segment: an error
// wrapping ErrCorrupt (errTorn at a cut-off end) or a read error. It is
// nil after a clean end.
func (r *SegmentReader) Err() error { return r.err }
