// Package buildinfo says which upbeat this is: the version set at link
// time, else the module's version, else the commit it was built from.
// It lives in the early module so that `upbeat --version` can answer
// before the rest of upbeat initialises (see quickversion).
package buildinfo

// It imports nothing (but unsafe, for the linkname), so that the
// package answering --version can run before any other is initialised.
import _ "unsafe" // for go:linkname

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
	for text := data[16 : len(data)-16]; text != ""; {
		line := text
		if i := index(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		switch f0, n := field(line, 0), count(line, '\t')+1; {
		case f0 == "mod" && n >= 3:
			v = field(line, 2)
		case f0 == "build" && n == 2:
			switch key, value := cut(field(line, 1), '='); key {
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

// index is strings.IndexByte, which this package does not import.
func index(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// cut is strings.Cut for a byte: before and after the first c, else s
// and "".
func cut(s string, c byte) (before, after string) {
	if i := index(s, c); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// field is the nth of line's tab-separated fields ("" past the last).
func field(line string, n int) string {
	for ; n > 0; n-- {
		_, line = cut(line, '\t')
	}
	f, _ := cut(line, '\t')
	return f
}

// count is strings.Count for a byte.
func count(s string, c byte) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
		}
	}
	return n
}
