package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"early.upbeat.invalid/paths"
)

// loader holds what the checks of one file share.
type loader struct {
	file     string                       // name for messages
	dir      string                       // relative paths are taken from here
	home     string                       // for "~/"; "" when unknown
	lines    *lineIndex                   // key → line
	lookup   func(string) (string, bool)  // environment
	readFile func(string) ([]byte, error) // secret and CA files
	errs     Errors
	read     map[string]bool // "monitor.url": keys an accessor has read; tests check it
}

func (l *loader) add(line int, key, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// path resolves a file name from the config: "~/" is the home directory,
// and a relative name is taken from the config file's directory.
func (l *loader) path(p string) string { return paths.Resolve(p, l.dir, l.home) }

// table is one occurrence of a table in the file: [settings], the third
// [[monitor]], … Its accessors read, type-check and ${VAR}-expand one key
// each, report what is wrong with the key's line, and say whether they
// produced a value.
type table struct {
	l     *loader
	name  string // "settings", "monitor", …
	index int    // which occurrence of [[name]]
	data  map[string]any
	known []string
	// prefix names a table inside this occurrence ("group[1]" for the
	// second [[status_page.group]] of a page); header is how the file
	// writes it. Both are empty for the table itself.
	prefix, header string
}

func (l *loader) table(name string, index int, data map[string]any) *table {
	return &table{l: l, name: name, index: index, data: data, known: tableKeys[name]}
}

// sub returns the table written [[name.…]] inside this one whose keys
// the line index records under prefix.
func (t *table) sub(prefix string, data map[string]any, known []string, header string) *table {
	return &table{l: t.l, name: t.name, index: t.index, data: data, known: known, prefix: prefix, header: header}
}

// line is the line key is written on (or the table's header).
func (t *table) line(key string) int {
	return t.l.lines.find(t.name, t.index, joinKey(t.prefix, key))
}

// errorf reports a mistake in key.
func (t *table) errorf(key, format string, args ...any) {
	t.l.add(t.line(key), joinKey(t.name, joinKey(t.prefix, key)), format, args...)
}

// get returns the raw value of key, noting that the key was read.
func (t *table) get(key string) (any, bool) {
	v, ok := t.data[key]
	if ok {
		t.l.read[joinKey(t.name, joinKey(t.prefix, key))] = true
	}
	return v, ok
}

// has reports whether the table sets key.
func (t *table) has(key string) bool {
	_, ok := t.data[key]
	return ok
}

// keysInOrder returns the table's keys in the order they are written.
func (t *table) keysInOrder() []string {
	keys := make([]string, 0, len(t.data))
	for k := range t.data {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(t.line(a), t.line(b)), cmp.Compare(a, b))
	})
	return keys
}

// checkUnknown reports every key the table does not know, suggesting the
// known key it is most likely a misspelling of.
func (t *table) checkUnknown() {
	for _, k := range t.keysInOrder() {
		if slices.Contains(t.known, k) {
			continue
		}
		if s, ok := closest(k, t.known); ok {
			if t.name == "" {
				t.errorf(k, "unknown table; did you mean %s?", tableHeader(s))
			} else {
				t.errorf(k, "unknown key; did you mean %s?", s)
			}
			continue
		}
		if other := tableOf(k); other != "" {
			t.errorf(k, "unknown key here; it belongs under %s", tableHeader(other))
			continue
		}
		if t.name == "" {
			headers := make([]string, len(t.known))
			for i, name := range t.known {
				headers[i] = tableHeader(name)
			}
			t.errorf(k, "unknown key; the file holds %s", allOf(headers))
			continue
		}
		header := tableHeader(t.name)
		if t.header != "" {
			header = t.header
		}
		t.errorf(k, "unknown key; %s takes %s", header, allOf(t.known))
	}
}

// expand puts in ${VAR}s, reporting the unset ones; ok is false when
// there were any, and the value is then of no use.
func (t *table) expand(key, s string) (string, bool) {
	v, missing := expand(s, t.l.lookup)
	for _, name := range missing {
		t.errorf(key, "${%s} is not set in the environment", name)
	}
	return v, len(missing) == 0
}

// str reads a string.
func (t *table) str(key string) (string, bool) {
	v, ok := t.get(key)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		t.errorf(key, "must be a string, not %s", typeName(v))
		return "", false
	}
	return t.expand(key, s)
}

// list reads a list of strings; a single string is a list of one.
func (t *table) list(key string) ([]string, bool) {
	v, ok := t.get(key)
	if !ok {
		return nil, false
	}
	if s, ok := v.(string); ok {
		s, ok := t.expand(key, s)
		return []string{s}, ok
	}
	list, ok := v.([]any)
	if !ok {
		t.errorf(key, "must be a list of strings, not %s", typeName(v))
		return nil, false
	}
	out := make([]string, 0, len(list))
	good := true
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			t.errorf(key, "must be a list of strings, but holds %s", typeName(e))
			return nil, false
		}
		s, ok = t.expand(key, s)
		good = good && ok
		out = append(out, s)
	}
	return out, good
}

