package testserver

import (
	"net"
	"strconv"
	"testing"
)

// TestStartStop starts a real redis-server (the lightest of the servers
// the integration tests use), waits for it and stops it by its PID.
func TestStartStop(t *testing.T) {
	bin := Need(t, "redis-server", "redis-server")
	port := Port(t)
	p := Start(t, "redis", Options{User: "nobody"}, bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", ".")
	p.WaitTCP(t, Addr(port))
	p.Stop(t)
	select {
	case <-p.Exited():
	default:
		t.Fatal("still running after Stop")
	}
	if c, err := net.Dial("tcp", Addr(port)); err == nil {
		c.Close()
		t.Fatal("port still answers after Stop")
	}
}

// Ports are free, below the ephemeral range (where the kernel hands out
// none by itself), and never handed out twice.
func TestPortsAreBelowTheEphemeralRange(t *testing.T) {
	low := ephemeralLow()
	seen := map[int]bool{}
	for range 50 {
		p := Port(t)
		if low-portsFrom >= 1000 && (p < portsFrom || p >= low) {
			t.Errorf("port %d, want one in [%d, %d)", p, portsFrom, low)
		}
		if seen[p] {
			t.Errorf("port %d handed out twice", p)
		}
		seen[p] = true
		l, err := net.Listen("tcp", Addr(p))
		if err != nil {
			t.Fatalf("port %d is not free: %v", p, err)
		}
		l.Close()
	}
}
