package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"early.upbeat.invalid/tomlscan"
)

// nested is a config whose line 5 holds a value n levels deep, written
// with open and close (as "{b = " and "}").
func nested(n int, open, close string) string {
	return "[[monitor]]\nname = \"deep\"\nurl = \"https://deep.example.com/\"\n\nheaders = " +
		strings.Repeat(open, n) + "1" + strings.Repeat(close, n) + "\n"
}

// An attacker's or a generator's 50,000-level config is refused by the
// scan before the TOML parser sees it: the parser would take longer than
// anyone waits (its work grows with the square of the depth; 5,000 levels
// took 8 s and 1.1 GB), so this test finishing at all shows the parser
// was not reached, and the message is the scan's, with the line.
func TestDeepNestingRefusedBeforeParsing(t *testing.T) {
	for name, src := range map[string]string{
		"inline tables":  nested(50_000, "{b = ", "}"),
		"arrays":         nested(50_000, "[", "]"),
		"dotted key":     "[[monitor]]\nname = \"deep\"\nurl = \"https://deep.example.com/\"\n\n" + strings.Repeat("a.", 50_000) + "b = 1\n",
		"table name":     "\n\n\n\n[" + strings.Repeat("a.", 50_000) + "b]\nx = 1\n",
		"keys in tables": nested(50_000, "{a.b.c = ", "}"),
	} {
		t.Run(name, func(t *testing.T) {
			es := parseErrors(t, src)
			want := "upbeat.toml:5: values nest more than 64 levels deep here (counting each [, { and dot in a key); a config needs a few"
			if len(es) != 1 || es.Error() != want {
				t.Errorf("got:\n%v\nwant:\n%s", es, want)
			}
		})
	}
}

// The limit is exact, and counts dotted keys with the tables they open.
func TestNestingLimitIsExact(t *testing.T) {
	// At the limit the text is parsed (and the loader then says that
	// headers hold strings); one more level is refused.
	if es := parseErrors(t, nested(MaxConfigDepth, "{b = ", "}")); len(es) != 1 || strings.Contains(es[0].Msg, "nest") {
		t.Errorf("at the limit: %v", es)
	}
	if es := parseErrors(t, nested(MaxConfigDepth+1, "{b = ", "}")); len(es) != 1 || es[0].Line != 5 || !strings.Contains(es[0].Msg, "nest") {
		t.Errorf("one level too deep: %v", es)
	}
	if line := tooDeep([]byte("a = 1\n"+strings.Repeat("k.", MaxConfigDepth)+"k = 1\n"), MaxConfigDepth); line != 0 {
		t.Errorf("a key of %d dots refused on line %d", MaxConfigDepth, line)
	}
	if line := tooDeep([]byte("a = 1\n"+strings.Repeat("k.", MaxConfigDepth+1)+"k = 1\n"), MaxConfigDepth); line != 2 {
		t.Errorf("a key of %d dots: line %d, want 2", MaxConfigDepth+1, line)
	}
	// [a.b] then c.d = {e = …}: the table name's parts count inside its section.
	src := "[" + strings.Repeat("t.", 30) + "t]\n" + strings.Repeat("k.", 30) + "k = " + strings.Repeat("{e = ", 5) + "1" + strings.Repeat("}", 5) + "\n"
	if line := tooDeep([]byte(src), MaxConfigDepth); line != 2 {
		t.Errorf("30 + 30 + 5 levels: line %d, want 2", line)
	}
}

