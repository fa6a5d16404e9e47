package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/upbeat-monitor/upbeat/engine/kb"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The WHY column of `upbeat check` says each thing once, the class's name
// first: the name is not repeated ("Connection refused — … (connection
// refused)", "Bad Gateway — … (HTTP 502 Bad Gateway)"), the check's own
// words are not followed by the knowledge base's generic twin of them, and
// a status code stays in the CODE column. What only this check knows stays:
// the address refused, the Retry-After.
func TestCheckWhySaysItOnce(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	for _, c := range []int{502, 503, 522} {
		mux.HandleFunc(fmt.Sprintf("/%d", c), func(w http.ResponseWriter, r *http.Request) {
			if c == 503 {
				w.Header().Set("Retry-After", "120")
			}
			w.WriteHeader(c)
		})
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := closed.Addr().String()
	closed.Close()

	var cfg strings.Builder
	cfg.WriteString("[settings]\nretries = 0\ntimeout = \"2s\"\n")
	for _, c := range []int{502, 503, 522} {
		fmt.Fprintf(&cfg, "[[monitor]]\nname = \"s%d\"\nurl = \"%s/%d\"\n", c, srv.URL, c)
	}
	fmt.Fprintf(&cfg, "[[monitor]]\nname = \"db\"\nurl = \"tcp://%s\"\n", refusedAddr)
	out, errOut, code := runCmd(t, "check", "--config", writeConfig(t, cfg.String()))
	if code != exitDown {
		t.Fatalf("exit %d, want 1; stderr: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	col := strings.Index(lines[0], "WHY") // the header is ASCII: its byte index is the column
	if col < 0 {
		t.Fatalf("no WHY column:\n%s", out)
	}
	whyOf := map[string]string{}
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) > 2 {
			if r := []rune(l); len(r) > col {
				whyOf[f[2]] = string(r[col:])
			}
		}
	}
	for name, c := range map[string]struct {
		code  int
		class string
		want  []string // what only this check knows
	}{
		"s502": {502, "http_502", nil},
		"s503": {503, "http_503", []string{"Retry-After 2m"}},
		"s522": {522, "http_522", nil},
		"db":   {0, "refused", []string{refusedAddr}},
	} {
		why, ok := whyOf[name]
		if !ok {
			t.Errorf("no line for %s:\n%s", name, out)
			continue
		}
		e := kb.ForResult(c.code, c.class)
		if !strings.HasPrefix(why, e.Name) {
			t.Errorf("%s: WHY does not start with the class's name %q: %q", name, e.Name, why)
		}
		if n := strings.Count(strings.ToLower(why), strings.ToLower(e.Name)); n != 1 {
			t.Errorf("%s: the name %q %d times: %q", name, e.Name, n, why)
		}
		if c.code != 0 && strings.Contains(why, fmt.Sprint(c.code)) {
			t.Errorf("%s: the code again, beside the CODE column: %q", name, why)
		}
		if p := repeatedPhrase(why); p != "" {
			t.Errorf("%s: %q twice: %q", name, p, why)
		}
		for _, w := range c.want {
			if !strings.Contains(why, w) {
				t.Errorf("%s: WHY lacks %q: %q", name, w, why)
			}
		}
	}
}

// repeatedPhrase returns a run of three words that s has twice (case and
// punctuation aside), or "".
func repeatedPhrase(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == ':')
	})
	seen := map[string]bool{}
	for i := 0; i+3 <= len(words); i++ {
		p := strings.Join(words[i:i+3], " ")
		if seen[p] {
			return p
		}
		seen[p] = true
	}
	return ""
}

