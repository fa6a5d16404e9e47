package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one mistake in a config file: where it is and what is wrong.
type Error struct {
	File string // the config file as it was named to Load or Parse
	Line int    // 1-based; 0 when the line is not known
	Key  string // dotted key, e.g. "monitor.timeout"; "" for a syntax error
	Msg  string // what is wrong, in words meant for the person editing the file
}

// Error formats the mistake as "file:line: key: msg".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every mistake found in one config file, in the order of the
// lines they are on. Load and Parse return it (as an error) when the
// file has any mistake, so that a person fixes them all in one go.
type Errors []*Error

// Error prints one mistake per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sort orders the mistakes by line, keeping the order they were found in
// for mistakes on the same line.
func (es Errors) sort() {
	slices.SortStableFunc(es, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
}
