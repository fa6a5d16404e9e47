package engine

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sanitize makes text that came from a target safe to store and print:
// invalid UTF-8 becomes U+FFFD, escape sequences (CSI, OSC, DCS, …) are
// removed whole, every other control character (C0, DEL, C1) becomes a
// space, and the result is cut to max runes (0: no limit) with an ellipsis.
func Sanitize(s string, max int) string {
	if plain(s) && (max <= 0 || len(s) <= max) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if next, ok := skipSequence(s, i, r, size); ok {
			i = next
			continue
		}
		if max > 0 && n == max {
			b.WriteString("…")
			break
		}
		b.WriteRune(printable(r))
		n++
		i += size
	}
	return b.String()
}

// plain reports whether s is printable ASCII only.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			return false
		}
	}
	return true
}

// skipSequence returns the index after the escape sequence or C1 control
// string that r, at s[i], begins, and false when r begins none.
func skipSequence(s string, i int, r rune, size int) (int, bool) {
	switch r {
	case 0x1b: // ESC: skip the whole sequence
		return skipEscape(s, i), true
	case 0x9b: // C1 CSI
		return skipString(s, i+size, true), true
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // C1 OSC, DCS, SOS, PM, APC
		return skipString(s, i+size, false), true
	}
	return i, false
}

// printable returns r, or a space for a rune a terminal would not just
// print: a control character (C0, DEL, C1), a line separator or a bidi
// override (they can rearrange what a terminal shows), anything else not
// printable. Invalid UTF-8 (utf8.RuneError) stays U+FFFD.
func printable(r rune) rune {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return ' '
	case r == '\u2028' || r == '\u2029' || r == '\u200e' || r == '\u200f' ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
		return ' '
	case !unicode.IsPrint(r) && r != utf8.RuneError && !unicode.IsSpace(r):
		return ' '
	}
	return r
}

// skipEscape returns the index after the escape sequence starting at s[i] (ESC).
func skipEscape(s string, i int) int {
	i++ // ESC
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[': // CSI: parameters and intermediates, then a final byte 0x40–0x7e
		return skipString(s, i+1, true)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: until BEL or ST
		return skipString(s, i+1, false)
	default: // two-byte sequence (and nF intermediates)
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) {
			i++
		}
		return i
	}
}

// skipString skips a CSI body (csi) or a control string ended by BEL, ESC \ or ST.
func skipString(s string, i int, csi bool) int {
	for i < len(s) {
		c := s[i]
		if csi {
			i++
			if c >= 0x40 && c <= 0x7e {
				return i
			}
			if c < 0x20 || c > 0x7e { // malformed: stop here
				return i
			}
			continue
		}
		switch {
		case c == 0x07:
			return i + 1
		case c == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i + 1
		case c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // ST as UTF-8
			return i + 2
		}
		i++
	}
	return i
}
