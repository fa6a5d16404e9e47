package engine

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
		max            int
	}{
		{"plain", "Bad Gateway", "Bad Gateway", 0},
		{"osc52 clipboard", "ok\x1b]52;c;ZXZpbA==\x07done", "okdone", 0},
		{"osc title with ST", "a\x1b]0;pwned\x1b\\b", "ab", 0},
		{"csi colour", "\x1b[31mred\x1b[0m", "red", 0},
		{"c1 csi", "x\u009b2Jy", "xy", 0},
		{"controls", "a\r\nb\tc\x00d\x7f", "a  b c d ", 0},
		{"invalid utf8", "a\xffb", "a\ufffdb", 0},
		{"bidi override", "abc\u202edef", "abc def", 0},
		{"truncate", "abcdef", "abc…", 3},
		{"unterminated osc", "a\x1b]52;c;AAAA", "a", 0},
		{"lone esc", "a\x1b", "a", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzSanitize(f *testing.F) {
	f.Add("\x1b]52;c;AAAA\x07", 10)
	f.Add("\xff\xfe\x9b31m", 0)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 {
			max = -max
		}
		got := Sanitize(s, max%1000)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 out: %q", got)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("control %U survived in %q", r, got)
			}
		}
		if strings.ContainsRune(got, 0x1b) {
			t.Fatalf("ESC survived")
		}
	})
}
