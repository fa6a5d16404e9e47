package demo

import (
	"errors"
	"fmt"
	"net"
	"sync"
)

// serveFunc runs a service on ln until stop is called; stop closes ln and
// everything served on it and returns once the service has ended.
type serveFunc func(ln net.Listener) (stop func())

// toggle is a listener that the story opens and closes, keeping its port
// so the same address is refused while closed and answers again when
// reopened.
type toggle struct {
	serve serveFunc
	// move allows a new port when the old one cannot be taken back (an
	// internal address nobody monitors directly).
	move bool

	mu     sync.Mutex
	addr   string
	stop   func() // nil while closed
	closed bool   // the origin is closing: never reopen
}

// newToggle opens a listener on a free loopback port and starts serving.
func newToggle(serve serveFunc, move bool) (*toggle, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return &toggle{serve: serve, move: move, addr: ln.Addr().String(), stop: serve(ln)}, nil
}

// Addr is the listener's current address.
func (g *toggle) Addr() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.addr
}

// set opens or closes the listener. Reopening takes the same port again;
// when that fails and the toggle may move, it takes a new one.
func (g *toggle) set(open bool) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || open == (g.stop != nil) {
		return nil
	}
	if !open {
		g.stop()
		g.stop = nil
		return nil
	}
	ln, err := net.Listen("tcp", g.addr)
	if err != nil && g.move {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return fmt.Errorf("reopen %s: %w", g.addr, err)
	}
	g.addr = ln.Addr().String()
	g.stop = g.serve(ln)
	return nil
}

// close stops serving for good.
func (g *toggle) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	if g.stop != nil {
		g.stop()
		g.stop = nil
	}
}

// acceptAndGreet is the legacy port's service: it accepts, writes a short
// banner and hangs up.
func acceptAndGreet(ln net.Listener) (stop func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			_, _ = c.Write([]byte("+OK legacy service ready\r\n"))
			_ = c.Close()
		}
	}()
	return func() {
		_ = ln.Close()
		<-done
	}
}
