package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// runCmd runs the upbeat command line in-process.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCmdEnv(t, nil, args...)
}

// runCmdEnv is runCmd with the config's ${NAME} read from vars rather
// than from the process's environment (a nil map reads the process's).
// Tests that give variables this way, not with t.Setenv, may run in
// parallel.
func runCmdEnv(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	if vars != nil {
		e.lookupEnv = lookupIn(vars)
	}
	code = run(context.Background(), e, args)
	return out.String(), errb.String(), code
}

// lookupIn reads vars as os.LookupEnv reads the environment.
func lookupIn(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "upbeat.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkLine is a line of `check --json` as a script reads it.
type checkLine struct {
	Monitor      string   `json:"monitor"`
	Kind         string   `json:"kind"`
	URL          string   `json:"url"`
	Status       string   `json:"status"`
	Code         int      `json:"code"`
	LatencyMS    float64  `json:"latency_ms"`
	Error        string   `json:"error"`
	Class        string   `json:"class"`
	Attempts     int      `json:"attempts"`
	Explanation  string   `json:"explanation"`
	RetryAfterMS float64  `json:"retry_after_ms"`
	CertDays     *int     `json:"cert_days"`
	Answers      []string `json:"answers"`
}

func decodeLines(t *testing.T, out string) map[string]checkLine {
	t.Helper()
	got := map[string]checkLine{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var j checkLine
		if err := json.Unmarshal([]byte(line), &j); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		got[j.Monitor] = j
	}
	return got
}

func TestCheckJSONAgainstMisbehavingTargets(t *testing.T) {
	t.Parallel()
	codes := []int{500, 502, 503, 504, 522}
	mux := http.NewServeMux()
	for _, c := range codes {
		mux.HandleFunc(fmt.Sprintf("/%d", c), func(w http.ResponseWriter, r *http.Request) {
			if c == 503 {
				w.Header().Set("Retry-After", "120")
			}
			w.WriteHeader(c)
		})
	}
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"DOWN","db":"unreachable"}`)
	})
	var flaky atomic.Int32
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if flaky.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, "ok")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// a listener that accepts and never answers
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	// a closed port
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()

	var cfg strings.Builder
	cfg.WriteString("[settings]\nretries = 0\ninterval = \"30s\"\ntimeout = \"2s\"\n")
	for _, c := range codes {
		fmt.Fprintf(&cfg, "[[monitor]]\nname = \"s%d\"\nurl = \"%s/%d\"\n", c, srv.URL, c)
	}
	fmt.Fprintf(&cfg, "[[monitor]]\nname = \"hung\"\nurl = \"http://%s/\"\ntimeout = \"500ms\"\n", hung.Addr())
	fmt.Fprintf(&cfg, "[[monitor]]\nname = \"closed\"\nurl = \"tcp://%s\"\n", closedAddr)
	fmt.Fprintf(&cfg, "[[monitor]]\nname = \"status\"\nurl = \"%s/status\"\nexpect_json = ['.status == \"UP\"']\n", srv.URL)
	fmt.Fprintf(&cfg, "[[monitor]]\nname = \"flaky\"\nurl = \"%s/flaky\"\nretries = 1\nretry_interval = \"100ms\"\n", srv.URL)
	path := writeConfig(t, cfg.String())

	start := time.Now()
	out, errOut, code := runCmd(t, "check", "--json", "--config", path)
	took := time.Since(start)
	if code != exitDown {
		t.Fatalf("exit %d, want 1 (some down); stderr: %s", code, errOut)
	}
	got := decodeLines(t, out)
	for _, c := range codes {
		j := got[fmt.Sprintf("s%d", c)]
		if j.Status != "down" || j.Code != c || j.Class != fmt.Sprintf("http_%d", c) {
			t.Errorf("%d: got status %q code %d class %q", c, j.Status, j.Code, j.Class)
		}
		if j.Explanation == "" {
			t.Errorf("%d: no explanation", c)
		}
	}
	if j := got["s503"]; j.RetryAfterMS != 120000 {
		t.Errorf("503 Retry-After = %vms, want 120000", j.RetryAfterMS)
	}
	// The line of `check` says it too, not only --json.
	if line, _, _ := runCmd(t, "check", "--config", path, "s503"); !strings.Contains(line, "Retry-After 2m") {
		t.Errorf("check's line lacks the Retry-After:\n%s", line)
	}
	if j := got["hung"]; j.Status != "down" || j.Class != "timeout" || j.LatencyMS < 400 || j.LatencyMS > 1900 {
		t.Errorf("hung target: %+v, want down/timeout after about 500ms", j)
	}
	if took > 15*time.Second {
		t.Errorf("check took %s: it must end in about the timeout, not the interval", took)
	}
	if j := got["closed"]; j.Status != "down" || j.Class != "refused" {
		t.Errorf("closed port: %+v, want down/refused", j)
	}
	if j := got["status"]; j.Status != "down" || j.Class != "json_assertion" || j.Code != 200 {
		t.Errorf("200 saying DOWN: %+v, want down/json_assertion", j)
	}
	if j := got["flaky"]; j.Status != "up" || j.Attempts != 2 {
		t.Errorf("fails once then succeeds: %+v, want up with attempts 2", j)
	}
	for _, field := range []string{`"monitor"`, `"kind"`, `"url"`, `"status"`, `"code"`, `"latency_ms"`, `"error"`, `"class"`, `"attempts"`} {
		if !strings.Contains(out, field) {
			t.Errorf("check --json lacks %s", field)
		}
	}
	if strings.Contains(out, "0001-01-01") || strings.Contains(out, `_s"`) {
		t.Errorf("check --json has a zero time or a duration in seconds:\n%s", out)
	}
}

