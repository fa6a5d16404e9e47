package kb

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// standardCodes are the IANA-registered status codes from 100 to 511,
// plus 418, which is reserved and widely known.
var standardCodes = []int{
	100, 101, 102, 103,
	200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
	300, 301, 302, 303, 304, 305, 306, 307, 308,
	400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417,
	418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451,
	500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
}

// cloudflareCodes are the codes Cloudflare's edge sends about the origin.
var cloudflareCodes = []int{520, 521, 522, 523, 524, 525, 526, 527, 530}

// otherCodes are non-standard codes common enough to explain.
var otherCodes = []int{444, 494, 495, 496, 497, 499, 419, 440, 449, 460, 463, 509, 598, 599, 561, 529}

// checkClasses are every class the checkers and the scheduler assign.
var checkClasses = []string{
	"timeout", "refused", "unreachable", "reset", "eof",
	"dns_nxdomain", "dns_servfail", "dns_rcode", "dns_error", "dns_answer_mismatch",
	"tls_expired", "tls_not_yet_valid", "tls_hostname", "tls_unknown_authority", "tls_handshake", "tls_expiring",
	"redirect_loop", "too_many_redirects", "body_mismatch", "json_assertion", "json_invalid", "slow",
	"icmp_not_permitted", "packet_loss", "domain_expiring", "domain_expired", "rdap_error", "rdap_not_found",
	"push_late", "push_down", "push_failed", "skipped", "maintenance", "internal",
	// Also reported by engine/check (see check.Classes).
	"bad_response", "dns_no_answer", "rdap_no_expiry", "config", "canceled", "error",
	// Issue 10.
	"connect_timeout", "tls_timeout", "body_timeout", "tls_self_signed", "tls_incomplete_chain",
	"json_assertion_invalid", "unsupported_http_version", "header_mismatch", "oauth2_error", "proxy_error",
	// Issue 12.
	"upbeat_stalled",
	// Issue 14.
	"redirect_private",
}

var knownFamilies = []string{
	FamilyInformational, FamilySuccess, FamilyRedirect, FamilyClient, FamilyServer,
	FamilyCloudflare, FamilyNetwork, FamilyDNS, FamilyTLS, FamilyAssertion,
	FamilyDomain, FamilyPush, FamilyMonitor, FamilyUnknown,
	FamilyGRPC, FamilyWebSocket, FamilyDatabase, FamilySMTP, // services.go
}

// sentenceEnd matches the end of a sentence: a full stop, question or
// exclamation mark followed by white space or the end of the text.
var sentenceEnd = regexp.MustCompile(`[.!?](\s|$)`)

// checkEntry reports every way e falls short of the house rules for an
// entry's text.
func checkEntry(t *testing.T, key string, e Entry) {
	t.Helper()
	if e.Class == "" || e.Name == "" || e.Summary == "" || e.Meaning == "" || e.FirstStep == "" || e.Family == "" {
		t.Errorf("%s: empty field in %+v", key, e)
		return
	}
	if !slices.Contains(knownFamilies, e.Family) {
		t.Errorf("%s: unknown family %q", key, e.Family)
	}
	if n := len(e.Summary); n > 70 {
		t.Errorf("%s: summary is %d chars, over 70: %q", key, n, e.Summary)
	}
	if r := rune(e.Summary[0]); !unicode.IsLower(r) {
		t.Errorf("%s: summary must start lower case: %q", key, e.Summary)
	}
	if strings.HasSuffix(e.Summary, ".") {
		t.Errorf("%s: summary ends with a period: %q", key, e.Summary)
	}
	if n := len(sentenceEnd.FindAllString(e.Meaning, -1)); n < 2 || n > 4 {
		t.Errorf("%s: meaning has %d sentences, want 2-4: %q", key, n, e.Meaning)
	}
	if n := len(e.Causes); n < 3 || n > 6 {
		t.Errorf("%s: %d causes, want 3-6", key, n)
	}
	for _, c := range e.Causes {
		if strings.TrimSpace(c) == "" || strings.HasSuffix(c, ".") {
			t.Errorf("%s: cause %q is empty or ends with a period", key, c)
		}
	}
	if !strings.HasSuffix(e.FirstStep, ".") || len(sentenceEnd.FindAllString(e.FirstStep, -1)) != 1 {
		t.Errorf("%s: first step must be one sentence: %q", key, e.FirstStep)
	}
	for _, s := range append([]string{e.Name, e.Summary, e.Meaning, e.FirstStep}, e.Causes...) {
		for _, r := range s {
			if r < 0x20 || r > 0x7e {
				t.Errorf("%s: non-printable or non-ASCII %q in %q", key, r, s)
				break
			}
		}
	}
}

