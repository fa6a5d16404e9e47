// Package api is the daemon's HTTP API: monitor state and actions, a
// server-sent event stream for attached dashboards, push heartbeats,
// Prometheus metrics, and the config watcher that reloads the engine.
//
// It serves on a unix socket (mode 0660, so that a group on a jump host
// can attach) and optionally on TCP. On a non-loopback address every
// request needs a bearer token; a read-only token may watch but not act.
// The JSON shapes are in package wire and documented in API.md.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"early.upbeat.invalid/paths"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// Backend is what the API serves: a Source, as every viewer reads and
// acts on it, and what only a daemon has besides. The engine running in
// the daemon's process implements it (package source/local); tests may
// fake it.
type Backend interface {
	source.Source
	// State returns one monitor's state, or an error wrapping
	// source.ErrNoMonitor.
	State(name string) (monitor.State, error)
	// Push records a heartbeat for the push monitor with this token; the
	// error wraps source.ErrNoMonitor for an unknown token.
	Push(token string, status monitor.Status, msg string) (string, error)
	// Stats returns the engine's health counters, for /metrics.
	Stats() engine.Stats
}

// Named errors.
var (
	// ErrDaemonRunning: another daemon answers on the socket.
	ErrDaemonRunning = errors.New("another upbeat daemon is already running")
	// ErrTokenRequired: a non-loopback listen address without a token.
	ErrTokenRequired = errors.New("a token is required to listen on a non-loopback address")
	// ErrNotSocket: the socket path exists and is not a socket.
	ErrNotSocket = errors.New("exists and is not a socket")
)

// Defaults.
const (
	DefaultHeartbeat = 15 * time.Second
	DefaultRing      = 1024
	DefaultMaxBody   = 64 << 10
)

// Options configure a Server. Zero values are sensible defaults except
// that at least one of Socket and Listen must be set.
type Options struct {
	// Socket is the unix socket path ("" for none). Its directory is
	// created (0750) if missing; the socket is made 0660.
	Socket string
	// Listen is a TCP address besides the socket ("" for none). Anything
	// but a loopback address requires Token or ReadOnlyToken.
	Listen string
	// Token may watch and act; ReadOnlyToken may only watch.
	Token         string
	ReadOnlyToken string
	// AllowedHosts are extra Host header values accepted on TCP (names,
	// with or without a port), besides localhost and loopback addresses.
	AllowedHosts []string
	// Version is reported by /healthz and the event stream.
	Version string
	// Heartbeat is the interval of SSE keep-alive comments (default 15s).
	Heartbeat time.Duration
	// Ring is how many events are kept for clients resuming with
	// Last-Event-ID (default 1024).
	Ring int
	// MaxBody bounds a request body (default 64 KiB).
	MaxBody int64
	// ReadTimeout bounds reading a whole request, body included (default
	// 30s); event streams lift it once their request is read.
	ReadTimeout time.Duration
	// WriteTimeout bounds each write to an event stream (default 10s): a
	// viewer that does not read is dropped after it.
	WriteTimeout time.Duration
	// EventBatch: under a steady flow of events, the stream sends them in
	// batches at most this often (default 250ms), which makes the
	// compressed stream several times smaller; a quiet stream sends each
	// event at once.
	EventBatch time.Duration
	// Logger receives the server's own problems; nil: discarded.
	Logger *slog.Logger
	// Pages are status pages served beside the API; nil: none.
	Pages Pages
}

// Server is the daemon's HTTP API. Create it with New, then Start it;
// Close stops it.
type Server struct {
	b     Backend
	opts  Options
	log   *slog.Logger
	mux   *http.ServeMux
	strm  *stream
	met   *metrics
	hosts map[string]bool
	tok   atomic.Pointer[tokens] // the bearer tokens in force (SetTokens)

	mu        sync.Mutex
	servers   []*http.Server
	listeners []net.Listener
	socket    string // the socket file we created, removed on Close
	cancel    context.CancelFunc
	done      chan struct{} // closed by Close: SSE handlers return
	bg        sync.WaitGroup
	started   bool
	closed    bool
	remote    bool // Listen is not a loopback address
}