// stringMap reads a table of strings, such as headers.
func (t *table) stringMap(key string) (map[string]string, bool) {
	v, ok := t.get(key)
	if !ok {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.errorf(key, "must be a table of strings, e.g. %s = { Name = \"value\" }, not %s", key, typeName(v))
		return nil, false
	}
	out := make(map[string]string, len(m))
	good := true
	for k, e := range m {
		s, ok := e.(string)
		if !ok {
			t.errorf(joinKey(key, k), "must be a string, not %s", typeName(e))
			good = false
			continue
		}
		s, ok = t.expand(joinKey(key, k), s)
		good = good && ok
		out[k] = s
	}
	return out, good
}

// integer reads an integer.
func (t *table) integer(key string) (int, bool) {
	v, ok := t.get(key)
	if !ok {
		return 0, false
	}
	n, ok := v.(int64)
	if !ok {
		t.errorf(key, "must be a whole number, not %s", typeName(v))
		return 0, false
	}
	if int64(int(n)) != n {
		t.errorf(key, "%d is too large", n)
		return 0, false
	}
	return int(n), true
}

// atLeast reads an integer that must not be below lo, nor outside the
// key's bounds (see limits).
func (t *table) atLeast(key string, lo int) (int, bool) {
	n, ok := t.integer(key)
	if ok && n < lo {
		t.errorf(key, "must be at least %d, not %d", lo, n)
		return 0, false
	}
	if ok && !t.bounded(key, int64(n)) {
		return 0, false
	}
	return n, ok
}

// boolean reads true or false.
func (t *table) boolean(key string) (bool, bool) {
	v, ok := t.get(key)
	if !ok {
		return false, false
	}
	b, ok := v.(bool)
	if !ok {
		t.errorf(key, "must be true or false, not %s", typeName(v))
		return false, false
	}
	return b, true
}

// duration reads a duration written as a string: "30s", "5m", "30d".
func (t *table) duration(key string) (time.Duration, bool) {
	v, ok := t.get(key)
	if !ok {
		return 0, false
	}
	s, ok := v.(string)
	if !ok {
		if n, isInt := v.(int64); isInt {
			t.errorf(key, "needs a unit, e.g. \"%ds\"", n)
		} else {
			t.errorf(key, "must be a duration such as \"30s\", not %s", typeName(v))
		}
		return 0, false
	}
	s, ok = t.expand(key, s)
	if !ok {
		return 0, false
	}
	d, err := parseDuration(s)
	if err != nil {
		t.errorf(key, "%v", err)
		return 0, false
	}
	return d, true
}

// positive reads a duration that must be more than zero, and within the
// key's bounds (see limits).
func (t *table) positive(key string) (time.Duration, bool) {
	d, ok := t.duration(key)
	if ok && d <= 0 {
		t.errorf(key, "must be more than zero, not %q", t.data[key])
		return 0, false
	}
	if ok && !t.bounded(key, int64(d)) {
		return 0, false
	}
	return d, ok
}

// nonNegative reads a duration that must not be below zero, and within
// the key's bounds (see limits).
func (t *table) nonNegative(key string) (time.Duration, bool) {
	d, ok := t.duration(key)
	if ok && d < 0 {
		t.errorf(key, "must not be negative, not %q", t.data[key])
		return 0, false
	}
	if ok && !t.bounded(key, int64(d)) {
		return 0, false
	}
	return d, ok
}

// size reads a byte count: an integer, or a string with a unit ("1MiB"),
// within the key's bounds (see limits).
func (t *table) size(key string) (int64, bool) {
	v, ok := t.get(key)
	if !ok {
		return 0, false
	}
	var n int64
	switch v := v.(type) {
	case int64:
		n = v
	case string:
		s, ok := t.expand(key, v)
		if !ok {
			return 0, false
		}
		var err error
		if n, err = parseSize(s); err != nil {
			t.errorf(key, "%v", err)
			return 0, false
		}
	default:
		t.errorf(key, "must be a size such as \"1MiB\", not %s", typeName(v))
		return 0, false
	}
	if n <= 0 {
		t.errorf(key, "must be more than zero bytes")
		return 0, false
	}
	if !t.bounded(key, n) {
		return 0, false
	}
	return n, true
}

// filePath reads a file name, resolved as loader.path does.
func (t *table) filePath(key string) (string, bool) {
	s, ok := t.str(key)
	if !ok {
		return "", false
	}
	if s == "" {
		t.errorf(key, "must not be empty")
		return "", false
	}
	return t.l.path(s), true
}

// secret reads key, or the file named by key_file (its content trimmed),
// so that a secret never has to be written into the config itself.
func (t *table) secret(key string) (string, bool) {
	fileKey := key + "_file"
	if t.has(key) && t.has(fileKey) {
		t.errorf(fileKey, "set %s or %s, not both", key, fileKey)
		return "", false
	}
	if !t.has(fileKey) {
		return t.str(key)
	}
	p, ok := t.filePath(fileKey)
	if !ok {
		return "", false
	}
	b, err := t.l.readFile(p)
	if err != nil {
		t.errorf(fileKey, "cannot read it: %v", err)
		return "", false
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		t.errorf(fileKey, "%s is empty", p)
		return "", false
	}
	return s, true
}

// secretKey is the key a secret was read from: key, or key_file.
func (t *table) secretKey(key string) string {
	if t.has(key + "_file") {
		return key + "_file"
	}
	return key
}

// tables reads a value that must be an array of tables, written [[name]].
func tables(v any) ([]map[string]any, bool) {
	switch v := v.(type) {
	case []map[string]any:
		return v, true
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, m)
		}
		return out, true
	}
	return nil, false
}
