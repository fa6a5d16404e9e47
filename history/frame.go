package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"sync"
)

// castagnoli returns the CRC32-Castagnoli table, made when first needed
// (not at start-up: most commands never read history).
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// maxFrame is the largest frame payload in a segment or rollup file. A
// length field above it is corruption, never an allocation.
const maxFrame = 1 << 20

// ErrCorrupt is wrapped by every error about bytes that do not decode.
var ErrCorrupt = errors.New("corrupt data")

// errTorn says the data ends inside a frame: a write that did not finish,
// or one that is still being written by another process.
var errTorn = fmt.Errorf("%w: torn frame at end of file", ErrCorrupt)

// CorruptionError reports bad bytes in a history file: which file, where the
// good prefix ends, and why. Repairs on open and tolerant reads report it.
type CorruptionError struct {
	File    string // path of the file
	Segment int    // segment number, or -1 for a file that is not a segment
	Offset  int64  // the good prefix ends here
	// Until is where reading went on after damage a reader passed over
	// (the next frame whose checksum holds); 0 when it did not.
	Until int64
	Moved string // where the bad rest was moved, if it was
	Err   error  // what was wrong
}

// Error says where the damage is and what it is.
func (e *CorruptionError) Error() string {
	where := e.File
	if e.Segment >= 0 {
		where = fmt.Sprintf("segment %08d", e.Segment)
	}
	msg := fmt.Sprintf("%s: corrupt at offset %d: %v", where, e.Offset, e.Err)
	if e.Until > e.Offset {
		msg += fmt.Sprintf(" (%d bytes skipped, read on from offset %d)", e.Until-e.Offset, e.Until)
	}
	return msg
}

// Unwrap returns the cause.
func (e *CorruptionError) Unwrap() error { return e.Err }

// appendFrame appends payload framed as uvarint(len) | crc32c(len bytes,
// payload) little-endian | payload.
func appendFrame(dst, payload []byte) []byte {
	var lb [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(lb[:], uint64(len(payload)))
	crc := crc32.Update(0, castagnoli(), lb[:n])
	crc = crc32.Update(crc, castagnoli(), payload)
	dst = append(dst, lb[:n]...)
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	return append(dst, payload...)
}

// readFrame reads the frame at the start of b. It returns the payload (a
// sub-slice of b) and the frame's total size. limit bounds the payload
// length; a larger length is corruption. When b ends inside the frame the
// error is errTorn.
func readFrame(b []byte, limit int) (payload []byte, n int, err error) {
	l, ln := binary.Uvarint(b)
	switch {
	case ln == 0:
		return nil, 0, errTorn
	case ln < 0:
		return nil, 0, fmt.Errorf("%w: bad length field", ErrCorrupt)
	case l == 0:
		return nil, 0, fmt.Errorf("%w: zero length", ErrCorrupt)
	case l > uint64(limit):
		return nil, 0, fmt.Errorf("%w: length %d over limit %d", ErrCorrupt, l, limit)
	}
	total := ln + 4 + int(l)
	if len(b) < total {
		return nil, 0, errTorn
	}
	want := binary.LittleEndian.Uint32(b[ln:])
	crc := crc32.Update(0, castagnoli(), b[:ln])
	crc = crc32.Update(crc, castagnoli(), b[ln+4:total])
	if crc != want {
		return nil, 0, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	return b[ln+4 : total], total, nil
}

// buf is a cursor over a payload with varint readers that never panic:
// the first failure sticks in err and later reads return zero.
type buf struct {
	b   []byte
	err error
}

func (d *buf) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", ErrCorrupt, what)
	}
	d.b = nil
}

func (d *buf) uvarint(what string) uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *buf) varint(what string) int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *buf) byte1(what string) byte {
	if len(d.b) < 1 {
		d.fail(what)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *buf) bytes(n uint64, what string) []byte {
	if n > uint64(len(d.b)) {
		d.fail(what)
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *buf) str(what string) string {
	n := d.uvarint(what)
	return string(d.bytes(n, what))
}

func (d *buf) fixed64(what string) uint64 {
	b := d.bytes(8, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

func appendStr(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// Frames of format 2 have a fixed 7-byte header, so that the writer can
// grow the last frame of a segment in place: the payload's length (3
// bytes, little-endian) and the crc32c of the payload (4 bytes,
// little-endian). A wrong length fails the checksum as a wrong byte does.
const (
	frame2Header = 7
	maxBlock     = 64 << 10 // a block is sealed once its payload is this long
)

// putFrame2Header writes the header of a payload of n bytes whose
// checksum is crc into dst[:frame2Header].
func putFrame2Header(dst []byte, n int, crc uint32) {
	dst[0], dst[1], dst[2] = byte(n), byte(n>>8), byte(n>>16)
	binary.LittleEndian.PutUint32(dst[3:], crc)
}

// appendFrame2 appends payload framed as format 2 frames are.
func appendFrame2(dst, payload []byte) []byte {
	var h [frame2Header]byte
	putFrame2Header(h[:], len(payload), crc32.Checksum(payload, castagnoli()))
	dst = append(dst, h[:]...)
	return append(dst, payload...)
}

// frame2Len returns the payload length a format 2 header announces.
func frame2Len(b []byte) int { return int(b[0]) | int(b[1])<<8 | int(b[2])<<16 }

// readFrame2 is readFrame for format 2 frames.
func readFrame2(b []byte, limit int) (payload []byte, n int, err error) {
	if len(b) < frame2Header {
		return nil, 0, errTorn
	}
	l := frame2Len(b)
	switch {
	case l == 0:
		return nil, 0, fmt.Errorf("%w: zero length", ErrCorrupt)
	case l > limit:
		return nil, 0, fmt.Errorf("%w: length %d over limit %d", ErrCorrupt, l, limit)
	case len(b) < frame2Header+l:
		return nil, 0, errTorn
	}
	p := b[frame2Header : frame2Header+l]
	if crc32.Checksum(p, castagnoli()) != binary.LittleEndian.Uint32(b[3:]) {
		return nil, 0, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	return p, frame2Header + l, nil
}