// A result that never started (a check cut short before its first
// attempt) has no time: check --json leaves it out rather than writing
// the zero time.
func TestCheckJSONLeavesOutUnknownTimes(t *testing.T) {
	var b bytes.Buffer
	writeCheckJSON(&b, []monitor.Result{{Monitor: "cut", Kind: monitor.KindHTTP, Status: monitor.StatusDown, Class: "timeout"}})
	var line map[string]any
	if err := json.Unmarshal(b.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if _, ok := line["time"]; ok || strings.Contains(b.String(), "0001-01-01") {
		t.Errorf("unknown time written: %s", b.String())
	}
	for _, k := range []string{"monitor", "kind", "url", "status", "code", "latency_ms", "error", "class", "attempts", "explanation"} {
		if _, ok := line[k]; !ok {
			t.Errorf("check --json lacks %q: %s", k, b.String())
		}
	}
}

func TestCheckExitCodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer srv.Close()
	good := writeConfig(t, fmt.Sprintf("[[monitor]]\nname = \"ok\"\nurl = %q\n", srv.URL))
	out, errOut, code := runCmd(t, "check", "--config", good)
	if code != exitOK {
		t.Fatalf("all up: exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(out, "● up") || !strings.Contains(out, "STATUS") {
		t.Errorf("plain output is not a readable table:\n%s", out)
	}
	bad := writeConfig(t, "[[monitor]]\nname = \"x\"\nurl = \"gopher://nope\"\ntimeot = \"1s\"\n")
	_, errOut, code = runCmd(t, "check", "--config", bad)
	if code != exitConfig {
		t.Fatalf("bad config: exit %d, want 2", code)
	}
	if !strings.Contains(errOut, "upbeat.toml:3") || !strings.Contains(errOut, "timeout") {
		t.Errorf("config errors lack file:line or the suggestion:\n%s", errOut)
	}
	_, _, code = runCmd(t, "check", "--config", good, "nosuch")
	if code != exitConfig {
		t.Errorf("unknown monitor name: exit %d, want 2", code)
	}
}

func TestCommandLine(t *testing.T) {
	out, _, code := runCmd(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "upbeat ") {
		t.Errorf("--version: %q, %d", out, code)
	}
	out, _, code = runCmd(t, "--help")
	for _, c := range commandNames() {
		if !strings.Contains(out, "  "+c+" ") {
			t.Errorf("--help does not list %s", c)
		}
	}
	if code != 0 {
		t.Errorf("--help exit %d", code)
	}
	_, errOut, code := runCmd(t, "chek")
	if code != exitConfig || !strings.Contains(errOut, `did you mean "check"`) {
		t.Errorf("misspelt command: %d %q", code, errOut)
	}
	for _, c := range commandNames() {
		_, errOut, code := runCmd(t, c, "--help")
		if code != 0 || !strings.Contains(errOut, "Usage: upbeat "+c) {
			t.Errorf("%s --help: exit %d, %q", c, code, errOut)
		}
	}
}

func TestExplain(t *testing.T) {
	out, _, code := runCmd(t, "explain", "502")
	if code != 0 || !strings.Contains(out, "Bad Gateway") || !strings.Contains(out, "First step") {
		t.Errorf("explain 502: %d\n%s", code, out)
	}
	out, _, code = runCmd(t, "explain", "timeout")
	if code != 0 || !strings.Contains(strings.ToLower(out), "timeout") {
		t.Errorf("explain timeout: %d\n%s", code, out)
	}
	_, errOut, code := runCmd(t, "explain", "5022")
	if code != exitConfig || !strings.Contains(errOut, "nothing known") {
		t.Errorf("explain 5022: %d %q", code, errOut)
	}
}

func TestInitWritesAValidConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "upbeat.toml")
	if _, errOut, code := runCmd(t, "init", p); code != 0 {
		t.Fatalf("init: %d %s", code, errOut)
	}
	if _, _, code := runCmd(t, "init", p); code != exitConfig {
		t.Errorf("init over an existing file: exit %d, want 2", code)
	}
	out, errOut, code := runCmd(t, "validate", "--config", p)
	if code != 0 || !strings.Contains(out, "valid") {
		t.Errorf("validate starter: %d %s %s", code, out, errOut)
	}
}

