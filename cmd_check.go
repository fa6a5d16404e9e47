package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/tui"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/alert/maint"
	"github.com/upbeat-monitor/upbeat/engine/check"
	"github.com/upbeat-monitor/upbeat/engine/kb"
)

func cmdCheck(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "check", "check [--config FILE] [--json] [NAME…]",
		"Checks every monitor (or the ones named) once, in parallel, each with its retries.\n"+
			"Prints one line per monitor, or one JSON object per line with --json.\n"+
			"Exit status: 0 when none is down, 1 when any is, 2 on a config error.")
	cfgPath := fs.String("config", "", "config `file` (default ./upbeat.toml, then the XDG config)")
	asJSON := fs.Bool("json", false, "one JSON object per monitor, for scripts")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	cfg, code := loadCheckConfig(ctx, e, *cfgPath, fs.Args())
	if cfg == nil {
		return code
	}
	if len(cfg.Monitors) == 0 {
		fmt.Fprintf(e.stderr, "upbeat: %s has no [[monitor]]: nothing to check\n", cfg.Path)
		return exitConfig // a cron job checking nothing must not pass quietly
	}
	if names := fs.Args(); len(names) > 0 {
		if cfg.Monitors, code = selectMonitors(e, cfg.Monitors, names); code != exitOK {
			return code
		}
	}
	windows, err := maint.New(cfg.Maintenance)
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat: maintenance:", err)
		return exitConfig
	}
	eng, err := engine.New(&cfg.Config, engine.Options{Checkers: newCheckers(cfg), Maintenance: windows})
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	results := eng.CheckAll(ctx)
	if *asJSON {
		writeCheckJSON(e.stdout, results)
	} else {
		writeCheckTable(e.stdout, results, e.width)
	}
	for _, r := range results {
		if r.Status == monitor.StatusDown {
			return exitDown
		}
	}
	return exitOK
}

// unsetMark stands in for a ${NAME} unset in the environment while
// loadCheckConfig looks for whether a named monitor uses it.
// (valid wherever a secret goes: a password, a URL's path or query).
const unsetMark = "upbeat-unset-variable-"

// loadCheckConfig loads the config for check. With monitors named, a
// ${NAME} unset in the environment stops the check only when a named
// monitor uses it: a quick check of one monitor from a shell that lacks
// another's secret (or an alert's, which check never sends) goes ahead.
// Anything else wrong with the config is reported as by loadConfig.
func loadCheckConfig(ctx context.Context, e *env, explicit string, names []string) (*config.Config, int) {
	path, err := config.Find(explicit)
	if len(names) == 0 || err != nil {
		return loadConfig(ctx, e, explicit)
	}
	lookup := e.lookup()
	if cfg, err := loadUntil(ctx, path, lookup); err == nil {
		return cfg, exitOK
	}
	cfg, err := loadUntil(ctx, path, func(name string) (string, bool) {
		if v, ok := lookup(name); ok {
			return v, true
		}
		return unsetMark + name, true
	})
	if err != nil || usesUnset(cfg.Monitors, names) {
		return loadConfig(ctx, e, explicit) // its errors, each with its file:line
	}
	return cfg, exitOK
}

// usesUnset reports whether any monitor named holds an unset ${NAME}.
func usesUnset(all []*monitor.Monitor, names []string) bool {
	for _, m := range all {
		if !slices.Contains(names, m.Name) {
			continue
		}
		if b, err := json.Marshal(m); err != nil || bytes.Contains(b, []byte(unsetMark)) {
			return true
		}
	}
	return false
}

func selectMonitors(e *env, all []*monitor.Monitor, names []string) ([]*monitor.Monitor, int) {
	byName := make(map[string]*monitor.Monitor, len(all))
	var known []string
	for _, m := range all {
		byName[m.Name] = m
		known = append(known, m.Name)
	}
	var out []*monitor.Monitor
	for _, n := range names {
		m, ok := byName[n]
		if !ok {
			fmt.Fprintf(e.stderr, "upbeat: no monitor named %q%s\n", n, nameHint(n, known))
			return nil, exitConfig
		}
		out = append(out, m)
	}
	return out, exitOK
}