// In an 80-column terminal a long WHY goes on below at its own column,
// broken between words (the terminal would break it inside one); piped,
// each result stays one line for scripts.
func TestCheckTableWrapsBetweenWords(t *testing.T) {
	results := []monitor.Result{
		{Monitor: "shop", Kind: monitor.KindHTTP, Status: monitor.StatusUp, Code: 200, Attempts: 1},
		{Monitor: "checkout-api", Kind: monitor.KindHTTP, Status: monitor.StatusDown, Code: 503, Class: "http_503", Attempts: 3,
			RetryAfter: 2 * time.Minute, Error: "HTTP 503 Service Unavailable, Retry-After 2m"},
	}
	var piped bytes.Buffer
	writeCheckTable(&piped, results, 0)
	if n := strings.Count(piped.String(), "\n"); n != 3 {
		t.Fatalf("piped: %d lines, want 3:\n%s", n, piped.String())
	}
	whole := strings.Split(piped.String(), "\n")[2]
	col := utf8.RuneCountInString(strings.Split(piped.String(), "\n")[0]) - len("WHY")

	var tty bytes.Buffer
	writeCheckTable(&tty, results, 80)
	lines := strings.Split(strings.TrimSuffix(tty.String(), "\n"), "\n")
	if len(lines) < 4 {
		t.Fatalf("at 80 columns the WHY was not carried over:\n%s", tty.String())
	}
	var words []string
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("line %d is %d columns: %q", i, n, l)
		}
		if i >= 2 {
			words = append(words, strings.Fields(string([]rune(l)[col:]))...)
		}
		if i > 2 && strings.TrimSpace(string([]rune(l)[:col])) != "" {
			t.Errorf("line %d does not go on at the WHY column: %q", i, l)
		}
	}
	if got, want := strings.Join(words, " "), strings.Join(strings.Fields(string([]rune(whole)[col:])), " "); got != want {
		t.Errorf("the WHY carried over reads %q, want %q", got, want)
	}
}

// `upbeat check NAME` from a shell that lacks another monitor's secret
// (or an alert's) checks NAME; a secret that NAME itself needs is still
// an error with its file:line, as is any unset secret for a check of all.
func TestCheckOneMonitorWithoutAnothersSecret(t *testing.T) {
	t.Parallel()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer web.Close()
	cfg := writeConfig(t, fmt.Sprintf(`[[monitor]]
name = "web"
url = %q

[[monitor]]
name = "cache"
url = "redis://127.0.0.1:1/0"
password = "${CACHE_PASSWORD}"

[[alert]]
name = "chat"
kind = "webhook"
url = "http://127.0.0.1:9/${HOOK_TOKEN}"
`, web.URL))
	vars := map[string]string{} // neither secret is set
	if out, errOut, code := runCmdEnv(t, vars, "check", "--config", cfg, "web"); code != exitOK || !strings.Contains(out, "web") {
		t.Errorf("check web: exit %d\n%s%s", code, out, errOut)
	}
	for _, args := range [][]string{{"cache"}, {"web", "cache"}, nil} {
		_, errOut, code := runCmdEnv(t, vars, append([]string{"check", "--config", cfg}, args...)...)
		if code != exitConfig || !strings.Contains(errOut, "${CACHE_PASSWORD} is not set in the environment") {
			t.Errorf("check %v: exit %d, %q; want the unset secret reported", args, code, errOut)
		}
	}
}

// upbeat check has the collector wait (collectLate) unless the
// environment sets GOGC or GOMEMLIMIT; the first collection, or undo,
// puts back what was in force.
func TestCheckCollectsLate(t *testing.T) {
	gcNow := func() (percent int, limit int64) {
		percent = debug.SetGCPercent(100)
		debug.SetGCPercent(percent)
		return percent, debug.SetMemoryLimit(-1) // -1 reads it
	}
	p0, l0 := gcNow()
	undo := collectLate(func(string) string { return "" })
	p, l := gcNow()
	undo()
	if p != -1 || l != lateHeap {
		t.Errorf("GC percent %d, memory limit %d: want off until %d", p, l, lateHeap)
	}
	if p, l := gcNow(); p != p0 || l != l0 {
		t.Errorf("after undo: %d, %d; want %d, %d", p, l, p0, l0)
	}

	collectLate(func(string) string { return "" })
	for i := 0; i < 1000; i++ { // the cleanup runs on its own goroutine after the cycle
		if p, _ := gcNow(); p != -1 {
			break
		}
		goruntime.GC()
		goruntime.Gosched()
	}
	if p, l := gcNow(); p != p0 || l != l0 {
		t.Errorf("after the first collection: %d, %d; want %d, %d as they were", p, l, p0, l0)
	}

	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		undo := collectLate(func(k string) string {
			if k == env {
				return "50"
			}
			return ""
		})
		if p, l := gcNow(); p != p0 || l != l0 {
			t.Errorf("with %s set: %d, %d; want %d, %d as they were", env, p, l, p0, l0)
		}
		undo()
	}
}
