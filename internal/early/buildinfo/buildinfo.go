// Package buildinfo says which upbeat this is: the version set at link
// time, else the module's version, else the commit it was built from.
// It lives in the early module so that `upbeat --version` can answer
// before the rest of upbeat initialises (see quickversion).
package buildinfo

import (
	"strings"
	_ "unsafe" // for go:linkname
)

// Version is set at link time, for a release:
//
//	go build -ldflags "-X early.upbeat.invalid/buildinfo.Version=v1.2.3"
//
// Unset, the version comes from the build information.
var Version = ""

// modinfo is the build information the go command wrote into the binary,
// which runtime/debug.ReadBuildInfo parses. The runtime provides it under
// that name (its definition carries the linkname). It is read here
// directly because runtime/debug imports fmt, and Go initialises it only
// after most of upbeat's packages: --version would wait for them.
//
//go:linkname modinfo runtime/debug.modinfo
func modinfo() string

// String is the version `upbeat --version` prints, the daemon logs and
// the API reports.
func String() string {
	if Version != "" {
		return Version
	}
	return Parse(modinfo())
}

// Parse reads the version from build information as the binary holds
// it (what modinfo returns): between two 16-byte markers, lines of tab-separated fields;
// "mod PATH VERSION [SUM]" is the main module and "build KEY=VALUE" a
// setting.
func Parse(data string) string {
	if len(data) < 32 {
		return "(devel)"
	}
	var v, rev, dirty string
	for line := range strings.Lines(data[16 : len(data)-16]) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		switch {
		case f[0] == "mod" && len(f) >= 3:
			v = f[2]
		case f[0] == "build" && len(f) == 2:
			switch key, value, _ := strings.Cut(f[1], "="); key {
			case "vcs.revision":
				rev = value
			case "vcs.modified":
				if value == "true" {
					dirty = "-dirty"
				}
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case v != "" && v != "(devel)":
		return v
	case rev != "":
		return "devel-" + rev + dirty
	}
	return "(devel)"
}
