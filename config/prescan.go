package config

import (
	"fmt"
	"math"

	"early.upbeat.invalid/tomlscan"
)

// The size and depth of config text are measured before it reaches the
// parser, whose work grows with the square of how deeply a value nests
// (see tomlscan).
const (
	// MaxConfigSize is the largest config file read; a big one is a few
	// hundred KiB.
	MaxConfigSize = tomlscan.MaxSize
	// MaxConfigDepth is how deep keys and values may nest: each open
	// [ or { and each dot of a dotted key or table name is a level.
	MaxConfigDepth = tomlscan.MaxDepth
	// MaxConfigNesting bounds the parser's work on nesting in the whole
	// file (tomlscan.MaxNesting).
	MaxConfigNesting = tomlscan.MaxNesting
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
	switch line, deep := tomlscan.Nesting(data, MaxConfigDepth, MaxConfigNesting); {
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
	line, _ := tomlscan.Nesting(data, max, math.MaxInt)
	return line
}
