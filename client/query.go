package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// maxHistoryBody bounds a history answer (100,000 results as JSON).
const maxHistoryBody = 256 << 20

// Query answers questions about the past from the daemons' history
// endpoints; nil when no daemon keeps history. With several daemons, a
// monitor's history comes from the first daemon (in the order of the
// addresses) that has the monitor and keeps history.
func (c *Client) Query() engine.Querier {
	for _, d := range c.daemons {
		d.mu.RLock()
		h := d.hello.History
		d.mu.RUnlock()
		if h {
			return querier{c}
		}
	}
	return nil
}

type querier struct{ c *Client }

var _ engine.Querier = querier{}

// daemonFor picks the daemon to ask about a monitor.
func (q querier) daemonFor(name string) (*daemon, error) {
	for _, d := range q.c.owners(name) {
		d.mu.RLock()
		h := d.hello.History
		d.mu.RUnlock()
		if h {
			return d, nil
		}
	}
	return nil, fmt.Errorf("%w: %s (or no history kept for it)", engine.ErrNoMonitor, name)
}

func (q querier) get(name, what string, from, to time.Time, out any) error {
	d, err := q.daemonFor(name)
	if err != nil {
		return err
	}
	v := url.Values{"from": {from.UTC().Format(time.RFC3339)}, "to": {to.UTC().Format(time.RFC3339)}}
	ctx, cancel := context.WithTimeout(context.Background(), d.hc.Timeout)
	defer cancel()
	req, err := d.newRequest(ctx, "GET", "/api/v1/monitors/"+url.PathEscape(name)+"/"+what+"?"+v.Encode())
	if err != nil {
		return err
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode == http.StatusNotImplemented {
			return fmt.Errorf("%s keeps no history", d.addr)
		}
		return statusError(resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxHistoryBody)).Decode(out); err != nil {
		return fmt.Errorf("history from %s: %w", d.addr, err)
	}
	return nil
}

// Results returns a monitor's results in [from, to), oldest first.
func (q querier) Results(name string, from, to time.Time) ([]monitor.Result, error) {
	var rs []wire.Result
	if err := q.get(name, "history", from, to, &rs); err != nil {
		return nil, err
	}
	out := make([]monitor.Result, len(rs))
	for i := range rs {
		out[i] = rs[i].ToEngine()
	}
	return out, nil
}

// Incidents returns a monitor's incidents that overlap [from, to), oldest first.
func (q querier) Incidents(name string, from, to time.Time) ([]monitor.Incident, error) {
	var out []monitor.Incident
	if err := q.get(name, "incidents", from, to, &out); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Monitor = engine.Sanitize(out[i].Monitor, 0)
		for j, c := range out[i].Classes {
			out[i].Classes[j] = engine.Sanitize(c, 60)
		}
	}
	return out, nil
}

// ErrorsByHour counts a monitor's failed checks by hour of day (UTC) in [from, to).
func (q querier) ErrorsByHour(name string, from, to time.Time) ([24]int, error) {
	var out [24]int
	err := q.get(name, "errors_by_hour", from, to, &out)
	return out, err
}
