package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"early.upbeat.invalid/paths"
	"early.upbeat.invalid/quickstatus"
	"early.upbeat.invalid/statusline"
	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/internal/daemonaddr"
)

// cmdStatus prints one short line about the running daemon for a tmux
// status bar or a shell prompt. It is run every few seconds by both, so
// it stays small: one request to GET /api/v1/summary, of the config only
// [api] and [fleet] (and only when there is a config file), no dashboard
// code. When no daemon
// answers it prints nothing and exits 0, so that a status bar shows no
// error noise; --verbose says why on stderr and exits 1.
func cmdStatus(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "status", "status [--tmux | --prompt | --json] [--addr ADDR] [--token T] [--config FILE]",
		"One short line from the running daemon: monitors down (✕), degraded (▲), up\n"+
			"(●), not checked yet (○), in maintenance (◆) and paused (‖), e.g. \"✕2 ▲1 ●37\n"+
			"◆2\"; !N counts problems with upbeat itself. --tmux adds tmux colours for\n"+
			"status-right, --prompt prints only the problems (nothing while all is well)\n"+
			"for PS1, --json prints the counts, the names of the monitors down and what !N\n"+
			"counts. Prints nothing and exits 0 when no daemon answers (--verbose says why\n"+
			"and exits 1); --verbose also says on stderr what !N counts.")
	tmux := fs.Bool("tmux", false, "tmux colour codes (#[fg=red]…) for status-left/status-right")
	prompt := fs.Bool("prompt", false, "plain text, only what is down or degraded, for a shell prompt")
	asJSON := fs.Bool("json", false, "a JSON object: counts by status and the names of the monitors down")
	addr := fs.String("addr", "", "the daemon: a unix socket `path` or http(s)://host:port (default: the config's [api] socket, else the local daemon's)")
	token := fs.String("token", "", "bearer token for an http(s) address (default: $UPBEAT_TOKEN, then the config's [fleet] token)")
	cfgPath := fs.String("config", "", "read the daemon's socket ([api] socket) and token from this config `file` (default ./upbeat.toml, then the XDG config)")
	timeout := fs.Duration("timeout", statusline.Timeout, "give up after this long and print nothing")
	verbose := fs.Bool("verbose", false, "say on stderr why nothing was printed (and exit 1 then), and what !N counts")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	n := 0
	for _, b := range []bool{*tmux, *prompt, *asJSON} {
		if b {
			n++
		}
	}
	if n > 1 || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, "upbeat: status: give at most one of --tmux, --prompt and --json, and no names")
		return exitConfig
	}
	budget := *timeout
	if by := quickstatus.GiveUpBy; !by.IsZero() && !flagSet(fs, "timeout") {
		budget = time.Until(by) // what the paths before this one left of the budget
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	sum, err := fetchSummaryWithin(ctx, e, *addr, *token, *cfgPath)
	if err != nil {
		if *verbose {
			if errors.As(err, new(*config.MissingError)) {
				printConfigErrors(e, err)
			} else {
				fmt.Fprintln(e.stderr, "upbeat: status:", err)
			}
			return exitDown
		}
		return exitOK
	}
	mode := statusline.Plain
	switch {
	case *asJSON:
		mode = statusline.JSON
	case *tmux:
		mode = statusline.Tmux
	case *prompt:
		mode = statusline.Prompt
	}
	statusline.Write(e.stdout, sum, mode)
	if *verbose {
		for _, w := range sum.WarningMessages { // what !N counts
			fmt.Fprintln(e.stderr, "upbeat: status: warning:", engine.Sanitize(w, 300))
		}
		if n := sum.Warnings - len(sum.WarningMessages); n > 0 { // a daemon too old to name them
			fmt.Fprintf(e.stderr, "upbeat: status: %d problem(s) with upbeat itself; this daemon does not name them: 'upbeat attach' shows them\n", n)
		}
	}
	return exitOK
}

