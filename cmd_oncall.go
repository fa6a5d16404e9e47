package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/client"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
)

// The on-call's actions from a shell: what a, n, m and p do in the
// dashboard, for a phone's SSH session or a script. Each finds the
// daemon as attach does, acts through the client (the attached
// dashboard's own source, so a fleet's monitor is acted on wherever it
// is checked) and says in one line what happened.

// oncallExits is the end of every action command's help.
const oncallExits = "Finds the daemon as attach does (--addr names another). Exit status: 0 when it was\n" +
	"done, 1 when the daemon refused (no open incident, no such monitor, a read-only token),\n" +
	"2 on a usage or config error or when no daemon answers."

// oncall is what the action commands share: where the daemon is, and how
// to answer.
type oncall struct {
	cmd     string // ack, note, maintain, pause, resume
	addr    string
	token   string
	cfgPath string
	timeout time.Duration
	asJSON  bool
}

// action is one action on a monitor.
type action struct {
	// do acts on the monitor res.Monitor and fills in res what it did.
	do func(ctx context.Context, c *client.Client, res *wire.Action) error
	// say is the line that tells what was done.
	say func(res *wire.Action) string
	// onIncident is what an open incident was needed for ("acknowledge"),
	// for the refusal when there is none.
	onIncident string
}

func oncallFlags(e *env, cmd, synopsis, about string) (*flag.FlagSet, *oncall) {
	fs := newFlags(e, cmd, synopsis+" [--addr ADDR] [--json]", about+"\n\n"+oncallExits)
	o := &oncall{cmd: cmd}
	fs.StringVar(&o.addr, "addr", "", "the daemon: a unix socket `path`, host:port or http(s)://host:port (default: the config's [fleet], else its [api] socket, else the local daemon's)")
	fs.StringVar(&o.token, "token", "", "bearer token for an http(s) address (default: [fleet] token, the config's [api] token for its own listen address, then $UPBEAT_TOKEN)")
	fs.StringVar(&o.cfgPath, "config", "", "config `file` whose [fleet] or [api] socket names the daemon (default ./upbeat.toml, then the XDG config)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "give up after this long")
	fs.BoolVar(&o.asJSON, "json", false, "print what was done, or why not, as a JSON object")
	return fs, o
}

// authorFlag adds --author: who writes a note or acknowledges.
func authorFlag(fs *flag.FlagSet) *string {
	return fs.String("author", "", "who writes it (default: $UPBEAT_USER, else the login name)")
}

func cmdAck(ctx context.Context, e *env, args []string) int {
	fs, o := oncallFlags(e, "ack", "ack NAME [REASON…] [--author WHO]",
		"Acknowledges the monitor's open incident, as a does in the dashboard: no more reminders\n"+
			"until it resolves. The words after NAME are the reason, kept on the incident as the\n"+
			"acknowledgement's note; a word in it that starts with - is text, unless it is a flag\n"+
			"of ack's (put -- before a reason that starts with -).")
	author := authorFlag(fs)
	if code, done := parseFlags(fs, textArgs(fs, args, 1)); done {
		return code
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return exitConfig
	}
	return o.note(ctx, e, fs.Arg(0), monitor.Note{Kind: monitor.NoteAck, Author: *author,
		Text: strings.Join(fs.Args()[1:], " ")})
}

func cmdNote(ctx context.Context, e *env, args []string) int {
	fs, o := oncallFlags(e, "note", "note NAME TEXT… [--author WHO]",
		"Writes a note on the monitor's open incident, as n does in the dashboard: what you found\n"+
			"or did. It is kept in the history, shown in every dashboard and sent with the next\n"+
			"message about the incident. A word of the text that starts with - is text, unless it\n"+
			"is a flag of note's (put -- before a text that starts with -).")
	author := authorFlag(fs)
	if code, done := parseFlags(fs, textArgs(fs, args, 1)); done {
		return code
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return exitConfig
	}
	return o.note(ctx, e, fs.Arg(0), monitor.Note{Kind: monitor.NoteText, Author: *author,
		Text: strings.Join(fs.Args()[1:], " ")})
}

// textArgs readies the arguments of a command whose free text follows
// its first lead names: a word of the text that starts with - and is no
// flag of fs (the -v of a command someone ran) goes behind a "--", as
// text, while fs's own flags are still taken anywhere. The text keeps its
// order.
func textArgs(fs *flag.FlagSet, args []string, lead int) []string {
	var head, text []string
	names := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			text = append(text, args[i+1:]...)
			i = len(args)
		case len(a) > 1 && a[0] == '-':
			name, _, valued := strings.Cut(strings.TrimLeft(a, "-"), "=")
			f := fs.Lookup(name)
			if f == nil && names >= lead {
				text = append(text, a)
				continue
			}
			head = append(head, a) // an unknown flag before the text: the parser says so
			if f != nil && !valued && !isBoolFlag(f) && i+1 < len(args) {
				i++
				head = append(head, args[i])
			}
		case names < lead:
			head = append(head, a)
			names++
		default:
			text = append(text, a)
		}
	}
	return append(append(head, "--"), text...)
}

