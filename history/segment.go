package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// File is what the writer needs of a file it writes. *os.File implements
// it; tests wrap one to inject faults (a full disk, EIO, a write that
// stops partway).
type File interface {
	// WriteAt writes p at offset off.
	WriteAt(p []byte, off int64) (int, error)
	// Truncate changes the file's size.
	Truncate(size int64) error
	// Sync commits the file's contents to stable storage.
	Sync() error
	// Close closes the file.
	Close() error
}

// OpenFileFunc opens a file for writing, like os.OpenFile.
type OpenFileFunc func(name string, flag int, perm os.FileMode) (File, error)

func osOpenFile(name string, flag int, perm os.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err // a nil *os.File must not become a non-nil File
	}
	return f, nil
}

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

// readLimited reads a whole file, or its first limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	n := fi.Size()
	if n > limit {
		n = limit
	}
	b := make([]byte, n)
	m, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	return b[:m], nil
}

// scanSegment decodes a segment's bytes in order. For every wanted result
// fn is called with the record and the offset of its frame; the record is
// reused, so fn copies what it keeps. It returns the end of the good prefix
// and what stopped the scan before the end of data, if anything.
func scanSegment(data []byte, seg int, want func(string) bool, fn func(r *Record, off int64)) (good int64, err error) {
	if len(data) < len(segMagic) {
		if string(data) == segMagic[:len(data)] {
			return 0, errTorn
		}
		return 0, fmt.Errorf("%w: bad segment magic", ErrCorrupt)
	}
	if string(data[:len(segMagic)]) != segMagic {
		return 0, fmt.Errorf("%w: bad segment magic", ErrCorrupt)
	}
	d := &decoder{seg: seg, want: want}
	off := int64(len(segMagic))
	var rec Record
	for off < int64(len(data)) {
		p, n, err := readFrame(data[off:], maxFrame)
		if err != nil {
			return off, err
		}
		got, err := d.frame(p, &rec)
		if err != nil {
			return off, err
		}
		if got && fn != nil {
			fn(&rec, off)
		}
		off += int64(n)
	}
	if !d.hdr {
		return off, errTorn
	}
	return off, nil
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

// buildIndex decodes a segment and indexes its good prefix.
func buildIndex(data []byte, seg int) (*segIndex, int64, error) {
	b := newIndexBuilder()
	good, err := scanSegment(data, seg, nil, func(r *Record, _ int64) { b.add(r.Monitor, r.Time.UnixMilli()) })
	return b.build(seg, good), good, err
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

// writeFileAtomic writes data to path through a temporary file and a rename.
func writeFileAtomic(open OpenFileFunc, path string, data []byte, sync bool) error {
	tmp := path + ".tmp"
	f, err := open(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			os.Remove(tmp)
			return err
		}
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	if sync {
		return syncDir(filepath.Dir(path))
	}
	return nil
}

// syncDir fsyncs a directory so that a new or renamed entry survives a crash.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

// moveAside copies data to a free "<path>.corrupt[.N]" file and returns its name.
func moveAside(path string, data []byte) (string, error) {
	name := path + ".corrupt"
	for i := 1; ; i++ {
		f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, fs.ErrExist) && i < 1000 {
			name = fmt.Sprintf("%s.corrupt.%d", path, i)
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return name, err
	}
}
