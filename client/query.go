package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// maxHistoryBody bounds a history answer (100,000 results as JSON).
const maxHistoryBody = 256 << 20

// Query answers questions about the past from the daemons' history
// endpoints; nil when no daemon keeps history. With several daemons, a
// monitor's history comes from the first daemon (in the order of the
// addresses) that has the monitor and keeps history.
func (c *Client) Query() source.Querier {
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

var _ source.Querier = querier{}

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
	return nil, fmt.Errorf("%w: %s (or no history kept for it)", source.ErrNoMonitor, name)
}

// get asks for one of a monitor's history endpoints and hands the answer
// to decode.
func (q querier) get(ctx context.Context, name, what string, from, to time.Time, decode func(*json.Decoder) error) error {
	d, err := q.daemonFor(name)
	if err != nil {
		return err
	}
	v := url.Values{"from": {from.UTC().Format(time.RFC3339)}, "to": {to.UTC().Format(time.RFC3339)}}
	ctx, cancel := context.WithTimeout(ctx, d.hc.Timeout)
	defer cancel()
	req, err := d.newRequest(ctx, "GET", "/api/v1/monitors/"+url.PathEscape(name)+"/"+what+"?"+v.Encode())
	if err != nil {
		return err
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return reachError{d.addr, err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return statusError(resp)
	}
	if err := decode(json.NewDecoder(io.LimitReader(resp.Body, maxHistoryBody))); err != nil {
		return fmt.Errorf("history from %s: %w", d.addr, err)
	}
	return nil
}

// Results returns a monitor's results in [from, to), oldest first. They
// are converted as they are read: the answer is never held twice.
func (q querier) Results(ctx context.Context, name string, from, to time.Time) ([]monitor.Result, error) {
	var out []monitor.Result
	err := q.get(ctx, name, "history", from, to, func(dec *json.Decoder) error {
		if _, err := dec.Token(); err != nil { // [
			return err
		}
		for dec.More() {
			var r wire.Result
			if err := dec.Decode(&r); err != nil {
				return err
			}
			out = append(out, r.ToDomain())
		}
		_, err := dec.Token() // ]
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Incidents returns a monitor's incidents that overlap [from, to), oldest first.
func (q querier) Incidents(ctx context.Context, name string, from, to time.Time) ([]monitor.Incident, error) {
	var ins []wire.Incident
	if err := q.get(ctx, name, "incidents", from, to, func(dec *json.Decoder) error { return dec.Decode(&ins) }); err != nil {
		return nil, err
	}
	out := make([]monitor.Incident, len(ins))
	for i := range ins {
		out[i] = ins[i].ToDomain()
	}
	return out, nil
}

// ErrorsByHour counts a monitor's failed checks by hour of day (UTC) in [from, to).
func (q querier) ErrorsByHour(ctx context.Context, name string, from, to time.Time) ([24]int, error) {
	var out [24]int
	err := q.get(ctx, name, "errors_by_hour", from, to, func(dec *json.Decoder) error { return dec.Decode(&out) })
	return out, err
}

// Now asks every daemon for its monitors as they are at this moment (GET
// /api/v1/monitors), one daemon after another in the order given. The
// event stream's first snapshot may be one shared with viewers that
// attached a little earlier, with the events since following it: right
// for a view that goes on, stale for one printed once and done. A daemon
// that does not answer is left out, and named in the error.
func (c *Client) Now(ctx context.Context) ([]monitor.State, error) {
	return c.now(ctx, c.daemons, func(d *daemon) ([]wire.Monitor, error) {
		var ms []wire.Monitor
		return ms, d.getNow(ctx, "/api/v1/monitors", &ms)
	})
}

// NowOf is Now for one monitor (GET /api/v1/monitors/{name}), on the
// daemons that have it: its state on each.
func (c *Client) NowOf(ctx context.Context, name string) ([]monitor.State, error) {
	return c.now(ctx, c.owners(name), func(d *daemon) ([]wire.Monitor, error) {
		var m wire.Monitor
		err := d.getNow(ctx, "/api/v1/monitors/"+url.PathEscape(name), &m)
		return []wire.Monitor{m}, err
	})
}

// now asks each of ds for monitors with get, and makes states of them.
func (c *Client) now(ctx context.Context, ds []*daemon, get func(*daemon) ([]wire.Monitor, error)) ([]monitor.State, error) {
	var out []monitor.State
	var errs []error
	for _, d := range ds {
		ms, err := get(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d.mu.RLock()
		loc := d.hello.Location
		d.mu.RUnlock()
		for i := range ms {
			st := ms[i].ToState(ms[i].MonitorOf())
			if st.Location == "" {
				st.Location = engine.Sanitize(loc, 60)
			}
			out = append(out, st)
		}
	}
	return out, errors.Join(errs...)
}

// getNow GETs path from d and decodes the JSON answer into v.
func (d *daemon) getNow(ctx context.Context, path string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, d.hc.Timeout)
	defer cancel()
	req, err := d.newRequest(ctx, "GET", path)
	if err != nil {
		return err
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return reachError{d.addr, err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return statusError(resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxHistoryBody)).Decode(v); err != nil {
		return fmt.Errorf("monitors from %s: %w", d.addr, err)
	}
	return nil
}
