// Package demo runs a simulated origin on loopback that fails in every way
// an uptime monitor should recognise: 500 bursts, a reverse proxy whose
// upstream dies (502), planned maintenance (503 with Retry-After), a
// backend that slows down until the proxy gives up (504), a 200 whose JSON
// says DOWN, a Cloudflare-style edge answering 520, 522 and 524, a port
// that refuses connections and a certificate that expires in days.
//
// The failures follow a story that repeats every Cycle (compressed by
// Options.Speed), so a dashboard watching the demo config shows incidents
// opening and resolving. What every scenario does at a moment is the pure
// function PhaseAt; the handlers consult it through an injectable clock,
// so tests step through the story without waiting.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Options configure the demo origin. The zero value is ready to use.
type Options struct {
	// Now is the clock the story follows; default time.Now. The story
	// starts at the time Now returns when Start is called.
	Now func() time.Time
	// Speed runs the story, every delay the origin adds, its internal
	// proxy timeouts and the demo config's intervals and timeouts this many
	// times faster than normal. 0 means 1; it must not be negative.
	Speed float64
	// Seed makes the latency jitter repeatable; 0 picks one from the clock.
	Seed uint64
	// Dir is where the CA certificate file for the TLS monitor is
	// written; default a new temporary directory that Close removes.
	Dir string
	// ErrorLog receives the servers' own errors (TLS handshakes cut short
	// and the like); default they are discarded, so a dashboard sharing the
	// terminal is not disturbed.
	ErrorLog *log.Logger

	// hookWait, for tests, is called when a handler starts waiting d.
	hookWait func(d time.Duration)
}

// Delays inside the origin at Speed 1. Each is below the demo monitors'
// timeout, so the monitor sees the proxy's or edge's answer, not its own
// timeout.
const (
	proxyTimeout       = 1500 * time.Millisecond // the search proxy's wait for response headers (504 after it)
	edgeOriginTimeout  = 1500 * time.Millisecond // the edge's wait for the origin's response (524 after it)
	edgeConnectTimeout = 1000 * time.Millisecond // the edge's wait for a TCP handshake (522 after it)
	syncEvery          = 200 * time.Millisecond  // how often listeners are brought in line with the story
)

// Origin is a running demo origin. Close stops it.
type Origin struct {
	now   func() time.Time
	start time.Time
	speed float64

	ctx    context.Context // cancelled by Close: ends every handler's wait
	cancel context.CancelFunc
	errLog *log.Logger
	// hookWait, when set, is told about every wait a handler starts.
	hookWait func(d time.Duration)

	randMu sync.Mutex
	rand   *rand.Rand
	seed   uint64 // of rand, and of the simulated past

	// lifeMu guards closing and stopAfter; handlers enter under its read lock.
	lifeMu   sync.RWMutex
	closing  bool
	handlers sync.WaitGroup // handlers running
	workers  sync.WaitGroup // Serve goroutines and the story ticker

	servers    []*http.Server
	transports []*http.Transport
	upstream   *toggle // payments upstream
	legacy     *toggle // legacy-port
	certs      *demoCerts
	caFile     string
	tempDir    string // removed by Close; "" when the caller gave Dir

	// Loopback addresses of what the monitors watch.
	appAddr, paymentsAddr, searchAddr, edgeAddr, tlsAddr string

	stopAfter func() bool // unregisters the close on ctx done
	closeOnce sync.Once
	closeErr  error
}

// Start starts the demo origin on loopback. It stops when ctx is done or
// Close is called, whichever comes first.
func Start(ctx context.Context, opts Options) (*Origin, error) {
	if opts.Speed < 0 || math.IsNaN(opts.Speed) || math.IsInf(opts.Speed, 0) {
		return nil, fmt.Errorf("demo speed %v: must be a positive number", opts.Speed)
	}
	o := &Origin{now: opts.Now, speed: opts.Speed, errLog: opts.ErrorLog, hookWait: opts.hookWait}
	if o.now == nil {
		o.now = time.Now
	}
	if o.speed == 0 {
		o.speed = 1
	}
	if o.errLog == nil {
		o.errLog = log.New(io.Discard, "", 0)
	}
	o.start = o.now()
	seed := opts.Seed
	if seed == 0 {
		seed = uint64(o.start.UnixNano())
	}
	o.seed = seed
	o.rand = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	o.ctx, o.cancel = context.WithCancel(context.WithoutCancel(ctx))

	if err := o.build(opts.Dir); err != nil {
		_ = o.Close()
		return nil, err
	}
	o.workers.Add(1)
	go o.tick()
	o.lifeMu.Lock()
	o.stopAfter = context.AfterFunc(ctx, func() { _ = o.Close() })
	o.lifeMu.Unlock()
	return o, nil
}

