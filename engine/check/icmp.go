package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	probing "github.com/prometheus-community/pro-bing"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// ICMP checks icmp://host monitors with a few echo requests. It tries an
// unprivileged ping socket first (Linux allows it to the groups in the
// sysctl net.ipv4.ping_group_range), then a raw socket (root or
// CAP_NET_RAW); when neither may be opened the class is
// icmp_not_permitted. Latency is the mean round trip; Loss the fraction
// of requests without a reply. Some replies missing is degraded
// (packet_loss), none at all is down (timeout).
type ICMP struct {
	b *base
	// privileged remembers that the unprivileged socket was refused and
	// the raw one worked, so later checks skip the refused attempt.
	privileged atomic.Bool
	// pingFn sends the echo requests; tests replace it to play a host
	// that refuses one kind of socket or both.
	pingFn func(ctx context.Context, ip net.IPAddr, privileged bool) (*probing.Statistics, error)
}

var _ engine.Checker = (*ICMP)(nil)

const (
	icmpCount    = 3                      // echo requests per check
	icmpInterval = 100 * time.Millisecond // between requests
	icmpWait     = 2 * time.Second        // how long after the last request a reply may come
)

// Check pings m's host.
func (c *ICMP) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	var r monitor.Result
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	start := time.Now()

	u, err := parsedURL(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	host := u.Hostname()
	if host == "" {
		host = u.Opaque // icmp:host
	}
	if host == "" {
		fail(&r, ClassConfig, "icmp url has no host: icmp://host")
		return r
	}
	addrs, err := c.b.resolver.LookupIPAddr(ctx, host)
	r.Phases.DNS = time.Since(start)
	if err != nil {
		failErr(&r, err)
		r.Latency = time.Since(start)
		return r
	}
	ip := addrs[0]
	for _, a := range addrs { // prefer IPv4: the more likely to be routed
		if a.IP.To4() != nil {
			ip = a
			break
		}
	}

	ping := c.pingFn
	if ping == nil {
		ping = c.ping
	}
	first := !c.privileged.Load()
	stats, err := ping(ctx, ip, !first)
	if permissionDenied(err) {
		var err2 error
		stats, err2 = ping(ctx, ip, first)
		switch {
		case err2 == nil && first:
			c.privileged.Store(true)
		case err2 == nil:
			c.privileged.Store(false)
		case permissionDenied(err2):
			err = fmt.Errorf("%w: neither an unprivileged ping socket (allow this group in sysctl net.ipv4.ping_group_range) "+
				"nor a raw socket (needs root or CAP_NET_RAW) may be opened: %v", ErrICMPNotPermitted, err2)
		default:
			err = err2
		}
		if err2 == nil {
			err = nil
		}
	}
	if err != nil && ctx.Err() == nil {
		failErr(&r, err)
		r.Latency = time.Since(start)
		return r
	}
	if stats == nil || stats.PacketsRecv == 0 {
		sent := 0
		if stats != nil {
			sent = stats.PacketsSent
		}
		r.Loss = 1
		r.Latency = time.Since(start)
		fail(&r, ClassTimeout, fmt.Sprintf("no reply to %d echo requests to %s", sent, ip))
		return r
	}
	r.Latency = stats.AvgRtt
	r.Loss = stats.PacketLoss / 100
	r.Status = monitor.StatusUp
	if stats.PacketsRecv < stats.PacketsSent {
		degrade(&r, ClassPacketLoss, fmt.Sprintf("%d of %d echo requests to %s got no reply",
			stats.PacketsSent-stats.PacketsRecv, stats.PacketsSent, ip))
	}
	return r
}

// ping sends icmpCount echo requests to ip and waits for the replies.
func (c *ICMP) ping(ctx context.Context, ip net.IPAddr, privileged bool) (*probing.Statistics, error) {
	p := probing.New("")
	p.SetIPAddr(&ip)
	p.SetLogger(probing.NoopLogger{})
	p.SetPrivileged(privileged)
	p.Count = icmpCount
	p.Interval = icmpInterval
	p.Timeout = (icmpCount-1)*icmpInterval + icmpWait
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < p.Timeout {
		p.Timeout = max(time.Until(dl), time.Millisecond)
	}
	p.RecordTTLs = false
	err := p.RunWithContext(ctx)
	if err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		err = nil // the deadline ends the run; the statistics tell the story
	}
	if err != nil && p.PacketsSent == 0 {
		return nil, err
	}
	return p.Statistics(), nil
}

// permissionDenied reports whether err means the socket kind is not
// allowed (EACCES for a ping socket outside ping_group_range, EPERM for a
// raw socket without CAP_NET_RAW; some sandboxes lack the protocol).
func permissionDenied(err error) bool {
	return err != nil && (errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) ||
		errors.Is(err, syscall.EPROTONOSUPPORT) || errors.Is(err, syscall.EAFNOSUPPORT))
}
