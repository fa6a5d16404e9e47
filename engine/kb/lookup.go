package kb

import (
	"fmt"
	"github.com/upbeat-monitor/upbeat/internal/textdist"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Families an entry belongs to. They group entries in listings and name the
// fallback used for a code the table does not know.
const (
	FamilyInformational = "1xx informational"
	FamilySuccess       = "2xx success"
	FamilyRedirect      = "3xx redirection"
	FamilyClient        = "4xx client error"
	FamilyServer        = "5xx server error"
	FamilyCloudflare    = "cloudflare"
	FamilyNetwork       = "network"
	FamilyDNS           = "dns"
	FamilyTLS           = "tls"
	FamilyAssertion     = "assertion"
	FamilyDomain        = "domain"
	FamilyPush          = "push"
	FamilyMonitor       = "monitor"
	FamilyUnknown       = "unknown"
)

// table is the whole knowledge base, indexed once. It is never modified
// after it is built; everything handed out is a copy.
type table struct {
	entries []Entry        // in Keys order
	index   map[string]int // canonical key -> position in entries
	names   map[string]int // normalized Name -> position (first wins)
}

// kbTable is the table, built when it is first needed (not at start-up:
// most commands never look anything up) and read-only after that.
var kbTable = sync.OnceValue(buildTable)

func buildTable() *table {
	var codes []Entry
	codes = append(codes, informationalEntries()...)
	codes = append(codes, successEntries()...)
	codes = append(codes, redirectEntries()...)
	codes = append(codes, clientEntries()...)
	codes = append(codes, serverEntries()...)
	codes = append(codes, nonStandardEntries()...)
	codes = append(codes, cloudflareEntries()...)
	for i := range codes {
		codes[i].Class = codeClass(codes[i].Code)
	}
	slices.SortStableFunc(codes, func(a, b Entry) int { return a.Code - b.Code })

	all := codes
	all = append(all, familyEntries()...)
	all = append(all, classEntries()...)

	t := &table{
		entries: all,
		index:   make(map[string]int, len(all)),
		names:   make(map[string]int, len(all)),
	}
	for i, e := range all {
		if _, dup := t.index[e.Class]; dup {
			panic("kb: duplicate entry " + e.Class)
		}
		t.index[e.Class] = i
	}
	for i, e := range all {
		n := normalize(e.Name)
		if _, taken := t.names[n]; !taken {
			t.names[n] = i
		}
	}
	return t
}

// codeClass is the class a result carries for an HTTP status code.
func codeClass(code int) string { return "http_" + strconv.Itoa(code) }

// aliases are other spellings people type for a class.
var aliases = map[string]string{
	"connection_refused": "refused",
	"econnrefused":       "refused",
	"connection_reset":   "reset",
	"econnreset":         "reset",
	"timed_out":          "timeout",
	"etimedout":          "timeout",
	"deadline_exceeded":  "timeout",
	"ehostunreach":       "unreachable",
	"enetunreach":        "unreachable",
	"no_route_to_host":   "unreachable",
	"nxdomain":           "dns_nxdomain",
	"servfail":           "dns_servfail",
	"cert_expired":       "tls_expired",
	"ssl_expired":        "tls_expired",
	"unexpected_eof":     "eof",
	// Cloudflare shows these numbers on the error page it serves with a 530.
	"http_1016": "http_530",
	"http_1033": "http_530",
}

// normalize turns what a person or a result typed into a canonical key:
// trimmed, lower case, words joined by underscores, "HTTP 502" and "502"
// both become "http_502".
func normalize(key string) string {
	s := strings.ToLower(strings.TrimSpace(key))
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '/', '.':
			return '_'
		}
		return r
	}, s)
	for strings.Contains(s, "__") {
		s = strings.ReplaceAll(s, "__", "_")
	}
	s = strings.Trim(s, "_")
	if rest, ok := strings.CutPrefix(s, "http"); ok {
		rest = strings.TrimPrefix(rest, "_")
		if rest != "" && isDigits(rest) {
			return "http_" + rest
		}
	}
	if s != "" && isDigits(s) {
		return "http_" + s
	}
	return s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// find returns the position of the entry for key, by class, alias or name.
func (t *table) find(key string) (int, bool) {
	k := normalize(key)
	if k == "" {
		return 0, false
	}
	if i, ok := t.index[k]; ok {
		return i, true
	}
	if a, ok := aliases[k]; ok {
		i, ok := t.index[a]
		return i, ok
	}
	i, ok := t.names[k]
	return i, ok
}

// entry returns a copy of entries[i] that the caller may modify freely.
func (t *table) entry(i int) Entry {
	e := t.entries[i]
	e.Causes = slices.Clone(e.Causes)
	return e
}

func lookup(key string) (Entry, bool) {
	i, ok := kbTable().find(key)
	if !ok {
		return Entry{}, false
	}
	return kbTable().entry(i), true
}

