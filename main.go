// Command upbeat is a terminal-first uptime monitor: one binary that watches
// websites, APIs, ports, certificates and domains, shows a live dashboard,
// keeps its history in local files and alerts the people on call.
package main

import (
	_ "early.upbeat.invalid/atonce" // `upbeat --version` and `upbeat status` before anything initialises
	"early.upbeat.invalid/buildinfo"
	_ "early.upbeat.invalid/earlyterm"    // before Bubble Tea's init: see the package doc
	_ "early.upbeat.invalid/quickstatus"  // `upbeat status` before the rest initialises
	_ "early.upbeat.invalid/quickversion" // `upbeat --version` likewise
	"github.com/charmbracelet/x/term"
	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/internal/textdist"

	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	goruntime "runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Exit codes of `upbeat check` and of every command.
const (
	exitOK   = 0
	exitDown = 1 // check: at least one monitor is down
	// exitRefused: ack, note, maintain, pause and resume: the daemon did
	// not do it (no open incident, no such monitor, a read-only token).
	exitRefused = 1
	exitConfig  = 2 // the config (or the command line) is wrong
	// exitInterrupted: a signal ended the command before it started its
	// work (128 + SIGINT, as shells report it).
	exitInterrupted = 130
)

// env is what a command may touch of the outside world, so tests can run
// commands in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// isTTY reports whether stdout is a terminal (the dashboard needs one).
	isTTY bool
	// width is how many columns stdout's terminal has; 0 when it is not
	// one (a pipe, a file) or its size is unknown.
	width int
	// plainEvery is how often the dashboard without a terminal prints the
	// table; 0 means defaultPlainEvery (tests shorten it).
	plainEvery time.Duration
	// tuneAlerts adjusts the daemon's alert dispatcher (tests shorten its
	// waits); nil in real use.
	tuneAlerts func(*alert.Options)
	// lookupEnv reads the environment for the config's ${NAME}; nil reads
	// the process's. Tests give their own, so that tests that set
	// variables need not change the process's and may run side by side.
	lookupEnv func(string) (string, bool)
}

// lookup returns what reads the environment for the config's ${NAME}.
func (e *env) lookup() func(string) (string, bool) {
	if e.lookupEnv != nil {
		return e.lookupEnv
	}
	return os.LookupEnv
}

// defaultPlainEvery is how often the dashboard without a terminal prints
// the monitors table.
const defaultPlainEvery = 5 * time.Second

// plainPeriod returns how often the plain table is printed.
func (e *env) plainPeriod() time.Duration {
	if e.plainEvery > 0 {
		return e.plainEvery
	}
	return defaultPlainEvery
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() []command {
	return []command{
		{"demo", "the dashboard on a built-in origin that misbehaves on loopback", cmdDemo},
		{"check", "check every monitor once; exit 0 when none is down (--json)", cmdCheck},
		{"daemon", "checks, history and alerts headless, with the API and /metrics", cmdDaemon},
		{"attach", "the dashboard on one or more running daemons", cmdAttach},
		{"status", "a line for tmux or a prompt: ✕2 ▲1 ●37 (--tmux, --prompt, --json)", cmdStatus},
		{"ack", "NAME [REASON…]: acknowledge its open incident (a in the dashboard)", cmdAck},
		{"note", "NAME TEXT…: a note on its open incident (n in the dashboard)", cmdNote},
		{"maintain", "NAME DURATION: start maintenance, 0 ends it (m in the dashboard)", cmdMaintain},
		{"pause", "NAME: no checks and no alerts until resume (p in the dashboard)", cmdPause},
		{"resume", "NAME: check a paused monitor again", cmdResume},
		{"explain", "what a status code or error class means and what to do first", cmdExplain},
		{"history", "a monitor's results over a period (table, csv or json)", cmdHistory},
		{"report", "uptime, incidents, MTTR, downtime and what it cost", cmdReport},
		{"incident", "list | show ID [--markdown]: incidents; a timeline for postmortems", cmdIncident},
		{"validate", "check the config: every mistake, with file:line and key", cmdValidate},
		{"init", "write a commented starter config", cmdInit},
		{"alert", "test NAME: send a test message through one channel", cmdAlert},
		{"import", "a config from Gatus, an Uptime Kuma database or UptimeRobot", cmdImport},
		{"status-page", "build --out DIR: the status pages, their JSON and badges as files", cmdStatusPage},
	}
}

func main() {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if len(os.Args) < 2 || os.Args[1] != "daemon" {
		sigs = append(sigs, syscall.SIGHUP) // a dropped SSH session ends the dashboard cleanly
	} else {
		signal.Ignore(syscall.SIGHUP) // until the daemon listens for it: a reload, never an exit
	}
	ctx, stop := signal.NotifyContext(context.Background(), sigs...)
	go func() {
		<-ctx.Done()
		stop() // a second signal stops a shutdown that hangs
	}()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, lookupEnv: os.LookupEnv,
		isTTY: isTerminal(os.Stdout)}
	if e.isTTY {
		if w, _, err := term.GetSize(os.Stdout.Fd()); err == nil {
			e.width = w
		}
	}
	profileOnSignal(e.getenv)
	if len(os.Args) > 1 && os.Args[1] == "check" {
		collectLate(e.getenv)
	}
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help", "help":
			if len(args) > 1 {
				return run(ctx, e, []string{args[1], "--help"})
			}
			usage(e.stdout)
			return exitOK
		case "-version", "--version", "version":
			fmt.Fprintln(e.stdout, "upbeat", versionString())
			return exitOK
		}
		for _, c := range commands() {
			if c.name == args[0] {
				return c.run(ctx, e, args[1:])
			}
		}
		if !strings.HasPrefix(args[0], "-") {
			fmt.Fprintf(e.stderr, "upbeat: unknown command %q\n", args[0])
			if s := closest(args[0], commandNames()); s != "" {
				fmt.Fprintf(e.stderr, "did you mean %q?\n", s)
			}
			fmt.Fprintln(e.stderr, "run 'upbeat --help' for the list of commands")
			return exitConfig
		}
	}
	return cmdDashboard(ctx, e, args)
}

