package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
)

func segName(n int) string { return fmt.Sprintf("%08d", n) }

// listSegments returns the segment numbers in dir, ascending. Files whose
// names are not exactly eight digits are ignored.
func listSegments(dir string) ([]int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list segments: %w", err)
	}
	var out []int
	for _, e := range ents {
		name := e.Name()
		if len(name) != 8 || !e.Type().IsRegular() {
			continue
		}
		n, err := strconv.Atoi(name)
		if err != nil || n < 0 {
			continue
		}
		out = append(out, n)
	}
	sort.Ints(out)
	return out, nil
}

// monIdx is what a segment index says about one monitor.
type monIdx struct {
	name     string
	count    uint32
	min, max int64 // ms
}

// segIndex summarises a sealed segment so that queries can skip it.
type segIndex struct {
	seg      int
	size     int64 // the segment's size when indexed
	count    int
	min, max int64    // ms; min > max when empty
	mons     []monIdx // by name
}

func (x *segIndex) lookup(name string) *monIdx {
	i := sort.Search(len(x.mons), func(i int) bool { return x.mons[i].name >= name })
	if i < len(x.mons) && x.mons[i].name == name {
		return &x.mons[i]
	}
	return nil
}

// indexBuilder accumulates a segment index.
type indexBuilder struct {
	count    int
	min, max int64
	mons     map[string]*monIdx
}

func newIndexBuilder() *indexBuilder {
	return &indexBuilder{min: 1<<63 - 1, max: -1 << 63, mons: map[string]*monIdx{}}
}

func (b *indexBuilder) add(name string, ms int64) {
	b.count++
	b.min = min(b.min, ms)
	b.max = max(b.max, ms)
	m := b.mons[name]
	if m == nil {
		m = &monIdx{name: name, min: ms, max: ms}
		b.mons[name] = m
	}
	m.count++
	m.min = min(m.min, ms)
	m.max = max(m.max, ms)
}

func (b *indexBuilder) build(seg int, size int64) *segIndex {
	x := &segIndex{seg: seg, size: size, count: b.count, min: b.min, max: b.max}
	x.mons = make([]monIdx, 0, len(b.mons))
	for _, m := range b.mons {
		x.mons = append(x.mons, *m)
	}
	sort.Slice(x.mons, func(i, j int) bool { return x.mons[i].name < x.mons[j].name })
	return x
}

// indexSegment reads a segment and indexes what reads of it. It returns
// the index, where the good part ends, the damage passed over on the
// way, and what ended it early.
func indexSegment(r io.Reader, seg int) (*segIndex, int64, []CorruptionError, error) {
	b := newIndexBuilder()
	sr := NewSegmentReader(r, seg, nil)
	for sr.Next() {
		res := sr.Result()
		b.add(res.Monitor, res.Time.UnixMilli())
	}
	return b.build(seg, sr.Good()), sr.Good(), sr.Skipped(), sr.Err()
}

const idxMagic = "UPBHIDX1"

func (x *segIndex) encode() []byte {
	p := binary.AppendUvarint(nil, uint64(x.seg))
	p = binary.AppendUvarint(p, uint64(x.size))
	p = binary.AppendUvarint(p, uint64(x.count))
	p = binary.AppendVarint(p, x.min)
	p = binary.AppendVarint(p, x.max)
	p = binary.AppendUvarint(p, uint64(len(x.mons)))
	for _, m := range x.mons {
		p = appendStr(p, m.name)
		p = binary.AppendUvarint(p, uint64(m.count))
		p = binary.AppendVarint(p, m.min)
		p = binary.AppendVarint(p, m.max-m.min)
	}
	return appendFrame([]byte(idxMagic), p)
}

func decodeIndex(data []byte) (*segIndex, error) {
	if len(data) < len(idxMagic) || string(data[:len(idxMagic)]) != idxMagic {
		return nil, fmt.Errorf("%w: bad index magic", ErrCorrupt)
	}
	p, _, err := readFrame(data[len(idxMagic):], len(data))
	if err != nil {
		return nil, err
	}
	d := &buf{b: p}
	x := &segIndex{seg: int(d.uvarint("segment")), size: int64(d.uvarint("size")), count: int(d.uvarint("count"))}
	x.min = d.varint("min")
	x.max = d.varint("max")
	n := d.uvarint("monitors")
	if n > uint64(len(d.b))/4 { // an entry takes at least four bytes
		d.fail("monitor count")
		n = 0
	}
	x.mons = make([]monIdx, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		m := monIdx{name: d.str("name"), count: uint32(d.uvarint("count")), min: d.varint("min")}
		m.max = m.min + d.varint("max")
		x.mons = append(x.mons, m)
	}
	if d.err != nil {
		return nil, d.err
	}
	return x, nil
}
