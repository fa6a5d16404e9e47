package config

import (
	"strconv"
	"strings"
)

// The TOML library reports the line of a syntax error, but not the line of
// a key it decoded (and for [[monitor]] tables it keeps only the last
// occurrence of each key). lines.go finds them with a small scan of the
// source, run only after the library has parsed the file: the text is valid
// TOML, so the scan only has to tell keys from values.

// lineKey names a key in one occurrence of a table: the "timeout" key of the
// third [[monitor]] is {"monitor", 2, "timeout"}. The table header itself
// has path "". Keys outside any table have table "".
type lineKey struct {
	table string
	index int
	path  string
}

// lineIndex maps keys to the lines they are written on.
type lineIndex struct {
	at map[lineKey]int
}

// find returns the line of key in the index-th occurrence of table, or
// failing that the line of its parent key, of the table's header, or 0.
func (x *lineIndex) find(table string, index int, key string) int {
	for k := key; ; {
		if l, ok := x.at[lineKey{table, index, k}]; ok {
			return l
		}
		// The same key written with a dotted name outside the table:
		// settings.interval = "5s".
		if table != "" && index == 0 {
			if l, ok := x.at[lineKey{"", 0, joinKey(table, k)}]; ok {
				return l
			}
		}
		if k == "" {
			break
		}
		if i := strings.LastIndexByte(k, '.'); i >= 0 {
			k = k[:i]
		} else {
			k = ""
		}
	}
	// A table written as an inline value: monitor = [{…}, {…}].
	if l, ok := x.at[lineKey{"", 0, table}]; ok {
		return l
	}
	// A top-level key that is a table: the line of its header.
	if table == "" && key != "" {
		first, rest, _ := strings.Cut(key, ".")
		return x.find(first, 0, rest)
	}
	return 0
}

func joinKey(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "." + b
}

// indexLines scans TOML source that has already parsed without error.
func indexLines(src string) *lineIndex {
	s := &lineScanner{src: src, line: 1, x: &lineIndex{at: map[lineKey]int{}}, count: map[string]int{}}
	s.run()
	return s.x
}

type lineScanner struct {
	src  string
	pos  int
	line int
	x    *lineIndex

	count  map[string]int // occurrences of each [[table]] so far, and of each [[table.sub]] in one
	table  string         // the table the following keys belong to
	index  int            // which occurrence of it
	prefix string         // "headers" after [monitor.headers]
}

func (s *lineScanner) eof() bool  { return s.pos >= len(s.src) }
func (s *lineScanner) peek() byte { return s.src[s.pos] }

func (s *lineScanner) record(path string, line int) {
	k := lineKey{s.table, s.index, path}
	if _, ok := s.x.at[k]; !ok {
		s.x.at[k] = line
	}
}

func (s *lineScanner) run() {
	for {
		s.skipSpace(true)
		if s.eof() {
			return
		}
		start := s.pos
		if s.peek() == '[' {
			s.header()
		} else {
			s.keyValue(s.prefix)
		}
		if s.pos == start { // never loop on text the scan does not understand
			s.pos++
		}
	}
}

// skipSpace skips blanks and, when newlines is set, line ends and comments.
func (s *lineScanner) skipSpace(newlines bool) {
	for !s.eof() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t':
			s.pos++
		case newlines && c == '\r':
			s.pos++
		case newlines && c == '\n':
			s.pos++
			s.line++
		case newlines && c == '#':
			for !s.eof() && s.peek() != '\n' {
				s.pos++
			}
		default:
			return
		}
	}
}

// header reads [table], [table.sub] or [[table]].
func (s *lineScanner) header() {
	line := s.line
	s.pos++
	array := !s.eof() && s.peek() == '['
	if array {
		s.pos++
	}
	parts := s.keyPath()
	for !s.eof() && s.peek() == ']' {
		s.pos++
	}
	if len(parts) == 0 {
		return
	}
	s.table = parts[0]
	s.prefix = strings.Join(parts[1:], ".")
	if array && len(parts) == 1 {
		s.count[s.table]++
	}
	s.index = max(s.count[s.table]-1, 0)
	if array && len(parts) > 1 {
		// [[status_page.group]]: the n-th one in this [[status_page]]
		// is recorded as group[n], so that each has its own lines.
		k := s.table + "#" + strconv.Itoa(s.index) + "." + s.prefix
		s.count[k]++
		s.prefix += "[" + strconv.Itoa(s.count[k]-1) + "]"
	}
	s.record(s.prefix, line)
}

