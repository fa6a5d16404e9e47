package config

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// Names are kept in NFC, so that a reference typed with the other
// composition of the same letters finds its name.
func TestNamesAreKeptInNFC(t *testing.T) {
	const (
		composed   = "caf\u00e9"
		decomposed = "cafe\u0301"
	)
	cfg := mustParse(t, `
[[alert]]
name = "`+decomposed+`-pager"
kind = "desktop"

[[monitor]]
name = "`+decomposed+`"
url = "https://cafe.example.com/"
tags = ["`+decomposed+`"]
alerts = ["`+composed+`-pager"]

[[maintenance]]
name = "`+decomposed+` deploy"
monitors = ["`+composed+`"]
tags = ["`+composed+`"]
cron = "0 2 * * *"
duration = "1h"
`)
	m, a, w := cfg.Monitors[0], cfg.Alerts[0], cfg.Maintenance[0]
	for what, got := range map[string]string{
		"monitor": m.Name, "tag": m.Tags[0], "alert": a.Name, "monitor's alert": m.Alerts[0],
		"window": w.Name, "window's monitor": w.Monitors[0], "window's tag": w.Tags[0],
	} {
		if !norm.NFC.IsNormalString(got) || !strings.HasPrefix(got, composed) {
			t.Errorf("%s name %q is not in NFC", what, got)
		}
	}
}

// Names that look the same on screen are one name twice; names that only
// resemble each other are two.
func TestLookAlikeNames(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"shop", "\uff53\uff48\uff4f\uff50", `monitor name "ｓｈｏｐ" looks the same as "shop" (line 2); rename one`},
		{"caf\u00e9", "cafe\u0301", `monitor name "café" looks the same as "café" (line 2): the same letters, composed differently; rename one`},
		{"ﬁles", "files", `monitor name "files" looks the same as "ﬁles" (line 2); rename one`},
		{"Straße", "STRASSE", `monitor name "STRASSE" differs from "Straße" (line 2) only in case; rename one`},
		{"Shop", "shop", `"shop" and "Shop" (line 2) are the same name (shop) in file names and URLs; rename one`},
		{"shop", "shop ", `"shop " ends with white space; remove it`},
		{"shop", "\u3000shop", `"\u3000shop" starts with white space; remove it`},
		{"shop", "sh\u200dop", `must not hold invisible characters (U+200D)`},
		{"shop", "sh\u202eop", `must not hold invisible characters (U+202E)`},
		{"shop", "shop\\u0007", `must not hold control characters`},
	} {
		src := "[[monitor]]\nname = \"" + tc.a + "\"\nurl = \"https://a.example.com/\"\n[[monitor]]\nname = \"" + tc.b + "\"\nurl = \"https://b.example.com/\"\n"
		es := parseErrors(t, src)
		if len(es) != 1 || es[0].Line != 5 || es[0].Msg != tc.want {
			t.Errorf("%q then %q: got %v, want line 5: monitor.name: %s", tc.a, tc.b, es, tc.want)
		}
	}
	for _, pair := range [][2]string{{"cafe", "café"}, {"shop", "shop-eu"}, {"api 1", "api 2"}} {
		mustParse(t, "[[monitor]]\nname = \""+pair[0]+"\"\nurl = \"https://a.example.com/\"\n[[monitor]]\nname = \""+pair[1]+"\"\nurl = \"https://b.example.com/\"\n")
	}
}
