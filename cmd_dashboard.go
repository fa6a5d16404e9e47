package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"early.upbeat.invalid/paths"
	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/client"
	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/demo"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/internal/daemonaddr"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/tui"
)

// cmdDashboard is plain `upbeat`: the dashboard on the config found, or
// the demo when there is no config at all.
func cmdDashboard(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "upbeat", "[--config FILE] [--mouse]",
		"The live dashboard. With no config at all it runs the built-in demo and says so.")
	cfgPath := fs.String("config", "", "config `file` (default ./upbeat.toml, then the XDG config)")
	mouse := fs.Bool("mouse", false, "enable mouse reporting (takes away the terminal's own text selection)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	// a daemon already running this config (or, with none named, any local
	// one) is attached to rather than started a second time
	tried := dashboardSockets(e, *cfgPath)
	if p := daemonOn(e, tried...); p != "" {
		return runAttached(ctx, e, []string{p}, "", *mouse)
	}
	if _, err := config.Find(*cfgPath); errors.Is(err, config.ErrNoConfig) && *cfgPath == "" {
		fmt.Fprintln(e.stderr, "upbeat: no config found, so this is the built-in demo; 'upbeat init' writes a starter config")
		return runDemo(ctx, e, dashOptions{mouse: *mouse}) // the dashboard's header says it is the demo
	}
	cfg, code := loadConfig(ctx, e, *cfgPath)
	if cfg == nil {
		return code
	}
	return runLocal(ctx, e, cfg, dashOptions{mouse: *mouse, tried: tried})
}

// dashboardSockets returns where the dashboard looks for a running daemon
// before it starts an engine of its own: the [api] socket of the config
// (named, else found), and with no config named also the default and the
// system sockets, where any local daemon answers.
func dashboardSockets(e *env, explicit string) []string {
	var out []string
	if ep, _ := findEndpoints(e, explicit); ep != nil {
		out = append(out, ep.API.Socket)
	}
	if explicit == "" {
		for _, p := range []string{config.DefaultSocket(), paths.SystemSocket} {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// findEndpoints reads [api] and [fleet] of the config named, else of the
// one found in the usual places; nil and no error when there is none.
func findEndpoints(e *env, explicit string) (*config.Endpoints, error) {
	path, err := config.Find(explicit)
	if errors.Is(err, config.ErrNoConfig) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return config.LoadEndpointsWithEnv(path, e.lookup())
}

type dashOptions struct {
	mouse bool
	// tried are the sockets on which no daemon answered before the
	// dashboard started its own engine, named when the history turns out
	// to be locked by one.
	tried []string
	demo  bool
	speed float64
	// historyDir overrides where results are kept (the demo keeps them in
	// a temporary directory).
	historyDir string
}

func cmdDemo(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "demo", "demo [--mouse] [--speed N]",
		"The dashboard against a built-in origin on loopback that produces every failure the\n"+
			"error-code article describes: 500 bursts, a 502 from a dead upstream, a 503 maintenance\n"+
			"with Retry-After, a 504 after latency creeps up, a 200 whose JSON says DOWN, a refused\n"+
			"port, a certificate expiring in days and Cloudflare-style 52x. Nothing leaves this machine.")
	mouse := fs.Bool("mouse", false, "enable mouse reporting")
	speed := fs.Float64("speed", 1, "play the story this many times faster")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if !(*speed >= 0.1 && *speed <= 100) { // also refuses NaN
		fmt.Fprintln(e.stderr, "upbeat: demo: --speed must be between 0.1 and 100")
		return exitConfig
	}
	return runDemo(ctx, e, dashOptions{mouse: *mouse, speed: *speed})
}

func runDemo(ctx context.Context, e *env, o dashOptions) int {
	if o.speed == 0 {
		o.speed = 1
	}
	origin, err := demo.Start(ctx, demo.Options{Speed: o.speed})
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat: demo:", err)
		return exitConfig
	}
	defer origin.Close()
	o.demo = true
	dir, err := os.MkdirTemp("", "upbeat-demo-history-")
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat: demo:", err)
		return exitConfig
	}
	defer os.RemoveAll(dir)
	o.historyDir = dir
	// a week of simulated results first, so that uptime, percentiles,
	// incidents and errors by hour have something to show at once; the
	// dashboard's header says it is simulated (SourceInfo.Demo)
	if _, err := origin.WritePast(dir, time.Now(), demo.PastSpan); err != nil {
		fmt.Fprintln(e.stderr, "upbeat: demo:", err)
		return exitConfig
	}
	return runLocal(ctx, e, origin.Config(), o)
}