// Brackets, braces and dots inside strings and comments are text, not
// nesting: a config may well expect a body full of braces.
func TestPrescanReadsStringsAndComments(t *testing.T) {
	many := strings.Repeat("{[.", 200)
	src := `# ` + many + `
[[monitor]]
name = "braces"
url = "https://a.example.com/x.y.z.` + strings.Repeat("a.", 100) + `"
expect_body = "` + many + `\" ` + many + `"
body = """
` + many + `\"""
"""
headers = { X-B = '''` + many + `''', X-C = "\\" } # ` + many + `
tags = ["a.b.c", "` + many + `"]
`
	if line := tooDeep([]byte(src), MaxConfigDepth); line != 0 {
		t.Fatalf("refused on line %d", line)
	}
	cfg := mustParse(t, src)
	if got := cfg.Monitors[0].Headers["X-C"]; got != `\` {
		t.Errorf("X-C = %q", got)
	}
	// The example config, and the starter, pass.
	for _, f := range []string{examplePath, "starter.toml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if line := tooDeep(b, MaxConfigDepth); line != 0 {
			t.Errorf("%s refused on line %d", f, line)
		}
	}
}

// A file over MaxConfigSize is refused without being read whole, even
// one that never ends.
func TestConfigTooLarge(t *testing.T) {
	// A regular file is refused by its size, unread: a sparse one will do.
	p := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, MaxConfigSize+1024); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 || !strings.Contains(es[0].Msg, "a config may hold at most 4MiB") {
		t.Fatalf("Load of a %d-byte file: %v", MaxConfigSize+1024, err)
	}
	if _, err := LoadEndpointsWithEnv(p, nil); !errors.As(err, &es) || !strings.Contains(es[0].Msg, "holds 4195328 bytes") {
		t.Errorf("LoadEndpoints of a %d-byte file: %v", MaxConfigSize+1024, err)
	}
	// Anything else is read up to a byte too many.
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := Load("/dev/zero"); !errors.As(err, &es) || !strings.Contains(es[0].Msg, "at most 4MiB") {
			t.Errorf("Load(/dev/zero) = %v", err)
		}
	}
	if _, err := Parse("big.toml", make([]byte, MaxConfigSize+1)); !errors.As(err, &es) || !strings.Contains(es[0].Msg, "at most 4MiB") {
		t.Errorf("Parse of %d bytes: %v", MaxConfigSize+1, err)
	}
}

// BenchmarkRefuseDeep measures the refusal of a 50,000-level config;
// BenchmarkParseExample the whole load of config.toml.example, for a
// ratio in the same run: the refusal costs a small fraction of loading an
// ordinary config (about 10 µs against 1.2 ms on 2 cores).
func BenchmarkRefuseDeep(b *testing.B) {
	src := []byte(nested(50_000, "{b = ", "}"))
	for b.Loop() {
		if _, err := parse("upbeat.toml", src, env(nil), os.ReadFile); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkParseExample(b *testing.B) {
	src, err := os.ReadFile(examplePath)
	if err != nil {
		b.Fatal(err)
	}
	lookup := func(name string) (string, bool) { return "value-of-" + name, true }
	read := func(string) ([]byte, error) { return []byte("x"), nil }
	for b.Loop() {
		if _, err := parse(examplePath, src, lookup, read); err != nil {
			b.Fatal(err)
		}
	}
}

// Many values each nested close to the limit add up: 4 MiB of them would
// take the parser a minute. The file is refused where the sum of the
// depths entered passes MaxConfigNesting, while a large ordinary config
// is well within it.
func TestNestingBudget(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "k%d = %s1%s\n", i, strings.Repeat("{b = ", 60), strings.Repeat("}", 60))
	}
	es := parseErrors(t, b.String())
	// each line enters levels 1 to 60: 1830; the budget runs out on line 55
	if len(es) != 1 || es[0].Line != MaxConfigNesting/1830+1 || !strings.Contains(es[0].Msg, "reading it would take too long") {
		t.Errorf("got %v", es)
	}

	b.Reset()
	for i := 0; i < 10_000; i++ {
		fmt.Fprintf(&b, "[[monitor]]\nname = \"m%d\"\nurl = \"https://m%d.example.com/health?x=1.5\"\n"+
			"headers = { \"X-Probe\" = \"upbeat\", Accept = \"application/json\" }\ntags = [\"prod\", \"eu\"]\n"+
			"expect_status = [200, 204]\nexpect_json = ['.status == \"UP\"']\n\n", i, i)
	}
	if line, _ := tomlscan.Nesting([]byte(b.String()), MaxConfigDepth, MaxConfigNesting); line != 0 {
		t.Errorf("10,000 ordinary monitors refused on line %d", line)
	}
}

// A reader of one key (upbeat history's history_dir) measures the text
// as the loader does before the parser sees it, and its errors name the
// file and line.
func TestDecodeLenient(t *testing.T) {
	dir := t.TempDir()
	deep := filepath.Join(dir, "deep.toml")
	os.WriteFile(deep, []byte("[settings]\nhistory_dir = \"h\"\nx = "+nested(5_000, "{b = ", "}")+"\n"), 0o600)
	var c struct {
		Settings struct {
			HistoryDir string `toml:"history_dir"`
		} `toml:"settings"`
	}
	var es Errors
	if err := DecodeLenient(deep, &c); !errors.As(err, &es) || es[0].Line < 3 || !strings.Contains(es[0].Msg, "levels deep") {
		t.Errorf("a deep config: %v", err)
	}
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[settings]\nhistory_dir = \n"), 0o600)
	if err := DecodeLenient(bad, &c); !errors.As(err, &es) || es[0].File != bad || es[0].Line != 2 {
		t.Errorf("a config that is not TOML: %v", err)
	}
	ok := filepath.Join(dir, "ok.toml")
	os.WriteFile(ok, []byte("[settings]\nhistory_dir = \"h\"\ntoken = \"${UNSET}\"\n"), 0o600)
	if err := DecodeLenient(ok, &c); err != nil || c.Settings.HistoryDir != "h" {
		t.Errorf("DecodeLenient = %v, %+v", err, c)
	}
}
