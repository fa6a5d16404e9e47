package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/upbeat-monitor/upbeat/source"
)

// sourceName is how the header names where its data comes from: the config
// file, the daemon attached to, or the daemons of a fleet.
type sourceName struct {
	// forms name it, plain, longest first: the paths whole, then with ~
	// for the home directory, then (attached) the config by its directory
	// and file name, then by its file name alone, then the daemon alone.
	forms []string
	// label and paths are the last form, to be cut to a room: a path
	// keeps its end (the socket's or the file's name, and the directories
	// just above it), a URL its start (the scheme and the host).
	label string
	paths []string
}

// nameSource returns the ways to name the source of info (not the demo),
// with home written ~ at the start of the paths on this machine.
func nameSource(info source.Info, home string) sourceName {
	var w sourceName
	switch {
	case len(info.Daemons) > 1:
		var whole, short []string
		for _, d := range info.Daemons {
			a := clean(d.Addr)
			whole = append(whole, a)
			short = append(short, tilde(a, home))
		}
		w.label, w.paths = "daemons at ", short
		w.add(w.label + strings.Join(whole, ", "))
		w.add(w.label + strings.Join(short, ", "))
	case info.Daemon != "":
		d, cfg := clean(info.Daemon), clean(info.Config)
		cfgHome := home
		if isURL(d) {
			cfgHome = "" // the config is a path on the daemon's machine
		}
		w.label, w.paths = "daemon at ", []string{tilde(d, home)}
		if cfg != "" {
			w.add("config " + cfg + " (daemon at " + d + ")")
			w.add("config " + tilde(cfg, cfgHome) + " (daemon at " + w.paths[0] + ")")
			// the directory above the file before the file alone: two
			// configs are often both upbeat.toml
			w.add("config " + pathTail(tilde(cfg, cfgHome), 2) + " (daemon at " + w.paths[0] + ")")
			w.add("config " + cfg[strings.LastIndex(cfg, "/")+1:] + " (daemon at " + w.paths[0] + ")")
		} else {
			w.add(w.label + d)
		}
		w.add(w.label + w.paths[0])
	case info.Config != "":
		cfg := clean(info.Config)
		w.label, w.paths = "config ", []string{tilde(cfg, home)}
		w.add(w.label + cfg)
		w.add(w.label + w.paths[0])
	}
	return w
}

// add appends a form unless it is the same as the one before.
func (w *sourceName) add(form string) {
	if n := len(w.forms); n == 0 || w.forms[n-1] != form {
		w.forms = append(w.forms, form)
	}
}

// cut is the last form in at most room cells: each path cut from the left
// at a directory ("…/upbeat/eu-west.sock"), keeping at least the directory
// above the file when keepDir is set, else at least the file's name, itself
// cut from the left when it has to; "" when nothing readable fits.
func (w *sourceName) cut(room int, keepDir bool) string {
	if len(w.paths) == 0 {
		return ""
	}
	if len(w.paths) == 1 {
		p := cutPath(w.paths[0], room-width(w.label), keepDir)
		if p == "" {
			return ""
		}
		return w.label + p
	}
	// several: each keeps the same number of trailing parts
	parts := make([]string, len(w.paths))
	for i, p := range w.paths {
		parts[i] = p
		if !isURL(p) {
			keep := 1
			if keepDir {
				keep = 2
			}
			parts[i] = pathTail(p, keep)
		}
	}
	if s := w.label + strings.Join(parts, ", "); width(s) <= room {
		return s
	}
	return ""
}

// cutPath cuts p to at most n cells: a path from the left, at a directory
// where it can; a URL from the right, where its host stays, and only
// without keepDir. "" when no readable form fits.
func cutPath(p string, n int, keepDir bool) string {
	if width(p) <= n {
		return p
	}
	if isURL(p) {
		if keepDir || n < 16 {
			return "" // whole, or only when nothing else is left
		}
		return trunc(p, n)
	}
	least := 1 // parts kept: the file's name, and with keepDir the directory above it
	if keepDir {
		least = 2
	}
	for i := 1; i < len(p); i++ { // the longest tail that starts at a "/" and fits
		if p[i] != '/' {
			continue
		}
		tail := "…" + p[i:]
		if width(tail) <= n {
			if strings.Count(p[i:], "/") < least {
				break
			}
			return tail
		}
	}
	if keepDir || n < 8 {
		return ""
	}
	name := p[strings.LastIndex(p, "/")+1:]
	for cut := width(name) - n + 1; cut <= width(name); cut++ {
		if s := ansi.TruncateLeft(name, cut, "…"); width(s) <= n {
			return s
		}
	}
	return ""
}

// pathTail is "…/" and the last n parts of p, or p when it has no more.
func pathTail(p string, n int) string {
	i := len(p)
	for ; n > 0 && i > 0; n-- {
		i = strings.LastIndex(p[:i], "/")
		if i <= 0 {
			return p
		}
	}
	return "…" + p[i:]
}

// tilde writes home as ~ at the start of p, as shells do.
func tilde(p, home string) string {
	home = strings.TrimSuffix(home, "/")
	if home == "" || !strings.HasPrefix(home, "/") {
		return p
	}
	if p == home {
		return "~"
	}
	if rest, ok := strings.CutPrefix(p, home+"/"); ok {
		return "~/" + rest
	}
	return p
}

// isURL reports whether a daemon's address is a URL rather than a path.
func isURL(addr string) bool { return strings.Contains(addr, "://") }
