package check

import (
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	probing "github.com/prometheus-community/pro-bing"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// TestICMPLoopback pings 127.0.0.1. Whether the OS lets this process ping
// depends on the machine, so both outcomes are accepted, each with the
// right shape.
func TestICMPLoopback(t *testing.T) {
	t.Parallel()
	checker := New(Options{})[monitor.KindICMP]
	for range 2 { // the second check starts with the socket kind that worked
		r := run(t, checker, testMonitor("icmp://127.0.0.1"), 3*time.Second)
		switch r.Status {
		case monitor.StatusUp:
			if r.Class != "" || r.Error != "" || r.Latency <= 0 || r.Loss != 0 {
				t.Errorf("up with class %q error %q latency %v loss %v", r.Class, r.Error, r.Latency, r.Loss)
			}
		case monitor.StatusDown:
			if r.Class != ClassICMPNotPermitted {
				t.Fatalf("down with class %q (%q), want up or %s", r.Class, r.Error, ClassICMPNotPermitted)
			}
			if !strings.Contains(r.Error, "ping_group_range") || !strings.Contains(r.Error, "CAP_NET_RAW") {
				t.Errorf("Error = %q, want advice on ping_group_range and CAP_NET_RAW", r.Error)
			}
			t.Logf("ICMP not permitted here: %s", r.Error)
		default:
			t.Fatalf("status %v (%q)", r.Status, r.Error)
		}
	}
}

func TestICMPNames(t *testing.T) {
	checker := New(Options{Resolver: testResolver(dnsServer(t))})[monitor.KindICMP]
	for _, tt := range []struct{ url, class string }{
		{"icmp://nx.test", ClassDNSNXDomain},
		{"icmp://", ClassConfig},
	} {
		r := run(t, checker, testMonitor(tt.url), 2*time.Second)
		if r.Status != monitor.StatusDown || r.Class != tt.class {
			t.Errorf("%s: got %v/%q (%q), want down/%s", tt.url, r.Status, r.Class, r.Error, tt.class)
		}
	}
}

func TestICMPSocketFallback(t *testing.T) {
	eacces := &net.OpError{Op: "listen", Net: "udp4", Err: os.NewSyscallError("socket", syscall.EACCES)}
	eperm := &net.OpError{Op: "listen", Net: "ip4:icmp", Err: os.NewSyscallError("socket", syscall.EPERM)}
	ok := &probing.Statistics{PacketsSent: 3, PacketsRecv: 3, AvgRtt: time.Millisecond}
	lossy := &probing.Statistics{PacketsSent: 3, PacketsRecv: 2, PacketLoss: 100.0 / 3, AvgRtt: time.Millisecond}
	silent := &probing.Statistics{PacketsSent: 3, PacketLoss: 100}
	type answer struct {
		stats *probing.Statistics
		err   error
	}
	tests := []struct {
		name         string
		unpriv, priv answer
		status       monitor.Status
		class        string
		tries        []bool // privileged flag of each attempt, over two checks
		loss         float64
	}{
		{"unprivileged works", answer{ok, nil}, answer{nil, eperm}, monitor.StatusUp, "",
			[]bool{false, false}, 0},
		{"raw socket fallback, remembered", answer{nil, eacces}, answer{ok, nil}, monitor.StatusUp, "",
			[]bool{false, true, true}, 0},
		{"neither permitted", answer{nil, eacces}, answer{nil, eperm}, monitor.StatusDown, ClassICMPNotPermitted,
			[]bool{false, true, false, true}, 0},
		{"some loss", answer{lossy, nil}, answer{}, monitor.StatusDegraded, ClassPacketLoss,
			[]bool{false, false}, 1.0 / 3},
		{"no reply", answer{silent, nil}, answer{}, monitor.StatusDown, ClassTimeout,
			[]bool{false, false}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{})[monitor.KindICMP].(*ICMP)
			var tries []bool
			c.pingFn = func(_ context.Context, _ net.IPAddr, privileged bool) (*probing.Statistics, error) {
				tries = append(tries, privileged)
				if privileged {
					return tt.priv.stats, tt.priv.err
				}
				return tt.unpriv.stats, tt.unpriv.err
			}
			var r monitor.Result
			for range 2 {
				r = run(t, c, testMonitor("icmp://127.0.0.1"), time.Second)
			}
			if r.Status != tt.status || r.Class != tt.class {
				t.Fatalf("got %v/%q (%q), want %v/%q", r.Status, r.Class, r.Error, tt.status, tt.class)
			}
			if fmt.Sprint(tries) != fmt.Sprint(tt.tries) {
				t.Errorf("socket attempts (privileged?) %v, want %v", tries, tt.tries)
			}
			if math.Abs(r.Loss-tt.loss) > 1e-9 {
				t.Errorf("Loss = %v, want %v", r.Loss, tt.loss)
			}
			if tt.class == ClassICMPNotPermitted && !strings.Contains(r.Error, "net.ipv4.ping_group_range") {
				t.Errorf("Error = %q, want advice on ping_group_range", r.Error)
			}
		})
	}
}
