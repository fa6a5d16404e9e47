package kb

import (
	"strings"
	"testing"
)

func TestFormatWrapsWithinWidth(t *testing.T) {
	for _, k := range Keys() {
		e, _ := Lookup(k)
		for _, width := range []int{20, 33, 40, 60, 80, 100, 200} {
			out := Format(e, width)
			for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if len(line) > width {
					t.Fatalf("%s at width %d: line %d is %d wide: %q", k, width, i+1, len(line), line)
				}
				if strings.HasSuffix(line, " ") {
					t.Fatalf("%s at width %d: line %d has trailing space: %q", k, width, i+1, line)
				}
			}
			// Wrapping moves words between lines; it must not lose any.
			if got, want := strings.Join(strings.Fields(out), ""), strings.Join(strings.Fields(Format(e, 100000)), ""); got != want {
				t.Fatalf("%s at width %d lost text", k, width)
			}
		}
	}
}

func TestFormatContent(t *testing.T) {
	e, _ := Lookup("502")
	out := Format(e, 0)
	if out != Format(e, 80) {
		t.Error("width 0 does not mean 80")
	}
	if out != Format(e, -5) {
		t.Error("a negative width does not mean 80")
	}
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "HTTP 502 - Bad Gateway") {
		t.Errorf("title = %q", lines[0])
	}
	for _, want := range []string{e.Summary, "Most common causes:", "First step:", "  - " + strings.Fields(e.Causes[0])[0]} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	bullets := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "  - ") {
			bullets++
		}
	}
	if bullets != len(e.Causes) {
		t.Errorf("%d bullets for %d causes:\n%s", bullets, len(e.Causes), out)
	}
	if c, _ := Lookup("522"); !strings.HasPrefix(Format(c, 80), "HTTP 522 - Connection Timed Out (Cloudflare)\n") {
		t.Errorf("the family is repeated in the title: %q", strings.SplitN(Format(c, 80), "\n", 2)[0])
	}
	if c, _ := Lookup("timeout"); !strings.HasPrefix(Format(c, 80), "timeout - Timed out (network)\n") {
		t.Errorf("class title = %q", strings.SplitN(Format(c, 80), "\n", 2)[0])
	}
	if small := Format(e, 5); small != Format(e, MinWidth) {
		t.Error("a width under MinWidth is not raised to it")
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		text  string
		width int
		first string
		rest  string
		want  []string
	}{
		{"", 10, "", "", []string{""}},
		{"a b c", 10, "", "", []string{"a b c"}},
		{"aaaa bbbb cccc", 9, "", "", []string{"aaaa bbbb", "cccc"}},
		{"aaaa bbbb cccc", 9, "- ", "  ", []string{"- aaaa", "  bbbb", "  cccc"}},
		{"abcdefghijkl", 5, "", "", []string{"abcde", "fghij", "kl"}},
		{"xy abcdefghijkl", 6, "", "", []string{"xy", "abcdef", "ghijkl"}},
	}
	for _, tt := range tests {
		got := wrap(tt.text, tt.width, tt.first, tt.rest)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
	}
}

func TestWrapKeepsCommandsWhole(t *testing.T) {
	text := "Run `curl -sv -o /dev/null URL` and then `dig +short NAME` now."
	got := wrap(text, 30, "", "")
	want := []string{"Run", "`curl -sv -o /dev/null URL`", "and then `dig +short NAME`", "now."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	// Longer than a line: it wraps like words instead of overflowing.
	got = wrap("x `aaaa bbbb cccc dddd` y", 12, "", "")
	want = []string{"x `aaaa bbbb", "cccc dddd` y"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	// An unterminated quote must not swallow or lose text.
	got = wrap("a `b c d", 80, "", "")
	if strings.Join(got, "|") != "a `b c d" {
		t.Errorf("wrap = %q", got)
	}
}
