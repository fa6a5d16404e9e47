package tui

import (
	"strconv"
	"strings"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// filter selects monitors by name, tag, status or code. Terms are separated
// by spaces and must all match. A bare term matches a name or tag that
// contains it, a status name ("down", "maint"), a code ("502", "5xx") or a
// failure class ("timeout"); a prefix narrows it: name:, tag:, status:, code:.
type filter struct {
	raw   string
	terms []filterTerm
}

type filterTerm struct {
	field string // "", "name", "tag", "status", "code"
	val   string // lower case
}

func parseFilter(s string) filter {
	f := filter{raw: s}
	for _, w := range strings.Fields(strings.ToLower(s)) {
		t := filterTerm{val: w}
		if i := strings.IndexByte(w, ':'); i > 0 {
			switch fld := w[:i]; fld {
			case "name", "tag", "status", "code":
				t.field, t.val = fld, w[i+1:]
			}
		}
		if t.val == "" {
			continue
		}
		f.terms = append(f.terms, t)
	}
	return f
}

// active reports whether the filter selects anything less than everything.
func (f *filter) active() bool { return len(f.terms) > 0 }

func (f *filter) match(st *monitor.State) bool {
	for _, t := range f.terms {
		if !t.match(st) {
			return false
		}
	}
	return true
}

func (t filterTerm) match(st *monitor.State) bool {
	switch t.field {
	case "name":
		return matchName(st, t.val)
	case "tag":
		return matchTag(st, t.val)
	case "status":
		return matchStatus(st, t.val, true)
	case "code":
		return matchCode(st, t.val)
	}
	return matchName(st, t.val) || matchTag(st, t.val) || matchStatus(st, t.val, false) || matchCode(st, t.val)
}

func matchName(st *monitor.State, v string) bool {
	return st.Monitor != nil && containsFold(st.Monitor.Name, v)
}

func matchTag(st *monitor.State, v string) bool {
	if st.Monitor == nil {
		return false
	}
	for _, tag := range st.Monitor.Tags {
		if containsFold(tag, v) {
			return true
		}
	}
	return false
}

// matchStatus matches a status by its name; prefix allows "maint" and "deg".
func matchStatus(st *monitor.State, v string, prefix bool) bool {
	name := st.Status.String()
	if name == v || shortWord(st.Status) == v {
		return true
	}
	return prefix && strings.HasPrefix(name, v)
}

// matchCode matches "502", "5xx" or a failure class such as "timeout".
func matchCode(st *monitor.State, v string) bool {
	r := &st.Last
	if r.Time.IsZero() {
		return false
	}
	if len(v) == 3 && v[1] == 'x' && v[2] == 'x' && v[0] >= '1' && v[0] <= '9' {
		return r.Code/100 == int(v[0]-'0')
	}
	if n, err := strconv.Atoi(v); err == nil {
		return r.Code == n
	}
	return r.Class != "" && strings.Contains(strings.ToLower(r.Class), v)
}

// containsFold reports whether s contains the lower-case v, ignoring case.
func containsFold(s, v string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.Contains(strings.ToLower(s), v)
		}
	}
	return strings.Contains(s, v)
}
