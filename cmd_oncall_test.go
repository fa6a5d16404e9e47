package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// oncallDaemon runs upbeat's runtime on a config of two monitors, web
// (down: nothing listens on its port) and db (up), with its API on a
// unix socket (the config's [api] socket) and on a loopback TCP server
// that wants the token "admin" to act and "view" to watch. It returns the
// config's path, the TCP address and a subscription to the events from
// the time web went down, and the change event that took it down.
func oncallDaemon(t *testing.T) (cfgPath, tcp string, sub *source.Subscription, down monitor.Event) {
	t.Helper()
	dir := t.TempDir()
	up := newSwitchable(t)
	sock := filepath.Join(dir, "upbeat.sock")
	cfgPath = writeConfigIn(t, dir, fmt.Sprintf(`
[settings]
history_dir = %q
retries = 0

[api]
socket = %q

[[monitor]]
name = "web"
url = "tcp://127.0.0.1:1"
interval = "1h"

[[monitor]]
name = "db"
url = %q
interval = "1h"
`, filepath.Join(dir, "history"), sock, up.URL))
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	rt := openRuntime(t, cfg, runtimeOptions{getenv: os.Getenv})
	sub = rt.eng.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rt.eng.Run(ctx); close(done) }()
	srv := api.New(rt.localSource(cfgPath, false), api.Options{Socket: sock, Token: "admin", ReadOnlyToken: "view"})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
		sub.Close()
		cancel()
		<-done
		rt.Close()
	})
	rt.eng.CheckNow("db")
	waitChangeOf(t, sub, "db", monitor.StatusUp)
	rt.eng.CheckNow("web")
	return cfgPath, ts.URL, sub, waitChangeOf(t, sub, "web", monitor.StatusDown)
}

// waitChangeOf waits for the monitor name's status to change to want and
// returns that change.
func waitChangeOf(t *testing.T, sub *source.Subscription, name string, want monitor.Status) monitor.Event {
	t.Helper()
	var got monitor.Event
	waitEvent(t, sub, name+" changing to "+want.String(), func(ev monitor.Event) bool {
		if ev.Kind == monitor.EventChange && ev.Monitor == name && ev.To == want {
			got = ev
			return true
		}
		return false
	})
	return got
}