// keyValue reads key = value, recording the key under prefix.
func (s *lineScanner) keyValue(prefix string) {
	line := s.line
	parts := s.keyPath()
	if s.eof() || s.peek() != '=' {
		return
	}
	s.pos++
	path := joinKey(prefix, strings.Join(parts, "."))
	s.record(path, line)
	s.skipSpace(false)
	s.value(path)
}

// keyPath reads a dotted key, bare or quoted, up to '=' or ']'.
func (s *lineScanner) keyPath() []string {
	var parts []string
	for {
		s.skipSpace(false)
		if s.eof() {
			return parts
		}
		switch c := s.peek(); c {
		case '"', '\'':
			start := s.pos
			s.quoted(c)
			raw := s.src[start:s.pos]
			if c == '"' {
				if u, err := strconv.Unquote(raw); err == nil {
					raw = u
				} else {
					raw = raw[1 : len(raw)-1]
				}
			} else {
				raw = raw[1 : len(raw)-1]
			}
			parts = append(parts, raw)
		default:
			start := s.pos
			for !s.eof() && isBareKeyChar(s.peek()) {
				s.pos++
			}
			if s.pos == start {
				return parts
			}
			parts = append(parts, s.src[start:s.pos])
		}
		s.skipSpace(false)
		if s.eof() || s.peek() != '.' {
			return parts
		}
		s.pos++
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value skips one value; keys inside inline tables are recorded under path.
func (s *lineScanner) value(path string) {
	if s.eof() {
		return
	}
	switch c := s.peek(); c {
	case '"', '\'':
		if strings.HasPrefix(s.src[s.pos:], strings.Repeat(string(c), 3)) {
			s.multiline(c)
		} else {
			s.quoted(c)
		}
	case '[':
		s.pos++
		for {
			s.skipSpace(true)
			if s.eof() {
				return
			}
			switch s.peek() {
			case ']':
				s.pos++
				return
			case ',':
				s.pos++
			default:
				start := s.pos
				s.value(path)
				if s.pos == start {
					s.pos++
				}
			}
		}
	case '{':
		s.pos++
		for {
			s.skipSpace(true)
			if s.eof() {
				return
			}
			switch s.peek() {
			case '}':
				s.pos++
				return
			case ',':
				s.pos++
			default:
				start := s.pos
				s.keyValue(path)
				if s.pos == start {
					s.pos++
				}
			}
		}
	default:
		// A number, boolean or date; a date may contain a space.
		for !s.eof() && !strings.ContainsRune(",]}#\r\n", rune(s.peek())) {
			s.pos++
		}
	}
}

// quoted skips a one-line string that starts at pos with quote q.
func (s *lineScanner) quoted(q byte) {
	s.pos++
	for !s.eof() {
		c := s.peek()
		switch {
		case c == '\\' && q == '"':
			s.pos += 2
		case c == q:
			s.pos++
			return
		case c == '\n':
			return // cannot happen in valid TOML
		default:
			s.pos++
		}
	}
}

// multiline skips a multi-line string (three quotes, double or single),
// counting its lines.
func (s *lineScanner) multiline(q byte) {
	delim := strings.Repeat(string(q), 3)
	s.pos += 3
	for !s.eof() {
		c := s.peek()
		switch {
		case c == '\\' && q == '"':
			s.pos++
			if !s.eof() && s.peek() == '\n' {
				s.line++
			}
			s.pos++
		case c == '\n':
			s.line++
			s.pos++
		case strings.HasPrefix(s.src[s.pos:], delim):
			s.pos += 3
			// Up to two quotes may stand right before the closing three.
			for i := 0; i < 2 && !s.eof() && s.peek() == q; i++ {
				s.pos++
			}
			return
		default:
			s.pos++
		}
	}
}
