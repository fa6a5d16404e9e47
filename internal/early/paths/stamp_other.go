//go:build !linux

package paths

import "os"

// Stamp names the version of a file; "" here, where only Linux's is
// read (see stamp_linux.go).
func Stamp(os.FileInfo) string { return "" }
