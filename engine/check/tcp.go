package check

import (
	"context"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// TCP checks tcp://host:port monitors: the connection must open before the
// deadline. Latency is the connect time (with name resolution); failures
// are refused, timeout, unreachable or dns_*.
type TCP struct{ b *base }

var _ engine.Checker = (*TCP)(nil)

// Check opens and closes one connection for m.
func (c *TCP) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	var r monitor.Result
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	start := time.Now()

	u, err := parsedURL(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	if u.Hostname() == "" || u.Port() == "" {
		fail(&r, ClassConfig, "tcp url needs a host and a port: tcp://host:port")
		return r
	}
	var t dialTrace
	conn, err := c.b.dialFunc(m.IPVersion, strings.Join(m.Resolve, ","))(t.with(ctx, c.b), "tcp", u.Host)
	r.Latency = time.Since(start)
	r.Phases.DNS, r.Phases.Connect = t.phases()
	r.Remote = t.remote(conn)
	if err != nil {
		dialFailure(ctx, &r, start, u.Host, err)
		return r
	}
	conn.Close()
	r.Status = monitor.StatusUp
	return r
}
