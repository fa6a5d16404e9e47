package tui

import (
	"strings"
	"testing"

	"github.com/upbeat-monitor/upbeat/engine/kb"
)

// Every class the knowledge base knows has a label for the narrowest CODE
// column, and no two classes share one: a person tells tls_expired from
// tls_expiring at 80 columns as at 200.
func TestShortCodesAreDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, k := range kb.Keys() {
		label := strings.TrimPrefix(k, "http_")
		s := shortCode(label)
		if w := width(s); w > codeMinW || w == 0 {
			t.Errorf("%s: short label %q is %d cells, want 1 to %d", k, s, w, codeMinW)
		}
		if strings.Contains(s, "…") {
			t.Errorf("%s: short label %q is cut", k, s)
		}
		if other, ok := seen[s]; ok {
			t.Errorf("%s and %s both show as %q", other, k, s)
		}
		seen[s] = k
	}
	for long, short := range shortCodes {
		if _, ok := kb.Lookup(long); !ok {
			t.Errorf("short label for %q, which the knowledge base does not know", long)
		}
		if width(long) <= codeMinW {
			t.Errorf("%q fits the column already; its short label %q is never used", long, short)
		}
	}
}
