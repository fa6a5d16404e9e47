package config

import (
	"fmt"
	"math"
)

// The TOML parser's work grows with the square of how deeply a value is
// nested: 5,000 nested inline tables take seconds and a gigabyte, 50,000
// take longer than anyone waits, and dotted keys and table names thousands
// of parts long do the same. No config needs more than a handful of
// levels, so the text is measured before it reaches the parser: its size,
// and its depth by a scan of brackets, braces and dots outside strings and
// comments that costs one pass over the bytes.
const (
	// MaxConfigSize is the largest config file read; a big one is a few
	// hundred KiB.
	MaxConfigSize = 4 << 20
	// MaxConfigDepth is how deep keys and values may nest: each open
	// [ or { and each dot of a dotted key or table name is a level.
	MaxConfigDepth = 64
	// MaxConfigNesting bounds the parser's work on nesting in the whole
	// file: every level entered costs as much as its depth, so that many
	// values each nested close to MaxConfigDepth (which would take the
	// parser a minute for 4 MiB of them) are refused too. A config with
	// thousands of monitors, each with a table of headers and a list of
	// tags, uses a few thousand.
	MaxConfigNesting = 100_000
)

// tooLarge is the mistake of a file over MaxConfigSize.
func tooLarge(file string, size int64) *Error {
	return &Error{File: file, Msg: fmt.Sprintf("the file holds %d bytes or more, and a config may hold at most %s; is it the right file?",
		size, formatSize(MaxConfigSize))}
}

// prescan checks the size and depth of config text before it is parsed.
func prescan(file string, data []byte) *Error {
	if len(data) > MaxConfigSize {
		return tooLarge(file, int64(len(data)))
	}
	switch line, deep := nesting(data, MaxConfigDepth, MaxConfigNesting); {
	case line > 0 && deep:
		return &Error{File: file, Line: line, Msg: fmt.Sprintf(
			"values nest more than %d levels deep here (counting each [, { and dot in a key); a config needs a few",
			MaxConfigDepth)}
	case line > 0:
		return &Error{File: file, Line: line, Msg: fmt.Sprintf(
			"the file nests values so often that reading it would take too long: by here, more than %d levels "+
				"(each [, { and dot in a key, counted at its depth); a config needs far fewer", MaxConfigNesting)}
	}
	return nil
}

// tooDeep returns the first line on which TOML text nests deeper than
// max, or 0.
func tooDeep(data []byte, max int) int {
	line, _ := nesting(data, max, math.MaxInt)
	return line
}

// nesting returns the first line on which TOML text nests deeper than
// max (deep is then true), or on which the sum of the depths of every
// level entered passes budget; 0 when neither happens. The depth at a
// point is the number of open brackets and braces, plus the dots of the
// table name in force, plus the dots of the keys whose values are still
// open. It reads strings and comments as TOML does, and never fails: text
// that is not TOML is the parser's to report.
func nesting(data []byte, max, budget int) (line int, deep bool) {
	type frame struct{ keyDots int }
	var (
		stack       []frame
		keyDots     int // dots of the key being read or whose value is open
		openDots    int // sum of keyDots in stack
		sectionDots int // dots of the last [table] or [[table]] name
		header      bool
		headerDots  int
		work        int    // the sum of depths entered
		lineStart   = true // only white space so far on this line
	)
	line = 1
	depth := func() int { return len(stack) + openDots + keyDots + sectionDots }
	n := len(data)
	for i := 0; i < n; i++ {
		c := data[i]
		switch c {
		case '\n':
			line++
			lineStart = true
			if len(stack) == 0 {
				keyDots = 0
			}
			continue
		case ' ', '\t', '\r':
			continue
		case '#':
			for i+1 < n && data[i+1] != '\n' {
				i++
			}
			continue
		case '"', '\'':
			i, line = skipString(data, i, line)
		case '.':
			if header {
				headerDots++
				work += headerDots
				if headerDots > max {
					return line, true
				}
				break
			}
			keyDots++
			work += depth()
		case ',':
			keyDots = 0
		case '[', '{':
			if c == '[' && lineStart && len(stack) == 0 {
				header, headerDots = true, 0
				if i+1 < n && data[i+1] == '[' {
					i++
				}
				break
			}
			stack = append(stack, frame{keyDots})
			openDots += keyDots
			keyDots = 0
			work += depth()
		case ']', '}':
			if header && c == ']' {
				header = false
				sectionDots = headerDots
				if i+1 < n && data[i+1] == ']' {
					i++
				}
				break
			}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				openDots -= top.keyDots
				keyDots = top.keyDots // the value of that key is still being read
			}
		}
		lineStart = false
		if depth() > max {
			return line, true
		}
		if work > budget {
			return line, false
		}
	}
	return 0, false
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