// fetchSummaryWithin is fetchSummary, given up on when ctx is done even
// while it waits on something that does not heed ctx: opening a config
// named on the command line that is a FIFO waits for a writer.
func fetchSummaryWithin(ctx context.Context, e *env, addr, token, cfgPath string) (wire.Summary, error) {
	type result struct {
		sum wire.Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := fetchSummary(ctx, e, addr, token, cfgPath)
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		return r.sum, r.err
	case <-ctx.Done():
	}
	// A daemon that is slow to answer: the request heeds ctx and says why
	// at once. What does not is reading a config.
	select {
	case r := <-done:
		return r.sum, r.err
	case <-time.After(100 * time.Millisecond):
		return wire.Summary{}, fmt.Errorf("no answer in time (still reading %s?)", cmp.Or(cfgPath, "the config"))
	}
}

// fetchSummary asks the daemon at addr (a socket path or an http(s) URL),
// else at the [api] socket of the config (the one at cfgPath, else the one
// found in the usual places), else at the local daemon's socket, for its
// summary. Of the config only [api] and [fleet] are read, for an address,
// and only the [api] socket without one; only when a file is there.
func fetchSummary(ctx context.Context, e *env, addr, token, cfgPath string) (wire.Summary, error) {
	addr = daemonaddr.Normalize(addr)
	if addr != "" {
		ep, cfgErr := findEndpoints(e, cfgPath)
		if cfgErr != nil && cfgPath != "" {
			return wire.Summary{}, cfgErr
		}
		remote := strings.HasPrefix(addr, "http://") || strings.HasPrefix(addr, "https://")
		if remote && token == "" {
			token = e.getenv("UPBEAT_TOKEN")
		}
		if remote && token == "" && ep != nil {
			token = ep.Fleet.Token
			if token == "" && (cfgPath != "" || sameListen(addr, ep.API.Listen)) {
				token = ep.API.Token // a config named, or this config's own listener
			}
		}
		return summaryFrom(ctx, addr, token)
	}
	sockets := []string{config.DefaultSocket(), paths.SystemSocket}
	var cfgErr error
	if path, err := config.Find(cfgPath); err == nil {
		var socket string
		socket, cfgErr = config.SocketWithEnv(path, e.lookup())
		if cfgErr == nil && socket != config.DefaultSocket() {
			sockets = []string{socket} // the config's daemon, no other
		}
	} else if !errors.Is(err, config.ErrNoConfig) {
		cfgErr = err
	}
	if cfgErr != nil && cfgPath != "" {
		return wire.Summary{}, cfgErr
	}
	var errs []string
	for _, p := range sockets {
		s, err := summaryAt(ctx, p, "") // a socket path, even one that reads like host:port
		if err == nil {
			return s, nil
		}
		errs = append(errs, err.Error())
	}
	if cfgErr != nil { // a config found but unreadable: the default sockets were asked
		errs = append(errs, "the config's [api] socket is unknown: "+cfgErr.Error())
	}
	return wire.Summary{}, errors.New("no daemon answers: " + strings.Join(errs, "; "))
}

// summaryFrom asks one daemon for GET /api/v1/summary at an address
// given on the command line: a socket path or a URL, host:port for one.
func summaryFrom(ctx context.Context, addr, token string) (wire.Summary, error) {
	return summaryAt(ctx, daemonaddr.Normalize(addr), token) // host:port is a TCP address, not a socket path
}

// summaryAt is summaryFrom at a URL or a unix socket's path.
func summaryAt(ctx context.Context, addr, token string) (wire.Summary, error) {
	base, tr := strings.TrimRight(addr, "/"), &http.Transport{}
	if !strings.Contains(addr, "://") { // a unix socket
		base = "http://upbeat"
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", addr)
		}
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/summary", nil)
	if err != nil {
		return wire.Summary{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return wire.Summary{}, fmt.Errorf("%s: %s", addr, daemonaddr.Why(err))
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, statusline.MaxSummary)
	if resp.StatusCode != http.StatusOK {
		var we wire.Error
		json.NewDecoder(body).Decode(&we)
		return wire.Summary{}, fmt.Errorf("%s: %s %s", addr, resp.Status, we.Error)
	}
	var s wire.Summary
	if err := json.NewDecoder(body).Decode(&s); err != nil {
		return wire.Summary{}, fmt.Errorf("%s: %w", addr, err)
	}
	return s, nil
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