// writeCheckJSON writes one wire.Result per line: the contract of `check
// --json` (PRODUCT.md §5), the same shape as the API's and the export's,
// with the knowledge base's explanation of a failure.
func writeCheckJSON(w io.Writer, results []monitor.Result) {
	enc := json.NewEncoder(w)
	for i := range results {
		r := &results[i]
		line := wire.FromResult(r)
		if r.Class != "" {
			line.Explanation = kb.ForResult(r.Code, r.Class).Summary
		}
		enc.Encode(line)
	}
}

// writeCheckTable writes the results as a table. In a terminal width
// columns wide (0: not a terminal), a WHY too long for its line goes on
// below, at its column and broken between words, rather than being
// wrapped by the terminal in the middle of one.
func writeCheckTable(w io.Writer, results []monitor.Result, width int) {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tMONITOR\tKIND\tCODE\tLATENCY\tTRIES\tWHY")
	for i := range results {
		r := &results[i]
		code := "-"
		if r.Code != 0 {
			code = fmt.Sprint(r.Code)
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\t%s\t%d\t%s\n", tui.Glyph(r.Status), r.Status, r.Monitor, r.Kind,
			code, latency(r.Latency), r.Attempts, why(r))
	}
	tw.Flush()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	col := utf8.RuneCountInString(lines[0]) - len("WHY")
	for _, l := range lines {
		for _, part := range wrapAt(l, col, width) {
			fmt.Fprintln(w, part)
		}
	}
}

// wrapAt breaks a line longer than width after its first col columns into
// lines that go on at that column, between words. A line that fits, or
// one whose words cannot fit beside col, stays whole.
func wrapAt(line string, col, width int) []string {
	if width <= 0 || utf8.RuneCountInString(line) <= width || width-col < 20 {
		return []string{line}
	}
	runes := []rune(line)
	head, words := string(runes[:col]), strings.Fields(string(runes[col:]))
	var out []string
	cur := ""
	for _, word := range words {
		switch {
		case cur == "":
			cur = word
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(word) <= width-col:
			cur += " " + word
		default:
			out = append(out, head+cur)
			head, cur = strings.Repeat(" ", col), word
		}
	}
	return append(out, head+cur)
}

// why is the one-line reason shown beside a result that is not plainly up:
// the class's name first, then what this check found, in its own words,
// less what the name and the CODE column already say ("nothing accepts
// connections on 10.0.0.5:5432", not its generic twin "nothing accepts
// connections on that port", nor "(connection refused)" again). An HTTP
// status's message is its status line, which says nothing the code and the
// name do not: the knowledge base's one-line meaning takes its place, after
// what the check added to the line (Retry-After).
func why(r *monitor.Result) string {
	if r.Class == "" {
		if r.Status == monitor.StatusUp {
			if !r.CertExpiry.IsZero() {
				return "certificate valid for " + humanize.Count(r.CertDays, "more day", "more days")
			}
			return ""
		}
		return r.Error
	}
	e := kb.ForResult(r.Code, r.Class)
	s := e.Name
	found, added := foundText(r, e.Name)
	if added != "" {
		s += ", " + added
	}
	switch {
	case found != "":
		s += " — " + found
	case e.Summary != "":
		s += " — " + e.Summary
	}
	if r.Class == check.ClassError && r.Detail != "" { // no class: the library's text is all there is
		s += ": " + engine.Sanitize(r.Detail, 120)
	}
	return s
}

// foundText is what a result's message adds to its class's name: found,
// the failure in words; or, for an HTTP status (whose message is its
// status line and what the check added after it), nothing found and the
// added text alone.
func foundText(r *monitor.Result, name string) (found, added string) {
	msg := strings.TrimSpace(engine.Sanitize(r.Error, 120))
	if code := strconv.Itoa(r.Code); r.Code > 0 && r.Class == "http_"+code {
		line, ok := strings.CutPrefix(msg, "HTTP "+code)
		if !ok {
			return msg, "" // not a status line: words of its own
		}
		if i := strings.IndexAny(line, ",;"); i >= 0 {
			return "", strings.TrimSpace(line[i+1:])
		}
		return "", ""
	}
	// a closing "(connection refused)" or "(NXDOMAIN)" the name already says
	if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") &&
		strings.Contains(strings.ToLower(name), strings.ToLower(msg[i+2:len(msg)-1])) {
		msg = msg[:i]
	}
	if strings.EqualFold(msg, name) {
		return "", ""
	}
	return msg, ""
}

// latency is "-" for a result with no latency, else as everywhere else.
func latency(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return humanize.Latency(d)
}