// New makes a server for b. It does not listen yet: call Start.
func New(b Backend, opts Options) *Server {
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = DefaultHeartbeat
	}
	if opts.Ring <= 0 {
		opts.Ring = DefaultRing
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = 30 * time.Second
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if opts.EventBatch <= 0 {
		opts.EventBatch = defaultEventsEvery
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{b: b, opts: opts, log: opts.Logger, done: make(chan struct{})}
	s.hosts = allowedHosts(opts)
	s.tok.Store(newTokens(opts.Token, opts.ReadOnlyToken))
	s.met = newMetrics(b)
	s.strm = newStream(b, opts.Ring, s.met)
	s.strm.every = opts.EventBatch
	s.mux = s.routes()
	return s
}

// Handler returns the API's handler with every check (Host, token, body
// limit) in place, treating requests as coming from a remote TCP
// listener unless the connection says otherwise. Start serves it.
func (s *Server) Handler() http.Handler { return s.guard(s.mux) }

// Start listens on the socket and the TCP address and serves in the
// background. It fails with ErrTokenRequired for a non-loopback address
// without a token, and with ErrDaemonRunning when another daemon answers
// on the socket; a stale socket file is removed.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("api server already started")
	}
	if s.opts.Socket == "" && s.opts.Listen == "" {
		return errors.New("api: neither a socket nor a listen address")
	}
	var tcpTrust trust
	if s.opts.Listen != "" {
		loop, err := isLoopbackAddr(s.opts.Listen)
		if err != nil {
			return fmt.Errorf("api listen %s: %w", s.opts.Listen, err)
		}
		tcpTrust = trustLoopback
		if !loop {
			tcpTrust = trustRemote
			if tk := s.tok.Load(); tk.admin == "" && tk.read == "" {
				return fmt.Errorf("api listen %s: %w", s.opts.Listen, ErrTokenRequired)
			}
		}
	}
	var ls []net.Listener
	var trusts []trust
	fail := func(err error) error {
		for _, l := range ls {
			l.Close()
		}
		if s.socket != "" {
			os.Remove(s.socket)
			s.socket = ""
		}
		return err
	}
	if s.opts.Socket != "" {
		l, err := listenSocket(s.opts.Socket)
		if err != nil {
			return fail(err)
		}
		s.socket = s.opts.Socket
		ls, trusts = append(ls, l), append(trusts, trustSocket)
	}
	if s.opts.Listen != "" {
		l, err := net.Listen("tcp", s.opts.Listen)
		if err != nil {
			return fail(fmt.Errorf("api listen: %w", err))
		}
		if tcpTrust == trustLoopback {
			s.hosts[hostOnly(l.Addr().String())] = true
		}
		ls, trusts = append(ls, l), append(trusts, tcpTrust)
		s.remote = tcpTrust == trustRemote
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	// now, not in the goroutine: no event may fall between the first snapshot and it
	var sub *source.Subscription
	if j, ok := s.b.(source.Journaled); ok {
		past, jsub := j.SubscribeJournal()
		s.strm.begin(past)
		sub = jsub
	} else {
		sub = s.b.Subscribe()
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.strm.run(ctx, sub)
	}()
	h := s.Handler()
	for i, l := range ls {
		tr := trusts[i]
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: min(10*time.Second, s.opts.ReadTimeout),
			ReadTimeout:       s.opts.ReadTimeout,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
			BaseContext:       func(net.Listener) context.Context { return ctx },
			ConnContext: func(c context.Context, nc net.Conn) context.Context {
				return context.WithValue(context.WithValue(c, trustKey{}, tr), connKey{}, nc)
			},
		}
		s.servers = append(s.servers, srv)
		s.listeners = append(s.listeners, l)
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("api server stopped", "addr", l.Addr().String(), "err", err)
			}
		}()
	}
	s.started = true
	return nil
}