// runLocal runs an engine in this process and shows it: the dashboard on
// a terminal, a plain table every few seconds otherwise.
func runLocal(ctx context.Context, e *env, cfg *config.Config, o dashOptions) int {
	logger, closeLog := openLog(e)
	defer closeLog()
	var term io.Writer
	if e.isTTY {
		term = e.stdout // terminal alerts: OSC 9/777 to the terminal the dashboard runs in
	}
	rt, err := newRuntime(cfg, runtimeOptions{getenv: e.getenv, log: logger, terminal: term, historyDir: o.historyDir,
		checkDelivery: !e.isTTY})
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		if errors.Is(err, history.ErrLocked) {
			explainLocked(e, cfg, o.tried)
		}
		return exitConfig
	}
	defer rt.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { rt.eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	config := cfg.Path
	if o.demo {
		config = "built-in demo"
	}
	src := rt.localSource(config, o.demo)
	var attached func() int // dashboards attached to this engine through its API
	if !o.demo {
		var stopAPI func()
		attached, stopAPI = serveLocalAPI(e, cfg, rt, src, logger)
		defer stopAPI()
	}
	if !e.isTTY {
		return livePlain(ctx, e.stdout, rt.eng.Snapshot, e.plainPeriod())
	}
	if err := tui.Run(ctx, src, tui.Options{Mouse: o.mouse, Output: e.stdout, Input: e.stdin, User: localUser(e),
		Attached: attached}); err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	return exitOK
}

// livePlain prints the monitors table every period until ctx is done:
// the output of an upbeat that runs the engine itself when stdout is not
// a terminal, a log of what it watches.
func livePlain(ctx context.Context, w io.Writer, snapshot func() []monitor.State, period time.Duration) int {
	t := time.NewTicker(period)
	defer t.Stop()
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return exitOK
			case <-t.C:
			}
		}
		if err := plainFrame(w, snapshot()); err != nil {
			return exitOK // the reader went away
		}
	}
}

// plainFrame prints the time and the monitors table, then a blank line.
func plainFrame(w io.Writer, states []monitor.State) error {
	fmt.Fprintf(w, "%s\n", time.Now().Format("2006-01-02 15:04:05"))
	if err := tui.PrintPlain(w, states, 0); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

// printAttached prints a daemon's monitors once, for output that is not a
// terminal (a pipe, a file), and ends: the daemon does the watching, and a
// table printed every few seconds until killed is no use to a script,
// which is told on stderr what serves it.
func printAttached(ctx context.Context, e *env, c *client.Client) int {
	fmt.Fprintln(e.stderr, "upbeat: not a terminal, so the table is printed once; a script reads 'upbeat status --json' or the API (/api/v1/monitors, /api/v1/events)")
	states, err := c.Now(ctx) // as they are now, not as the stream has told so far
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat: attach:", err)
		if len(states) == 0 {
			return exitConfig
		}
	}
	plainFrame(e.stdout, states) // an error: the reader went away
	return exitOK
}