// build creates the certificates and starts every listener.
func (o *Origin) build(dir string) error {
	o.certs = newCerts(o.now())
	var err error
	if dir == "" {
		dir, err = os.MkdirTemp("", "upbeat-demo-")
		if err != nil {
			return fmt.Errorf("create temp dir: %w", err)
		}
		o.tempDir = dir
	}
	o.caFile = filepath.Join(dir, "demo-ca.pem")
	if err := os.WriteFile(o.caFile, o.certs.caPEM, 0o600); err != nil {
		return fmt.Errorf("write ca file: %w", err)
	}

	// Backends first, then what sits in front of them.
	o.upstream, err = newToggle(o.serveHTTP(o.paymentsUpstream()), true)
	if err != nil {
		return fmt.Errorf("payments upstream: %w", err)
	}
	o.legacy, err = newToggle(acceptAndGreet, false)
	if err != nil {
		return fmt.Errorf("legacy port: %w", err)
	}
	searchBackend, err := o.listen(o.searchBackend())
	if err != nil {
		return fmt.Errorf("search backend: %w", err)
	}
	cdnOrigin, err := o.listen(o.cdnOrigin())
	if err != nil {
		return fmt.Errorf("cdn origin: %w", err)
	}

	if o.appAddr, err = o.listen(o.app()); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	if o.paymentsAddr, err = o.listen(o.paymentsProxy()); err != nil {
		return fmt.Errorf("payments proxy: %w", err)
	}
	if o.searchAddr, err = o.listen(o.searchProxy(searchBackend)); err != nil {
		return fmt.Errorf("search proxy: %w", err)
	}
	if o.edgeAddr, err = o.listen(o.edge(cdnOrigin)); err != nil {
		return fmt.Errorf("cdn edge: %w", err)
	}
	if o.tlsAddr, err = o.listenTLS(o.auth()); err != nil {
		return fmt.Errorf("auth tls: %w", err)
	}
	return nil
}

// Close stops every listener, ends every handler and goroutine of the
// origin, and removes the temporary directory it made. It is safe to call
// more than once; later calls return the first call's result.
func (o *Origin) Close() error {
	o.closeOnce.Do(func() {
		o.lifeMu.Lock()
		o.closing = true
		stopAfter := o.stopAfter
		o.lifeMu.Unlock()
		if stopAfter != nil {
			stopAfter()
		}
		o.cancel()

		var errs []error
		for _, s := range o.servers {
			if err := s.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, fmt.Errorf("close server: %w", err))
			}
		}
		if o.upstream != nil {
			o.upstream.close()
		}
		if o.legacy != nil {
			o.legacy.close()
		}
		o.workers.Wait()
		o.handlers.Wait()
		for _, t := range o.transports {
			t.CloseIdleConnections()
		}
		if o.tempDir != "" {
			if err := os.RemoveAll(o.tempDir); err != nil {
				errs = append(errs, fmt.Errorf("remove temp dir: %w", err))
			}
		}
		o.closeErr = errors.Join(errs...)
	})
	return o.closeErr
}

// Elapsed is the story time now: time since Start, times Speed, within
// the current cycle.
func (o *Origin) Elapsed() time.Duration {
	d := o.now().Sub(o.start)
	if d < 0 {
		d = 0
	}
	return time.Duration(float64(d)*o.speed) % Cycle
}

// Phase is what scenario s is doing now.
func (o *Origin) Phase(s Scenario) Phase { return PhaseAt(s, o.Elapsed()) }

// scale turns a delay at Speed 1 into the delay at the origin's speed.
func (o *Origin) scale(d time.Duration) time.Duration {
	return time.Duration(float64(d) / o.speed)
}

// jittered is p's latency with its jitter applied, scaled to the speed.
func (o *Origin) jittered(p Phase) time.Duration {
	d := float64(p.Latency)
	if p.Jitter > 0 {
		o.randMu.Lock()
		u := o.rand.Float64()*2 - 1
		o.randMu.Unlock()
		d *= 1 + u*p.Jitter
	}
	return o.scale(time.Duration(d))
}

// wait blocks for d or until ctx or the origin is done; it reports
// whether the whole delay passed.
func (o *Origin) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	if o.hookWait != nil {
		o.hookWait(d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-o.ctx.Done():
		return false
	}
}

// sync opens or closes the toggled listeners to match the story now.
func (o *Origin) sync() {
	if err := o.upstream.set(o.Phase(Payments).Open()); err != nil {
		o.errLog.Printf("demo: payments upstream: %v", err)
	}
	if err := o.legacy.set(o.Phase(LegacyPort).Open()); err != nil {
		o.errLog.Printf("demo: legacy port: %v", err)
	}
}

// tick keeps the listeners in line with the story until Close.
func (o *Origin) tick() {
	defer o.workers.Done()
	t := time.NewTicker(syncEvery)
	defer t.Stop()
	for {
		o.sync()
		select {
		case <-o.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// enter registers a running handler; it is false once the origin closes.
func (o *Origin) enter() bool {
	o.lifeMu.RLock()
	defer o.lifeMu.RUnlock()
	if o.closing {
		return false
	}
	o.handlers.Add(1)
	return true
}

// tracked wraps h so that Close waits for it and it never starts after Close.
func (o *Origin) tracked(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !o.enter() {
			w.Header().Set("Connection", "close")
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		defer o.handlers.Done()
		h.ServeHTTP(w, r)
	})
}

// newServer is an http.Server for h whose request contexts end when the
// origin closes.
func (o *Origin) newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           o.tracked(h),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          o.errLog,
		BaseContext:       func(net.Listener) context.Context { return o.ctx },
	}
}

// listen serves h on a new loopback listener for the origin's lifetime.
func (o *Origin) listen(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listen: %w", err)
	}
	o.run(o.newServer(h), ln)
	return ln.Addr().String(), nil
}

// run serves srv on ln in a goroutine that Close waits for.
func (o *Origin) run(srv *http.Server, ln net.Listener) {
	o.servers = append(o.servers, srv)
	o.workers.Add(1)
	go func() {
		defer o.workers.Done()
		_ = srv.Serve(ln)
	}()
}

// serveHTTP is a serveFunc for a toggled listener: every opening gets a
// fresh http.Server (a closed one cannot serve again).
func (o *Origin) serveHTTP(h http.Handler) serveFunc {
	return func(ln net.Listener) func() {
		srv := o.newServer(h)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = srv.Serve(ln)
		}()
		return func() {
			_ = srv.Close()
			<-done
		}
	}
}