// Addrs returns the addresses the server listens on, socket first.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]net.Addr, len(s.listeners))
	for i, l := range s.listeners {
		out[i] = l.Addr()
	}
	return out
}

// TCPAddr returns the TCP address listened on ("" when none), with the
// port chosen by the system when Listen asked for port 0.
func (s *Server) TCPAddr() string {
	for _, a := range s.Addrs() {
		if a.Network() == "tcp" {
			return a.String()
		}
	}
	return ""
}

// Viewers returns how many event streams are open now: the dashboards
// attached (upbeat attach), and whatever else follows the stream.
func (s *Server) Viewers() int { return s.strm.viewerCount() }

// Close stops serving: event streams end, requests in flight get a few
// seconds to finish, and the socket file is removed.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	servers := s.servers
	sock := s.socket
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
			srv.Close()
		}
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.bg.Wait()
	if sock != "" {
		if err := os.Remove(sock); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// listenSocket listens on a unix socket at path with mode 0660. A socket
// file nobody answers on is removed first; one a daemon answers on is
// ErrDaemonRunning. The socket is created under a temporary name, made
// 0660, then renamed into place, so that it is never reachable with
// wider permissions.
func listenSocket(path string) (net.Listener, error) {
	if len(path) > paths.MaxSocket {
		return nil, fmt.Errorf("socket path %s is %d bytes long, and a unix socket's may be at most %d: set [api] socket to a shorter path (or XDG_RUNTIME_DIR, which the default is in)",
			path, len(path), paths.MaxSocket)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("api socket dir: %w", err)
	}
	if err := checkSocketDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("api socket %s: %w", path, ErrNotSocket)
		}
		c, err := net.DialTimeout("unix", path, time.Second)
		if err == nil {
			c.Close()
			return nil, fmt.Errorf("api socket %s: %w", path, ErrDaemonRunning)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ENOENT) {
			return nil, fmt.Errorf("api socket %s: %w", path, err)
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("remove stale socket: %w", err)
		}
	}
	tmp := path + ".new." + strconv.Itoa(os.Getpid())
	if len(tmp) > paths.MaxSocket { // a short name beside it, then
		tmp = filepath.Join(filepath.Dir(path), ".ub"+strconv.Itoa(os.Getpid()))
	}
	if fi, err := os.Lstat(tmp); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(tmp) // left by a daemon of this PID that died before the rename
	}
	l, err := net.Listen("unix", tmp)
	if err != nil {
		return nil, fmt.Errorf("api socket: %w", err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o660); err != nil {
		l.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("api socket mode: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		l.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("api socket: %w", err)
	}
	return l, nil
}

// ErrUnsafeDir: the socket's directory could be changed by someone else,
// who could then put their own socket in its place.
var ErrUnsafeDir = errors.New("socket directory is not safe")

// checkSocketDir refuses a directory owned by another user (root aside)
// or writable by others without the sticky bit: a per-user directory
// under /tmp that someone else created first, for instance.
func checkSocketDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("api socket dir: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("api socket dir %s: %w: not a directory", dir, ErrUnsafeDir)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := uint32(os.Geteuid()); st.Uid != uid && st.Uid != 0 {
		return fmt.Errorf("api socket dir %s: %w: owned by uid %d", dir, ErrUnsafeDir, st.Uid)
	}
	if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&os.ModeSticky == 0 {
		return fmt.Errorf("api socket dir %s: %w: writable by others (mode %v)", dir, ErrUnsafeDir, fi.Mode().Perm())
	}
	return nil
}

// isLoopbackAddr reports whether a listen address only accepts loopback
// connections. An empty host (all interfaces) is not loopback; a name
// other than localhost is resolved.
func isLoopbackAddr(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, err
	}
	if host == "" {
		return false, nil
	}
	if host == "localhost" {
		return true, nil
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback(), nil
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return false, err
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return false, nil
		}
	}
	return len(ips) > 0, nil
}
