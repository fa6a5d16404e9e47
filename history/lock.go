package history

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// lockDir takes a history directory's writer lock, or returns a
// *LockedError naming the process that holds it. The holder is written
// to LOCK.owner, for the refusal of the next writer.
func lockDir(dir string, o *Options) (*flock.Flock, error) {
	fl := flock.New(filepath.Join(dir, lockName), flock.SetPermissions(permsOf(o).file))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock history %s: %w", dir, err)
	}
	if !ok {
		holder := "an unknown process"
		if b, err := os.ReadFile(filepath.Join(dir, ownerName)); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			holder = strings.TrimSpace(string(b))
		}
		return nil, &LockedError{Dir: dir, Holder: holder}
	}
	host, _ := os.Hostname()
	cmd := strings.Join(os.Args, " ")
	if len(cmd) > 200 {
		cmd = cmd[:200] + "…"
	}
	owner := fmt.Sprintf("pid %d on %s (%s), since %s", os.Getpid(), host,
		strings.Map(func(r rune) rune {
			if r < ' ' {
				return ' '
			}
			return r
		}, cmd), o.Now().UTC().Format(time.RFC3339))
	if err := writeFileAtomic(o.OpenFile, filepath.Join(dir, ownerName), []byte(owner+"\n"), permsOf(o).file, false); err != nil {
		o.Logger.Warn("history: cannot write lock owner", "err", err)
	}
	return fl, nil
}

// unlockDir removes the owner file and releases the lock.
func unlockDir(dir string, fl *flock.Flock) error {
	os.Remove(filepath.Join(dir, ownerName))
	return fl.Unlock()
}
