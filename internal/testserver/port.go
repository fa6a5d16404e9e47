package testserver

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sync"
)

// Ports for servers are chosen below the system's ephemeral range. A port
// the kernel picked for a listener on port 0 and that was closed at once
// could be handed out again, to the next listener on port 0 or as the
// source port of an outgoing connection, before the server binds it; with
// many tests at once (httptest servers, daemons, clients) that happens, and
// the server dies with "Address already in use". The kernel never gives out
// a port below the ephemeral range by itself.
const (
	portsFrom = 10000 // the lowest port chosen
	portTries = 100
)

// given are the ports this process has handed out: two tests never get
// the same one, even before either has bound it.
var given struct {
	sync.Mutex
	ports map[int]bool
}

// freePort returns a port on 127.0.0.1 that is free now and was not
// handed out before, below the ephemeral range where it can, else one the
// kernel picks.
func freePort() (int, error) {
	if to := ephemeralLow(); to-portsFrom >= 1000 {
		given.Lock()
		defer given.Unlock()
		if given.ports == nil {
			given.ports = map[int]bool{}
		}
		for range portTries {
			port := portsFrom + rand.IntN(to-portsFrom)
			if given.ports[port] {
				continue
			}
			if l, err := net.Listen("tcp", Addr(port)); err == nil {
				l.Close()
				given.ports[port] = true
				return port, nil
			}
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ephemeralLow is the first port of the system's ephemeral range; 0 where
// it cannot be read.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	var low, high int
	if _, err := fmt.Sscan(string(b), &low, &high); err != nil {
		return 0
	}
	return low
}
