package paths

import (
	"os"
	"strconv"
	"syscall"
)

// Stamp names the version of a file as fi (from a stat of it) gives
// it: device, inode, size, and modification and change times in
// nanoseconds, colon-separated; "" when fi does not say. A file written
// since, even to the same size in the same second, has another stamp.
// The daemon says the stamp of the config it runs, and `upbeat status`'s
// first path (atonce) compares the config it found with it.
func Stamp(fi os.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return strconv.FormatUint(uint64(st.Dev), 10) + ":" + strconv.FormatUint(uint64(st.Ino), 10) + ":" +
		strconv.FormatInt(st.Size, 10) + ":" + strconv.FormatInt(st.Mtim.Nano(), 10) + ":" +
		strconv.FormatInt(st.Ctim.Nano(), 10)
}
