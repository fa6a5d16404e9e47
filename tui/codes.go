package tui

import (
	"strings"
	"unicode/utf8"
)

// The CODE column shows a result's status code or failure class. It is
// codeMinW cells wide, and as wide as the longest label on screen needs
// (up to codeMaxW) when the table has the room; a class longer than the
// column is shown by its short label, never cut: tls_expired and
// tls_expiring cut to seven cells would both read "tls_ex…".
const (
	codeMinW = 8
	codeMaxW = 24
)

// shortCodes are the short labels of the classes longer than codeMinW:
// distinct from each other and from every other class's label (a test
// holds them to it for every class the knowledge base knows), and words a
// person on call reads without the help.
var shortCodes = map[string]string{
	"unreachable":              "unreach",
	"bad_response":             "bad resp",
	"icmp_not_permitted":       "no ping",
	"packet_loss":              "pkt loss",
	"dns_nxdomain":             "nxdomain",
	"dns_servfail":             "servfail",
	"dns_rcode":                "rcode",
	"dns_error":                "dns err",
	"dns_no_answer":            "nodata",
	"dns_answer_mismatch":      "bad ans",
	"tls_expired":              "expired",
	"tls_expiring":             "expiring",
	"tls_not_yet_valid":        "not yet",
	"tls_hostname":             "tls name",
	"tls_unknown_authority":    "unk CA",
	"tls_handshake":            "tls fail",
	"tls_self_signed":          "selfsign",
	"tls_incomplete_chain":     "chain",
	"tls_timeout":              "tls t/o",
	"connect_timeout":          "conn t/o",
	"body_timeout":             "body t/o",
	"redirect_loop":            "rdr loop",
	"redirect_private":         "rdr intl",
	"too_many_redirects":       "rdr many",
	"body_mismatch":            "no text",
	"json_assertion":           "json",
	"json_invalid":             "bad json",
	"json_assertion_invalid":   "bad expr",
	"header_mismatch":          "header",
	"unsupported_http_version": "http ver",
	"oauth2_error":             "oauth2",
	"proxy_error":              "proxy",
	"domain_expiring":          "dom soon",
	"domain_expired":           "dom exp",
	"rdap_error":               "rdap err",
	"rdap_not_found":           "no rdap",
	"rdap_no_expiry":           "no date",
	"push_late":                "late",
	"push_down":                "no beat",
	"push_failed":              "job fail",
	"maintenance":              "maint",

	// the classes of the service kinds, as the CODE column shows them:
	// without their kind, which has a column of its own
	// (postgres_auth_failed shows as auth_failed)
	"auth_failed":       "auth err",
	"not_allowed":       "denied",
	"no_database":       "no db",
	"unavailable":       "unavail",
	"query_failed":      "qry fail",
	"query_timeout":     "qry t/o",
	"login_timeout":     "lgn t/o",
	"value_mismatch":    "bad val",
	"command_failed":    "cmd fail",
	"command_timeout":   "cmd t/o",
	"not_serving":       "no serve",
	"service_unknown":   "no svc",
	"no_health":         "no hlth",
	"call_timeout":      "call t/o",
	"handshake":         "handshk",
	"handshake_timeout": "hs t/o",
	"reply_mismatch":    "bad rply",
	"reply_timeout":     "rply t/o",
	"bad_greeting":      "greeting",
	"banner_timeout":    "bnr t/o",
}

// shortCode is a label that fits in codeMinW cells: the label itself when
// it fits, its short label, else its words shortened alike until they fit
// ("postgres_query_timeout": "po qu ti"), which keeps classes that differ
// in any word apart.
func shortCode(label string) string {
	if width(label) <= codeMinW {
		return label
	}
	if s, ok := shortCodes[label]; ok {
		return s
	}
	words := strings.FieldsFunc(label, func(r rune) bool { return r == '_' || r == ' ' || r == '-' })
	for n := 5; n >= 1; n-- {
		parts := make([]string, len(words))
		for i, w := range words {
			parts[i] = firstRunes(w, n)
		}
		if s := strings.Join(parts, " "); width(s) <= codeMinW {
			return s
		}
	}
	return trunc(label, codeMinW)
}

// firstRunes returns the first n runes of s.
func firstRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// codeFor is the label of a result's code or class for a column w cells
// wide: the whole label when it fits, else its short label.
func codeFor(label string, w int) string {
	if width(label) <= w {
		return label
	}
	return shortCode(label)
}
