package config

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/upbeat-monitor/upbeat/statuspage"
)

// Bounds on what a status page shows of its own text: a title fits a
// browser tab and a heading, a description a short paragraph.
const (
	maxPageTitle       = 120
	maxPageDescription = 1000
)

// reservedPaths are the first path segments the daemon's API uses; a
// status page cannot live under them.
var reservedPaths = []string{"api", "push", "metrics", "healthz"}

// statusPage checks one [[status_page]]: its path, title, description,
// whether it is public, and which monitors it shows (monitors and tags
// at its top, an unnamed first section, then [[status_page.group]]s).
func (l *loader) statusPage(t *table, monitors, tags []string) *statuspage.Config {
	p := &statuspage.Config{Title: statuspage.DefaultTitle}
	if !t.has("path") {
		t.errorf("path", "is missing; every status page needs a path, e.g. \"/status\"")
	} else if v, ok := t.str("path"); ok {
		if msg := pagePathProblem(v); msg != "" {
			t.errorf("path", "%s", msg)
		} else {
			p.Path = v
		}
	}
	if v, ok := t.str("title"); ok {
		switch n := utf8.RuneCountInString(v); {
		case strings.TrimSpace(v) == "":
			t.errorf("title", "must not be empty; leave it out for %q", statuspage.DefaultTitle)
		case n > maxPageTitle:
			t.errorf("title", "is %d characters long; at most %d fit a heading", n, maxPageTitle)
		default:
			p.Title = v
		}
	}
	if v, ok := t.str("description"); ok {
		if n := utf8.RuneCountInString(v); n > maxPageDescription {
			t.errorf("description", "is %d characters long; at most %d", n, maxPageDescription)
		} else {
			p.Description = v
		}
	}
	if v, ok := t.boolean("public"); ok {
		p.Public = v
	}
	if g, ok := pageGroup(t, monitors, tags); ok {
		p.Groups = append(p.Groups, g)
	}
	p.Groups = append(p.Groups, l.pageGroups(t, monitors, tags)...)
	t.checkUnknown()
	return p
}

// pageGroups reads the [[status_page.group]] tables of a page.
func (l *loader) pageGroups(t *table, monitors, tags []string) []statuspage.Group {
	v, ok := t.get("group")
	if !ok {
		return nil
	}
	list, ok := tables(v)
	if !ok {
		t.errorf("group", "must be tables written [[status_page.group]], not %s", typeName(v))
		return nil
	}
	var out []statuspage.Group
	seen := map[string]*table{}
	for i, data := range list {
		g := t.sub(fmt.Sprintf("group[%d]", i), data, groupKeys, "[[status_page.group]]")
		grp := statuspage.Group{Name: name(g, "group")}
		if grp.Name != "" {
			f := foldName(grp.Name)
			if o, dup := seen[f]; dup {
				g.errorf("name", "another group of this page is named %q (line %d); rename one", o.data["name"], o.line("name"))
			} else {
				seen[f] = g
			}
		}
		sel, ok := pageGroup(g, monitors, tags)
		if !ok {
			g.errorf("", "shows nothing; give it monitors or tags")
		}
		grp.Monitors, grp.Tags = sel.Monitors, sel.Tags
		g.checkUnknown()
		out = append(out, grp)
	}
	return out
}

// groupKeys are the keys of a [[status_page.group]].
var groupKeys = []string{"name", "monitors", "tags"}

// pageGroup reads the monitors and tags keys of a page or one of its
// groups; each name must be a monitor's, each tag a monitor's tag. ok is
// false when the table sets neither.
func pageGroup(t *table, monitors, tags []string) (statuspage.Group, bool) {
	var g statuspage.Group
	if names, ok := t.list("monitors"); ok {
		names = nfc(names)
		for _, n := range names {
			if !slices.Contains(monitors, n) {
				t.errorf("monitors", "%s", unknownName("monitor", n, monitors))
			}
		}
		g.Monitors = names
	}
	if list, ok := t.list("tags"); ok {
		list = nfc(list)
		for _, tag := range list {
			if !slices.Contains(tags, tag) {
				t.errorf("tags", "no monitor has the tag %q", tag)
			}
		}
		g.Tags = list
	}
	return g, t.has("monitors") || t.has("tags")
}

// pagePathProblem says what is wrong with a status page's path, or "".
// A path is absolute, without a trailing slash, made of segments of
// letters, digits and - _ . ~, and not under the API's own paths.
func pagePathProblem(p string) string {
	switch {
	case p == "" || p[0] != '/':
		return fmt.Sprintf("%q must start with /, e.g. \"/status\"", p)
	case p == "/":
		return "must name a page below /, e.g. \"/status\": / is the daemon's own"
	case strings.HasSuffix(p, "/"):
		return fmt.Sprintf("%q ends with /; write %q", p, strings.TrimRight(p, "/"))
	}
	for _, seg := range strings.Split(p[1:], "/") {
		switch {
		case seg == "":
			return fmt.Sprintf("%q holds an empty segment (//)", p)
		case seg == "." || seg == "..":
			return fmt.Sprintf("%q holds a %s segment", p, seg)
		}
		for _, c := range seg {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.~", c)) {
				return fmt.Sprintf("%q holds %q; use letters, digits and - _ . ~ between the slashes", p, c)
			}
		}
	}
	first, _, _ := strings.Cut(p[1:], "/")
	if slices.Contains(reservedPaths, first) {
		return fmt.Sprintf("%q is under /%s, which the API uses; choose another, e.g. \"/status\"", p, first)
	}
	return ""
}

// uniquePages reports two pages at one path, or a page at a path that
// another page uses for its badges, events, JSON or text.
func (l *loader) uniquePages(ts []*table, pages []*statuspage.Config) {
	for i, p := range pages {
		if p.Path == "" {
			continue
		}
		for j := range i {
			o := pages[j].Path
			switch {
			case o == "" || slices.ContainsFunc(pages[:j], func(q *statuspage.Config) bool { return q.Path == o }):
			case o == p.Path:
				ts[i].errorf("path", "another status page has the path %q (line %d)", o, ts[j].line("path"))
			case ownsPath(o, p.Path):
				ts[i].errorf("path", "%q is taken by the status page at %q (line %d), whose badges, events, JSON and text live there",
					p.Path, o, ts[j].line("path"))
			case ownsPath(p.Path, o):
				ts[i].errorf("path", "%q would take %q from the status page there (line %d): its badges, events, JSON and text live there",
					p.Path, o, ts[j].line("path"))
			}
		}
	}
}

// ownsPath reports whether the page at page serves p besides itself.
func ownsPath(page, p string) bool {
	return p == page+".json" || p == page+".txt" || p == page+"/events" ||
		p == page+"/badge" || strings.HasPrefix(p, page+"/badge/")
}
