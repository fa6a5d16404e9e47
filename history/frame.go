package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// castagnoli is the CRC32-Castagnoli table; read-only after init.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

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
	Moved   string // where the bad rest was moved, if it was
	Err     error  // what was wrong
}

// Error says where the damage is and what it is.
func (e *CorruptionError) Error() string {
	where := e.File
	if e.Segment >= 0 {
		where = fmt.Sprintf("segment %08d", e.Segment)
	}
	return fmt.Sprintf("%s: corrupt at offset %d: %v", where, e.Offset, e.Err)
}

// Unwrap returns the cause.
func (e *CorruptionError) Unwrap() error { return e.Err }

// appendFrame appends payload framed as uvarint(len) | crc32c(len bytes,
// payload) little-endian | payload.
func appendFrame(dst, payload []byte) []byte {
	var lb [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(lb[:], uint64(len(payload)))
	crc := crc32.Update(0, castagnoli, lb[:n])
	crc = crc32.Update(crc, castagnoli, payload)
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
	crc := crc32.Update(0, castagnoli, b[:ln])
	crc = crc32.Update(crc, castagnoli, b[ln+4:total])
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