// ack, note, maintain, pause and resume act on a running daemon found
// through the config's [api] socket, say in one line what happened, and
// refuse in the dashboard's words: no open incident, no such monitor
// (with the nearest name), a read-only token over HTTP.
func TestOncallCommands(t *testing.T) {
	t.Parallel()
	cfg, tcp, sub, down := oncallDaemon(t)
	id := monitor.IncidentID("web", down.Time) // as `upbeat incident list` shows it

	out, errOut, code := runCmd(t, "ack", "web", "on", "it", "--config", cfg, "--author", "alice")
	if want := "acknowledged web's incident " + id + ": on it\n"; code != exitOK || out != want {
		t.Errorf("ack: exit %d, %q %q; want %q", code, out, errOut, want)
	}
	waitEvent(t, sub, "alice's acknowledgement", func(ev monitor.Event) bool {
		return ev.Kind == monitor.EventNote && ev.Monitor == "web" && ev.Note.Kind == monitor.NoteAck &&
			ev.Note.Author == "alice" && ev.Note.Text == "on it"
	})

	out, errOut, code = runCmd(t, "note", "--config", cfg, "--author", "bob", "--json", "web", "restarted", "the", "pool")
	var res wire.Action
	if err := json.Unmarshal([]byte(out), &res); code != exitOK || err != nil || !res.OK || res.Action != "note" ||
		res.Incident != id || res.Text != "restarted the pool" || res.Author != "bob" {
		t.Errorf("note --json: exit %d, %q %q (%v)", code, out, errOut, err)
	}
	waitEvent(t, sub, "bob's note", func(ev monitor.Event) bool {
		return ev.Kind == monitor.EventNote && ev.Note.Kind == monitor.NoteText && ev.Note.Text == "restarted the pool"
	})

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ack", "db"}, "upbeat: db has no open incident to acknowledge: it is up\n"},
		{[]string{"note", "db", "all", "well"}, "upbeat: db has no open incident to write a note on: it is up\n"},
		{[]string{"ack", "wbe"}, "upbeat: no monitor named \"wbe\" (did you mean \"web\"?)\n"},
		{[]string{"pause", "nope"}, "upbeat: no monitor named \"nope\"; there are web, db\n"},
	} {
		out, errOut, code := runCmd(t, append(c.args, "--config", cfg)...)
		if code != exitRefused || out != "" || errOut != c.want {
			t.Errorf("%s: exit %d, %q %q; want %q", strings.Join(c.args, " "), code, out, errOut, c.want)
		}
	}
	out, _, code = runCmd(t, "ack", "db", "--json", "--config", cfg)
	if err := json.Unmarshal([]byte(out), &res); code != exitRefused || err != nil || res.OK || res.Code != wire.CodeNoIncident {
		t.Errorf("ack db --json: exit %d, %q (%v)", code, out, err)
	}

	out, errOut, code = runCmd(t, "maintain", "db", "30m", "--config", cfg)
	if code != exitOK || !strings.HasPrefix(out, "db in maintenance for 30m, until ") {
		t.Errorf("maintain db 30m: exit %d, %q %q", code, out, errOut)
	}
	waitChangeOf(t, sub, "db", monitor.StatusMaintenance)
	if out, errOut, code = runCmd(t, "maintain", "db", "off", "--config", cfg); code != exitOK || out != "db: no maintenance started with 'maintain' or m is in force now\n" {
		t.Errorf("maintain db off: exit %d, %q %q", code, out, errOut)
	}
	waitChangeOf(t, sub, "db", monitor.StatusUp)

	if out, errOut, code = runCmd(t, "pause", "db", "--config", cfg); code != exitOK || !strings.HasPrefix(out, "paused db") {
		t.Errorf("pause db: exit %d, %q %q", code, out, errOut)
	}
	waitChangeOf(t, sub, "db", monitor.StatusPaused)
	if out, errOut, code = runCmd(t, "pause", "db", "--config", cfg); code != exitOK || out != "db was already paused\n" {
		t.Errorf("pause db again: exit %d, %q %q", code, out, errOut)
	}
	if out, errOut, code = runCmd(t, "resume", "db", "--config", cfg); code != exitOK || out != "resumed db\n" {
		t.Errorf("resume db: exit %d, %q %q", code, out, errOut)
	}
	waitChangeOf(t, sub, "db", monitor.StatusPending)
	if out, errOut, code = runCmd(t, "resume", "db", "--config", cfg); code != exitOK || out != "db is not paused: nothing to resume\n" {
		t.Errorf("resume db again: exit %d, %q %q", code, out, errOut)
	}

	// over HTTP the read-only token may watch (the client connects) but
	// not act
	out, errOut, code = runCmd(t, "note", "web", "hi", "--addr", tcp, "--token", "view", "--json")
	if err := json.Unmarshal([]byte(out), &res); code != exitRefused || err != nil || res.Code != wire.CodeForbidden ||
		!strings.Contains(errOut, "not allowed") || !strings.Contains(errOut, "read_only_token") {
		t.Errorf("note with the read-only token: exit %d, %q %q (%v)", code, out, errOut, err)
	}
	if out, errOut, code = runCmd(t, "pause", "web", "--addr", tcp, "--token", "admin"); code != exitOK || !strings.HasPrefix(out, "paused web") {
		t.Errorf("pause over HTTP with the token: exit %d, %q %q", code, out, errOut)
	}
}