// isBoolFlag reports whether f takes no value (-f alone).
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// note acknowledges name's open incident or writes a note on it. The note
// is cleaned here as the daemon cleans it, so that an empty or too long
// one is a usage error before any daemon is asked, and the line printed
// says what was kept.
func (o *oncall) note(ctx context.Context, e *env, name string, n monitor.Note) int {
	if n.Author == "" {
		n.Author = localUser(e)
	}
	n, err := engine.CleanNote(n)
	if err != nil {
		fmt.Fprintf(e.stderr, "upbeat: %s: %v\n", o.cmd, err)
		return exitConfig
	}
	a := action{onIncident: "write a note on", say: func(res *wire.Action) string {
		return "added a note to " + incidentOf(res) + ": " + res.Text
	}}
	if n.Kind == monitor.NoteAck {
		a.onIncident = "acknowledge"
		a.say = func(res *wire.Action) string {
			if res.Text == "" {
				return "acknowledged " + incidentOf(res)
			}
			return "acknowledged " + incidentOf(res) + ": " + res.Text
		}
	}
	a.do = func(ctx context.Context, c *client.Client, res *wire.Action) error {
		res.Author, res.Text = n.Author, n.Text
		if err := c.AddNote(ctx, name, n); err != nil {
			return err
		}
		res.Incident = openIncident(ctx, c, name)
		return nil
	}
	return o.run(ctx, e, name, a)
}

// incidentOf names the incident an acknowledgement or a note went on:
// "web's incident 198d5b4d".
func incidentOf(res *wire.Action) string {
	if res.Incident == "" {
		return res.Monitor + "'s open incident"
	}
	return res.Monitor + "'s incident " + res.Incident
}

// openIncident returns the short ID of the monitor's open incident as
// `upbeat incident list` shows it: the history's; else, when the daemon
// keeps none or has yet to write the check that opened it, the one its
// state tells (from the monitor and when it went down, as history starts
// an incident); "" when neither tells.
func openIncident(ctx context.Context, c *client.Client, name string) string {
	now := time.Now()
	if q := c.Query(); q != nil {
		// an open incident overlaps any period up to now, however long
		// ago it began; the hour ahead allows for a daemon's clock ahead
		// of this one's
		if ins, err := q.Incidents(ctx, name, now.Add(-time.Minute), now.Add(time.Hour)); err == nil {
			for i := len(ins) - 1; i >= 0; i-- {
				if ins[i].End.IsZero() {
					return ins[i].ID()
				}
			}
		}
	}
	if st := stateOf(c, name); st != nil && st.Status == monitor.StatusDown && !st.Since.IsZero() {
		return monitor.IncidentID(name, st.Since)
	}
	return ""
}

func cmdMaintain(ctx context.Context, e *env, args []string) int {
	fs, o := oncallFlags(e, "maintain", "maintain NAME DURATION",
		"Puts the monitor in maintenance from now for DURATION (30m, 2h, or 45 for minutes), as m\n"+
			"does in the dashboard: it shows as maintenance, opens no incident and alerts no one.\n"+
			"0 (or off, end) ends the maintenance started so; a [[maintenance]] window of the\n"+
			"config is not ended by it.")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return exitConfig
	}
	name := fs.Arg(0)
	d, err := tui.ParseMaintDuration(fs.Arg(1))
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	var window string // with d == 0: the config's window in force, as of the monitor's last check
	return o.run(ctx, e, name, action{
		do: func(ctx context.Context, c *client.Client, res *wire.Action) error {
			if d > 0 {
				res.Until = time.Now().Add(d).UTC().Truncate(time.Second)
			} else {
				for _, st := range statesNow(ctx, c, name) {
					if st.InMaint != engine.AdhocWindow && window == "" {
						window = st.InMaint // a config window, as of the last check
					}
				}
			}
			return c.Maintain(ctx, name, d)
		},
		say: func(res *wire.Action) string {
			// What was in force before is known only as of the monitor's
			// last check, which may come before a window was started:
			// say what holds now.
			switch {
			case d == 0 && window != "" && window != engine.AdhocWindow:
				return fmt.Sprintf("%s: no maintenance started with 'maintain' or m is in force now; it is still in the config's window %q", res.Monitor, window)
			case d == 0:
				return res.Monitor + ": no maintenance started with 'maintain' or m is in force now"
			}
			return fmt.Sprintf("%s in maintenance for %s, until %s", res.Monitor, humanize.Setting(d), clockTime(res.Until, time.Now()))
		},
	})
}

func cmdPause(ctx context.Context, e *env, args []string) int {
	return pauseOrResume(ctx, e, args, true)
}

func cmdResume(ctx context.Context, e *env, args []string) int {
	return pauseOrResume(ctx, e, args, false)
}

