package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine/kb"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// serviceKinds are the kinds whose classes the CODE column shows without
// the kind's name (it has a column of its own).
var serviceKinds = []monitor.Kind{monitor.KindGRPC, monitor.KindWS, monitor.KindPostgres, monitor.KindMySQL,
	monitor.KindRedis, monitor.KindSMTP}

// shownLabel is what the CODE column makes of a class the knowledge base
// knows, and the kind of the monitors that may show it ("" for any kind).
func shownLabel(key string) (label string, kind monitor.Kind) {
	for _, k := range serviceKinds {
		if strings.HasPrefix(key, string(k)+"_") {
			return codeLabel(&monitor.Result{Time: time.Unix(1, 0), Kind: k, Class: key}), k
		}
	}
	return codeLabel(&monitor.Result{Time: time.Unix(1, 0), Kind: monitor.KindHTTP, Class: key}), ""
}

// Every class the knowledge base knows has a label for the narrowest CODE
// column, and a class shortened to fit never reads like another class a
// monitor of the same kind may show: a person tells tls_expired from
// tls_expiring at 80 columns as at 200.
func TestShortCodesAreDistinct(t *testing.T) {
	t.Parallel()
	type shown struct {
		class, label, short string
		kind                monitor.Kind // "" for a class of any kind
	}
	var all []shown
	known := map[string]bool{} // the labels the column may show
	for _, k := range kb.Keys() {
		label, kind := shownLabel(k)
		known[label] = true
		s := shortCode(label)
		if w := width(s); w > codeMinW || w == 0 {
			t.Errorf("%s: short label %q is %d cells, want 1 to %d", k, s, w, codeMinW)
		}
		if strings.Contains(s, "…") {
			t.Errorf("%s: short label %q is cut", k, s)
		}
		all = append(all, shown{k, label, s, kind})
	}
	for _, a := range all {
		if a.short == a.label {
			continue // not shortened: it reads the same at every width
		}
		for _, b := range all {
			sameKind := a.kind == b.kind || a.kind == "" || b.kind == "" // a service monitor may show a general class too
			if a.class != b.class && sameKind && a.short == b.short {
				t.Errorf("%s shortened reads %q, as %s does", a.class, a.short, b.class)
			}
		}
	}
	for long, short := range shortCodes {
		if !known[long] {
			t.Errorf("short label for %q, which no class the knowledge base knows shows as", long)
		}
		if width(long) <= codeMinW {
			t.Errorf("%q fits the column already; its short label %q is never used", long, short)
		}
	}
}
