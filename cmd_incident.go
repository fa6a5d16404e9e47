package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/upbeat-monitor/upbeat/store"
)

// cmdIncident is `upbeat incident list|show`: incidents and their
// postmortem timelines, read from history on disk (no daemon needed).
func cmdIncident(ctx context.Context, e *env, args []string) int {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "list", "ls":
		return cmdIncidentList(e, args)
	case "show":
		return cmdIncidentShow(e, args)
	case "-h", "--help", "help": // on stderr, as every command's --help
		fmt.Fprint(e.stderr, incidentUsage)
		return exitOK
	}
	if sub != "" {
		fmt.Fprintf(e.stderr, "upbeat incident: unknown subcommand %q\n\n", sub)
	}
	fmt.Fprint(e.stderr, incidentUsage)
	return exitConfig
}

const incidentUsage = `Usage: upbeat incident list [--since 30d] [--json] [NAME…]
       upbeat incident show ID [--markdown | --json] [--cost-per-hour N]

list prints the incidents of the period, newest first, each with its short ID.
show prints one incident's timeline for a postmortem: the first failed check,
each change of what failed (codes, classes and phases), each alert and its
delivery, acknowledgements, notes and the resolve, with the duration and the
cost of the downtime. Both read the history on disk, also while a daemon runs.
`

func cmdIncidentList(e *env, args []string) int {
	fs := newFlags(e, "incident list", "incident list [--since 30d] [--json] [NAME…]",
		"Prints the incidents of the period, newest first: ID, monitor, start, duration, state,\n"+
			"codes and classes seen, and how many notes were written on it.")
	cfgPath := fs.String("config", "", "config `file`, for its history_dir")
	dir := fs.String("history-dir", "", "read the history in this `directory`")
	since := fs.String("since", "30d", "how far back: a duration (30d, 36h) or an RFC 3339 time")
	asJSON := fs.Bool("json", false, "print the incidents as a JSON array (the API's shape)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	now := time.Now()
	from, err := parseSince(*since, now)
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	st, code := openHistoryReader(e, *dir, *cfgPath)
	if st == nil {
		return code
	}
	defer st.Close()
	if !haveHistory(e, st, fs.Args()) {
		return exitConfig
	}
	ins, err := store.ListIncidents(st, fs.Args(), from, now.Add(time.Second))
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	if *asJSON {
		err = store.WriteIncidentsJSON(e.stdout, ins)
	} else {
		err = store.WriteIncidents(e.stdout, ins, now)
	}
	if err != nil && !errors.Is(err, os.ErrClosed) {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	return exitOK
}

func cmdIncidentShow(e *env, args []string) int {
	fs := newFlags(e, "incident show", "incident show ID [--markdown | --json] [--cost-per-hour N]",
		"Prints one incident's timeline for a postmortem. ID is from `upbeat incident list`, the\n"+
			"dashboard's detail view or the API (its first 4 characters are enough when unique).")
	cfgPath := fs.String("config", "", "config `file`, for its history_dir")
	dir := fs.String("history-dir", "", "read the history in this `directory`")
	markdown := fs.Bool("markdown", false, "print Markdown, ready to paste into a postmortem")
	asJSON := fs.Bool("json", false, "print the timeline as JSON")
	cost := fs.Float64("cost-per-hour", 0, "what an hour of downtime costs (0: no cost shown)")
	id, args := splitName(args)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	}
	if id == "" || fs.NArg() > 1 {
		fs.Usage()
		return exitConfig
	}
	if *cost < 0 {
		fmt.Fprintln(e.stderr, "upbeat: --cost-per-hour must not be negative")
		return exitConfig
	}
	if *markdown && *asJSON {
		fmt.Fprintln(e.stderr, "upbeat: --markdown and --json: choose one")
		return exitConfig
	}
	st, code := openHistoryReader(e, *dir, *cfgPath)
	if st == nil {
		return code
	}
	defer st.Close()
	now := time.Now()
	in, err := store.FindIncident(st, id, now)
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		if errors.Is(err, store.ErrNoSuchIncident) {
			fmt.Fprintln(e.stderr, "upbeat: `upbeat incident list --since 90d` lists the IDs")
		}
		return exitConfig
	}
	pm, err := store.BuildPostmortem(st, in, now, *cost)
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	switch {
	case *markdown:
		err = pm.WriteMarkdown(e.stdout)
	case *asJSON:
		err = pm.WriteJSON(e.stdout)
	default:
		err = pm.WriteText(e.stdout)
	}
	if err != nil && !errors.Is(err, os.ErrClosed) {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	return exitOK
}
