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
