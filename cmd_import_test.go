package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "config.yaml")
	os.WriteFile(src, []byte(`alerting:
  telegram:
    token: "123:SECRETtoken"
    id: "42"
endpoints:
  - name: web
    url: https://web.example.com/health
    conditions: ["[STATUS] == 200", "[BODY].status == UP"]
    alerts: [{type: telegram}]
  - name: web
    url: https://web2.example.com/
  - name: legacy
    url: udp://legacy.example.com:53
`), 0o600)

	// To standard output, with the report on standard error.
	out, errOut, code := runCmd(t, "import", src)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"[[monitor]]", `name = "web"`, `name = "web-2"`, `expect_json = ['.status == "UP"']`, `token = "${TELEGRAM_TOKEN}"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "SECRET") {
		t.Errorf("a secret is in the output:\n%s", out)
	}
	for _, want := range []string{"read Gatus from", "wrote 2 monitors, 1 alert", "not imported (1):", `endpoint "legacy": upbeat has no UDP check`, "TELEGRAM_TOKEN", "then: upbeat validate"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("report lacks %q:\n%s", want, errOut)
		}
	}

	// To a file, which then validates; never over an existing file.
	dest := filepath.Join(dir, "upbeat.toml")
	if _, errOut, code := runCmd(t, "import", "--out", dest, src); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	t.Setenv("TELEGRAM_TOKEN", "123:abc")
	if out, errOut, code := runCmd(t, "validate", dest); code != exitOK || !strings.Contains(out, "valid: 2 monitor(s), 1 alert channel(s)") {
		t.Errorf("validate the imported config: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := runCmd(t, "import", src, "--out", dest); code != exitConfig || !strings.Contains(errOut, "exists; use --force") {
		t.Errorf("import over an existing file: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runCmd(t, "import", "--force", "--out", dest, "--from", "gatus", src); code != exitOK {
		t.Errorf("import --force: exit %d: %s", code, errOut)
	}
}

func TestImportCommandErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "name the file to import"},
		{[]string{"import", "a", "b"}, "one file at a time"},
		{[]string{"import", filepath.Join(dir, "missing.yaml")}, "no such file"},
		{[]string{"import", write("empty.yaml", "")}, "the file is empty"},
		{[]string{"import", write("notes.txt", "hello\n")}, "say which with --from"},
		{[]string{"import", "--from", "nagios", write("x.yaml", "endpoints: []\n")}, `unknown source "nagios"`},
		{[]string{"import", "--from", "kuma", write("y.yaml", "endpoints: []\n")}, "not a readable SQLite database"},
		{[]string{"import", write("bad.yaml", "endpoints:\n  - name: [x\n")}, "say which with --from"},
		{[]string{"import", "--from", "gatus", write("bad2.yaml", "endpoints:\n  - name: [x\n")}, "not a Gatus config"},
	} {
		_, errOut, code := runCmd(t, tc.args...)
		if code != exitConfig || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	if _, errOut, code := runCmd(t, "import", "--help"); code != exitOK || !strings.Contains(errOut, "an Uptime Kuma database") {
		t.Errorf("import --help: exit %d: %s", code, errOut)
	}
}