// daemonOn returns the first of sockets on which an upbeat daemon (or
// dashboard) answers, "" when none does. A socket this user may not open
// is named on stderr, so that nobody wonders why a second engine started.
func daemonOn(e *env, sockets ...string) string {
	for _, p := range sockets {
		if client.LocalDaemon(p) {
			return p
		}
		if c, err := net.Dial("unix", p); err == nil {
			c.Close()
		} else if errors.Is(err, os.ErrPermission) {
			fmt.Fprintf(e.stderr, "upbeat: a daemon's socket is at %s but this user may not open it (ask to join its group)\n", p)
		}
	}
	return ""
}

// explainLocked says, after the history turned out to be locked, that
// another upbeat writes it which this dashboard could not reach, and how
// to attach to it instead.
func explainLocked(e *env, cfg *config.Config, tried []string) {
	where := "no socket"
	if len(tried) > 0 {
		where = strings.Join(tried, ", ")
	}
	fmt.Fprintf(e.stderr, "upbeat: that upbeat (a daemon, most likely) answers on none of the sockets this dashboard tried (%s), so it could not attach to it\n", where)
	fmt.Fprintf(e.stderr, "upbeat: attach with 'upbeat attach SOCKET' naming the [api] socket that daemon serves (it logs it at start as socket=…), or set that socket under [api] in %s\n", cfg.Path)
}

func cmdAttach(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "attach", "attach [--token T] [--config FILE] [ADDR…]",
		"The dashboard on one or more running daemons. An ADDR is a unix socket path or an\n"+
			"http(s)://host:port URL; with none, the daemons of the config's [fleet], else the config's\n"+
			"[api] socket, else (when the config names none) the local daemon's socket. With several, monitors are merged (the shards' monitors side by side,\n"+
			"the replicas of one location as one), each location gets a column, and a header line\n"+
			"says which daemons answer. Reconnects by itself after a daemon restart. Without a\n"+
			"terminal it prints the table once and ends ('upbeat status --json' is for scripts).")
	token := fs.String("token", "", "bearer token for the daemons (default: [fleet] token, the config's [api] token for its own listen address, then $UPBEAT_TOKEN)")
	cfgPath := fs.String("config", "", "config `file` whose [fleet] or [api] socket names the daemons (default ./upbeat.toml, then the XDG config)")
	mouse := fs.Bool("mouse", false, "enable mouse reporting")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	addrs, tok, code := attachAddrs(e, fs.Args(), *cfgPath)
	if code != exitOK {
		return code
	}
	if *token == "" {
		*token = tok
	}
	return runAttached(ctx, e, addrs, *token, *mouse)
}

// attachAddrs returns the daemons attach shows and the token the config
// has for them (see findDaemons).
func attachAddrs(e *env, args []string, explicit string) ([]string, string, int) {
	return findDaemons(e, daemonSearch{who: "attach", nameOne: "name an address"}, args, explicit)
}

// daemonSearch is who looks for the daemons, in findDaemons' messages.
type daemonSearch struct {
	who     string // the command: attach, ack, …
	nameOne string // how to name a daemon instead: "name an address"
}