// ForResult returns the best explanation for a check result: the entry for
// class when it is known, else the one for the HTTP status code, else the
// general entry of the code's family (an unknown 587 gets the 5xx one, with
// Code and Class set to the real values), else a generic entry for the kind
// of class. It never returns an empty entry.
func ForResult(code int, class string) Entry {
	t := kbTable()
	if class != "" {
		if i, ok := t.find(class); ok {
			return t.entry(i)
		}
		// A class of a family that is not HTTP's keeps its family even
		// when its code is in HTTP's range (smtp_555, tls_…).
		if e, ok := fallback(class); ok {
			return e
		}
	}
	// A class like "http_587" carries the code when the caller passed none.
	if code == 0 {
		if n, ok := strings.CutPrefix(normalize(class), "http_"); ok {
			code, _ = strconv.Atoi(n)
		}
	}
	if code >= 100 && code <= 599 {
		if i, ok := t.index[codeClass(code)]; ok {
			return t.entry(i)
		}
		e := t.entry(t.index[fmt.Sprintf("%dxx", code/100)])
		e.Code = code
		e.Class = codeClass(code)
		return e
	}
	e := unknownEntry()
	if class != "" {
		e.Class = class
	}
	e.Code = code
	return e
}

// fallback is the general entry for a class nobody wrote one for yet.
func fallback(class string) (Entry, bool) {
	k := normalize(class)
	for _, f := range classFallbacks {
		if strings.HasPrefix(k, f.prefix) {
			return kbTable().entry(kbTable().index[f.class]), true
		}
	}
	return Entry{}, false
}

// classFallbacks name the general entry for a class nobody wrote one for
// yet, by its prefix.
var classFallbacks = []struct{ prefix, class string }{
	{"dns_", "dns_error"},
	{"tls_", "tls_handshake"},
	{"rdap_", "rdap_error"},
	{"push_", "push_down"},
	{"json_", "json_invalid"},
	{"domain_", "domain_expiring"},
	// services.go
	{"smtp_4", "smtp_4xx"},
	{"smtp_5", "smtp_5xx"},
	{"smtp_", "smtp_bad_greeting"},
	{"grpc_", "grpc_error"},
	{"ws_", "ws_handshake"},
	{"postgres_", "postgres_query_failed"},
	{"mysql_", "mysql_query_failed"},
	{"redis_", "redis_command_failed"},
}

// ForCode returns the entry for an HTTP status code, falling back to the
// general entry of its family; see ForResult.
func ForCode(code int) Entry { return ForResult(code, "") }

// Keys returns every key Lookup knows, in a stable order: HTTP status codes
// ascending ("http_100" … "http_599"), then the families ("1xx" … "5xx"),
// then the failure classes grouped by family.
func Keys() []string {
	keys := make([]string, len(kbTable().entries))
	for i, e := range kbTable().entries {
		keys[i] = e.Class
	}
	return keys
}

// Suggest returns up to five keys close to one that Lookup did not find,
// best first, in the form a person would type: "502" for a status code,
// "dns_nxdomain" for a class. Near misses of a whole key rank first, then
// keys starting with the query, then keys with a word (of the class or the
// name) close to it, then keys containing it. It returns nil when nothing
// is close.
func Suggest(key string) []string {
	q := normalize(key)
	if q == "" {
		return nil
	}
	q = strings.TrimPrefix(q, "http_")
	limit := 1
	if !isDigits(q) && len(q) >= 6 {
		limit = 2
	}
	wordLimit := 0
	if len(q) >= 4 {
		wordLimit = 1
	}
	type cand struct {
		text  string
		score int
		order int
	}
	var found []cand
	consider := func(text, display string, order int, words []string) {
		score := -1
		switch {
		case textdist.Distance(q, text) <= limit:
			score = textdist.Distance(q, text)
		case len(q) >= 2 && strings.HasPrefix(text, q):
			score = limit + 1
		case !isDigits(q) && slices.ContainsFunc(words, func(w string) bool { return textdist.Distance(q, w) <= wordLimit }):
			score = limit + 2
		case len(q) >= 3 && strings.Contains(text, q):
			score = limit + 3
		case len(text) >= 4 && !isDigits(text) && strings.Contains(q, text):
			score = limit + 3
		}
		if score >= 0 {
			found = append(found, cand{display, score, order})
		}
	}
	for i, e := range kbTable().entries {
		text := strings.TrimPrefix(e.Class, "http_")
		words := strings.FieldsFunc(strings.ToLower(e.Class+" "+e.Name), func(r rune) bool {
			return (r < 'a' || r > 'z') && (r < '0' || r > '9')
		})
		consider(text, text, i, words)
	}
	for alias, target := range aliases {
		consider(alias, target, kbTable().index[target], strings.Split(alias, "_"))
	}
	slices.SortFunc(found, func(a, b cand) int {
		if a.score != b.score {
			return a.score - b.score
		}
		return a.order - b.order
	})
	var out []string
	for _, c := range found {
		if !slices.Contains(out, c.text) {
			out = append(out, c.text)
		}
		if len(out) == 5 {
			break
		}
	}
	return out
}
