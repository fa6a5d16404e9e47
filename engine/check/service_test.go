package check

import (
	"testing"

	"github.com/upbeat-monitor/upbeat/engine/kb"
)

// Every class the service checks report is explained by the knowledge
// base, under its own name.
func TestServiceClassesExplained(t *testing.T) {
	classes := ServiceClasses()
	for _, c := range SMTPCodes {
		classes = append(classes, SMTPClass(c))
	}
	seen := map[string]bool{}
	for _, c := range append(classes, Classes()...) {
		if seen[c] {
			t.Errorf("class %q listed twice", c)
		}
		seen[c] = true
	}
	for _, c := range classes {
		if e, ok := kb.Lookup(c); !ok || e.Class != c {
			t.Errorf("kb has no entry for %q (got %q)", c, e.Class)
		}
	}
}