// findDaemons returns the daemons a command talks to and the token the
// config has for them: the addresses given; else the config's [fleet]
// daemons and token; else its [api] socket; else, when the config names
// no socket (or there is no config), the local daemon's. The config is
// the one named, whose mistakes are reported, else the one found in the
// usual places. A given address that is the config's own [api] listen
// address gets the config's [api] token.
func findDaemons(e *env, ds daemonSearch, args []string, explicit string) ([]string, string, int) {
	ep, err := findEndpoints(e, explicit)
	if err != nil {
		if explicit != "" {
			printConfigErrors(e, err)
			return nil, "", exitConfig
		}
		fmt.Fprintf(e.stderr, "upbeat: %s: the config's [api] and [fleet] are unreadable, so the default socket is used: %v\n", ds.who, err)
	}
	if len(args) > 0 {
		args = slices.Clone(args)
		for i, a := range args {
			args[i] = daemonaddr.Normalize(a) // host:port is a TCP address
		}
		var token string
		if ep != nil {
			for _, a := range args {
				if sameListen(a, ep.API.Listen) {
					token = ep.API.Token
				}
			}
		}
		return args, token, exitOK
	}
	if ep != nil && len(ep.Fleet.Daemons) > 0 {
		return ep.Fleet.Daemons, ep.Fleet.Token, exitOK
	}
	if ep != nil && ep.API.Socket != config.DefaultSocket() {
		if daemonOn(e, ep.API.Socket) == "" {
			fmt.Fprintf(e.stderr, "upbeat: no daemon answers on %s (the [api] socket of %s); start one with 'upbeat daemon' or %s\n", ep.API.Socket, ep.Path, ds.nameOne)
			return nil, "", exitConfig
		}
		return []string{ep.API.Socket}, "", exitOK
	}
	p := daemonOn(e, config.DefaultSocket(), paths.SystemSocket)
	if p == "" {
		fmt.Fprintf(e.stderr, "upbeat: no daemon answers on %s; start one with 'upbeat daemon' or %s\n", config.DefaultSocket(), ds.nameOne)
		return nil, "", exitConfig
	}
	return []string{p}, "", exitOK
}

// sameListen reports whether the http(s) address addr is the TCP listen
// address listen ("127.0.0.1:9477", ":9477"): the same port, and the same
// host, or any host of this machine when listen names none.
func sameListen(addr, listen string) bool {
	if listen == "" {
		return false
	}
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	lh, lp, err := net.SplitHostPort(listen)
	if err != nil || u.Port() != lp {
		return false
	}
	h := u.Hostname()
	if h == lh {
		return true
	}
	// a listener on every address, or on loopback, is reached through any
	// name of loopback
	return (lh == "" || lh == "0.0.0.0" || lh == "::" || loopbackName(lh)) && loopbackName(h)
}

// loopbackName reports whether host is localhost or a loopback address.
func loopbackName(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func runAttached(ctx context.Context, e *env, addrs []string, token string, mouse bool) int {
	if token == "" {
		token = e.getenv("UPBEAT_TOKEN")
	}
	logger, closeLog := openLog(e)
	defer closeLog()
	c, err := client.Dial(ctx, addrs, client.Options{Token: token, Logger: logger})
	if err != nil {
		fmt.Fprintln(e.stderr, "upbeat: attach:", err)
		return exitConfig
	}
	defer c.Close()
	if !e.isTTY {
		return printAttached(ctx, e, c)
	}
	if err := tui.Run(ctx, c, tui.Options{Mouse: mouse, Output: e.stdout, Input: e.stdin, User: localUser(e)}); err != nil {
		fmt.Fprintln(e.stderr, "upbeat:", err)
		return exitConfig
	}
	return exitOK
}

// serveLocalAPI serves the API on the socket from the dashboard's own
// engine: push monitors get their beats, /metrics works, and a second
// `upbeat` attaches to this one instead of starting another engine. TCP
// ([api] listen) is left to the daemon. attached counts the dashboards
// attached through it (nil when it is not served).
func serveLocalAPI(e *env, cfg *config.Config, rt *runtime, src api.Backend, logger *slog.Logger) (attached func() int, stop func()) {
	socket := cfg.API.Socket
	if socket == "" {
		socket = config.DefaultSocket()
	}
	srv := api.New(src, api.Options{Socket: socket, Token: cfg.API.Token, ReadOnlyToken: cfg.API.ReadOnlyToken,
		Version: versionString(), Logger: logger})
	if err := srv.Start(); err != nil {
		logger.Warn("api not served", "socket", socket, "err", err)
		for _, m := range cfg.Monitors {
			if m.Kind == monitor.KindPush {
				rt.eng.Warn("api", "push monitors get no beats: the API socket is not served ("+
					engine.Sanitize(err.Error(), 120)+")")
				break
			}
		}
		return nil, func() {}
	}
	return srv.Viewers, func() { srv.Close() }
}
