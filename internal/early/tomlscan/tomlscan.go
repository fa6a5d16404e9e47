// Package tomlscan measures how deeply TOML text nests, in one pass over
// its bytes, before the text reaches a parser.
//
// The TOML parser's work grows with the square of how deeply a value is
// nested: 5,000 nested inline tables take seconds and a gigabyte, 50,000
// take longer than anyone waits, and dotted keys and table names thousands
// of parts long do the same. No config needs more than a handful of
// levels, so everything in upbeat that parses a config measures it here
// first. It lives in the early module (see ../go.mod) because `upbeat
// status` reads the config before the rest of upbeat is initialised.
package tomlscan

// The limits every reader of an upbeat config applies.
const (
	// MaxSize is the largest config file read; a big one is a few
	// hundred KiB.
	MaxSize = 4 << 20
	// MaxDepth is how deep keys and values may nest: each open [ or {
	// and each dot of a dotted key or table name is a level.
	MaxDepth = 64
	// MaxNesting bounds the parser's work on nesting in the whole file:
	// every level entered costs as much as its depth, so that many values
	// each nested close to MaxDepth (which would take the parser a minute
	// for 4 MiB of them) are refused too. A config with thousands of
	// monitors, each with a table of headers and a list of tags, uses a
	// few thousand.
	MaxNesting = 100_000
)

// Nesting returns the first line on which TOML text nests deeper than
// max (deep is then true), or on which the sum of the depths of every
// level entered passes budget; 0 when neither happens. The depth at a
// point is the number of open brackets and braces, plus the dots of the
// table name in force, plus the dots of the keys whose values are still
// open. It reads strings and comments as TOML does, and never fails: text
// that is not TOML is the parser's to report.
func Nesting(data []byte, max, budget int) (line int, deep bool) {
	s := &nestScan{data: data, line: 1, lineStart: true}
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			s.newline()
			continue
		case ' ', '\t', '\r':
			continue
		case '#':
			i = skipComment(data, i)
			continue
		case '"', '\'':
			i, s.line = skipString(data, i, s.line)
		case '.':
			if s.dot(max) {
				return s.line, true
			}
		case ',':
			s.keyDots = 0
		case '[', '{':
			i = s.open(c, i)
		case ']', '}':
			i = s.close(c, i)
		}
		s.lineStart = false
		if s.depth() > max {
			return s.line, true
		}
		if s.work > budget {
			return s.line, false
		}
	}
	return 0, false
}

// nestScan is where nesting is in the text: what is open, and the work
// done so far.
type nestScan struct {
	data        []byte
	stack       []int // the keyDots in force when each open bracket or brace was opened
	keyDots     int   // dots of the key being read or whose value is open
	openDots    int   // sum of the stack
	sectionDots int   // dots of the last [table] or [[table]] name
	header      bool  // in the name of a [table] or [[table]]
	headerDots  int
	work        int  // the sum of depths entered
	line        int  // the line being read
	lineStart   bool // only white space so far on this line
}

func (s *nestScan) depth() int { return len(s.stack) + s.openDots + s.keyDots + s.sectionDots }

// newline ends a line; a key ends with its line unless its value is
// still open.
func (s *nestScan) newline() {
	s.line++
	s.lineStart = true
	if len(s.stack) == 0 {
		s.keyDots = 0
	}
}

// dot reads a dot of a dotted key or table name; it reports whether a
// table name now nests deeper than max (a key's depth is depth()'s).
func (s *nestScan) dot(max int) bool {
	if s.header {
		s.headerDots++
		s.work += s.headerDots
		return s.headerDots > max
	}
	s.keyDots++
	s.work += s.depth()
	return false
}

// open reads data[i], a '[' or '{': the start of a table header when it
// begins a line outside any value, else an array or inline table. It
// returns the index of the last byte read.
func (s *nestScan) open(c byte, i int) int {
	if c == '[' && s.lineStart && len(s.stack) == 0 {
		s.header, s.headerDots = true, 0
		if i+1 < len(s.data) && s.data[i+1] == '[' {
			i++
		}
		return i
	}
	s.stack = append(s.stack, s.keyDots)
	s.openDots += s.keyDots
	s.keyDots = 0
	s.work += s.depth()
	return i
}

// close reads data[i], a ']' or '}': the end of a table header or of
// the innermost open value. It returns the index of the last byte read.
func (s *nestScan) close(c byte, i int) int {
	if s.header && c == ']' {
		s.header = false
		s.sectionDots = s.headerDots
		if i+1 < len(s.data) && s.data[i+1] == ']' {
			i++
		}
		return i
	}
	if n := len(s.stack); n > 0 {
		top := s.stack[n-1]
		s.stack = s.stack[:n-1]
		s.openDots -= top
		s.keyDots = top // the value of that key is still being read
	}
	return i
}

// skipComment returns the index of the last byte of the comment that
// starts at data[i], before the line break.
func skipComment(data []byte, i int) int {
	for i+1 < len(data) && data[i+1] != '\n' {
		i++
	}
	return i
}

// skipString returns the index of the last byte of the string that starts
// at data[i] (a quote), and the line it ends on. A basic string (in double
// quotes, one or three) has backslash escapes; a literal one (in single
// quotes, one or three) has none; the single-line kinds end at a line
// break too, which the parser then reports.
func skipString(data []byte, i, line int) (int, int) {
	q := data[i]
	n := len(data)
	multi := i+2 < n && data[i+1] == q && data[i+2] == q
	if multi {
		for j := i + 3; j < n; j++ {
			switch {
			case data[j] == '\n':
				line++
			case data[j] == '\\' && q == '"':
				if j+1 < n && data[j+1] == '\n' {
					line++
				}
				j++
			case data[j] == q && j+2 < n && data[j+1] == q && data[j+2] == q:
				j += 2
				for k := 0; k < 2 && j+1 < n && data[j+1] == q; k++ { // """a"""" ends in a quote
					j++
				}
				return j, line
			}
		}
		return n - 1, line
	}
	for j := i + 1; j < n; j++ {
		switch data[j] {
		case '\n':
			return j - 1, line // unterminated: the parser says so
		case '\\':
			if q == '"' {
				j++
			}
		case q:
			return j, line
		}
	}
	return n - 1, line
}
