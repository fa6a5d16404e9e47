package history

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Rollup file families: hourly rollups in one file per UTC day, daily
// rollups and transitions in one file per UTC month.
const (
	famHour = iota
	famDay
	famTrans
	numFamilies
)

// Read-only tables naming the families' files.
var (
	famPrefix = [numFamilies]string{"hour-", "day-", "trans-"}
	famLayout = [numFamilies]string{"20060102", "200601", "200601"}
)

func famFile(fam int, unix int64) string {
	return famPrefix[fam] + time.Unix(unix, 0).UTC().Format(famLayout[fam])
}

// parseFamFile returns a rollup file's family and the period it covers.
func parseFamFile(name string) (fam int, start, end time.Time, ok bool) {
	for f, p := range famPrefix {
		rest, found := strings.CutPrefix(name, p)
		if !found || len(rest) != len(famLayout[f]) {
			continue
		}
		t, err := time.Parse(famLayout[f], rest)
		if err != nil {
			return 0, time.Time{}, time.Time{}, false
		}
		if f == famHour {
			return f, t, t.AddDate(0, 0, 1), true
		}
		return f, t, t.AddDate(0, 1, 0), true
	}
	return 0, time.Time{}, time.Time{}, false
}

// rollupLimit says how much of a rollup file belongs to the state in
// marks: all of an older file, the marked size of the newest, nothing of a
// file newer than the mark (written after the checkpoint).
func rollupLimit(marks *[numFamilies]fileMark, fam int, name string) (limit int64, ok bool) {
	m := marks[fam]
	switch {
	case name > m.name:
		return 0, false
	case name == m.name:
		return m.size, true
	}
	return 1 << 40, true
}

// rollupFiles is the rollup directory: one file per family and period,
// appended to by the writer and read a frame at a time.
type rollupFiles struct {
	dir  string
	open OpenFileFunc
	perm os.FileMode // of a new file
	dmg  *damage
}

// walk calls fn with every record payload of a rollup file, as far as
// marks allow (see rollupLimit).
func (rf *rollupFiles) walk(marks *[numFamilies]fileMark, fam int, name string, fn func(p []byte)) error {
	limit, ok := rollupLimit(marks, fam, name)
	if !ok {
		return nil
	}
	return rf.walkTo(name, limit, fn)
}

// walkTo calls fn with the record payloads in the first limit bytes of a
// rollup file; a payload is valid during the call. A missing file has
// none. Damage ends the walk: it is reported once and what came before
// counts.
func (rf *rollupFiles) walkTo(name string, limit int64, fn func(p []byte)) error {
	f, n, err := openLimited(filepath.Join(rf.dir, name), limit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	if n == 0 {
		return nil
	}
	fr := newFrameReader(io.LimitReader(f, n))
	if m := fr.peek(len(rollupMagic)); string(m) != rollupMagic {
		if fr.rerr != nil {
			return fmt.Errorf("read %s: %w", name, fr.rerr)
		}
		rf.dmg.skipped(&CorruptionError{File: filepath.Join(rf.dir, name), Segment: -1, Err: fmt.Errorf("%w: bad rollup magic", ErrCorrupt)})
		return nil
	}
	fr.skip(len(rollupMagic))
	for {
		p, off, err := fr.next(maxFrame)
		switch {
		case err != nil && fr.rerr != nil:
			return fmt.Errorf("read %s: %w", name, fr.rerr)
		case err != nil:
			rf.dmg.skipped(&CorruptionError{File: filepath.Join(rf.dir, name), Segment: -1, Offset: off, Err: err})
			return nil
		case p == nil:
			return nil
		}
		fn(p)
	}
}

// append appends frames to a rollup file, fsyncs it and moves the
// family's mark.
func (rf *rollupFiles) append(marks *[numFamilies]fileMark, fam int, name string, frames []byte) error {
	mark := marks[fam]
	path := filepath.Join(rf.dir, name)
	var size int64
	if mark.name == name {
		size = mark.size
	} else if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	data := frames
	if size == 0 {
		data = append([]byte(rollupMagic), frames...)
	}
	f, err := rf.open(path, os.O_CREATE|os.O_WRONLY, rf.perm)
	if err != nil {
		return fmt.Errorf("write rollup %s: %w", name, err)
	}
	if size == 0 {
		fixMode(path, rf.perm)
	}
	_, err = f.WriteAt(data, size)
	if err == nil {
		err = f.Truncate(size + int64(len(data)))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && size == 0 && reachesDisk(f) {
		err = syncDir(rf.dir)
	}
	if err != nil {
		return fmt.Errorf("write rollup %s: %w", name, err)
	}
	if name >= mark.name {
		marks[fam] = fileMark{name, size + int64(len(data))}
	}
	return nil
}

// undo puts a family back to an earlier mark after a partial failure, so
// that the retry does not write the same rollups twice.
func (rf *rollupFiles) undo(marks *[numFamilies]fileMark, fam int, prev fileMark, name string) {
	size := int64(0)
	if prev.name == name {
		size = prev.size
	}
	if f, err := rf.open(filepath.Join(rf.dir, name), os.O_WRONLY, 0o644); err == nil {
		f.Truncate(size)
		f.Close()
	}
	marks[fam] = prev
}

// list returns the names of a family's files, oldest first.
func (rf *rollupFiles) list(fam int) ([]string, error) {
	ents, err := os.ReadDir(rf.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list rollups: %w", err)
	}
	var out []string
	for _, e := range ents {
		if f, _, _, ok := parseFamFile(e.Name()); ok && f == fam && e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// expire deletes the rollup files whose period ended before cut, except
// the newest file of each family.
func (rf *rollupFiles) expire(marks *[numFamilies]fileMark, cut time.Time) {
	ents, _ := os.ReadDir(rf.dir)
	for _, e := range ents {
		fam, _, end, ok := parseFamFile(e.Name())
		if ok && !end.After(cut) && e.Name() != marks[fam].name {
			os.Remove(filepath.Join(rf.dir, e.Name()))
		}
	}
}
