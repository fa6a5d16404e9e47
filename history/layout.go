package history

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Where the raw segments live. Format 1 kept them in raw/; a writer of
// format 2 moves them to segments/ and leaves a file named raw in the
// directory's place, so that a binary older than format 2 cannot open the
// history at all (it finds no directory raw/ and says so) instead of
// taking a segment of format 2 for damage and moving it aside.
const (
	segDir    = "segments"
	rawDir    = "raw"
	rawNotice = "This history was written by upbeat with history format 2 (see history/FORMAT.md):\n" +
		"its results are in segments/. An upbeat older than that format expects raw/ to be a\n" +
		"directory and refuses to open the history; use a newer upbeat to read it.\n"
)

// perms are the modes of what a writer creates in a history directory.
type perms struct{ file, dir os.FileMode }

func permsOf(o *Options) perms {
	if o.GroupReadable {
		return perms{0o640, 0o750}
	}
	return perms{0o600, 0o700}
}

// fixMode gives a file or directory just created mode perm, whatever
// the umask took away of the group's bits.
func fixMode(path string, perm os.FileMode) {
	if perm&0o070 != 0 {
		os.Chmod(path, perm)
	}
}

// segmentsPath returns where dir's segments are for a reader: segments/,
// or raw/ in a history no writer of format 2 has opened.
func segmentsPath(dir string) string {
	if fi, err := os.Stat(filepath.Join(dir, rawDir)); err == nil && fi.IsDir() {
		return filepath.Join(dir, rawDir)
	}
	return filepath.Join(dir, segDir)
}

// prepareDir makes a writer's layout: segments/ and rollup/ exist, and a
// history of format 1 has its segments moved from raw/ to segments/, with
// the notice left in raw's place. It runs under the writer's lock.
func prepareDir(dir string, p perms, open OpenFileFunc) error {
	raw, seg := filepath.Join(dir, rawDir), filepath.Join(dir, segDir)
	fi, err := os.Stat(raw)
	switch {
	case err == nil && fi.IsDir():
		if _, err := os.Stat(seg); err == nil {
			return fmt.Errorf("open history %s: both %s/ and %s/ hold segments; an upbeat older than history format 2 wrote to it after a newer one: move %s/ aside to keep only the newer results", dir, rawDir, segDir, rawDir)
		}
		if err := os.Rename(raw, seg); err != nil {
			return fmt.Errorf("open history: move segments to %s: %w", segDir, err)
		}
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("open history: %w", err)
		}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("open history: %w", err)
	}
	for _, d := range []string{seg, filepath.Join(dir, rollupDir)} {
		if err := os.MkdirAll(d, p.dir); err != nil {
			return fmt.Errorf("open history: %w", err)
		}
		fixMode(d, p.dir)
	}
	if fi, err := os.Stat(raw); err != nil || fi.Size() != int64(len(rawNotice)) {
		if err := writeFileAtomic(open, raw, []byte(rawNotice), p.file, true); err != nil {
			return fmt.Errorf("open history: write %s: %w", rawDir, err)
		}
	}
	return nil
}

// applyPerms gives the segment and rollup directories and the files the
// history keeps (in them and its lock files) the configured modes:
// owner-only by default, readable by the group when asked. The directory
// itself keeps its mode (it may be a service's state directory), and files
// the history does not own (an SSH host key, the controls of the daemon)
// are left alone.
func applyPerms(dir string, p perms) error {
	var errs []error
	chmod := func(path string, mode os.FileMode) {
		if err := os.Chmod(path, mode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	for _, name := range []string{lockName, ownerName, rawDir, notesName} {
		chmod(filepath.Join(dir, name), p.file)
	}
	for _, sub := range []string{segDir, rollupDir} {
		d := filepath.Join(dir, sub)
		chmod(d, p.dir)
		ents, err := os.ReadDir(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range ents {
			if e.Type().IsRegular() {
				chmod(filepath.Join(d, e.Name()), p.file)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("history permissions: %w", err)
	}
	return nil
}
