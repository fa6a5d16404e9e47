package kb

import (
	"strconv"
	"strings"
)

// MinWidth is the narrowest width Format wraps to; smaller widths are
// raised to it.
const MinWidth = 20

// Format renders e as plain text for `upbeat explain`: a title with the
// code or class, the name and the family, the one-line summary, the
// meaning, the causes as a bullet list and the first step, every line at
// most width columns (0 or less: 80; below MinWidth: MinWidth). Words
// longer than a line are split. The text is ASCII, so a byte is a column.
func Format(e Entry, width int) string {
	if width <= 0 {
		width = 80
	}
	width = max(width, MinWidth)
	id := e.Class
	if e.Code != 0 {
		id = "HTTP " + strconv.Itoa(e.Code)
	}
	title := id + " - " + e.Name
	if e.Family != "" && !strings.Contains(strings.ToLower(e.Name), strings.ToLower(e.Family)) {
		title += " (" + e.Family + ")"
	}

	var lines []string
	lines = append(lines, wrap(title, width, "", "")...)
	if e.Summary != "" {
		lines = append(lines, wrap(e.Summary, width, "", "")...)
	}
	if e.Meaning != "" {
		lines = append(lines, "")
		lines = append(lines, wrap(e.Meaning, width, "", "")...)
	}
	if len(e.Causes) > 0 {
		lines = append(lines, "", "Most common causes:")
		for _, c := range e.Causes {
			lines = append(lines, wrap(c, width, "  - ", "    ")...)
		}
	}
	if e.FirstStep != "" {
		lines = append(lines, "", "First step:")
		lines = append(lines, wrap(e.FirstStep, width, "  ", "  ")...)
	}
	return strings.Join(lines, "\n") + "\n"
}

// wrap breaks text into lines of at most width bytes, the first starting
// with first and the others with rest. A `quoted command` is kept on one
// line when it fits on a line of its own, so it can be copied whole;
// otherwise it wraps like ordinary words. A word that does not fit on a
// line of its own is split.
func wrap(text string, width int, first, rest string) []string {
	var lines []string
	var line strings.Builder
	line.WriteString(first)
	empty := true // no word on the current line yet
	flush := func() {
		lines = append(lines, strings.TrimRight(line.String(), " "))
		line.Reset()
		line.WriteString(rest)
		empty = true
	}
	tokens := codeSpans(strings.Fields(text))
	for len(tokens) > 0 {
		w := tokens[0]
		room := width - line.Len()
		if !empty {
			room-- // the space before the word
		}
		switch {
		case len(w) <= room:
			if !empty {
				line.WriteByte(' ')
			}
			line.WriteString(w)
			empty = false
			tokens = tokens[1:]
		case strings.Contains(w, " ") && len(w) > width-len(rest):
			// A command too long for any line: wrap its words.
			tokens = append(strings.Fields(w), tokens[1:]...)
		case !empty:
			flush()
		default:
			// Alone on a line and still too long: split it.
			room = max(room, 1)
			line.WriteString(w[:room])
			tokens[0] = w[room:]
			empty = false
			flush()
		}
	}
	if !empty || len(lines) == 0 {
		flush()
	}
	return lines
}

// codeSpans joins the words of each `quoted command` into one token.
func codeSpans(words []string) []string {
	var out []string
	open := -1 // index in out of the span being built
	for _, w := range words {
		odd := strings.Count(w, "`")%2 == 1
		switch {
		case open >= 0:
			out[open] += " " + w
			if odd {
				open = -1
			}
		default:
			out = append(out, w)
			if odd {
				open = len(out) - 1
			}
		}
	}
	return out
}
