package config

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Names of monitors, alerts and maintenance windows, and tags, are what a
// person tells things apart by on screen. Two that look the same there
// must not be two things: "café" typed with a composed é and with e plus a
// combining accent, the full-width "ｓｈｏｐ" and "shop", or "shop " with a
// trailing space. So a name is kept in NFC (one spelling of each composed
// letter), may not start or end with white space or hold control or
// invisible characters, and names are compared after NFKC and case
// folding, which maps full-width, ligature and other compatibility forms,
// and upper case, to one form.

// nameProblem says what keeps s from being a name, or "".
func nameProblem(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "must not be empty"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "must not hold control characters"
	case strings.IndexFunc(s, invisible) >= 0:
		return fmt.Sprintf("must not hold invisible characters (%U)", firstRune(s, invisible))
	case strings.TrimLeftFunc(s, unicode.IsSpace) != s:
		return fmt.Sprintf("%q starts with white space; remove it", s)
	case strings.TrimRightFunc(s, unicode.IsSpace) != s:
		return fmt.Sprintf("%q ends with white space; remove it", s)
	}
	return ""
}

// invisible reports format characters (zero-width spaces and joiners,
// bidirectional marks and overrides, soft hyphens…): a name holding one
// looks like a name without it, or is shown reordered.
func invisible(r rune) bool { return unicode.Is(unicode.Cf, r) }

func firstRune(s string, f func(rune) bool) rune {
	for _, r := range s {
		if f(r) {
			return r
		}
	}
	return 0
}

// name reads the name key every table but [settings] and [api] has, in NFC.
func name(t *table, what string) string {
	if !t.has("name") {
		t.errorf("name", "is missing; every %s needs a name", what)
		return ""
	}
	n, ok := t.str("name")
	if !ok {
		return ""
	}
	if p := nameProblem(n); p != "" {
		t.errorf("name", "%s", p)
		return ""
	}
	return norm.NFC.String(n)
}

// nfc returns the names in NFC, as name stores them, so that a reference
// finds the name however its letters were composed.
func nfc(names []string) []string {
	for i, n := range names {
		names[i] = norm.NFC.String(n)
	}
	return names
}

// foldName is the form in which names that look alike are equal: NFKC,
// then case folding.
func foldName(s string) string {
	return norm.NFKC.String(cases.Fold().String(norm.NFKC.String(s)))
}

// sameName says how the name of t and other (the name of o, met before)
// are the same, for a message about t's; "" when they differ.
func sameName(what string, t *table, name string, o *table, other string) string {
	line := o.line("name")
	switch {
	case name == other && t.data["name"] != o.data["name"]:
		return fmt.Sprintf("%s name %q looks the same as %q (line %d): the same letters, composed differently; rename one",
			what, name, other, line)
	case name == other:
		return fmt.Sprintf("another %s is named %q (line %d)", what, name, line)
	case norm.NFKC.String(name) == norm.NFKC.String(other):
		return fmt.Sprintf("%s name %q looks the same as %q (line %d); rename one", what, name, other, line)
	case foldName(name) == foldName(other):
		return fmt.Sprintf("%s name %q differs from %q (line %d) only in case; rename one", what, name, other, line)
	}
	return ""
}

// unique reports names used twice among tables, or written so that they
// look the same; empty names are reported where they are read.
func (l *loader) unique(ts []*table, name func(int) string, what string) {
	first := map[string]int{}
	for i, t := range ts {
		n := name(i)
		if n == "" {
			continue
		}
		f := foldName(n)
		if j, ok := first[f]; ok {
			t.errorf("name", "%s", sameName(what, t, n, ts[j], name(j)))
			continue
		}
		first[f] = i
	}
}

// uniqueMonitors reports monitors with the same name or names that look
// the same, names that become the same file and URL name (monitor.Key:
// "a b" and "a_b"), and push monitors that share a token.
func (l *loader) uniqueMonitors(ts []*table, ms []*monitor.Monitor) {
	byFold := map[string]int{}
	byKey := map[string]int{}
	byToken := map[string]int{}
	for i, m := range ms {
		if m.Name != "" {
			f, k := foldName(m.Name), monitor.Key(m.Name)
			j, folded := byFold[f]
			if !folded {
				j, folded = byKey[k]
			}
			switch {
			case !folded:
				byFold[f], byKey[k] = i, i
			case ms[j].Name != m.Name && k == monitor.Key(ms[j].Name) && norm.NFKC.String(m.Name) != norm.NFKC.String(ms[j].Name):
				ts[i].errorf("name", "%q and %q (line %d) are the same name (%s) in file names and URLs; rename one",
					m.Name, ms[j].Name, ts[j].line("name"), k)
			default:
				ts[i].errorf("name", "%s", sameName("monitor", ts[i], m.Name, ts[j], ms[j].Name))
			}
		}
		if m.Kind == monitor.KindPush && m.Parsed != nil {
			if j, ok := byToken[m.Parsed.Host]; ok {
				ts[i].errorf("url", "monitor %q (line %d) has the same push token", ms[j].Name, ts[j].line("url"))
			} else {
				byToken[m.Parsed.Host] = i
			}
		}
	}
}

// tagTable is where a tag was first written.
type tagTable struct {
	tag string
	t   *table
}

// uniqueTags reports a tag written in two ways that look the same
// ("prod" and "ｐｒｏｄ", or "Prod"): grouped by tag, they would show as
// two groups of the same name.
func (l *loader) uniqueTags(ts []*table, ms []*monitor.Monitor) {
	first := map[string]tagTable{}
	for i, m := range ms {
		for _, tag := range m.Tags {
			f := foldName(tag)
			seen, ok := first[f]
			switch {
			case !ok:
				first[f] = tagTable{tag, ts[i]}
			case seen.tag != tag:
				ts[i].errorf("tags", "tag %q looks like %q (line %d); write it the same way", tag, seen.tag, seen.t.line("tags"))
			}
		}
	}
}
