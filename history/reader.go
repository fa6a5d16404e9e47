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

// resyncLimit bounds the frames a reader looks for after damage: a
// candidate announcing more is not taken for a frame. Blocks are sealed
// at maxBlock; a longer one is a block with very long strings, and
// passing over it costs that block only.
const resyncLimit = 4 * maxBlock

// frameReader reads the frames of a file a page at a time.
type frameReader struct {
	r          io.Reader
	buf        []byte
	start, end int   // the unread bytes are buf[start:end]
	off        int64 // file offset of buf[start]
	eof        bool  // r has nothing more
	rerr       error // what ended r, when it was not io.EOF
	v2         bool  // frames of format 2
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

// read reads the frame at the start of b.
func (f *frameReader) read(b []byte, limit int) (payload []byte, n int, err error) {
	if f.v2 {
		return readFrame2(b, limit)
	}
	return readFrame(b, limit)
}

// size returns the size of the frame whose header starts b as far as b
// tells it: the whole frame's when the header is whole, else one more
// byte than b holds.
func (f *frameReader) size(b []byte) int {
	if f.v2 {
		if len(b) >= frame2Header {
			return frame2Header + frame2Len(b)
		}
		return len(b) + 1
	}
	if l, ln := binary.Uvarint(b); ln > 0 {
		return ln + 4 + int(l)
	}
	return len(b) + 1
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
		p, n, err := f.read(f.buf[f.start:f.end], limit)
		if errors.Is(err, errTorn) && !f.eof {
			f.fill(f.size(f.buf[f.start:f.end]))
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

// plausible says whether b starts like a frame: a length within
// resyncLimit and the record type a frame of the segment starts with.
// It returns the frame's size.
func (f *frameReader) plausible(b []byte) (int, bool) {
	if f.v2 {
		if len(b) <= frame2Header {
			return 0, false
		}
		l := frame2Len(b)
		return frame2Header + l, l > 0 && l <= resyncLimit && b[frame2Header] == recBlock
	}
	l, ln := binary.Uvarint(b)
	if ln <= 0 || l == 0 || l > resyncLimit || len(b) <= ln+4 {
		return 0, false
	}
	t := b[ln+4]
	return ln + 4 + int(l), t == recString || t == recMonitor || t&recResult != 0
}

// resync moves past a damaged frame at the current offset to the next
// offset where a frame begins whose checksum holds. It returns false when
// there is none before the end (or reading failed: rerr says so).
func (f *frameReader) resync() bool {
	f.skip(1)
	for {
		f.fill(2 * binary.MaxVarintLen64)
		if f.start == f.end {
			return false
		}
		if n, ok := f.plausible(f.buf[f.start:f.end]); ok {
			f.fill(n)
			if _, _, err := f.read(f.buf[f.start:f.end], resyncLimit); err == nil {
				return true
			}
			if f.rerr != nil {
				return false
			}
		}
		f.skip(1)
	}
}

// SegmentReader reads the results of one segment in order, a page at a
// time: what it holds is a page and the segment's dictionary, however long
// the segment. It reads segments of format 1 and 2. A damaged frame in
// the middle of a segment is passed over: reading goes on at the next
// frame whose checksum holds, and Skipped reports what was skipped. It
// stops at the end of the segment, or at damage that runs to the end.
type SegmentReader struct {
	fr        *frameReader
	seg       int
	v2        bool
	dec       decoder  // format 1
	dec2      decoder2 // format 2
	res       monitor.Result
	off       int64 // offset of the current result's frame
	good      int64 // end of the last whole frame read
	blockOff  int64 // the current block's frame (format 2)
	blockEnd  int64
	firstDrop int64
	skipped   []CorruptionError
	err       error
	started   bool
	done      bool
}

// NewSegmentReader reads segment number seg (-1: whatever number its
// header names) from r. want chooses the monitors whose results Next stops
// at; nil chooses every one.
func NewSegmentReader(r io.Reader, seg int, want func(monitor string) bool) *SegmentReader {
	return &SegmentReader{fr: newFrameReader(r), seg: seg, dec: decoder{seg: seg, want: want},
		dec2: decoder2{seg: seg, want: want}, firstDrop: -1}
}

// start reads the magic, which says the format.
func (r *SegmentReader) start() bool {
	r.started = true
	m := r.fr.peek(len(segMagic))
	switch {
	case len(m) < len(segMagic) && r.fr.rerr != nil:
		return r.fail(0, r.fr.rerr)
	case len(m) < len(segMagic) && (string(m) == segMagic[:len(m)] || string(m) == seg2Magic[:len(m)]):
		return r.fail(0, errTorn)
	case string(m) == seg2Magic:
		r.v2, r.fr.v2 = true, true
	case string(m) != segMagic:
		return r.fail(0, fmt.Errorf("%w: bad segment magic", ErrCorrupt))
	}
	r.fr.skip(len(segMagic))
	r.good = r.fr.off
	return true
}

// Next moves to the next wanted result. It returns false at the end of
// the segment, at damage that runs to its end, or at a read error; Err
// says which.
func (r *SegmentReader) Next() bool {
	if r.done || !r.started && !r.start() {
		return false
	}
	for {
		if r.v2 && r.dec2.inBlock {
			drops := r.dec2.dropped
			got, err := r.dec2.next(&r.res)
			if r.dec2.dropped > drops && r.firstDrop < 0 {
				r.firstDrop = r.blockOff
			}
			if got {
				r.off = r.blockOff
				return true
			}
			if err != nil {
				r.skip(r.blockOff, r.blockEnd, err)
			}
			continue
		}
		p, off, err := r.fr.next(maxFrame)
		switch {
		case err != nil && (!errors.Is(err, ErrCorrupt) || !r.hdr()):
			return r.fail(off, err)
		case err != nil: // a frame cut short may be a damaged length: it is a tail only if nothing good follows
			if !r.fr.resync() {
				if r.fr.rerr != nil {
					return r.fail(r.fr.off, r.fr.rerr)
				}
				return r.fail(off, err)
			}
			r.skip(off, r.fr.off, err)
			r.good = r.fr.off
			continue
		case p == nil:
			if !r.hdr() {
				return r.fail(off, errTorn)
			}
			r.end()
			return false
		}
		if got, ok := r.frame(p, off); !ok {
			return false
		} else if got {
			return true
		}
	}
}

// frame decodes a frame read whole at off. ok is false when the reader
// has stopped.
func (r *SegmentReader) frame(p []byte, off int64) (got, ok bool) {
	end := r.fr.off
	var err error
	if r.v2 {
		err = r.dec2.frame(p)
		r.blockOff, r.blockEnd = off, end
	} else {
		got, err = r.dec.frame(p, &r.res)
	}
	switch {
	case err != nil && !r.hdr():
		return false, r.fail(off, err) // without its header nothing of the segment reads
	case err != nil:
		r.skip(off, end, err)
	}
	r.good = end
	if got && err == nil {
		r.off = off
	}
	return got && err == nil, true
}

func (r *SegmentReader) hdr() bool {
	if r.v2 {
		return r.dec2.hdr
	}
	return r.dec.hdr
}

// skip records damage from off to until, where reading went on. Since
// what a skipped frame defined is unknown, later references to missing
// definitions are tolerated from now on.
func (r *SegmentReader) skip(off, until int64, err error) {
	r.skipped = append(r.skipped, CorruptionError{Segment: r.seg, Offset: off, Until: until, Err: err})
	r.dec.gaps, r.dec2.gaps = true, true
}

// end reports the results passed over because what they need was
// defined in a damaged frame.
func (r *SegmentReader) end() {
	r.done = true
	if n := r.dec2.dropped; n > 0 && r.firstDrop >= 0 {
		r.skipped = append(r.skipped, CorruptionError{Segment: r.seg, Offset: r.firstDrop, Until: r.firstDrop,
			Err: fmt.Errorf("%w: %d results name a monitor or text defined in a damaged frame", ErrCorrupt, n)})
		r.dec2.dropped = 0
	}
}

func (r *SegmentReader) fail(off int64, err error) bool {
	r.end()
	r.good, r.err = off, err
	return false
}

// Result is the current result. It is reused by the next call to Next:
// copy what you keep.
func (r *SegmentReader) Result() *monitor.Result { return &r.res }

// Offset is where the current result's frame starts in the segment (a
// block of results shares its frame's offset).
func (r *SegmentReader) Offset() int64 { return r.off }

// Good is where the part of the segment read so far ends: the end of the
// last whole frame (or the start of the frame reading went on at after
// damage), or where the damage Err reports starts.
func (r *SegmentReader) Good() int64 { return r.good }

// Err is what stopped the reader before the end of the segment: an error
// wrapping ErrCorrupt (errTorn at a cut-off end) for damage that runs to
// the end, or a read error. It is nil after a clean end.
func (r *SegmentReader) Err() error { return r.err }

// Skipped returns the damage passed over so far, each with where reading
// went on (Until): damaged frames, and results that name what a damaged
// frame defined. File is left empty.
func (r *SegmentReader) Skipped() []CorruptionError { return r.skipped }
