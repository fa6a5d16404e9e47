package history

import (
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// A history of OpenFileNoSync waits for the disk nowhere: not for its
// files and not for the directories that hold them either (the demo's
// simulated past and the tests' histories write thousands of them).
// Not parallel: it swaps syncDir.
func TestNoSyncHistorySyncsNoDirectory(t *testing.T) {
	var dirSyncs atomic.Int32
	real := syncDir
	syncDir = func(dir string) error { dirSyncs.Add(1); return real(dir) }
	defer func() { syncDir = real }()
	write := func(open OpenFileFunc) int32 {
		dirSyncs.Store(0)
		c := newClock(t0)
		o := testOptions(t, c)
		o.OpenFile = open
		l := mustOpen(t, t.TempDir(), o)
		for i := range 3 { // across an hour: a segment, a rollup, a checkpoint
			at := t0.Add(time.Duration(i) * 50 * time.Minute)
			c.Set(at)
			r := httpRecord("a", at, 0)
			if err := l.Append(&r); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		return dirSyncs.Load()
	}
	if n := write(OpenFileNoSync); n != 0 {
		t.Errorf("a history of OpenFileNoSync synced a directory %d times", n)
	}
	osOpen := func(name string, flag int, perm os.FileMode) (File, error) { return os.OpenFile(name, flag, perm) }
	if n := write(osOpen); n == 0 {
		t.Error("a history of os.OpenFile synced no directory: the count sees nothing")
	}
}
