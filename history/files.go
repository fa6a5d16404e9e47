package history

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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

// OpenFileNoSync is an OpenFile whose files never reach the disk on Sync:
// for a history that a crash may take with it (the demo's simulated past in
// a temporary directory, a test's seeded history), where waiting for the
// disk at every hour rolled up would only make it slower to write.
func OpenFileNoSync(name string, flag int, perm os.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return noSync{f}, nil
}

// noSync is a file whose Sync does nothing.
type noSync struct{ *os.File }

func (noSync) Sync() error { return nil }

// reachesDisk reports whether f's Sync writes it to the disk: the
// directory that holds a file of OpenFileNoSync is not synced either, or
// every new segment and rollup would still wait for the disk.
func reachesDisk(f File) bool {
	_, no := f.(noSync)
	return !no
}

// openLimited opens a file for reading its first limit bytes, and returns
// how many that is.
func openLimited(path string, limit int64) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, min(fi.Size(), limit), nil
}

// writeFileAtomic writes data to path through a temporary file and a
// rename; a new file gets perm.
func writeFileAtomic(open OpenFileFunc, path string, data []byte, perm os.FileMode, sync bool) error {
	tmp := path + ".tmp"
	f, err := open(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, perm)
	if err != nil {
		return err
	}
	fixMode(tmp, perm)
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
	sync = sync && reachesDisk(f)
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

// syncDir fsyncs a directory so that a new or renamed entry survives a
// crash. A variable for the test that counts them.
var syncDir = func(dir string) error {
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

// moveAside copies what r holds to a free "<path>.corrupt[.N]" file with
// mode perm and returns its name.
func moveAside(path string, r io.Reader, perm os.FileMode) (string, error) {
	name := path + ".corrupt"
	for i := 1; ; i++ {
		f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
		if errors.Is(err, fs.ErrExist) && i < 1000 {
			name = fmt.Sprintf("%s.corrupt.%d", path, i)
			continue
		}
		if err != nil {
			return "", err
		}
		fixMode(name, perm)
		_, err = io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return name, err
	}
}