func TestEveryCodeHasAnEntry(t *testing.T) {
	codes := slices.Concat(standardCodes, cloudflareCodes, otherCodes)
	for _, code := range codes {
		key := fmt.Sprint(code)
		e, ok := Lookup(key)
		if !ok {
			t.Errorf("no entry for %d", code)
			continue
		}
		if e.Code != code || e.Class != "http_"+key {
			t.Errorf("%d: entry has code %d class %q", code, e.Code, e.Class)
		}
		checkEntry(t, key, e)
	}
	for _, code := range cloudflareCodes {
		if e, _ := Lookup(fmt.Sprint(code)); e.Family != FamilyCloudflare {
			t.Errorf("%d: family %q, want %q", code, e.Family, FamilyCloudflare)
		}
	}
	for _, code := range standardCodes {
		e, _ := Lookup(fmt.Sprint(code))
		if want := fmt.Sprintf("%dxx", code/100); !strings.HasPrefix(e.Family, want) {
			t.Errorf("%d: family %q, want the %s family", code, e.Family, want)
		}
	}
}

func TestEveryClassHasAnEntry(t *testing.T) {
	for _, class := range checkClasses {
		e, ok := Lookup(class)
		if !ok {
			t.Errorf("no entry for class %q", class)
			continue
		}
		if e.Class != class || e.Code != 0 {
			t.Errorf("%s: entry has class %q code %d", class, e.Class, e.Code)
		}
		checkEntry(t, class, e)
	}
}

func TestKeys(t *testing.T) {
	keys := Keys()
	if !slices.Equal(keys, Keys()) {
		t.Fatal("Keys is not stable between calls")
	}
	seen := map[string]bool{}
	lastCode := 0
	for _, k := range keys {
		if seen[k] {
			t.Errorf("duplicate key %q", k)
		}
		seen[k] = true
		e, ok := Lookup(k)
		if !ok {
			t.Errorf("Keys lists %q but Lookup does not find it", k)
			continue
		}
		if e.Class != k {
			t.Errorf("Lookup(%q) gave class %q", k, e.Class)
		}
		checkEntry(t, k, e)
		if e.Code != 0 {
			if e.Code <= lastCode {
				t.Errorf("codes out of order: %d after %d", e.Code, lastCode)
			}
			lastCode = e.Code
		}
	}
	for _, c := range checkClasses {
		if !seen[c] {
			t.Errorf("Keys lacks class %q", c)
		}
	}
	for _, c := range slices.Concat(standardCodes, cloudflareCodes, otherCodes) {
		if !seen[fmt.Sprintf("http_%d", c)] {
			t.Errorf("Keys lacks code %d", c)
		}
	}
	// Every code comes before the families and the classes.
	firstNonCode := slices.IndexFunc(keys, func(k string) bool { return !strings.HasPrefix(k, "http_") })
	if i := slices.IndexFunc(keys[firstNonCode:], func(k string) bool { return strings.HasPrefix(k, "http_") }); i >= 0 {
		t.Errorf("code key %q listed after the classes", keys[firstNonCode+i])
	}
}

func TestLookupForms(t *testing.T) {
	tests := []struct {
		key  string
		want string // class, "" for not found
	}{
		{"http_502", "http_502"},
		{"502", "http_502"},
		{"HTTP 502", "http_502"},
		{"  http 502\t", "http_502"},
		{"Http-502", "http_502"},
		{"HTTP/502", "http_502"},
		{"http502", "http_502"},
		{"HTTP_522", "http_522"},
		{"timeout", "timeout"},
		{" TIMEOUT ", "timeout"},
		{"DNS_NXDOMAIN", "dns_nxdomain"},
		{"dns-nxdomain", "dns_nxdomain"},
		{"tls expired", "tls_expired"},
		{"nxdomain", "dns_nxdomain"},
		{"ECONNREFUSED", "refused"},
		{"connection refused", "refused"},
		{"Bad Gateway", "http_502"},
		{"gateway timeout", "http_504"},
		{"5xx", "5xx"},
		{"4XX", "4xx"},
		{"1033", "http_530"},
		{"cloudflare 1016", ""},
		{"", ""},
		{"   ", ""},
		{"http", ""},
		{"http_", ""},
		{"587", ""},
		{"5022", ""},
		{"no_such_class", ""},
	}
	for _, tt := range tests {
		e, ok := Lookup(tt.key)
		if ok != (tt.want != "") || e.Class != tt.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.key, e.Class, ok, tt.want)
		}
	}
}

func TestLookupReturnsCopy(t *testing.T) {
	e, _ := Lookup("502")
	want := e.Causes[0]
	e.Causes[0] = "changed"
	if again, _ := Lookup("502"); again.Causes[0] != want {
		t.Fatalf("modifying a returned entry changed the table: %q", again.Causes[0])
	}
	f := ForResult(502, "")
	f.Causes[0] = "changed"
	if again := ForResult(502, ""); again.Causes[0] != want {
		t.Fatalf("modifying ForResult's entry changed the table: %q", again.Causes[0])
	}
}