func pauseOrResume(ctx context.Context, e *env, args []string, pause bool) int {
	cmd, about := "pause", "Pauses the monitor, as p does in the dashboard: no checks and no alerts until\n"+
		"'upbeat resume NAME'. A paused monitor stays paused across a daemon restart."
	if !pause {
		cmd, about = "resume", "Resumes a paused monitor, as p does in the dashboard: it is checked again at once."
	}
	fs, o := oncallFlags(e, cmd, cmd+" NAME", about)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitConfig
	}
	name := fs.Arg(0)
	already := false // the monitor was as asked before: nothing changed
	return o.run(ctx, e, name, action{
		do: func(ctx context.Context, c *client.Client, res *wire.Action) error {
			sts := statesNow(ctx, c, name)
			already = len(sts) > 0 && !slices.ContainsFunc(sts, func(st monitor.State) bool { return st.Paused != pause })
			return c.SetPaused(ctx, name, pause)
		},
		say: func(res *wire.Action) string {
			switch {
			case pause && already:
				return res.Monitor + " was already paused"
			case pause:
				return "paused " + res.Monitor + ": no checks and no alerts until 'upbeat resume " + res.Monitor + "'"
			case already:
				return res.Monitor + " is not paused: nothing to resume"
			}
			return "resumed " + res.Monitor
		},
	})
}

// run finds the daemons, connects, does a on the monitor name and says
// what happened.
func (o *oncall) run(ctx context.Context, e *env, name string, a action) int {
	var given []string
	if o.addr != "" {
		given = []string{o.addr}
	}
	addrs, token, code := findDaemons(e, daemonSearch{who: o.cmd, nameOne: "give --addr ADDR"}, given, o.cfgPath)
	if code != exitOK {
		return code
	}
	if o.token != "" {
		token = o.token
	}
	if token == "" {
		token = e.getenv("UPBEAT_TOKEN")
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	c, err := client.Dial(ctx, addrs, client.Options{Token: token, Timeout: o.timeout})
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no answer from %s within %s", strings.Join(addrs, ", "), o.timeout)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "upbeat: %s: %v\n", o.cmd, err)
		return exitConfig
	}
	defer c.Close()
	res := wire.Action{Monitor: name, Action: o.cmd}
	if err := a.do(ctx, c, &res); err != nil {
		return o.refused(e, c, a, &res, err)
	}
	res.OK = true
	if o.asJSON {
		return o.writeJSON(e, &res)
	}
	fmt.Fprintln(e.stdout, a.say(&res))
	return exitOK
}

// refused says why the daemon did not do it, in the words the dashboard
// uses, and returns the exit code.
func (o *oncall) refused(e *env, c *client.Client, a action, res *wire.Action, err error) int {
	name, code := res.Monitor, exitRefused
	var msg string
	switch {
	case errors.Is(err, source.ErrNoMonitor):
		msg = fmt.Sprintf("no monitor named %q%s", name, nameHint(name, namesOf(c.Snapshot())))
	case errors.Is(err, source.ErrNoIncident):
		msg = name + " has no open incident to " + a.onIncident
		if st := stateOf(c, name); st != nil && st.Status != monitor.StatusDown {
			msg += ": " + notDown(st.Status)
		}
	case errors.Is(err, source.ErrForbidden):
		msg = fmt.Sprintf("%s %s: not allowed: %v (actions need the [api] token, not the read_only_token)", o.cmd, name, err)
	case errors.Is(err, source.ErrBadNote):
		code, msg = exitConfig, fmt.Sprintf("%s %s: %v", o.cmd, name, err)
	default:
		msg = fmt.Sprintf("%s %s: %v", o.cmd, name, err)
	}
	fmt.Fprintln(e.stderr, "upbeat:", msg)
	if o.asJSON {
		res.Error, res.Code = msg, wire.CodeOf(err)
		o.writeJSON(e, res)
	}
	return code
}

// notDown says what a monitor with no open incident is.
func notDown(s monitor.Status) string {
	if s == monitor.StatusDegraded {
		return "it is degraded, not down"
	}
	return "it is " + s.Phrase()
}

func (o *oncall) writeJSON(e *env, res *wire.Action) int {
	if err := json.NewEncoder(e.stdout).Encode(res); err != nil {
		fmt.Fprintf(e.stderr, "upbeat: %s: %v\n", o.cmd, err)
		return exitConfig
	}
	if res.OK {
		return exitOK
	}
	return exitRefused
}

// statesNow returns the monitor's states, as they are at this moment, on
// the daemons that have it and answer (the event stream's snapshot may be
// a moment old: see Client.Now).
func statesNow(ctx context.Context, c *client.Client, name string) []monitor.State {
	sts, _ := c.NowOf(ctx, name)
	return sts
}

// stateOf returns the client's state of the monitor name, nil when it
// has none.
func stateOf(c *client.Client, name string) *monitor.State {
	for _, st := range c.Snapshot() {
		if st.Monitor != nil && st.Monitor.Name == name {
			return &st
		}
	}
	return nil
}

// namesOf returns the monitors' names, in order.
func namesOf(states []monitor.State) []string {
	out := make([]string, 0, len(states))
	for _, st := range states {
		if st.Monitor != nil {
			out = append(out, st.Monitor.Name)
		}
	}
	return out
}

// clockTime writes t in local time: the time of day when it is today,
// else with the date.
func clockTime(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("Mon Jan 2 15:04")
}