// collectLate has the garbage collector wait until the heap nears
// lateHeap, unless GOGC or GOMEMLIMIT says otherwise. It is for a command
// that is over in a moment (check): collecting on the way costs it more
// than keeping what it made (a cycle was 8% of a check of 100 monitors).
// The first collection, if one comes, puts back what was in force: past
// lateHeap the collector runs as usual, not against a limit that the
// live heap may exceed (then it would run without end). It returns what
// undoes it at once.
func collectLate(getenv func(string) string) (undo func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := debug.SetMemoryLimit(lateHeap)
	percent := debug.SetGCPercent(-1)
	var once sync.Once
	undo = func() {
		once.Do(func() {
			debug.SetGCPercent(percent)
			debug.SetMemoryLimit(limit)
		})
	}
	// the sentinel is garbage at once: the first cycle runs its cleanup
	goruntime.AddCleanup(new(lateSentinel), func(undo func()) { undo() }, undo)
	return undo
}

// lateSentinel is what collectLate watches for the first collection. It
// holds a pointer, so that it is not one of the tiny objects the
// allocator packs together (and frees together).
type lateSentinel struct{ _ *int }

// lateHeap is the heap at which collectLate's collector starts: a check
// of 1,000 monitors stays well under it.
const lateHeap = 128 << 20

func commandNames() []string {
	var out []string
	for _, c := range commands() {
		out = append(out, c.name)
	}
	return out
}

func usage(w io.Writer) {
	fmt.Fprint(w, `upbeat: a terminal-first uptime monitor

Usage:
  upbeat [--config FILE] [--mouse]   the dashboard (on the local daemon if one
                                     runs; with no config at all, on the demo)
  upbeat COMMAND [flags]

Commands:
`)
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s %s\n", width, c.name, c.summary)
	}
	fmt.Fprint(w, `
Every command takes --help. The config is --config FILE, else ./upbeat.toml,
else $XDG_CONFIG_HOME/upbeat/config.toml; 'upbeat init' writes a starter one.
`)
}

// versionString is the version `--version` prints (quickversion prints it
// before main runs; see there).
func versionString() string { return buildinfo.String() }

// newFlags makes a flag set whose errors and help go to e.stderr and
// which lists its flags under a one-line usage.
func newFlags(e *env, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: upbeat %s\n\n%s\n", synopsis, about)
		var n int
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args, flags and names in any order ("check web --json"
// as well as "check --json web"; after "--" everything is a name), and
// returns (exit code, done): done is true when the command must return at
// once (help asked, or a bad flag). fs.Args() holds the names afterwards.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	var names []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK, true
			}
			return exitConfig, true
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumedDashes(args, rest) {
			names = append(names, rest...)
			break
		}
		names = append(names, rest[0])
		args = rest[1:]
	}
	fs.Parse(append([]string{"--"}, names...))
	return exitOK, false
}

// consumedDashes reports whether the flag parser stopped at a "--" (and
// dropped it) rather than at a name.
func consumedDashes(args, rest []string) bool {
	i := len(args) - len(rest) - 1
	return i >= 0 && args[i] == "--"
}

// closest returns the candidate nearest to s by edit distance, if near enough.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	for _, c := range sorted {
		// Case counts for nothing: "Web-B" is closest to "web-b", not to "web-a".
		if d := textdist.Distance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// nameHint is what follows "no monitor named X": the nearest name as a
// question, else the names there are (the first few, in order) so that
// the next try can be right.
func nameHint(s string, candidates []string) string {
	if c := closest(s, candidates); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	const shown = 8
	switch n := len(candidates); {
	case n == 0:
		return "; there is none"
	case n <= shown:
		return "; there are " + strings.Join(candidates, ", ")
	default:
		return fmt.Sprintf("; there are %s and %d more", strings.Join(candidates[:shown], ", "), n-shown)
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