func TestForResult(t *testing.T) {
	tests := []struct {
		name      string
		code      int
		class     string
		wantClass string
		wantCode  int
		wantFam   string
	}{
		{"class wins over code", 200, "json_assertion", "json_assertion", 0, FamilyAssertion},
		{"http class", 502, "http_502", "http_502", 502, FamilyServer},
		{"code only", 503, "", "http_503", 503, FamilyServer},
		{"cloudflare", 522, "http_522", "http_522", 522, FamilyCloudflare},
		{"unknown class, known code", 504, "weird_new_class", "http_504", 504, FamilyServer},
		{"unknown 5xx", 587, "", "http_587", 587, FamilyServer},
		{"unknown 5xx class only", 0, "http_587", "http_587", 587, FamilyServer},
		{"unknown 4xx", 488, "http_488", "http_488", 488, FamilyClient},
		{"unknown 2xx", 299, "", "http_299", 299, FamilySuccess},
		{"unknown 3xx", 399, "", "http_399", 399, FamilyRedirect},
		{"unknown 1xx", 199, "", "http_199", 199, FamilyInformational},
		{"dns rcode in code", 5, "dns_rcode", "dns_rcode", 0, FamilyDNS},
		{"unknown dns class", 9, "dns_badvers", "dns_error", 0, FamilyDNS},
		{"unknown tls class", 0, "tls_revoked", "tls_handshake", 0, FamilyTLS},
		{"unknown everything", 0, "martian", "martian", 0, FamilyUnknown},
		{"nothing at all", 0, "", "unknown", 0, FamilyUnknown},
		{"code out of range", 999, "", "unknown", 999, FamilyUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ForResult(tt.code, tt.class)
			if e.Class != tt.wantClass || e.Code != tt.wantCode || e.Family != tt.wantFam {
				t.Errorf("ForResult(%d, %q) = class %q code %d family %q; want %q %d %q",
					tt.code, tt.class, e.Class, e.Code, e.Family, tt.wantClass, tt.wantCode, tt.wantFam)
			}
			checkEntry(t, tt.name, e)
		})
	}
	if got, want := ForCode(502), ForResult(502, ""); got.Class != want.Class || got.Summary != want.Summary {
		t.Errorf("ForCode(502) = %q, want %q", got.Class, want.Class)
	}
	if e := ForResult(587, ""); !strings.Contains(Format(e, 80), "HTTP 587") {
		t.Errorf("fallback entry for 587 does not show its code:\n%s", Format(e, 80))
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		key  string
		want string // must be among the suggestions; "" for none at all
	}{
		{"5022", "502"},
		{"520x", "520"},
		{"HTTP 5o2", "502"},
		{"52", "520"},
		{"timout", "timeout"},
		{"timeuot", "timeout"},
		{"refsued", "refused"},
		{"nxdomian", "dns_nxdomain"},
		{"dns_nxdomian", "dns_nxdomain"},
		{"tls_expird", "tls_expired"},
		{"expired", "tls_expired"},
		{"redirect", "redirect_loop"},
		{"connection_timeout", "timeout"},
		{"gatway", "502"},
		{"gatway", "504"},
		{"expird", "tls_expired"},
		{"cloudflare", "520"},
		{"zzzzzzzzzz", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got := Suggest(tt.key)
		if tt.want == "" {
			if len(got) != 0 {
				t.Errorf("Suggest(%q) = %v, want none", tt.key, got)
			}
			continue
		}
		if !slices.Contains(got, tt.want) {
			t.Errorf("Suggest(%q) = %v, want it to include %q", tt.key, got, tt.want)
		}
		if len(got) > 5 {
			t.Errorf("Suggest(%q) returned %d suggestions, want at most 5", tt.key, len(got))
		}
		for _, s := range got {
			if _, ok := Lookup(s); !ok {
				t.Errorf("Suggest(%q) offered %q, which Lookup does not know", tt.key, s)
			}
		}
	}
	if got := Suggest("timout"); len(got) == 0 || got[0] != "timeout" {
		t.Errorf("Suggest(%q) = %v, want timeout first", "timout", got)
	}
	if got := Suggest("5022"); len(got) == 0 || got[0] != "502" {
		t.Errorf("Suggest(%q) = %v, want 502 first", "5022", got)
	}
}

func TestAliasesAndFallbacksResolve(t *testing.T) {
	for alias, target := range aliases {
		if _, ok := kbTable().index[target]; !ok {
			t.Errorf("alias %q points at missing key %q", alias, target)
		}
		if e, ok := Lookup(alias); !ok || e.Class != target {
			t.Errorf("Lookup(%q) = %q, %v; want %q", alias, e.Class, ok, target)
		}
	}
	for _, f := range classFallbacks {
		if _, ok := kbTable().index[f.class]; !ok {
			t.Errorf("fallback for %q points at missing key %q", f.prefix, f.class)
		}
	}
	for _, fam := range []string{"1xx", "2xx", "3xx", "4xx", "5xx"} {
		if _, ok := kbTable().index[fam]; !ok {
			t.Errorf("no family entry %q", fam)
		}
	}
}