func TestAlertTestDeliversThroughWebhook(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(bytes.Buffer)
		b.ReadFrom(r.Body)
		got <- r.Header.Get("X-Upbeat-Signature") + " " + b.String()
	}))
	defer srv.Close()
	p := writeConfig(t, fmt.Sprintf("[[alert]]\nname = \"hook\"\nkind = \"webhook\"\nurl = %q\nsecret = \"s3cret\"\n\n[[monitor]]\nname = \"x\"\nurl = %q\n", srv.URL, srv.URL))
	out, errOut, code := runCmd(t, "alert", "test", "--config", p, "hook")
	if code != 0 || !strings.Contains(out, "delivered") {
		t.Fatalf("alert test: %d %q %q", code, out, errOut)
	}
	if body := <-got; !strings.HasPrefix(body, "sha256=") || strings.Contains(body, "s3cret") {
		t.Errorf("webhook got %q: want a signature and no secret", body)
	}
	_, errOut, code = runCmd(t, "alert", "test", "--config", p, "hok")
	if code != exitConfig || !strings.Contains(errOut, `did you mean "hook"`) {
		t.Errorf("unknown channel: %d %q", code, errOut)
	}
}

func TestInitToStdout(t *testing.T) {
	out, _, code := runCmd(t, "init", "-")
	if code != 0 || !strings.Contains(out, "[[monitor]]") {
		t.Fatalf("init -: %d %q", code, out)
	}
	p := writeConfig(t, out)
	if _, errOut, code := runCmd(t, "validate", p); code != 0 {
		t.Errorf("init - does not validate: %s", errOut)
	}
}

func TestDemoSpeedBounds(t *testing.T) {
	for _, s := range []string{"0", "1e12", "NaN", "-2"} {
		if _, errOut, code := runCmd(t, "demo", "--speed", s); code != exitConfig || !strings.Contains(errOut, "--speed") {
			t.Errorf("demo --speed %s: exit %d, %q", s, code, errOut)
		}
	}
}