// Without a daemon, or with a command line that is wrong, the actions
// say so and exit 2, before anything is asked of a daemon.
func TestOncallWithoutDaemon(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sock := filepath.Join(dir, "upbeat.sock")
	cfg := writeConfigIn(t, dir, fmt.Sprintf("[api]\nsocket = %q\n\n[[monitor]]\nname = \"web\"\nurl = \"tcp://127.0.0.1:1\"\n", sock))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ack", "web", "--config", cfg}, "upbeat: no daemon answers on " + sock + " (the [api] socket of " + cfg +
			"); start one with 'upbeat daemon' or give --addr ADDR\n"},
		{[]string{"maintain", "web", "1h", "--addr", sock}, "upbeat: maintain: no daemon reachable: " + sock + ": "},
		{[]string{"maintain", "web", "soon"}, "upbeat: maintenance: \"soon\" is not a duration"},
		{[]string{"maintain", "web"}, "Usage: upbeat maintain NAME DURATION"},
		{[]string{"note", "web"}, "Usage: upbeat note NAME TEXT…"},
		{[]string{"note", "web", " "}, "upbeat: note: bad note: the note is empty\n"},
		{[]string{"ack", "web", strings.Repeat("x", monitor.MaxNoteLen+1)}, "upbeat: ack: bad note: "},
		{[]string{"pause"}, "Usage: upbeat pause NAME"},
		{[]string{"resume", "web", "db"}, "Usage: upbeat resume NAME"},
	} {
		out, errOut, code := runCmd(t, c.args...)
		if code != exitConfig || out != "" || !strings.HasPrefix(errOut, c.want) {
			t.Errorf("%s: exit %d, %q %q; want %q", strings.Join(c.args, " "), code, out, errOut, c.want)
		}
	}
	for _, cmd := range []string{"ack", "note", "maintain", "pause", "resume"} {
		if _, errOut, code := runCmd(t, "help", cmd); code != exitOK || !strings.Contains(errOut, "Usage: upbeat "+cmd+" NAME") {
			t.Errorf("help %s: exit %d, %q", cmd, code, errOut)
		}
	}
}

// The words after a note's or an ack's monitor are its text, a -v among
// them too; the command's own flags are taken anywhere.
func TestOncallTextKeepsDashWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args       []string
		name, text string
		author     string
	}{
		{[]string{"db", "checked", "the", "-v", "output", "of", "nc"}, "db", "checked the -v output of nc", ""},
		{[]string{"--author", "bob", "db", "ran", "ls", "-la"}, "db", "ran ls -la", "bob"},
		{[]string{"db", "ran", "-x", "--author", "bob", "done"}, "db", "ran -x done", "bob"},
		{[]string{"db", "--author=bob", "--config", "x.toml", "--", "--not", "a", "flag"}, "db", "--not a flag", "bob"},
		{[]string{"db", "-json", "--json=true", "a"}, "db", "a", ""},
	} {
		var out bytes.Buffer
		fs, _ := oncallFlags(&env{stdout: &out, stderr: &out}, "note", "note NAME TEXT…", "")
		author := authorFlag(fs)
		code, done := parseFlags(fs, textArgs(fs, c.args, 1))
		if done || code != exitOK || fs.Arg(0) != c.name || strings.Join(fs.Args()[1:], " ") != c.text || *author != c.author {
			t.Errorf("%q: exit %d (%v), name %q, text %q, author %q; want %q, %q, %q\n%s", c.args, code, done,
				fs.Arg(0), strings.Join(fs.Args()[1:], " "), *author, c.name, c.text, c.author, out.String())
		}
	}
	var out bytes.Buffer
	fs, _ := oncallFlags(&env{stdout: &out, stderr: &out}, "note", "note NAME TEXT…", "")
	if code, done := parseFlags(fs, textArgs(fs, []string{"-v", "db", "text"}, 1)); !done || code != exitConfig {
		t.Errorf("an unknown flag before the name: exit %d (%v), want a usage error", code, done)
	}
}
