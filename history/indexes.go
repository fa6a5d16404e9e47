package history

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// indexes keeps the indexes of sealed segments. An index comes from the
// cache, from the segment's .idx file when that matches the segment's
// size, or from reading the segment (and a writer then writes the .idx
// file again). It is safe for concurrent use.
type indexes struct {
	raw      string
	limit    int64 // bytes of a segment read at most
	readOnly bool
	open     OpenFileFunc
	perm     os.FileMode
	log      *slog.Logger
	dmg      *damage

	mu sync.Mutex
	m  map[int]*segIndex
}

func newIndexes(raw string, o *Options, dmg *damage) *indexes {
	return &indexes{raw: raw, limit: o.readLimit(), readOnly: o.ReadOnly, open: o.OpenFile, perm: permsOf(o).file, log: o.Logger,
		dmg: dmg, m: map[int]*segIndex{}}
}

// get returns segment s's index.
func (ix *indexes) get(s int) (*segIndex, error) {
	ix.mu.Lock()
	x := ix.m[s]
	ix.mu.Unlock()
	if x != nil {
		return x, nil
	}
	path := filepath.Join(ix.raw, segName(s))
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if data, err := os.ReadFile(path + idxSuffix); err == nil {
		if x, err := decodeIndex(data); err == nil && x.seg == s && x.size == fi.Size() {
			ix.put(s, x)
			return x, nil
		}
	}
	f, n, err := openLimited(path, ix.limit)
	if err != nil {
		return nil, err
	}
	x, good, skipped, serr := indexSegment(io.LimitReader(f, n), s)
	f.Close()
	for _, ce := range skipped {
		ce.File = path
		ix.dmg.skipped(&ce)
	}
	if serr != nil {
		ix.dmg.skipped(&CorruptionError{File: path, Segment: s, Offset: good, Err: serr})
	}
	x.size = fi.Size()
	if ix.readOnly {
		ix.put(s, x)
	} else {
		ix.write(x)
	}
	return x, nil
}

// write saves a segment's index next to it and keeps it.
func (ix *indexes) write(x *segIndex) {
	path := filepath.Join(ix.raw, segName(x.seg)) + idxSuffix
	if err := writeFileAtomic(ix.open, path, x.encode(), ix.perm, false); err != nil {
		ix.log.Warn("history: cannot write segment index", "segment", segName(x.seg), "err", err)
	}
	ix.put(x.seg, x)
}

func (ix *indexes) put(s int, x *segIndex) {
	ix.mu.Lock()
	ix.m[s] = x
	ix.mu.Unlock()
}

// drop forgets a deleted segment's index.
func (ix *indexes) drop(s int) {
	ix.mu.Lock()
	delete(ix.m, s)
	ix.mu.Unlock()
}