func TestFlagsAfterNames(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	p := writeConfig(t, fmt.Sprintf("[[monitor]]\nname = \"web\"\nurl = %q\n[[monitor]]\nname = \"other\"\nurl = %q\n", srv.URL, srv.URL))
	out, errOut, code := runCmd(t, "check", "web", "--config", p, "--json")
	if code != 0 || !strings.Contains(out, `"monitor":"web"`) || strings.Contains(out, `"other"`) {
		t.Errorf("check web --json: %d %q %q", code, out, errOut)
	}
	out, _, code = runCmd(t, "explain", "502", "--width", "40")
	if code != 0 || !strings.Contains(out, "Bad Gateway") {
		t.Errorf("explain 502 --width 40: %d %q", code, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if len([]rune(line)) > 40 {
			t.Errorf("explain --width 40 printed a longer line: %q", line)
		}
	}
	if _, errOut, code := runCmd(t, "check", "--config", p, "--", "--json"); code != exitConfig || !strings.Contains(errOut, `"--json"`) {
		t.Errorf("after --, --json is a name: %d %q", code, errOut)
	}
}

func TestEmptyConfigIsNotQuietlyFine(t *testing.T) {
	p := writeConfig(t, "[settings]\nretries = 1\n")
	if _, errOut, code := runCmd(t, "check", "--config", p); code != exitConfig || !strings.Contains(errOut, "nothing to check") {
		t.Errorf("check with no monitors: %d %q", code, errOut)
	}
	if _, errOut, code := runCmd(t, "validate", p); code != 0 || !strings.Contains(errOut, "nothing will be checked") {
		t.Errorf("validate with no monitors: %d %q", code, errOut)
	}
}

// A --config that names no file says so and how to write one, in every
// command that reads a config (a trial found "config file: stat
// nope.toml: no such file or directory" and no word of upbeat init).
func TestMissingConfigSuggestsInit(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope.toml")
	want := "upbeat: no config file at " + missing + "\nwrite a starter config there with: upbeat init " + missing + "\n"
	for _, args := range [][]string{
		{"validate"}, {"check"}, {"daemon"}, {"attach"}, {"alert", "test", "x"}, {"status-page", "build", "--out", t.TempDir()},
		{"history", "web"}, {"report"}, {"incident", "list"}, {"ack", "web"}, {"pause", "web"},
	} {
		out, errOut, code := runCmd(t, append(args, "--config", missing)...)
		if code != exitConfig || out != "" || errOut != want {
			t.Errorf("%s --config %s: exit %d, %q %q; want %q", strings.Join(args, " "), missing, code, out, errOut, want)
		}
	}
	if _, errOut, code := runCmd(t, "status", "--verbose", "--config", missing); code != exitDown || errOut != want {
		t.Errorf("status --verbose --config %s: exit %d, %q; want %q", missing, code, errOut, want)
	}
	// the dashboard too, which would otherwise have run the demo
	if _, errOut, code := runCmd(t, "--config", missing); code != exitConfig || errOut != want {
		t.Errorf("upbeat --config %s: exit %d, %q", missing, code, errOut)
	}
}

func TestExplainListTakesNoCodes(t *testing.T) {
	if _, errOut, code := runCmd(t, "explain", "--list", "502"); code != exitConfig || !strings.Contains(errOut, "--list") {
		t.Errorf("explain --list 502: %d %q", code, errOut)
	}
	if out, _, code := runCmd(t, "explain", "--list"); code != 0 || !strings.Contains(out, "http_502") && !strings.Contains(out, "502") {
		t.Errorf("explain --list: %d", code)
	}
}

// upbeat --help lists every command with its summary in one column, in
// 80 columns: a name as long as status-page does not push its summary out
// of line.
func TestHelpFitsEightyColumns(t *testing.T) {
	out, _, code := runCmd(t, "--help")
	if code != exitOK {
		t.Fatalf("--help: exit %d", code)
	}
	col := -1
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("%d columns: %q", n, l)
		}
		for _, c := range commands() {
			if rest, ok := strings.CutPrefix(l, "  "+c.name+" "); ok {
				at := len(l) - len(strings.TrimLeft(rest, " "))
				if col >= 0 && at != col {
					t.Errorf("%s's summary starts at %d, the others' at %d", c.name, at, col)
				}
				col = at
			}
		}
	}
	if col < 0 {
		t.Fatalf("no command listed:\n%s", out)
	}
}
