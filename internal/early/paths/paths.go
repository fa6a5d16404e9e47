// Package paths says where upbeat looks for its config and its daemon:
// the config files tried when none is named, the daemon's default and
// system sockets, the XDG directories, and how a path written in a config
// reads. config and the commands use it, and so does `upbeat status`'s
// quick path (statusline), which runs before the rest of upbeat is
// initialised; so it imports only the standard library, and package path
// rather than path/filepath, which Go initialises only after most of
// upbeat. Paths here are unix paths, where upbeat runs.
package paths

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
)

// MaxSocket is the longest path a unix socket may have here (the kernel's
// sun_path, less its closing NUL): 107 bytes on Linux, 103 on macOS.
var MaxSocket = len(syscall.RawSockaddrUnix{}.Path) - 1

// SystemSocket is where the packaged systemd unit puts the daemon's socket.
const SystemSocket = "/run/upbeat/upbeat.sock"

// DefaultSocket is the daemon's unix socket when api.socket is not set:
// $XDG_RUNTIME_DIR/upbeat.sock, else upbeat.sock in UserDir. That
// directory may not exist yet: the daemon creates it, and must check that
// it owns it before trusting it.
func DefaultSocket() string {
	if dir := os.Getenv("XDG_RUNTIME_DIR"); IsAbs(dir) {
		return path.Join(dir, "upbeat.sock")
	}
	return path.Join(UserDir(), "upbeat.sock")
}

// UserDir is the per-user directory under os.TempDir() where upbeat keeps
// what has no XDG directory to go to.
func UserDir() string {
	id := "user"
	if uid := os.Getuid(); uid >= 0 {
		id = strconv.Itoa(uid)
	}
	return path.Join(os.TempDir(), "upbeat-"+id)
}

// ConfigCandidates are the files a config is read from when none is
// named, first found first: ./upbeat.toml, then
// $XDG_CONFIG_HOME/upbeat/config.toml (~/.config/upbeat/config.toml).
func ConfigCandidates() []string {
	candidates := []string{"upbeat.toml"}
	if dir := XDGDir("XDG_CONFIG_HOME", ".config"); dir != "" {
		candidates = append(candidates, path.Join(dir, "upbeat", "config.toml"))
	}
	return candidates
}

// FindConfig returns the first of ConfigCandidates that is a regular
// file, "" when none is. Anything else by that name is passed over: a
// directory, and a FIFO, which opening would wait on for a writer (a shell
// prompt that runs `upbeat status` in a directory where someone left one
// must not hang). The error is a candidate that could not be looked at.
func FindConfig() (string, error) {
	for _, p := range ConfigCandidates() {
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.Mode().IsRegular():
			return p, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", err
		}
	}
	return "", nil
}

// XDGDir returns $env when it is an absolute path (as the XDG spec asks),
// else fallback under the home directory, else "".
func XDGDir(env, fallback string) string {
	if dir := os.Getenv(env); IsAbs(dir) {
		return dir
	}
	if home := Home(); home != "" {
		return path.Join(home, fallback)
	}
	return ""
}

// Home is the user's home directory, or "" when there is none.
func Home() string {
	h, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return h
}

// Resolve reads a path written in a config in dir: from home when it is
// ~ or starts with ~/ (and there is a home), as it is when absolute (made
// clean), else from dir.
func Resolve(p, dir, home string) string {
	switch {
	case p == "":
		return ""
	case (p == "~" || strings.HasPrefix(p, "~/")) && home != "":
		return path.Join(home, p[1:])
	case IsAbs(p):
		return path.Clean(p)
	}
	return path.Join(dir, p)
}

// IsAbs is filepath.IsAbs on unix.
func IsAbs(p string) bool { return strings.HasPrefix(p, "/") }
